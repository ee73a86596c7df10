package protocol

import (
	"encoding/binary"
	"math/big"
	"sync"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
)

// The BN254 digests on field elements: the same sponge as nativeHasher (and
// the circuit), computed without big integers. It is what InputCommitmentOn
// and OutputDigestOn use on BN254; DigestLimbs (big integers, any limbs) is
// the reference it is tested against (TestFastDigestMatchesReference), and
// the golden vectors in testdata pin both.
//
// The permutation is gnark-crypto's Poseidon2 (width 16, 8 full and 57
// partial rounds, its round keys and internal diagonal), rewritten over
// fr.Vector so that the sixteen independent multiplications of a round (the
// S-boxes of a full round, the internal diagonal of a partial round) run as
// one vectorised call (AVX-512 IFMA where the CPU has it). Every step is the
// same field operation in the same order as poseidon2.Permutation's, so the
// output is identical; TestPermutation16MatchesGnark checks it on random
// and edge states against gnark-crypto's own.

const bn254Width = 16

type bn254Perm struct {
	rk   [][]fr.Element // per round: 16 keys (full rounds) or 1 (partial)
	diag fr.Vector      // internal matrix diagonal minus one
	rf   int            // full rounds
	rp   int            // partial rounds
	r2   fr.Vector      // 16 copies of the element whose raw words are R² mod q
}

var bn254PermOnce = sync.OnceValue(func() *bn254Perm {
	sp := BN254.Sponge()
	p := poseidon2.NewParameters(sp.Width, sp.FullRounds, sp.PartialRounds)
	perm := &bn254Perm{rk: p.RoundKeys, diag: fr.Vector(p.DiagM1), rf: sp.FullRounds, rp: sp.PartialRounds}
	// Montgomery form of a canonical x is x·R mod q = mont(x, R² mod q):
	// multiplying raw words x by an element whose raw words are R² gives it.
	r := new(big.Int).Lsh(big.NewInt(1), 256)
	r2 := new(big.Int).Exp(r, big.NewInt(2), fr.Modulus())
	var be [32]byte
	r2.FillBytes(be[:])
	var e fr.Element
	for i := range e {
		e[i] = binary.BigEndian.Uint64(be[24-8*i:])
	}
	perm.r2 = make(fr.Vector, bn254Width)
	for i := range perm.r2 {
		perm.r2[i] = e
	}
	return perm
})

// permute applies the permutation to s in place.
func (p *bn254Perm) permute(s fr.Vector) {
	var t [bn254Width]fr.Element
	tv := fr.Vector(t[:])
	matMulExternal16(s)
	half := p.rf / 2
	full := func(round int) {
		s.Add(s, p.rk[round])
		tv.Mul(s, s)   // x²
		tv.Mul(tv, tv) // x⁴
		s.Mul(s, tv)   // x⁵
		matMulExternal16(s)
	}
	for i := range half {
		full(i)
	}
	for i := half; i < half+p.rp; i++ {
		s[0].Add(&s[0], &p.rk[i][0])
		var x2 fr.Element
		x2.Square(&s[0]).Square(&x2)
		s[0].Mul(&s[0], &x2)
		// sum of the lanes as a tree of vector additions (the same field
		// sum in another order), then broadcast and added to every lane.
		h8 := tv[:8]
		h8.Add(s[:8], s[8:])
		h4 := tv[8:12]
		h4.Add(h8[:4], h8[4:])
		h2 := tv[12:14]
		h2.Add(h4[:2], h4[2:])
		var sum fr.Element
		sum.Add(&h2[0], &h2[1])
		for j := range tv {
			tv[j] = sum
		}
		s.Mul(s, p.diag)
		s.Add(s, tv)
	}
	for i := half + p.rp; i < p.rf+p.rp; i++ {
		full(i)
	}
}

// matMulExternal16 is poseidon2's external matrix for width 16: M4 on each
// chunk of four, then each lane plus the sum of its column over the chunks.
func matMulExternal16(s fr.Vector) {
	for i := 0; i < bn254Width; i += 4 {
		var t0, t1, t2, t3, t4, t5, t6, t7 fr.Element
		t0.Add(&s[i], &s[i+1])
		t1.Add(&s[i+2], &s[i+3])
		t2.Double(&s[i+1]).Add(&t2, &t1)
		t3.Double(&s[i+3]).Add(&t3, &t0)
		t4.Double(&t1).Double(&t4).Add(&t4, &t3)
		t5.Double(&t0).Double(&t5).Add(&t5, &t2)
		t6.Add(&t3, &t5)
		t7.Add(&t2, &t4)
		s[i], s[i+1], s[i+2], s[i+3] = t6, t5, t7, t4
	}
	var sum [4]fr.Element
	for i := 0; i < bn254Width; i += 4 {
		for c := range sum {
			sum[c].Add(&sum[c], &s[i+c])
		}
	}
	for i := 0; i < bn254Width; i += 4 {
		for c := range sum {
			s[i+c].Add(&s[i+c], &sum[c])
		}
	}
}

// bn254Sponge absorbs packed elements as nativeHasher does: lanes 1..15 of
// a block, the capacity lane starting as the domain tag.
type bn254Sponge struct {
	p     *bn254Perm
	state fr.Vector
	block fr.Vector // raw canonical words of the current block's elements
	pos   int
}

func newBN254Sponge(tag uint64) *bn254Sponge {
	h := &bn254Sponge{p: bn254PermOnce(), state: make(fr.Vector, bn254Width), block: make(fr.Vector, bn254Width)}
	h.state[0].SetUint64(tag)
	return h
}

// writeRaw absorbs the element whose canonical value has little-endian
// words w (below 2^PackBits < q, so already reduced).
func (h *bn254Sponge) writeRaw(w [4]uint64) {
	h.block[1+h.pos] = fr.Element(w)
	h.pos++
	if h.pos == bn254Width-1 {
		h.flush()
	}
}

// flush converts the block to Montgomery form (one vector multiplication by
// R²; lane 0 and unused lanes hold zero), adds it to the state and permutes.
func (h *bn254Sponge) flush() {
	for i := 1 + h.pos; i < bn254Width; i++ {
		h.block[i] = fr.Element{}
	}
	h.block[0] = fr.Element{}
	h.block.Mul(h.block, h.p.r2)
	h.state.Add(h.state, h.block)
	h.p.permute(h.state)
	h.pos = 0
}

func (h *bn254Sponge) sum() [32]byte {
	if h.pos > 0 {
		h.flush()
	}
	return h.state[1].Bytes()
}

// absorbShifted packs xs[i] + 2^(limbBits−1) (each in [0, 2^limbBits), the
// caller has checked) PerElement(limbBits) per element, little-endian, the
// last element of xs possibly short, and absorbs the elements.
func absorbShifted[T int16 | int64](h *bn254Sponge, xs []T, limbBits int) {
	per := PerElement(limbBits)
	off := uint64(1) << (limbBits - 1)
	if limbBits == InputBits { // int16 entries: four limbs a word, none straddles
		for s := 0; s < len(xs); s += per {
			var w [4]uint64
			for i, x := range xs[s:min(s+per, len(xs))] {
				w[i>>2] |= (uint64(int64(x)) + off) & 0xffff << (16 * (i & 3))
			}
			h.writeRaw(w)
		}
		return
	}
	for s := 0; s < len(xs); s += per {
		var w [4]uint64
		for i, x := range xs[s:min(s+per, len(xs))] {
			v := uint64(int64(x)) + off // two's complement: the shifted value, below 2^limbBits
			bit := i * limbBits
			word, sh := bit/64, uint(bit%64)
			w[word] |= v << sh
			if sh != 0 && word+1 < len(w) {
				w[word+1] |= v >> (64 - sh)
			}
		}
		h.writeRaw(w)
	}
}
