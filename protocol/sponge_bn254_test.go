package protocol

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
)

// TestPermutation16MatchesGnark compares the vectorised permutation with
// gnark-crypto's poseidon2.Permutation on edge and random states.
func TestPermutation16MatchesGnark(t *testing.T) {
	sp := BN254.Sponge()
	ref := poseidon2.NewPermutation(sp.Width, sp.FullRounds, sp.PartialRounds)
	var qMinus1 fr.Element
	qMinus1.SetOne().Neg(&qMinus1)
	states := map[string]func(i int) fr.Element{
		"zero":  func(int) fr.Element { return fr.Element{} },
		"q-1":   func(int) fr.Element { return qMinus1 },
		"index": func(i int) fr.Element { var e fr.Element; e.SetUint64(uint64(i)); return e },
	}
	for k := range 64 {
		states["random"+string(rune('A'+k%26))+string(rune('a'+k/26))] = func(int) fr.Element {
			var e fr.Element
			if _, err := e.SetRandom(); err != nil {
				t.Fatal(err)
			}
			return e
		}
	}
	for name, gen := range states {
		want := make([]fr.Element, sp.Width)
		for i := range want {
			want[i] = gen(i)
		}
		got := append(fr.Vector(nil), want...)
		if err := ref.Permutation(want); err != nil {
			t.Fatal(err)
		}
		bn254PermOnce().permute(got)
		for i := range want {
			if !got[i].Equal(&want[i]) {
				t.Fatalf("%s: lane %d = %s, gnark-crypto %s", name, i, got[i].String(), want[i].String())
			}
		}
	}
}

// TestFastDigestMatchesReference compares InputCommitmentOn and
// OutputDigestOn on BN254 with DigestLimbs (big integers) for sizes whose
// groups end on a full, a short and a one-limb element, and for extreme
// entries (every limb at its bound).
func TestFastDigestMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 4, 5, 8, 15, 16, 17, 31, 64} {
		for _, fill := range []string{"random", "min", "max"} {
			a, b := make([]int16, n*n), make([]int16, n*n)
			for i := range a {
				switch fill {
				case "random":
					a[i], b[i] = int16(rng.Uint32()), int16(rng.Uint32())
				case "min":
					a[i], b[i] = -1<<15, -1<<15
				case "max":
					a[i], b[i] = 1<<15-1, 1<<15-1
				}
			}
			for _, f := range []int{0, 8} {
				got, err := InputCommitmentOn(BN254, a, b, n, f)
				if err != nil {
					t.Fatal(err)
				}
				want := DigestLimbs(BN254, InputTag(n, f), InputBits, shiftedLimbs(a, InputBits), shiftedLimbs(b, InputBits))
				if got != want {
					t.Fatalf("n=%d f=%d %s: input commitment %x, reference %x", n, f, fill, got, want)
				}
				ob := OutputBits(n, f)
				c := make([]int64, n*n)
				for i := range c {
					switch fill {
					case "random":
						c[i] = rng.Int64N(1<<(ob-1)) - rng.Int64N(1<<(ob-1))
					case "min":
						c[i] = -1 << (ob - 1)
					case "max":
						c[i] = 1<<(ob-1) - 1
					}
				}
				gotC, err := OutputDigestOn(BN254, c, n, f)
				if err != nil {
					t.Fatal(err)
				}
				wantC := DigestLimbs(BN254, OutputTag(n, f, ob), ob, shiftedLimbs(c, ob))
				if gotC != wantC {
					t.Fatalf("n=%d f=%d %s: output digest %x, reference %x", n, f, fill, gotC, wantC)
				}
			}
		}
	}
}

// BenchmarkInputCommitment is the BN254 input commitment of two n×n
// matrices, the fast path against the big-integer reference.
func BenchmarkInputCommitment(b *testing.B) {
	for _, n := range []int{1024, 4096} {
		a, m := make([]int16, n*n), make([]int16, n*n)
		for i := range a {
			a[i], m[i] = int16(i*7919), int16(i*104729)
		}
		b.Run("n="+itoa(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := InputCommitmentOn(BN254, a, m, n, 8); err != nil {
					b.Fatal(err)
				}
			}
		})
		if n > 1024 {
			continue // the reference takes tens of seconds at 4096
		}
		b.Run("reference/n="+itoa(n), func(b *testing.B) {
			for b.Loop() {
				DigestLimbs(BN254, InputTag(n, 8), InputBits, shiftedLimbs(a, InputBits), shiftedLimbs(m, InputBits))
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
