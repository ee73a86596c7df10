package circuits

import (
	"fmt"
	"math/big"
	mbits "math/bits"

	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
)

// This file is SHA-256 (FIPS 180-4) over boolean wires, written for R1CS.
// gnark's std/hash/sha2 works on bytes through lookup tables and costs about
// 100k R1CS constraints per compression; here every bit is its own wire, so
// XOR and Ch cost one constraint per bit and a modular addition costs one
// boolean constraint per result and carry bit plus one recomposition:
// about 26k constraints per compression.
//
// Soundness: every bit that enters is boolean (a constant, a wire checked with
// AssertIsBoolean, or xor/ch/maj of such bits, which are 0 or 1 by their
// polynomials). A sum of k words is below k·2^32 < 2^35 ≪ p, and it is
// decomposed into 32 result bits and bitlen(k−1) carry bits, each checked
// boolean and recombined in one equality: the decomposition of an integer
// below 2^35 into bits is unique, so the result is the sum mod 2^32.

// word is a 32-bit value as its bits, least significant first.
type word [32]frontend.Variable

// sha256Block is the number of words in one SHA-256 message block.
const sha256Block = 16

var sha256IV = [8]uint32{
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
}

var sha256K = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

func constWord(x uint32) word {
	var w word
	for i := range w {
		w[i] = (x >> i) & 1
	}
	return w
}

func rotr(w word, k int) word {
	var out word
	for i := range out {
		out[i] = w[(i+k)%32]
	}
	return out
}

func shr(w word, k int) word {
	var out word
	for i := range out {
		if i+k < 32 {
			out[i] = w[i+k]
		} else {
			out[i] = 0
		}
	}
	return out
}

// bitGadget holds the API the bit operations constrain through.
type bitGadget struct{ api frontend.API }

// xor returns a ⊕ b = a + b − 2ab: one constraint, none when either is constant.
func (g bitGadget) xor(a, b frontend.Variable) frontend.Variable {
	return g.api.Sub(g.api.Add(a, b), g.api.Mul(g.api.Mul(a, b), 2))
}

func (g bitGadget) xor3(x, y, z word) word {
	var out word
	for i := range out {
		out[i] = g.xor(g.xor(x[i], y[i]), z[i])
	}
	return out
}

// ch returns e ? f : g bitwise, as g + e·(f − g): one constraint per bit.
func (g bitGadget) ch(e, f, h word) word {
	var out word
	for i := range out {
		out[i] = g.api.Add(h[i], g.api.Mul(e[i], g.api.Sub(f[i], h[i])))
	}
	return out
}

// maj returns the bitwise majority, as bc + a·(b + c − 2bc): two constraints per bit.
func (g bitGadget) maj(a, b, c word) word {
	var out word
	for i := range out {
		bc := g.api.Mul(b[i], c[i])
		out[i] = g.api.Add(bc, g.api.Mul(a[i], g.api.Sub(g.api.Add(b[i], c[i]), g.api.Mul(bc, 2))))
	}
	return out
}

// value is the word's integer value as a linear expression.
func (g bitGadget) value(w word) frontend.Variable {
	terms := make([]frontend.Variable, 32)
	for i, b := range w {
		terms[i] = g.api.Mul(b, uint64(1)<<i)
	}
	return sum(g.api, terms)
}

// add returns the sum of the words mod 2^32 as fresh boolean wires.
func (g bitGadget) add(ws ...word) word {
	terms := make([]frontend.Variable, len(ws))
	for i, w := range ws {
		terms[i] = g.value(w)
	}
	total := sum(g.api, terms)
	carryBits := mbits.Len(uint(len(ws) - 1))
	if v, ok := g.api.Compiler().ConstantValue(total); ok {
		return constWord(uint32(v.Uint64()))
	}
	out, err := g.api.Compiler().NewHint(splitBitsHint, 32+carryBits, total)
	if err != nil {
		panic(err)
	}
	return g.decomposed(total, out[:32], out[32:])
}

// decomposed constrains lo and carry to be bits with Σ lo_i·2^i +
// 2^32·Σ carry_j·2^j = total and returns lo. Separate from add so that tests
// can offer any decomposition.
func (g bitGadget) decomposed(total frontend.Variable, lo, carry []frontend.Variable) word {
	var w word
	terms := make([]frontend.Variable, 0, len(lo)+len(carry))
	for i, b := range lo {
		g.api.AssertIsBoolean(b)
		w[i] = b
		terms = append(terms, g.api.Mul(b, uint64(1)<<i))
	}
	for j, b := range carry {
		g.api.AssertIsBoolean(b)
		terms = append(terms, g.api.Mul(b, new(big.Int).Lsh(big.NewInt(1), uint(32+j))))
	}
	g.api.AssertIsEqual(sum(g.api, terms), total)
	return w
}

// splitBitsHint returns the len(out) low bits of in[0], least significant first.
func splitBitsHint(_ *big.Int, in, out []*big.Int) error {
	if in[0].BitLen() > len(out) {
		return fmt.Errorf("split bits hint: sum has %d bits, want at most %d", in[0].BitLen(), len(out))
	}
	for i := range out {
		out[i].SetUint64(uint64(in[0].Bit(i)))
	}
	return nil
}

func init() { solver.RegisterHint(splitBitsHint) }

// compress is the SHA-256 compression function on one 16-word block.
func (g bitGadget) compress(state [8]word, block [sha256Block]word) [8]word {
	var w [64]word
	copy(w[:], block[:])
	for t := 16; t < 64; t++ {
		s0 := g.xor3(rotr(w[t-15], 7), rotr(w[t-15], 18), shr(w[t-15], 3))
		s1 := g.xor3(rotr(w[t-2], 17), rotr(w[t-2], 19), shr(w[t-2], 10))
		w[t] = g.add(s1, w[t-7], s0, w[t-16])
	}
	r := state // a, b, c, d, e, f, g, h
	for t := 0; t < 64; t++ {
		s1 := g.xor3(rotr(r[4], 6), rotr(r[4], 11), rotr(r[4], 25))
		ch := g.ch(r[4], r[5], r[6])
		s0 := g.xor3(rotr(r[0], 2), rotr(r[0], 13), rotr(r[0], 22))
		maj := g.maj(r[0], r[1], r[2])
		k := constWord(sha256K[t])
		e := g.add(r[3], r[7], s1, ch, k, w[t])
		a := g.add(r[7], s1, ch, k, w[t], s0, maj)
		r = [8]word{a, r[0], r[1], r[2], e, r[4], r[5], r[6]}
	}
	var out [8]word
	for i := range out {
		out[i] = g.add(state[i], r[i])
	}
	return out
}

// sha256 hashes a message of whole 32-bit words (big-endian, as SHA-256
// reads them), padding it with constants.
func (g bitGadget) sha256(msg []word) [8]word {
	padded := append([]word{}, msg...)
	padded = append(padded, constWord(0x80000000))
	for len(padded)%sha256Block != sha256Block-2 {
		padded = append(padded, constWord(0))
	}
	bitLen := uint64(32 * len(msg))
	padded = append(padded, constWord(uint32(bitLen>>32)), constWord(uint32(bitLen)))
	var state [8]word
	for i, v := range sha256IV {
		state[i] = constWord(v)
	}
	for s := 0; s < len(padded); s += sha256Block {
		state = g.compress(state, [sha256Block]word(padded[s:s+sha256Block]))
	}
	return state
}

// wordsBE splits the little-endian bits of a value of 32·k bits into k words,
// most significant word first (the order of its big-endian bytes).
func wordsBE(bits []frontend.Variable, k int) []word {
	out := make([]word, k)
	for j := range out {
		lo := 32 * (k - 1 - j)
		for i := 0; i < 32; i++ {
			if lo+i < len(bits) {
				out[j][i] = bits[lo+i]
			} else {
				out[j][i] = 0
			}
		}
	}
	return out
}
