package circuits

import (
	"fmt"
	"math/big"
	"slices"
	"testing"

	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
	"github.com/consensys/gnark/test"

	"github.com/zkpoc/zkpoc/protocol"
)

// chosenLayout is one range-check layout New can pick, with the (n, f) that
// first picks it.
type chosenLayout struct {
	n, f int
	lay  layout
}

func (c chosenLayout) String() string {
	return fmt.Sprintf("n=%d,f=%d,%+v", c.n, c.f, c.lay)
}

// allLayouts enumerates every (layout, f) that New chooses for any n ≤ protocol.MaxN
// and any f it accepts: the layouts the soundness tests must cover.
func allLayouts(t testing.TB) []chosenLayout {
	t.Helper()
	return layoutsChosen(false)
}

// layoutsChosen enumerates every (layout, f) chooseLayoutFor picks for any
// n ≤ protocol.MaxN and any f, with or without the inputs in the circuit.
func layoutsChosen(noInputs bool) []chosenLayout {
	type key struct {
		f   int
		lay layout
	}
	seen := map[key]bool{}
	var out []chosenLayout
	for f := 0; f <= 16; f++ {
		for n := 1; n <= protocol.MaxN; n++ {
			lay := chooseLayoutFor(n, f, noInputs)
			if k := (key{f, lay}); !seen[k] {
				seen[k] = true
				out = append(out, chosenLayout{n, f, lay})
			}
		}
	}
	return out
}

// forged is a witness whose entries are field elements, not necessarily
// integers: xs2 holds 2·x for A and B (so half-integers are exact), the
// output limbs are given directly.
type forged struct {
	curve  protocol.Curve
	n, f   int
	lay    layout
	a2, b2 []*big.Int // twice each entry (integers)
	c      []*big.Int // C' per entry (field elements), recomputed from the limbs
	limbs  []*big.Int // the witness for C
	r      []*big.Int // field elements
	pub    protocol.Public
	// rangeOnly leaves the digests and the PoE out of the circuit
	rangeOnly bool
}

// newForged starts from the honest n×n instance, represented in layout lay.
func newForged(t testing.TB, curve protocol.Curve, n, f int, lay layout, seed uint64) *forged {
	t.Helper()
	in := newInstanceOn(t, curve, n, f, seed)
	fg := &forged{curve: curve, n: n, f: f, lay: lay, pub: in.pub}
	for i := range in.a {
		fg.a2 = append(fg.a2, big.NewInt(2*int64(in.a[i])))
		fg.b2 = append(fg.b2, big.NewInt(2*int64(in.b[i])))
	}
	fg.solve()
	return fg
}

func (fg *forged) inv(k int64) *big.Int {
	return new(big.Int).ModInverse(big.NewInt(k), fg.curve.ScalarField())
}

// solve sets C' = floor(A·B / 2^f) over the rationals A = a2/2, B = b2/2,
// R = A·B − 2^f·C' (a field element), and splits C' into limbs honestly.
func (fg *forged) solve() {
	n, f, p := fg.n, fg.f, fg.curve.ScalarField()
	fg.c, fg.r = make([]*big.Int, n*n), make([]*big.Int, n*n)
	inv4 := fg.inv(4)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s4 := new(big.Int) // 4·Σ A·B, an integer
			for k := 0; k < n; k++ {
				s4.Add(s4, new(big.Int).Mul(fg.a2[i*n+k], fg.b2[k*n+j]))
			}
			c := new(big.Int).Rsh(s4, uint(f+2)) // floor
			r := new(big.Int).Sub(s4, new(big.Int).Lsh(c, uint(f+2)))
			r.Mul(r, inv4).Mod(r, p)
			fg.c[i*n+j], fg.r[i*n+j] = c, r
		}
	}
	fg.split()
}

// split writes the limbs of the integer entries of C'.
func (fg *forged) split() {
	shape := newWithLayout(protocol.Freivalds, fg.n, fg.f, fg.lay)
	if err := shape.setOutputs(fg.c); err != nil {
		panic(err)
	}
	fg.limbs = make([]*big.Int, len(shape.C))
	for i, x := range shape.C {
		fg.limbs[i] = new(big.Int).Set(x.(*big.Int))
	}
}

// recombine recomputes C' (field elements) from the limbs.
func (fg *forged) recombine() { recombineLimbs(fg.lay, fg.limbs, fg.c, fg.curve.ScalarField()) }

// recombineLimbs sets c[e] = Σ_l limbs[e·k+l]·2^(w·l) − 2^(b−1) mod p.
func recombineLimbs(lay layout, limbs, c []*big.Int, p *big.Int) {
	k, w := lay.limbs, lay.limbBits
	off := new(big.Int).Lsh(big.NewInt(1), uint(lay.outBits-1))
	for e := range c {
		v := new(big.Int)
		for l := 0; l < k; l++ {
			v.Add(v, new(big.Int).Lsh(limbs[e*k+l], uint(w*l)))
		}
		c[e] = v.Sub(v, off).Mod(v, p)
	}
}

// field returns x/2 mod p for each x.
func (fg *forged) halves(xs []*big.Int) []*big.Int {
	p, inv2 := fg.curve.ScalarField(), fg.inv(2)
	out := make([]*big.Int, len(xs))
	for i, x := range xs {
		out[i] = new(big.Int).Mul(x, inv2)
		out[i].Mod(out[i], p)
	}
	return out
}

// redigest recomputes the public values for whatever the entries now are, so
// that only the range checks can reject the witness.
func (fg *forged) redigest() {
	p := fg.curve.ScalarField()
	n, f := fg.n, fg.f
	fg.pub.InputCommitment = protocol.DigestLimbs(fg.curve, protocol.InputTag(n, f), protocol.InputBits,
		shiftBig(fg.halves(fg.a2), protocol.InputBits, p), shiftBig(fg.halves(fg.b2), protocol.InputBits, p))
	b := fg.lay.outBits
	fg.pub.OutputDigest = protocol.DigestLimbs(fg.curve, protocol.OutputTag(n, f, b), b, shiftBig(fg.c, b, p))
	fg.pub.PoE = poe(fg.pub.RequestID, fg.pub.OutputDigest, fg.pub.NodeID)
}

func (fg *forged) circuit(m protocol.Method) *MatMul {
	c := fg.shape(m)
	assignPublic(c, fg.pub)
	a, b := fg.halves(fg.a2), fg.halves(fg.b2)
	for i := range c.A {
		c.A[i], c.B[i], c.R[i] = a[i], b[i], fg.r[i]
	}
	for i := range c.C {
		c.C[i] = fg.limbs[i]
	}
	return c
}

// shape is the circuit the forgery is checked against. With rangeOnly the
// digests and the PoE are left out: they are checked natively by the tests
// (the forgeries keep or recompute them), and the range checks and the
// product are what is under test.
func (fg *forged) shape(m protocol.Method) *MatMul {
	c := newWithLayout(m, fg.n, fg.f, fg.lay)
	if fg.rangeOnly {
		c.skip = parts{hashes: true, poe: true}
	}
	return c
}

func (fg *forged) solves(m protocol.Method) error {
	return test.IsSolved(fg.shape(m), fg.circuit(m), fg.curve.ScalarField())
}

// wrongOutput reports whether C' differs from the product of the integer
// matrices behind the (unchanged) input commitment.
func (fg *forged) wrongOutput(honest *forged) bool {
	return !slices.EqualFunc(fg.c, honest.c, func(x, y *big.Int) bool { return x.Cmp(y) == 0 })
}

// halfIntegerInputs is the review's forgery: x[0] ± 2^15 and x[1] ∓ 1/2
// keep the packed input element, hence the input commitment, while the
// product — and with it C' — changes. A range check by a shifted query
// (v·2^s in a wider table) admits x[1] ∓ 1/2.
func halfIntegerInputs(fg *forged, xs2 []*big.Int) {
	sigma := int64(1)
	if xs2[0].Sign() >= 0 {
		sigma = -1
	}
	xs2[0].Add(xs2[0], big.NewInt(sigma*(1<<16)))
	xs2[1].Sub(xs2[1], big.NewInt(sigma))
	fg.solve()
}

// halfLimbRCompensates adds ±1/2 to limb 0 of entry e and ∓2^(f−1) to R[e],
// keeping 2^f·C' + R and R's integrality where it can (false when f = 0).
func halfLimbRCompensates(lay layout, f int, limbs, r []*big.Int, inv2 *big.Int, e int) bool {
	if f == 0 {
		return false
	}
	sigma := int64(1)
	half := big.NewInt(1 << (f - 1))
	if r[e].Cmp(half) < 0 {
		sigma = -1
	}
	k := lay.limbs
	limbs[e*k].Add(limbs[e*k], new(big.Int).Mul(big.NewInt(sigma), inv2))
	r[e].Sub(r[e], new(big.Int).Mul(big.NewInt(sigma), half))
	return true
}

// halfTopLimb adds ±1/2 to the top limb of entry e and compensates in the
// limb below, keeping the value (false with a single limb).
func halfTopLimb(lay layout, limbs []*big.Int, inv2 *big.Int, e int) bool {
	k, w := lay.limbs, lay.limbBits
	if k < 2 {
		return false
	}
	lo := limbs[e*k+k-2]
	sigma := int64(1)
	if lo.Cmp(big.NewInt(1<<(w-1))) < 0 {
		sigma = -1
	}
	limbs[e*k+k-1].Add(limbs[e*k+k-1], new(big.Int).Mul(big.NewInt(sigma), inv2))
	lo.Sub(lo, big.NewInt(sigma<<(w-1)))
	return true
}

// nonIntegerAttacks are witnesses whose only fault is an entry that is a
// field element but not an integer in its range (or, the last, an integer
// one past it), each keeping every other constraint satisfied.
var nonIntegerAttacks = []struct {
	name string
	// apply mutates the honest witness; it returns false where the
	// layout admits no such witness (the case then proves nothing).
	apply func(fg *forged) bool
	// wrong: the forgery changes C' while the input commitment stays
	wrong bool
}{
	{"half-integer A, commitment kept", func(fg *forged) bool { halfIntegerInputs(fg, fg.a2); return true }, true},
	{"half-integer B, commitment kept", func(fg *forged) bool { halfIntegerInputs(fg, fg.b2); return true }, true},
	{"C' ± 1/2, R compensated", func(fg *forged) bool {
		if !halfLimbRCompensates(fg.lay, fg.f, fg.limbs, fg.r, fg.inv(2), 5) {
			return false
		}
		fg.recombine()
		return true
	}, false},
	{"top limb ± 1/2, next limb compensates (value kept)", func(fg *forged) bool {
		if !halfTopLimb(fg.lay, fg.limbs, fg.inv(2), 6) {
			return false
		}
		fg.recombine()
		return true
	}, false},
	{"remainder + p·0 as 2^f (integer out of range)", func(fg *forged) bool {
		e := 3
		// C' − 1, R + 2^f: the identity holds, only R's range is wrong
		k := fg.lay.limbs
		if fg.limbs[e*k].Sign() == 0 {
			return false
		}
		fg.limbs[e*k].Sub(fg.limbs[e*k], big.NewInt(1))
		fg.r[e].Add(fg.r[e], big.NewInt(1<<fg.f))
		fg.recombine()
		return true
	}, false},
}

// TestLayoutsRejectNonIntegers: for every layout New can choose (every
// n ≤ protocol.MaxN, every f), forced at n = 4 so the test engine can run it, the
// witnesses whose only fault is an entry that is a field element but not an
// integer (the shifted-query class) are rejected, and the honest one solves.
func TestLayoutsRejectNonIntegers(t *testing.T) {
	const n = 4
	lays := allLayouts(t)
	count := 0
	flagship := chooseLayout(512, 8)
	for _, cl := range lays {
		// Every layout with protocol.Freivalds on protocol.BN254; the flagship layout and
		// gnark's range checker (at f = 8) on both curves with both methods
		// too: the range checks do not depend on the method, the field
		// only through p.
		curves, methods := []protocol.Curve{protocol.BN254}, []protocol.Method{protocol.Freivalds}
		if cl.lay == flagship || (!cl.lay.lookup && cl.f == 8) {
			curves, methods = protocol.Curves, []protocol.Method{protocol.Freivalds, protocol.Naive}
		}
		for _, curve := range curves {
			for _, m := range methods {
				name := fmt.Sprintf("%s/%s/%s", curve, m.Name(), cl)
				honest := newForged(t, curve, n, cl.f, cl.lay, 42)
				honest.rangeOnly = true
				honest.redigest()
				if err := honest.solves(m); err != nil {
					t.Fatalf("%s: honest witness rejected: %v", name, err)
				}
				for _, at := range nonIntegerAttacks {
					fg := newForged(t, curve, n, cl.f, cl.lay, 42)
					fg.rangeOnly = true
					if !at.apply(fg) {
						continue
					}
					fg.redigest()
					if at.wrong {
						if fg.pub.InputCommitment != honest.pub.InputCommitment {
							t.Fatalf("%s/%s: forgery changed the input commitment", name, at.name)
						}
						if !fg.wrongOutput(honest) {
							t.Fatalf("%s/%s: forgery did not change C'", name, at.name)
						}
					}
					count++
					if err := fg.solves(m); err == nil {
						t.Errorf("%s/%s: non-integer witness accepted", name, at.name)
					}
				}
			}
		}
	}
	t.Logf("%d layouts, %d non-integer witnesses, all rejected", len(lays), count)
}

// TestLookupGadgetRejectsNonIntegers checks the lookup tables alone, at every
// width any layout uses: the values that pass are exactly the integers
// 0 … 2^w − 1, and u·2^−s (the shifted-query class), −1 and 2^w do not.
func TestLookupGadgetRejectsNonIntegers(t *testing.T) {
	widths := map[int]bool{}
	for _, cl := range allLayouts(t) {
		if cl.lay.lookup {
			for _, w := range cl.lay.tableWidths(cl.f) {
				widths[w] = true
			}
		}
	}
	ws := make([]int, 0, len(widths))
	for w := range widths {
		ws = append(ws, w)
	}
	slices.Sort(ws)
	for _, curve := range protocol.Curves {
		p := curve.ScalarField()
		inv := func(k int64) *big.Int { return new(big.Int).ModInverse(big.NewInt(k), p) }
		frac := func(u, den int64) *big.Int { return new(big.Int).Mod(new(big.Int).Mul(big.NewInt(u), inv(den)), p) }
		for _, w := range ws {
			top := int64(1)<<w - 1
			good := []*big.Int{big.NewInt(0), big.NewInt(top)}
			bad := []struct {
				name string
				v    *big.Int
			}{
				{"1/2", frac(1, 2)},
				{"2^w", big.NewInt(top + 1)},
				{"-1", new(big.Int).Sub(p, big.NewInt(1))},
				{"(2^w-1)/2", frac(top, 2)},
				{"3/4", frac(3, 4)},
				{"(2^w+1)/2", frac(top+2, 2)},
				{"p-2^w", new(big.Int).Sub(p, big.NewInt(top+1))},
			}
			if w > 16 {
				// each run evaluates a 2^w-entry table: the wide ones get the
				// shifted-query class and the first out-of-range integer
				good, bad = good[1:], bad[:2]
			}
			// a second table in the same circuit must not widen this one
			// (a wider one for the narrow widths, where it costs little)
			other := 12
			if w < 12 {
				other = w + 1
			}
			for _, v := range good {
				if err := test.IsSolved(&lookupCircuit{W: w, Other: other}, &lookupCircuit{W: w, Other: other, V: v, X: 0}, p); err != nil {
					t.Errorf("%s w=%d: %v rejected: %v", curve, w, v, err)
				}
			}
			for _, b := range bad {
				if err := test.IsSolved(&lookupCircuit{W: w, Other: other}, &lookupCircuit{W: w, Other: other, V: b.v, X: 0}, p); err == nil {
					t.Errorf("%s w=%d: %s accepted", curve, w, b.name)
				}
			}
		}
	}
}

// lookupCircuit checks V against width W and X against width Other.
type lookupCircuit struct {
	W, Other int  `gnark:"-"`
	LeanB    bool `gnark:"-"`
	V, X     frontend.Variable
}

func (c *lookupCircuit) Define(api frontend.API) error {
	lt := newLookupTables(api, c.LeanB)
	lt.Check(c.V, c.W)
	lt.Check(c.X, c.Other)
	return lt.commit([]frontend.Variable{c.V, c.X})
}

// TestForgeryRejectedByCompiledSystems replays the review's forgery through
// the compiled constraint systems that Groth16 (R1CS) and PLONK (SCS) prove —
// not the test engine, whose range checker is native — for the layout chosen
// at n = 512, f = 8 (lookup tables) and the one chosen at n = 4 (gnark's
// range checker), on both curves: the solver must fail.
func TestForgeryRejectedByCompiledSystems(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles circuits with 2^16-entry tables")
	}
	for _, lay := range []layout{chooseLayout(512, 8), chooseLayout(4, 8)} {
		for _, curve := range protocol.Curves {
			for _, bname := range []string{"r1cs", "scs"} {
				if bname == "scs" && curve == protocol.BLS12381 {
					continue // the same gadget code; one PLONK field suffices
				}
				name := fmt.Sprintf("%s/%s/%+v", curve, bname, lay)
				honest := newForged(t, curve, 4, 8, lay, 42)
				honest.redigest()
				fg := newForged(t, curve, 4, 8, lay, 42)
				halfIntegerInputs(fg, fg.a2)
				fg.redigest()
				if fg.pub.InputCommitment != honest.pub.InputCommitment || !fg.wrongOutput(honest) {
					t.Fatalf("%s: the forgery must keep the commitment and change C'", name)
				}
				ccs, err := compileWith(curve, bname, newWithLayout(protocol.Freivalds, 4, 8, lay))
				if err != nil {
					t.Fatal(err)
				}
				for _, tc := range []struct {
					name string
					fg   *forged
					ok   bool
				}{{"honest", honest, true}, {"half-integer A", fg, false}} {
					w, err := frontend.NewWitness(tc.fg.circuit(protocol.Freivalds), curve.ScalarField())
					if err != nil {
						t.Fatal(err)
					}
					err = ccs.IsSolved(w)
					if tc.ok && err != nil {
						t.Errorf("%s %s: %v", name, tc.name, err)
					}
					if !tc.ok && err == nil {
						t.Errorf("%s %s: the compiled constraint system accepts the forgery", name, tc.name)
					}
				}
			}
		}
	}
}

// compileWith compiles c over the curve's field as R1CS (Groth16) or, for
// "scs", sparse R1CS (PLONK).
func compileWith(curve protocol.Curve, builder string, c frontend.Circuit) (constraint.ConstraintSystem, error) {
	if builder == "scs" {
		return frontend.Compile(curve.ScalarField(), scs.NewBuilder, c)
	}
	return frontend.Compile(curve.ScalarField(), r1cs.NewBuilder, c)
}
