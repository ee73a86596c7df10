package circuits

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"

	"github.com/zkpoc/zkpoc/workload"
)

// Packing parameters. Entries are shifted to be non-negative, then packed
// little-endian into field elements of at most PackBits bits, so that every
// packed value is below the BN254 scalar modulus and the packing is unique.
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

// Sponge parameters: Poseidon2 over BN254 with width 16 (8 full and 57
// partial rounds, gnark-crypto's reference constants), capacity one element,
// rate 15. One permutation absorbs 15 packed elements for about 555 R1CS
// constraints, against 186 per element for the t = 2 compression function.
const (
	SpongeWidth         = 16
	SpongeRate          = SpongeWidth - 1
	spongeFullRounds    = 8
	spongePartialRounds = 57
)

// nativeHasher is the sponge the circuit computes: the capacity lane starts
// as the domain tag, each block of up to 15 elements is added to lanes 1..15
// and permuted, and the digest is lane 1 of the final state. Inputs have a
// fixed length for a given tag, so a short last block needs no padding rule.
type nativeHasher struct {
	perm  *poseidon2.Permutation
	state [SpongeWidth]fr.Element
	pos   int // elements absorbed into the current block
}

func newNativeHasher(tag uint64) *nativeHasher {
	h := &nativeHasher{perm: poseidon2.NewPermutation(SpongeWidth, spongeFullRounds, spongePartialRounds)}
	h.state[0].SetUint64(tag)
	return h
}

func (h *nativeHasher) write(x fr.Element) {
	h.state[1+h.pos].Add(&h.state[1+h.pos], &x)
	h.pos++
	if h.pos == SpongeRate {
		h.permute()
	}
}

func (h *nativeHasher) permute() {
	if err := h.perm.Permutation(h.state[:]); err != nil {
		panic(err) // the width is fixed above
	}
	h.pos = 0
}

func (h *nativeHasher) sum() fr.Element {
	if h.pos > 0 {
		h.permute()
	}
	return h.state[1]
}

// digestLimbs hashes the domain tag, then the limbs (already shifted to be
// non-negative) packed PerElement(limbBits) per element, arithmetically mod p
// exactly as the circuit does; each group starts a new element.
func digestLimbs(tag uint64, limbBits int, groups ...[]*big.Int) fr.Element {
	h := newNativeHasher(tag)
	var e fr.Element
	per := PerElement(limbBits)
	acc, term := new(big.Int), new(big.Int)
	for _, limbs := range groups {
		for s := 0; s < len(limbs); s += per {
			acc.SetUint64(0)
			for i, l := range limbs[s:min(s+per, len(limbs))] {
				term.Lsh(l, uint(i*limbBits))
				acc.Add(acc, term)
			}
			e.SetBigInt(acc) // reduces mod p
			h.write(e)
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

// InputCommitment is the Poseidon2 digest of A then B (row-major, each entry
// shifted by 2^15 and packed PerElement(16) to a field element), after a
// domain tag binding n and f.
func InputCommitment(a, b []int16, n, fracBits int) (fr.Element, error) {
	if len(a) != n*n || len(b) != n*n {
		return fr.Element{}, fmt.Errorf("input commitment: want %d entries per matrix, have A=%d B=%d", n*n, len(a), len(b))
	}
	return digestLimbs(domainTag(domainInput, n, fracBits, InputBits), InputBits,
		shiftedLimbs(a, InputBits), shiftedLimbs(b, InputBits)), nil
}

// OutputDigest is the Poseidon2 digest of C' (row-major, each entry shifted by
// 2^(b-1) with b = OutputBits(n, f), packed PerElement(b) per field element),
// after a domain tag binding n, f and b.
func OutputDigest(c []int64, n, fracBits int) (fr.Element, error) {
	if len(c) != n*n {
		return fr.Element{}, fmt.Errorf("output digest: want %d entries, have %d", n*n, len(c))
	}
	b := OutputBits(n, fracBits)
	half := int64(1) << (b - 1)
	for i, v := range c {
		if v < -half || v >= half {
			return fr.Element{}, fmt.Errorf("output digest: entry %d = %d: %w [-2^%d, 2^%d)", i, v, ErrOutOfBound, b-1, b-1)
		}
	}
	return digestLimbs(domainTag(domainOutput, n, fracBits, b), b, shiftedLimbs(c, b)), nil
}
