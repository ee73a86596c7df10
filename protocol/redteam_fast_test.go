package protocol

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/zkpoc/zkpoc/workload"
)

// Red team of the fast BN254 digests and of the reused input commitment.
// The reference is DigestLimbs (big integers over gnark-crypto's own
// Poseidon2 permutation).

// redteamEntries draws entries in [lo, hi] mixing the bounds, their
// neighbours, zero, -1 and uniform values, so that every packed element
// sees carries across word boundaries from both signs.
func redteamEntries(rng *rand.Rand, count int, lo, hi int64) []int64 {
	out := make([]int64, count)
	for i := range out {
		switch rng.IntN(8) {
		case 0:
			out[i] = lo
		case 1:
			out[i] = hi
		case 2:
			out[i] = lo + 1
		case 3:
			out[i] = hi - 1
		case 4:
			out[i] = 0
		case 5:
			out[i] = max(lo, -1)
		default:
			span := uint64(hi) - uint64(lo) // the width minus one, as unsigned
			if span == ^uint64(0) {
				out[i] = int64(rng.Uint64())
			} else {
				out[i] = lo + int64(rng.Uint64N(span+1))
			}
		}
	}
	return out
}

// TestRedteamAbsorbEveryLimbWidth: the packing of absorbShifted (one or two
// groups, any length, around the 15-element block boundary) gives the
// reference digest for every limb width 1..64, not only those OutputBits
// reaches at the sizes other tests run; widths 16 (the int16 fast branch,
// also an output width at small n) and 64 (the shift by 2^63 wraps) are in.
func TestRedteamAbsorbEveryLimbWidth(t *testing.T) {
	rng := rand.New(rand.NewPCG(0xdead, 0xbeef))
	for limb := 1; limb <= 64; limb++ {
		per := PerElement(limb)
		lo, hi := int64(-1)<<(limb-1), int64(uint64(1)<<(limb-1)-1)
		for _, elems := range []int{1, 14, 15, 16, 29, 30, 31} {
			for _, extra := range []int{0, 1, per - 1} {
				count := max(0, (elems-1)*per+extra+1)
				xs := redteamEntries(rng, count, lo, hi)
				ys := redteamEntries(rng, rng.IntN(2*per+1), lo, hi)
				tag := rng.Uint64()
				h := newBN254Sponge(tag)
				absorbShifted(h, xs, limb)
				absorbShifted(h, ys, limb)
				got := h.sum()
				want := DigestLimbs(BN254, tag, limb, shiftedLimbs(xs, limb), shiftedLimbs(ys, limb))
				if got != want {
					t.Fatalf("limb %d, %d+%d entries, tag %#x: fast %x, reference %x", limb, len(xs), len(ys), tag, got, want)
				}
			}
		}
	}
}

// TestRedteamSpongeRawExtremes: elements at the top of the packed range
// (2^253 − 1, every bit set), zero and single bits, absorbed raw, as
// DigestLimbs absorbs them.
func TestRedteamSpongeRawExtremes(t *testing.T) {
	top := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), PackBits), big.NewInt(1))
	vals := []*big.Int{top, big.NewInt(0), big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), 252), new(big.Int).Lsh(big.NewInt(1), 64), new(big.Int).Lsh(big.NewInt(1), 63)}
	for count := 1; count <= 46; count++ {
		h := newBN254Sponge(uint64(count))
		var limbs []*big.Int
		for i := range count {
			v := vals[i%len(vals)]
			var w [4]uint64
			for j := range w {
				w[j] = new(big.Int).Rsh(v, uint(64*j)).Uint64()
			}
			h.writeRaw(w)
			limbs = append(limbs, v)
		}
		// one limb per element: limbBits = PackBits, PerElement = 1
		if got, want := h.sum(), DigestLimbs(BN254, uint64(count), PackBits, limbs); got != want {
			t.Fatalf("%d raw elements: fast %x, reference %x", count, got, want)
		}
	}
}

// TestRedteamDigestsRandomSizes: InputCommitmentOn and OutputDigestOn on
// BN254 against the reference for n = 1..24 and some sizes that are not
// powers of two, f = 0, 1, 8, 15, 16, entries mixing −32768, 32767 and the
// output bounds (every n, f: the output width OutputBits(n, f) changes).
func TestRedteamDigestsRandomSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0x5eed))
	sizes := []int{33, 45, 63, 100}
	for n := 1; n <= 24; n++ {
		sizes = append(sizes, n)
	}
	for _, n := range sizes {
		for _, f := range []int{0, 1, 8, 15, 16} {
			a64 := redteamEntries(rng, n*n, -1<<15, 1<<15-1)
			b64 := redteamEntries(rng, n*n, -1<<15, 1<<15-1)
			a, b := make([]int16, n*n), make([]int16, n*n)
			for i := range a {
				a[i], b[i] = int16(a64[i]), int16(b64[i])
			}
			got, err := InputCommitmentOn(BN254, a, b, n, f)
			if err != nil {
				t.Fatal(err)
			}
			if want := DigestLimbs(BN254, InputTag(n, f), InputBits, shiftedLimbs(a, InputBits), shiftedLimbs(b, InputBits)); got != want {
				t.Fatalf("n=%d f=%d: input commitment %x, reference %x", n, f, got, want)
			}
			ob := OutputBits(n, f)
			c := redteamEntries(rng, n*n, int64(-1)<<(ob-1), int64(1)<<(ob-1)-1)
			gotC, err := OutputDigestOn(BN254, c, n, f)
			if err != nil {
				t.Fatal(err)
			}
			if want := DigestLimbs(BN254, OutputTag(n, f, ob), ob, shiftedLimbs(c, ob)); gotC != want {
				t.Fatalf("n=%d f=%d b=%d: output digest %x, reference %x", n, f, ob, gotC, want)
			}
			// the real product, too (what a receipt's output_digest is of)
			prod, err := workload.Multiply(a, b, n, f)
			if err != nil {
				t.Fatal(err)
			}
			gotP, err := OutputDigestOn(BN254, prod, n, f)
			if err != nil {
				t.Fatal(err)
			}
			if want := DigestLimbs(BN254, OutputTag(n, f, ob), ob, shiftedLimbs(prod, ob)); gotP != want {
				t.Fatalf("n=%d f=%d: output digest of A·B %x, reference %x", n, f, gotP, want)
			}
			// out of bound by one on either side: refused, as before
			for _, v := range []int64{int64(-1)<<(ob-1) - 1, int64(1) << (ob - 1)} {
				bad := append([]int64(nil), c...)
				bad[rng.IntN(len(bad))] = v
				if _, err := OutputDigestOn(BN254, bad, n, f); !errors.Is(err, ErrOutOfBound) {
					t.Fatalf("n=%d f=%d: entry %d outside b=%d accepted (%v)", n, f, v, ob, err)
				}
			}
		}
	}
}

// TestRedteamReusedCommitment: the commitment InputsCommitted returns is
// the one over the task's own curve of the matrices it returns; On gives
// that digest only for the same curve and recomputes on another curve or
// from a zero Commitment; a replaced input, a wrong curve's digest in the
// task, or a supplied task naming other matrices are refused.
func TestRedteamReusedCommitment(t *testing.T) {
	const n, f = 5, 8
	rng := rand.New(rand.NewPCG(3, 3))
	a, b := make([]int16, n*n), make([]int16, n*n)
	for i := range a {
		a[i], b[i] = int16(rng.Uint32()), int16(rng.Uint32())
	}
	for _, curve := range []Curve{BN254, BLS12381} {
		other := BLS12381
		if curve == BLS12381 {
			other = BN254
		}
		ic, err := InputCommitmentOn(curve, a, b, n, f)
		if err != nil {
			t.Fatal(err)
		}
		icOther, _ := InputCommitmentOn(other, a, b, n, f)
		task, err := workload.NewSuppliedTask("00000000-0000-4000-8000-000000000001", ic, n, f, "1", 1<<40)
		if err != nil {
			t.Fatal(err)
		}
		task.Payload.InputCommitmentAlg = map[Curve]string{BN254: workload.CommitPoseidon2BN254, BLS12381: workload.CommitPoseidon2BLS12381}[curve]
		ga, gb, c, err := InputsCommitted(task, a, b)
		if err != nil {
			t.Fatalf("%s: honest inputs refused: %v", curve, err)
		}
		if c.Curve != curve || c.Digest != ic || &ga[0] != &a[0] || &gb[0] != &b[0] {
			t.Fatalf("%s: InputsCommitted returned curve %q digest %x", curve, c.Curve, c.Digest)
		}
		for _, tc := range []struct {
			name  string
			c     Commitment
			curve Curve
			want  [32]byte
		}{
			{"same curve", c, curve, ic},
			{"other curve", c, other, icOther},
			{"zero commitment", Commitment{}, curve, ic},
			{"zero commitment, other curve", Commitment{}, other, icOther},
		} {
			got, err := tc.c.On(tc.curve, a, b, n, f)
			if err != nil || got != tc.want {
				t.Errorf("%s, %s: On = %x (%v), want %x", curve, tc.name, got, err, tc.want)
			}
		}
		// a replaced input: one entry of B changed
		b2 := append([]int16(nil), b...)
		b2[n*n-1]++
		if _, _, _, err := InputsCommitted(task, a, b2); !errors.Is(err, ErrInputsMismatch) {
			t.Errorf("%s: replaced B accepted (%v)", curve, err)
		}
		// A and B swapped
		if _, _, _, err := InputsCommitted(task, b, a); !errors.Is(err, ErrInputsMismatch) {
			t.Errorf("%s: swapped A, B accepted (%v)", curve, err)
		}
		// the task names the other curve's digest of the same matrices
		wrong := task
		wrong.Payload.InputCommitment = hexDigest(icOther)
		if _, _, _, err := InputsCommitted(wrong, a, b); !errors.Is(err, ErrInputsMismatch) {
			t.Errorf("%s: the %s digest accepted under the %s algorithm (%v)", curve, other, curve, err)
		}
		// the same matrices, another (n, f) domain tag
		if _, _, _, err := InputsCommitted(withFrac(task, f+1), a, b); err == nil {
			t.Errorf("%s: commitment at f=%d accepted at f=%d", curve, f, f+1)
		}
	}
}

func hexDigest(d [32]byte) string {
	const hexdig = "0123456789abcdef"
	out := make([]byte, 64)
	for i, x := range d {
		out[2*i], out[2*i+1] = hexdig[x>>4], hexdig[x&15]
	}
	return string(out)
}

func withFrac(t workload.ComputeTask, f int) workload.ComputeTask {
	t.Payload.FracBits = f
	return t
}
