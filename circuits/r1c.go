package circuits

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
)

// rawR1CS is what gnark's R1CS builder offers to emit one R1C L·R = O
// exactly as written (constraint.CustomizableSystem).
type rawR1CS interface {
	AddBlueprint(constraint.Blueprint) constraint.BlueprintID
	AddInstruction(constraint.BlueprintID, []uint32) []uint32
	ToCanonicalVariable(frontend.Variable) frontend.CanonicalVariable
}

// r1cWriter emits R1Cs with a chosen orientation. gnark's builder puts the
// shorter of the two factors in R, the B matrix of Groth16; every wire that
// appears in some R costs one G2 point (and one G1 point) in the prover's B
// multi-exponentiations, while a wire in L costs one G1 point. A fresh
// full-size wire times a short linear expression of small integers (a
// lookup query α − q) is thus better written with the fresh wire in L. The
// relation L·R = O is the same either way: orientation changes the keys and
// the prover's cost, never what the constraint system accepts.
type r1cWriter struct {
	cs  rawR1CS
	bID constraint.BlueprintID
}

// newR1CWriter returns a writer for gnark's R1CS builder, or nil for any
// other API (the SCS builder, the test engine), whose callers then use the
// ordinary api calls for the same relation.
func newR1CWriter(api frontend.API, probe frontend.Variable) *r1cWriter {
	cs, ok := api.Compiler().(rawR1CS)
	if !ok {
		return nil
	}
	if _, ok := cs.ToCanonicalVariable(probe).(constraint.LinearExpression); !ok {
		return nil
	}
	return &r1cWriter{cs: cs, bID: cs.AddBlueprint(&constraint.BlueprintGenericR1C{})}
}

// linear returns v as an R1CS linear expression over wires: a constant c
// becomes c times the constant-one wire 0 (ToCanonicalVariable would mark it
// as a constant term, which an R1C cannot hold). ref must be a linear
// expression without a constant term (a fresh hint output is one): c's
// coefficient is read off the wire-0 term of ref + c, which would otherwise
// hold ref's constant too.
func (w *r1cWriter) linear(api frontend.API, v, ref frontend.Variable) constraint.LinearExpression {
	c, isConst := api.Compiler().ConstantValue(v)
	if !isConst {
		return w.cs.ToCanonicalVariable(v).(constraint.LinearExpression)
	}
	if c.Sign() == 0 {
		return constraint.LinearExpression{}
	}
	for _, t := range w.cs.ToCanonicalVariable(ref).(constraint.LinearExpression) {
		if t.WireID() == 0 {
			panic("circuit: r1cWriter.linear needs a reference without a constant term")
		}
	}
	for _, t := range w.cs.ToCanonicalVariable(api.Add(ref, c)).(constraint.LinearExpression) {
		if t.WireID() == 0 {
			return constraint.LinearExpression{t}
		}
	}
	panic("circuit: no constant-one term in an R1CS linear expression (gnark changed?)")
}

// assert emits the single R1C l·r = o with l in L and r in R as given.
func (w *r1cWriter) assert(l, r, o constraint.LinearExpression) {
	var calldata []uint32
	var bp constraint.BlueprintGenericR1C
	bp.CompressR1C(&constraint.R1C{L: l, R: r, O: o}, &calldata)
	w.cs.AddInstruction(w.bID, calldata)
}

// quotientChunk is the number of quotients one hint call solves (the
// solver runs hint calls of one level in parallel).
const quotientChunk = 1024

// quotients returns q_i = num_i/(α − x_i) for every i, each constrained by
// the one R1C q_i·(α − x_i) = num_i — api.DivUnchecked's relation, written
// with the fresh q_i in L and α − x_i in R on an R1CS. As with DivUnchecked,
// α = x_i leaves q_i free when num_i = 0 and makes the solve fail otherwise;
// α is a commitment drawn after every x_i and num_i, so that has
// probability at most len(xs)/p. Without leanB (and off gnark's R1CS
// builder) they are api.DivUnchecked's own R1Cs, q_i in R.
func quotients(api frontend.API, alpha frontend.Variable, xs, nums []frontend.Variable, leanB bool) []frontend.Variable {
	out := make([]frontend.Variable, len(xs))
	var w *r1cWriter
	if leanB {
		w = newR1CWriter(api, alpha)
	}
	if w == nil {
		for i := range xs {
			out[i] = api.DivUnchecked(nums[i], api.Sub(alpha, xs[i]))
		}
		return out
	}
	for s := 0; s < len(xs); s += quotientChunk {
		e := min(s+quotientChunk, len(xs))
		in := make([]frontend.Variable, 0, 1+2*(e-s))
		in = append(append(append(in, alpha), xs[s:e]...), nums[s:e]...)
		qs, err := api.Compiler().NewHint(quotientHint, e-s, in...)
		if err != nil {
			panic(err)
		}
		for i, q := range qs {
			// q is a fresh wire: the reference for the constants
			w.assert(w.linear(api, q, q), w.linear(api, api.Sub(alpha, xs[s+i]), q), w.linear(api, nums[s+i], q))
			out[s+i] = q
		}
	}
	return out
}

// quotientHint solves quotients: in = (α, x_1 … x_k, num_1 … num_k), out_i =
// num_i/(α − x_i), with one modular inversion for the whole call.
func quotientHint(field *big.Int, in, out []*big.Int) error {
	k := len(out)
	if len(in) != 1+2*k {
		return fmt.Errorf("quotient hint: %d inputs for %d outputs", len(in), k)
	}
	d := make([]*big.Int, k)
	prefix := make([]*big.Int, k+1)
	prefix[0] = big.NewInt(1)
	for i := 0; i < k; i++ {
		d[i] = new(big.Int).Sub(in[0], in[1+i])
		d[i].Mod(d[i], field)
		if d[i].Sign() == 0 {
			return fmt.Errorf("quotient hint: α equals query %d", i)
		}
		prefix[i+1] = new(big.Int).Mul(prefix[i], d[i])
		prefix[i+1].Mod(prefix[i+1], field)
	}
	inv := new(big.Int).ModInverse(prefix[k], field)
	for i := k - 1; i >= 0; i-- {
		// inv = 1/(d_0 … d_i); 1/d_i = inv · d_0 … d_{i−1}
		out[i].Mul(inv, prefix[i])
		out[i].Mul(out[i], in[1+k+i])
		out[i].Mod(out[i], field)
		inv.Mul(inv, d[i])
		inv.Mod(inv, field)
	}
	return nil
}

func init() { solver.RegisterHint(quotientHint) }
