package circuits

import (
	"fmt"
	"math/big"
	"math/rand"
	"testing"

	frbls "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	poseidon2bls "github.com/consensys/gnark-crypto/ecc/bls12-381/fr/poseidon2"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	poseidon2bn "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
	"github.com/consensys/gnark/test"

	"github.com/zkpoc/zkpoc/protocol"
)

// permCircuit asserts Out = permutation(In) for the curve's sponge (or sp,
// if set), with zkpoc's gadget or, if gnarks, gnark's (newSponge's other
// choice).
type permCircuit struct {
	In, Out []frontend.Variable
	curve   protocol.Curve  `gnark:"-"`
	sp      protocol.Sponge `gnark:"-"`
	gnarks  bool            `gnark:"-"`
}

func (c *permCircuit) Define(api frontend.API) error {
	sp := c.sp
	if sp.Width == 0 {
		sp = c.curve.Sponge()
	}
	var h permuter
	var err error
	if c.gnarks {
		h, _, err = newSponge(api, false)
	} else {
		h, err = newPermutation(api, c.curve, sp)
	}
	if err != nil {
		return err
	}
	s := append([]frontend.Variable(nil), c.In...)
	if err := h.Permutation(s); err != nil {
		return err
	}
	for i := range s {
		api.AssertIsEqual(s[i], c.Out[i])
	}
	return nil
}

// nativePermutation is gnark-crypto's permutation of the curve's sponge.
func nativePermutation(t *testing.T, curve protocol.Curve, in []*big.Int) []*big.Int {
	sp := curve.Sponge()
	out := make([]*big.Int, len(in))
	switch curve {
	case protocol.BN254:
		s := make([]fr.Element, len(in))
		for i := range s {
			s[i].SetBigInt(in[i])
		}
		if err := poseidon2bn.NewPermutation(sp.Width, sp.FullRounds, sp.PartialRounds).Permutation(s); err != nil {
			t.Fatal(err)
		}
		for i := range s {
			out[i] = s[i].BigInt(new(big.Int))
		}
	case protocol.BLS12381:
		s := make([]frbls.Element, len(in))
		for i := range s {
			s[i].SetBigInt(in[i])
		}
		if err := poseidon2bls.NewPermutation(sp.Width, sp.FullRounds, sp.PartialRounds).Permutation(s); err != nil {
			t.Fatal(err)
		}
		for i := range s {
			out[i] = s[i].BigInt(new(big.Int))
		}
	}
	return out
}

// TestPermutationMatchesNative: the in-circuit permutation is gnark-crypto's
// on both curves, for states with small, random and p − 1 lanes; a single
// changed output lane is refused; and the S-box is x·x, x·x², x³·x², three
// constraints, on the R1CS and the SCS builder alike (gnark's gadget has
// the same count: 8·width·3 + partial·3 multiplications).
func TestPermutationMatchesNative(t *testing.T) {
	rng := rand.New(rand.NewSource(35))
	for _, curve := range protocol.Curves {
		sp := curve.Sponge()
		p := curve.ScalarField()
		states := [][]*big.Int{make([]*big.Int, sp.Width), make([]*big.Int, sp.Width), make([]*big.Int, sp.Width)}
		for i := 0; i < sp.Width; i++ {
			states[0][i] = big.NewInt(int64(i))
			states[1][i] = new(big.Int).Rand(rng, p)
			states[2][i] = new(big.Int).Sub(p, big.NewInt(1))
		}
		shape := &permCircuit{In: make([]frontend.Variable, sp.Width), Out: make([]frontend.Variable, sp.Width), curve: curve}
		for k, in := range states {
			out := nativePermutation(t, curve, in)
			w := &permCircuit{In: make([]frontend.Variable, sp.Width), Out: make([]frontend.Variable, sp.Width), curve: curve}
			for i := range in {
				w.In[i], w.Out[i] = in[i], out[i]
			}
			if err := test.IsSolved(shape, w, p); err != nil {
				t.Errorf("%s state %d: the circuit's permutation is not gnark-crypto's: %v", curve, k, err)
			}
			for lane := range out {
				w.Out[lane] = new(big.Int).Add(out[lane], big.NewInt(1))
				if test.IsSolved(shape, w, p) == nil {
					t.Errorf("%s state %d: output lane %d off by one accepted", curve, k, lane)
				}
				w.Out[lane] = out[lane]
			}
		}
		want := 3 * (sp.FullRounds*sp.Width + sp.PartialRounds)
		for _, name := range []string{"r1cs", "scs"} {
			var b frontend.NewBuilder = r1cs.NewBuilder
			if name == "scs" {
				b = scs.NewBuilder
			}
			ccs, err := frontend.Compile(p, b, shape)
			if err != nil {
				t.Fatal(err)
			}
			// the AssertIsEqual of each output lane costs one more
			if got := ccs.GetNbConstraints() - sp.Width; name == "r1cs" && got != want {
				t.Errorf("%s %s: %d constraints, want %d", curve, name, got, want)
			}
			t.Log(fmt.Sprintf("%s %s: %d constraints", curve, name, ccs.GetNbConstraints()))
		}
	}
}
