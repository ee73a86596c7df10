package protocol

import (
	"errors"
	"fmt"
	"math/big"

	frbls "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	poseidon2bls "github.com/consensys/gnark-crypto/ecc/bls12-381/fr/poseidon2"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"

	"github.com/zkpoc/zkpoc/workload"
)

// Packing parameters. Entries are shifted to be non-negative, then packed
// little-endian into field elements of at most PackBits bits, so that every
// packed value is below the scalar modulus of every supported curve (BN254's
// has 254 bits, BLS12-381's 255) and the packing is unique.
const (
	// PackBits is the most bits one packed field element carries (< 254).
	PackBits = 253
	// InputBits is the width of a shifted int16 entry (a + 2^15).
	InputBits = 16

	domainInput  = 1
	domainOutput = 2
)

// ErrOutOfBound is returned when an output entry lies outside the bound the
// circuit range-checks for the given n and f.
var ErrOutOfBound = errors.New("output entry outside the circuit bound")

// OutputBits is the width b of the range check on C': every product entry
// lies in [-2^(b-1), 2^(b-1)) (see workload.OutputBound for the derivation).
func OutputBits(n, fracBits int) int { return workload.OutputBound(n, fracBits) }

// PerElement returns how many limbs of the given width one field element packs.
func PerElement(limbBits int) int { return PackBits / limbBits }

// domainTag is the first element absorbed by every digest: it separates
// input commitments from output digests and fixes n, f and the limb width.
func domainTag(domain, n, fracBits, limbBits int) uint64 {
	return uint64(domain) | uint64(n)<<8 | uint64(fracBits)<<32 | uint64(limbBits)<<40
}

// InputTag is the domain tag of the input commitment at n and f: the first
// element its sponge absorbs (the in-circuit sponge starts from it too).
func InputTag(n, fracBits int) uint64 { return domainTag(domainInput, n, fracBits, InputBits) }

// OutputTag is the domain tag of the output digest at n and f with outputs
// of outBits bits (OutputBits(n, f)).
func OutputTag(n, fracBits, outBits int) uint64 {
	return domainTag(domainOutput, n, fracBits, outBits)
}

// nativeHasher is the sponge the circuit computes: the capacity lane starts
// as the domain tag, each block of up to rate elements is added to lanes
// 1..rate and permuted, and the digest is lane 1 of the final state. Inputs
// have a fixed length for a given tag, so a short last block needs no padding rule.
type nativeHasher struct {
	rate    int
	permute func(state []*big.Int)
	mod     *big.Int
	state   []*big.Int
	pos     int // elements absorbed into the current block
}

func newNativeHasher(curve Curve, tag uint64) *nativeHasher {
	sp := curve.Sponge()
	h := &nativeHasher{rate: sp.Rate(), mod: curve.ScalarField(), state: make([]*big.Int, sp.Width)}
	for i := range h.state {
		h.state[i] = new(big.Int)
	}
	h.state[0].SetUint64(tag)
	switch curve {
	case BLS12381:
		h.permute = onBigInts[frbls.Element](sp.Width, poseidon2bls.NewPermutation(sp.Width, sp.FullRounds, sp.PartialRounds).Permutation)
	default:
		h.permute = onBigInts[fr.Element](sp.Width, poseidon2.NewPermutation(sp.Width, sp.FullRounds, sp.PartialRounds).Permutation)
	}
	return h
}

// fieldElement is a curve's fr.Element, as the permutations take it.
type fieldElement[E any] interface {
	*E
	SetBigInt(*big.Int) *E
	BigInt(*big.Int) *big.Int
}

// onBigInts runs a permutation over the curve's field elements on a state
// held as big integers (reduced mod r).
func onBigInts[E any, PE fieldElement[E]](width int, perm func([]E) error) func([]*big.Int) {
	buf := make([]E, width)
	return func(st []*big.Int) {
		for i := range st {
			PE(&buf[i]).SetBigInt(st[i])
		}
		if err := perm(buf); err != nil {
			panic(err) // the width is fixed by the caller
		}
		for i := range st {
			PE(&buf[i]).BigInt(st[i])
		}
	}
}

func (h *nativeHasher) write(x *big.Int) {
	lane := h.state[1+h.pos]
	lane.Add(lane, x).Mod(lane, h.mod)
	h.pos++
	if h.pos == h.rate {
		h.permute(h.state)
		h.pos = 0
	}
}

func (h *nativeHasher) sum() [32]byte {
	if h.pos > 0 {
		h.permute(h.state)
		h.pos = 0
	}
	var out [32]byte
	h.state[1].FillBytes(out[:])
	return out
}

// DigestLimbs hashes the domain tag, then the limbs (already shifted to be
// non-negative) packed PerElement(limbBits) per element, arithmetically mod r
// exactly as the circuit does; each group starts a new element. The digest
// is the canonical value as 32 bytes, big-endian. InputCommitmentOn and
// OutputDigestOn are its two uses; package circuits' tests call it on limbs
// outside the ranges those accept, as a malicious witness would carry them.
func DigestLimbs(curve Curve, tag uint64, limbBits int, groups ...[]*big.Int) [32]byte {
	h := newNativeHasher(curve, tag)
	per := PerElement(limbBits)
	acc, term := new(big.Int), new(big.Int)
	for _, limbs := range groups {
		for s := 0; s < len(limbs); s += per {
			acc.SetUint64(0)
			for i, l := range limbs[s:min(s+per, len(limbs))] {
				term.Lsh(l, uint(i*limbBits))
				acc.Add(acc, term)
			}
			h.write(acc) // write reduces mod r
		}
	}
	return h.sum()
}

func shiftedLimbs[T int16 | int64](xs []T, nbBits int) []*big.Int {
	off := new(big.Int).Lsh(big.NewInt(1), uint(nbBits-1))
	out := make([]*big.Int, len(xs))
	for i, x := range xs {
		out[i] = new(big.Int).Add(big.NewInt(int64(x)), off)
	}
	return out
}

// InputCommitment is the BN254 Poseidon2 digest of A then B: the value a
// supplied task names (payload.input_commitment). See InputCommitmentOn.
func InputCommitment(a, b []int16, n, fracBits int) ([32]byte, error) {
	return InputCommitmentOn(BN254, a, b, n, fracBits)
}

// OutputDigest is the BN254 Poseidon2 digest of C'. See OutputDigestOn.
func OutputDigest(c []int64, n, fracBits int) ([32]byte, error) {
	return OutputDigestOn(BN254, c, n, fracBits)
}

// InputCommitmentOn is the curve's Poseidon2 digest of A then B (row-major,
// each entry shifted by 2^15 and packed PerElement(16) to a field element),
// after a domain tag binding n and f, as 32 big-endian bytes.
func InputCommitmentOn(curve Curve, a, b []int16, n, fracBits int) ([32]byte, error) {
	if len(a) != n*n || len(b) != n*n {
		return [32]byte{}, fmt.Errorf("input commitment: want %d entries per matrix, have A=%d B=%d", n*n, len(a), len(b))
	}
	if curve == BN254 {
		h := newBN254Sponge(InputTag(n, fracBits))
		absorbShifted(h, a, InputBits)
		absorbShifted(h, b, InputBits)
		return h.sum(), nil
	}
	return DigestLimbs(curve, InputTag(n, fracBits), InputBits,
		shiftedLimbs(a, InputBits), shiftedLimbs(b, InputBits)), nil
}

// OutputDigestOn is the curve's Poseidon2 digest of C' (row-major, each
// entry shifted by 2^(b-1) with b = OutputBits(n, f), packed PerElement(b)
// per field element), after a domain tag binding n, f and b.
func OutputDigestOn(curve Curve, c []int64, n, fracBits int) ([32]byte, error) {
	if len(c) != n*n {
		return [32]byte{}, fmt.Errorf("output digest: want %d entries, have %d", n*n, len(c))
	}
	b := OutputBits(n, fracBits)
	half := int64(1) << (b - 1)
	for i, v := range c {
		if v < -half || v >= half {
			return [32]byte{}, fmt.Errorf("output digest: entry %d = %d: %w [-2^%d, 2^%d)", i, v, ErrOutOfBound, b-1, b-1)
		}
	}
	if curve == BN254 {
		h := newBN254Sponge(OutputTag(n, fracBits, b))
		absorbShifted(h, c, b)
		return h.sum(), nil
	}
	return DigestLimbs(curve, OutputTag(n, fracBits, b), b, shiftedLimbs(c, b)), nil
}
