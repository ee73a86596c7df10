package circuits

import (
	"fmt"
	"math/big"

	poseidon2bls "github.com/consensys/gnark-crypto/ecc/bls12-381/fr/poseidon2"
	poseidon2bn "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/protocol"
)

// permutation is the Poseidon2 permutation of a digest sponge (x^5 S-box;
// widths 3 and multiples of 4), the same function as gnark's
// std/permutation/poseidon2 and gnark-crypto's native one, with its S-box
// written for Groth16's B side: x² = x·x, x³ = x·x², x⁵ = x³·x². Three
// multiplications either way, but gnark's x⁴ = x²·x², x⁵ = x⁴·x puts x⁴ in
// R (the builder moves the shorter factor there), so every S-box cost three
// wires in B; here x³ appears only in L and an S-box costs two (x², and x⁵
// through the next round's x·x). TestPermutationMatchesNative pins it to
// gnark-crypto on both curves.
type permutation struct {
	api          frontend.API
	width        int
	full, sparse int
	keys         [][]*big.Int // round constants, per round
	diag         []*big.Int   // internal matrix diagonal minus one (width ≥ 4)
}

// newPermutation returns the permutation of the sponge sp on curve.
func newPermutation(api frontend.API, curve protocol.Curve, sp protocol.Sponge) (*permutation, error) {
	if sp.Width != 3 && (sp.Width < 4 || sp.Width%4 != 0) {
		return nil, fmt.Errorf("circuit: poseidon2 width %d is not 3 or a multiple of 4", sp.Width)
	}
	h := &permutation{api: api, width: sp.Width, full: sp.FullRounds, sparse: sp.PartialRounds}
	type element interface{ BigInt(*big.Int) *big.Int }
	convert := func(n int, at func(i int) element) []*big.Int {
		out := make([]*big.Int, n)
		for i := range out {
			out[i] = at(i).BigInt(new(big.Int))
		}
		return out
	}
	switch curve {
	case protocol.BN254:
		p := poseidon2bn.NewParameters(sp.Width, sp.FullRounds, sp.PartialRounds)
		for _, rk := range p.RoundKeys {
			h.keys = append(h.keys, convert(len(rk), func(i int) element { return &rk[i] }))
		}
		h.diag = convert(len(p.DiagM1), func(i int) element { return &p.DiagM1[i] })
	case protocol.BLS12381:
		p := poseidon2bls.NewParameters(sp.Width, sp.FullRounds, sp.PartialRounds)
		for _, rk := range p.RoundKeys {
			h.keys = append(h.keys, convert(len(rk), func(i int) element { return &rk[i] }))
		}
	default:
		return nil, fmt.Errorf("circuit: no poseidon2 parameters for curve %s", curve)
	}
	if sp.Width >= 4 && len(h.diag) != sp.Width {
		return nil, fmt.Errorf("circuit: poseidon2 width %d on %s has no internal matrix diagonal", sp.Width, curve)
	}
	return h, nil
}

// Permutation applies the permutation to s in place.
func (h *permutation) Permutation(s []frontend.Variable) error {
	if len(s) != h.width {
		return fmt.Errorf("circuit: poseidon2 state of %d lanes, want %d", len(s), h.width)
	}
	h.external(s)
	rf := h.full / 2
	for r := 0; r < h.full+h.sparse; r++ {
		for i, k := range h.keys[r] {
			s[i] = h.api.Add(s[i], k)
		}
		if r < rf || r >= rf+h.sparse {
			for i := range s {
				s[i] = h.sbox(s[i])
			}
			h.external(s)
		} else {
			s[0] = h.sbox(s[0])
			h.internal(s)
		}
	}
	return nil
}

func (h *permutation) sbox(x frontend.Variable) frontend.Variable {
	x2 := h.api.Mul(x, x)
	x3 := h.api.Mul(x, x2)
	return h.api.Mul(x3, x2)
}

// external multiplies by the external matrix: circ(2,1,1) for width 3, M4
// for width 4, circ(2·M4, M4, …, M4) otherwise (eprint 2023/323, section 5.1).
func (h *permutation) external(s []frontend.Variable) {
	api := h.api
	switch h.width {
	case 3:
		t := api.Add(s[0], s[1], s[2])
		for i := range s {
			s[i] = api.Add(s[i], t)
		}
		return
	case 4:
		h.m4(s)
		return
	}
	for i := 0; i < h.width; i += 4 {
		h.m4(s[i : i+4])
	}
	var sums [4]frontend.Variable
	for j := range sums {
		terms := make([]frontend.Variable, 0, h.width/4)
		for i := j; i < h.width; i += 4 {
			terms = append(terms, s[i])
		}
		sums[j] = sum(api, terms)
	}
	for i := range s {
		s[i] = api.Add(s[i], sums[i%4])
	}
}

// m4 multiplies four lanes by M4 = (5 7 1 3; 4 6 1 1; 1 3 5 7; 1 1 4 6)
// with the addition chain of eprint 2023/323, appendix B.
func (h *permutation) m4(s []frontend.Variable) {
	api := h.api
	t0 := api.Add(s[0], s[1])
	t1 := api.Add(s[2], s[3])
	t2 := api.Add(api.Mul(s[1], 2), t1)
	t3 := api.Add(api.Mul(s[3], 2), t0)
	t4 := api.Add(api.Mul(t1, 4), t3)
	t5 := api.Add(api.Mul(t0, 4), t2)
	s[0], s[1], s[2], s[3] = api.Add(t3, t5), t5, api.Add(t2, t4), t4
}

// internal multiplies by the internal matrix: (2 1 1; 1 2 1; 1 1 3) for
// width 3, 1 + diag(DiagM1) otherwise.
func (h *permutation) internal(s []frontend.Variable) {
	api := h.api
	t := sum(api, s)
	if h.width == 3 {
		s[0] = api.Add(s[0], t)
		s[1] = api.Add(s[1], t)
		s[2] = api.Add(api.Mul(s[2], 2), t)
		return
	}
	for i := range s {
		s[i] = api.Add(api.Mul(s[i], h.diag[i]), t)
	}
}
