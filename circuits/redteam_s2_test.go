package circuits

// Red team of freivalds-s2's constraint system (raw quotient R1Cs, the
// B-lean Poseidon2, no sponge pins), played against the COMPILED R1CS, the
// system Groth16 proves: the test engine runs api.DivUnchecked instead of
// the raw R1Cs and never sees them. Every test asserts that an attack
// fails (or that a system is unchanged), so it passes on correct code.

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/big"
	"math/rand"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	poseidon2bn "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	cs_bn254 "github.com/consensys/gnark/constraint/bn254"
	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
	"github.com/consensys/gnark/test"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
)

// redteamHeadDigests are sha256(WriteTo) of the constraint systems at
// 7bb7b45, the commit before freivalds-s2 (same gnark): freivalds-v5
// and naive-v5 at n = 4 and freivalds-v5 at n = 4 with the n = 128 lookup
// layout (2^16-entry table, the gnark-builder quotients), for R1CS (Groth16)
// and SCS (PLONK) on both curves. The leanB switch must leave all of them
// byte-identical.
var redteamHeadDigests = map[string]string{
	"bn254/r1cs/freivalds-v5/n=4":         "d5d2af0a4bfef8e52a7f2588f310be51226e3bcc3f843bd45014b9ee6c00ec0c",
	"bn254/r1cs/naive-v5/n=4":             "a7a6330ba2f6fde483a73bd2eda6a317e19e6296dddbf3e41e1e07e8f2dcec1f",
	"bn254/r1cs/freivalds/n=4/lay128":     "3387a018b65bf73085dd2f50b3a3e0c7e4eedfe089492381f5126cb08aca3fc5",
	"bn254/scs/freivalds-v5/n=4":          "59c4b48fef78dd1f5b884d7e4010af5a416e5d28eb304fc5a4f6613edd02af74",
	"bn254/scs/naive-v5/n=4":              "aaadb27f19c5055bd293ba7ef23763860577e0c24f04b34f1cf6a18c3ed7fd99",
	"bn254/scs/freivalds/n=4/lay128":      "7c24038c7ea3f037a11fe1285e5568bcf73d8183e2ef12aa4bdd522abc29e3af",
	"bls12-381/r1cs/freivalds-v5/n=4":     "0b4899de8c693a0c1e7296a44e28fc13c0a5385c31d5b363536fb55af28b39fc",
	"bls12-381/r1cs/naive-v5/n=4":         "a27516be46c565ba31cee28f53526bd402346823ead2341d8d6ad75429ba9e40",
	"bls12-381/r1cs/freivalds/n=4/lay128": "038e2638bcf8bfdb7c386fa1dcebdca3673d8716480c0bf1571614c135faad9f",
	"bls12-381/scs/freivalds-v5/n=4":      "e596368ceac91b76dc24cf1e96837286a1a39d27b90876f60f615b4f10202a83",
	"bls12-381/scs/naive-v5/n=4":          "a0817e46d6f195deeada95830f9cad75f8bbc1b3745408cc08d1408c1c95b0ff",
	"bls12-381/scs/freivalds/n=4/lay128":  "b5a0c1c41fb8b8e69fd2ad8f2c0fe037af41d99cc33f64bb78298f1039923f14",
}

func redteamDigest(t *testing.T, ccs constraint.ConstraintSystem) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := ccs.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(buf.Bytes()))
}

// TestRedteamS2OtherSystemsUnchanged: v5 and naive, R1CS and SCS, both
// curves, with gnark's range checker and with lookup tables, are
// byte-identical to the systems before freivalds-s2.
func TestRedteamS2OtherSystemsUnchanged(t *testing.T) {
	for _, curve := range protocol.Curves {
		for _, b := range []string{"r1cs", "scs"} {
			var nb frontend.NewBuilder = r1cs.NewBuilder
			if b == "scs" {
				nb = scs.NewBuilder
			}
			v5, err := New(protocol.Freivalds, 4, 8)
			if err != nil {
				t.Fatal(err)
			}
			naive, err := New(protocol.Naive, 4, 8)
			if err != nil {
				t.Fatal(err)
			}
			lay := chooseLayout(128, 8)
			if lay.leanB() || !lay.lookup {
				t.Fatalf("freivalds-v5's n = 128 layout %+v: want lookup tables without leanB", lay)
			}
			for name, c := range map[string]frontend.Circuit{
				"freivalds-v5/n=4":     v5,
				"naive-v5/n=4":         naive,
				"freivalds/n=4/lay128": newWithLayout(protocol.Freivalds, 4, 8, lay),
			} {
				ccs, err := frontend.Compile(curve.ScalarField(), nb, c)
				if err != nil {
					t.Fatal(err)
				}
				key := fmt.Sprintf("%s/%s/%s", curve, b, name)
				if got := redteamDigest(t, ccs); got != redteamHeadDigests[key] {
					t.Errorf("%s: constraint system changed: %s, before %s", key, got, redteamHeadDigests[key])
				}
			}
		}
	}
	// every layout of a statement with its inputs in the circuit is not lean
	for _, n := range []int{1, 4, 16, 127, 128, 512, 1024} {
		for _, f := range []int{0, 8, 16} {
			if l := chooseLayout(n, f); l.noInputs {
				t.Errorf("chooseLayout(%d, %d) = %+v: noInputs (so leanB) set for freivalds-v5", n, f, l)
			}
			if l := chooseLayoutFor(n, f, true); !l.noInputs {
				t.Errorf("chooseLayoutFor(%d, %d, true) = %+v: freivalds-s2 without noInputs (so without leanB)", n, f, l)
			}
		}
	}
}

// rawQuotients decodes the quotient R1Cs of a compiled BN254 R1CS: those of
// every GenericR1C blueprint but the builder's own (the lowest id).
func rawQuotients(t *testing.T, ccs constraint.ConstraintSystem) (*cs_bn254.R1CS, []constraint.R1C) {
	t.Helper()
	sys, ok := ccs.(*cs_bn254.R1CS)
	if !ok {
		t.Fatalf("want a BN254 R1CS, have %T", ccs)
	}
	builderID := -1
	raw := map[constraint.BlueprintID]bool{}
	for id, bp := range sys.Blueprints {
		if _, ok := bp.(*constraint.BlueprintGenericR1C); ok {
			if builderID < 0 {
				builderID = id
				continue
			}
			raw[constraint.BlueprintID(id)] = true
		}
	}
	var out []constraint.R1C
	nbR1C := 0
	for _, pi := range sys.Instructions {
		bp := sys.Blueprints[pi.BlueprintID]
		bc, ok := bp.(constraint.BlueprintR1C)
		if !ok {
			continue
		}
		nbR1C++
		if !raw[pi.BlueprintID] {
			continue
		}
		var c constraint.R1C
		bc.DecompressR1C(&c, pi.Unpack(&sys.System))
		out = append(out, c)
	}
	// Groth16's setup and the solver's a, b, c vectors walk exactly these
	if it, n := sys.GetR1CIterator(), 0; true {
		for c := it.Next(); c != nil; c = it.Next() {
			n++
		}
		if n != nbR1C || n != sys.GetNbConstraints() {
			t.Fatalf("R1C iterator sees %d R1Cs, instructions %d, constraints %d", n, nbR1C, sys.GetNbConstraints())
		}
	}
	return sys, out
}

// TestRedteamS2RawR1CEncoding decodes every raw quotient R1C of the B-lean
// lookup (an 8-bit and a 9-bit table, one query each) and checks it is
// exactly q·(α − x) = num: L is a fresh wire with coefficient 1; R is α
// (coefficient 1, the same wire everywhere) plus −t times the constant-one
// wire 0 for table entry t (no constant term for t = 0) or minus the query
// wire; O is the count wire m_t (committed, one per entry) or 1 times wire
// 0. Each table value appears once per table. With the honest solution
// every raw R1C holds, and the constant one-wire is wire 0 = 1.
func TestRedteamS2RawR1CEncoding(t *testing.T) {
	const w = 8
	p := protocol.BN254.ScalarField()
	ccs, err := compileWith(protocol.BN254, "r1cs", &lookupCircuit{W: w, Other: w + 1, LeanB: true})
	if err != nil {
		t.Fatal(err)
	}
	sys, raws := rawQuotients(t, ccs)
	if want := 1<<w + 1<<(w+1) + 2; len(raws) != want {
		t.Fatalf("%d raw quotient R1Cs, want %d (one per table entry and query)", len(raws), want)
	}
	coeff := func(id int) *big.Int { return sys.Coefficients[id].BigInt(new(big.Int)) }
	minus := func(x *big.Int) *big.Int { return new(big.Int).Mod(new(big.Int).Neg(x), p) }
	committed := map[int]bool{}
	for _, c := range ccs.GetCommitments().(constraint.Groth16Commitments) {
		for _, wid := range c.PrivateCommitted {
			committed[wid] = true
		}
	}
	// α: the wire of R with coefficient 1 common to every raw R1C
	alpha := -1
	for _, term := range raws[0].R {
		if term.WireID() != 0 && coeff(term.CoeffID()).Cmp(big.NewInt(1)) == 0 {
			alpha = term.WireID()
		}
	}
	if alpha <= 0 {
		t.Fatalf("no α wire in the first quotient's R: %v", raws[0].R)
	}
	freshL := map[int]bool{}
	countWires := map[int]bool{}
	var tableVals []int64
	queries := 0
	for i, c := range raws {
		if len(c.L) != 1 || c.L[0].WireID() == 0 || coeff(c.L[0].CoeffID()).Cmp(big.NewInt(1)) != 0 {
			t.Fatalf("R1C %d: L = %v, want one fresh wire with coefficient 1", i, c.L)
		}
		if freshL[c.L[0].WireID()] || c.L[0].WireID() == alpha || committed[c.L[0].WireID()] {
			t.Fatalf("R1C %d: L wire %d is not a fresh quotient wire", i, c.L[0].WireID())
		}
		freshL[c.L[0].WireID()] = true
		if len(c.O) != 1 {
			t.Fatalf("R1C %d: O = %v, want one term", i, c.O)
		}
		hasAlpha := false
		var rest []constraint.Term
		for _, term := range c.R {
			if term.WireID() == alpha {
				if hasAlpha || coeff(term.CoeffID()).Cmp(big.NewInt(1)) != 0 {
					t.Fatalf("R1C %d: α twice or with a coefficient other than 1: %v", i, c.R)
				}
				hasAlpha = true
				continue
			}
			rest = append(rest, term)
		}
		if !hasAlpha || len(rest) > 1 {
			t.Fatalf("R1C %d: R = %v, want α and at most one more term", i, c.R)
		}
		if o := c.O[0]; o.WireID() == 0 {
			// query side: 1/(α − q), R = α − q with q a committed input wire
			queries++
			if coeff(o.CoeffID()).Cmp(big.NewInt(1)) != 0 {
				t.Fatalf("R1C %d: query numerator %v, want 1", i, coeff(o.CoeffID()))
			}
			if len(rest) != 1 || rest[0].WireID() == 0 || !committed[rest[0].WireID()] || coeff(rest[0].CoeffID()).Cmp(minus(big.NewInt(1))) != 0 {
				t.Fatalf("R1C %d: query R = %v, want α − (committed query wire)", i, c.R)
			}
		} else {
			// table side: m_t/(α − t)
			if !committed[o.WireID()] || countWires[o.WireID()] || coeff(o.CoeffID()).Cmp(big.NewInt(1)) != 0 {
				t.Fatalf("R1C %d: O = %v is not a fresh committed count wire", i, c.O)
			}
			countWires[o.WireID()] = true
			v := int64(0)
			if len(rest) == 1 {
				if rest[0].WireID() != 0 {
					t.Fatalf("R1C %d: table R = %v has a wire other than α and the one wire", i, c.R)
				}
				tv := minus(coeff(rest[0].CoeffID()))
				if !tv.IsInt64() || tv.Int64() <= 0 {
					t.Fatalf("R1C %d: table constant −%v", i, tv)
				}
				v = tv.Int64()
			}
			tableVals = append(tableVals, v)
		}
	}
	if queries != 2 {
		t.Fatalf("%d query quotients, want 2", queries)
	}
	// table values: 0 … 2^w − 1, then 0 … 2^(w+1) − 1, each once
	seen := map[int]map[int64]bool{w: {}, w + 1: {}}
	for _, v := range tableVals {
		switch {
		case len(seen[w]) < 1<<w && !seen[w][v]:
			seen[w][v] = true
		case !seen[w+1][v]:
			seen[w+1][v] = true
		default:
			t.Fatalf("table value %d repeated", v)
		}
	}
	for bits, vals := range seen {
		for v := int64(0); v < 1<<bits; v++ {
			if !vals[v] {
				t.Errorf("table of %d bits lacks %d", bits, v)
			}
		}
	}
	// semantics with the honest solution
	wit, err := frontend.NewWitness(&lookupCircuit{W: w, Other: w + 1, LeanB: true, V: 200, X: 3}, p)
	if err != nil {
		t.Fatal(err)
	}
	sol, err := ccs.Solve(wit, solver.WithHints(GetHints()...))
	if err != nil {
		t.Fatal(err)
	}
	W := sol.(*cs_bn254.R1CSSolution).W
	if !W[0].IsOne() {
		t.Fatalf("wire 0 = %v, want 1", W[0].String())
	}
	eval := func(l constraint.LinearExpression) *big.Int {
		acc := new(big.Int)
		for _, term := range l {
			x := W[term.WireID()].BigInt(new(big.Int))
			acc.Add(acc, x.Mul(x, coeff(term.CoeffID())))
		}
		return acc.Mod(acc, p)
	}
	for i, c := range raws {
		l, r, o := eval(c.L), eval(c.R), eval(c.O)
		if l.Mul(l, r).Mod(l, p).Cmp(o) != 0 {
			t.Fatalf("R1C %d does not hold on the honest solution", i)
		}
	}
}

// overrideQuotients runs quotientHint, then lets change alter the outputs of
// each call (in = α, x_1 … x_k, num_1 … num_k).
func overrideQuotients(change func(mod *big.Int, in, out []*big.Int)) solver.Option {
	return solver.OverrideHint(solver.GetHintID(quotientHint), func(mod *big.Int, in, out []*big.Int) error {
		if err := quotientHint(mod, in, out); err != nil {
			return err
		}
		change(mod, in, out)
		return nil
	})
}

// TestRedteamS2BalancedQuotients: the log-derivative identity Σ m_t/(α−t)
// = Σ 1/(α−q) is made to hold for an out-of-range or non-integer query v
// by a malicious solver, each time leaving only the quotient R1Cs violated:
// (a) v's quotient set to 0 (the table side is empty: v is not counted);
// (b) a count of 1 claimed at t = 0 and v's quotient set to 1/α (v posing as 0);
// (c) a table quotient of a zero count set to 1/(α − v);
// (d) v's quotient 1/(α − v) kept, t = v mod 2^w counted, its table quotient
// set to 1/(α − v) instead of 1/(α − t).
// The compiled system must refuse each; the honest solve passes.
func TestRedteamS2BalancedQuotients(t *testing.T) {
	for _, w := range []int{8, 11} { // 2^11 entries: two quotient hint calls
		redteamBalanced(t, w)
	}
}

// isTableCall reports whether a quotient hint call is a table's: its points
// are consecutive integers.
func isTableCall(in []*big.Int, k int) bool {
	for i := 0; i < k; i++ {
		if !in[1+i].IsInt64() || in[1+i].Int64() != in[1].Int64()+int64(i) {
			return false
		}
	}
	return k > 1
}

// redteamBalanced attacks a w-bit table with a 3-bit table beside it (whose
// single hint call of 8 points tells the tables' calls apart).
func redteamBalanced(t *testing.T, w int) {
	const other = 3
	p := protocol.BN254.ScalarField()
	ccs, err := compileWith(protocol.BN254, "r1cs", &lookupCircuit{W: w, Other: other, LeanB: true})
	if err != nil {
		t.Fatal(err)
	}
	half := new(big.Int).ModInverse(big.NewInt(2), p)
	bad := map[string]*big.Int{
		"2^w": big.NewInt(1 << w), "1/2": half, "p − 1": new(big.Int).Sub(p, big.NewInt(1)),
		"p − 2^w": new(big.Int).Sub(p, big.NewInt(1<<w)), "2^w + 5": big.NewInt(1<<w + 5),
		"5 + p/2": new(big.Int).Add(big.NewInt(5), new(big.Int).Rsh(p, 1)),
	}
	inv := func(x *big.Int) *big.Int {
		return new(big.Int).ModInverse(new(big.Int).Mod(x, p), p)
	}
	sub := func(a, b *big.Int) *big.Int { return new(big.Int).Mod(new(big.Int).Sub(a, b), p) }
	honest, err := frontend.NewWitness(&lookupCircuit{W: w, Other: other, LeanB: true, V: 17, X: 3}, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := ccs.IsSolved(honest, solver.WithHints(GetHints()...)); err != nil {
		t.Fatalf("w = %d: honest: %v", w, err)
	}
	// setTable sets the quotient of entry at of the w-bit table
	setTable := func(in, out []*big.Int, at int64, q *big.Int) {
		k := len(out)
		if !isTableCall(in, k) || k == 1<<other {
			return
		}
		if lo := in[1].Int64(); at >= lo && at < lo+int64(k) {
			out[at-lo].Set(q)
		}
	}
	for name, v := range bad {
		wit, err := frontend.NewWitness(&lookupCircuit{W: w, Other: other, LeanB: true, V: v, X: 3}, p)
		if err != nil {
			t.Fatal(err)
		}
		tMod := new(big.Int).Mod(v, big.NewInt(1<<w)).Int64()
		countAt := func(at int64) solver.Option {
			return solver.OverrideHint(solver.GetHintID(countHint), func(mod *big.Int, in, out []*big.Int) error {
				if err := countHint(mod, in, out); err != nil {
					return err
				}
				if len(out) == 1<<w {
					out[at].Add(out[at], big.NewInt(1))
				}
				return nil
			})
		}
		isV := func(in []*big.Int) bool { return len(in) == 3 && in[1].Cmp(v) == 0 }
		attacks := map[string][]solver.Option{
			"(a) quotient of v = 0": {overrideQuotients(func(_ *big.Int, in, out []*big.Int) {
				if isV(in) {
					out[0].SetUint64(0)
				}
			})},
			"(b) v poses as 0": {countAt(0), overrideQuotients(func(_ *big.Int, in, out []*big.Int) {
				if isV(in) {
					out[0].Set(inv(in[0]))
				}
			})},
			"(d) v counted at v mod 2^w, its table quotient 1/(α − v)": {countAt(tMod), overrideQuotients(func(_ *big.Int, in, out []*big.Int) {
				setTable(in, out, tMod, inv(sub(in[0], v)))
			})},
		}
		// (c) at entries at the start, inside, at the ends of hint calls
		for _, at := range []int64{0, 7, 1<<w - 1, 1023, 1024} {
			if at >= 1<<w {
				continue
			}
			at := at
			attacks[fmt.Sprintf("(c) zero-count table quotient %d = 1/(α − v)", at)] = []solver.Option{overrideQuotients(func(_ *big.Int, in, out []*big.Int) {
				setTable(in, out, at, inv(sub(in[0], v)))
			})}
		}
		for an, opts := range attacks {
			if err := ccs.IsSolved(wit, append(opts, solver.WithHints(GetHints()...))...); err == nil {
				t.Errorf("w = %d, v = %s, %s: ACCEPTED by the compiled B-lean lookup", w, name, an)
			}
		}
		// without a malicious solver the out-of-range value fails as well
		if ccs.IsSolved(wit, solver.WithHints(GetHints()...)) == nil {
			t.Errorf("v = %s accepted as a %d-bit value", name, w)
		}
	}
}

// quotientProbe calls quotients directly with constant and variable
// numerators and points, and asserts each quotient equals the public Q_i.
type quotientProbe struct {
	Alpha, X, Y frontend.Variable
	Q           []frontend.Variable `gnark:",public"`
}

// quotientCases: (x_i, num_i) as the probe builds them; the constants 0
// exercise the empty O and a point α − 0 = α.
func (c *quotientProbe) cases(api frontend.API) (xs, nums []frontend.Variable) {
	xs = []frontend.Variable{0, 7, c.X, api.Add(c.X, 3), c.X, 0, c.Y, c.X, 5}
	nums = []frontend.Variable{1, 0, 1, c.Y, 0, c.Y, 5, api.Add(c.Y, 2), api.Mul(c.Y, 4)}
	return xs, nums
}

func (c *quotientProbe) Define(api frontend.API) error {
	xs, nums := c.cases(api)
	qs := quotients(api, c.Alpha, xs, nums, true)
	for i := range qs {
		api.AssertIsEqual(qs[i], c.Q[i])
	}
	return nil
}

func quotientProbeValues(p *big.Int, alpha, x, y int64) []*big.Int {
	xs := []int64{0, 7, x, x + 3, x, 0, y, x, 5}
	nums := []int64{1, 0, 1, y, 0, y, 5, y + 2, 4 * y}
	out := make([]*big.Int, len(xs))
	for i := range xs {
		d := new(big.Int).Mod(big.NewInt(alpha-xs[i]), p)
		out[i] = new(big.Int).Mul(big.NewInt(nums[i]), d.ModInverse(d, p))
		out[i].Mod(out[i], p)
	}
	return out
}

// TestRedteamS2QuotientConstants: quotients with constant points (0, 7, 5),
// constant numerators (0, 1, 5), expressions with a constant term (x + 3,
// y + 2) and products, through the compiled R1CS: the honest quotients
// solve, a wrong public Q_i is refused, and a solver returning any quotient
// off (by one, or 0 for a zero numerator replaced by 1) is refused. The
// zero numerators are raw R1Cs with an empty O.
func TestRedteamS2QuotientConstants(t *testing.T) {
	p := protocol.BN254.ScalarField()
	const alpha, x, y = 1000003, 11, 13
	nb := len(quotientProbeValues(p, alpha, x, y))
	ccs, err := compileWith(protocol.BN254, "r1cs", &quotientProbe{Q: make([]frontend.Variable, nb)})
	if err != nil {
		t.Fatal(err)
	}
	_, raws := rawQuotients(t, ccs)
	if len(raws) != nb {
		t.Fatalf("%d raw R1Cs, want %d", len(raws), nb)
	}
	empty := 0
	for _, c := range raws {
		if len(c.O) == 0 {
			empty++
		}
	}
	if empty != 2 {
		t.Errorf("%d raw R1Cs with an empty O, want 2 (the zero numerators)", empty)
	}
	assign := func(q []*big.Int) witness.Witness {
		a := &quotientProbe{Alpha: alpha, X: x, Y: y, Q: make([]frontend.Variable, nb)}
		for i := range q {
			a.Q[i] = q[i]
		}
		wit, err := frontend.NewWitness(a, p)
		if err != nil {
			t.Fatal(err)
		}
		return wit
	}
	good := quotientProbeValues(p, alpha, x, y)
	if err := ccs.IsSolved(assign(good), solver.WithHints(GetHints()...)); err != nil {
		t.Fatalf("honest quotients refused: %v", err)
	}
	for i := range good {
		q := quotientProbeValues(p, alpha, x, y)
		q[i].Add(q[i], big.NewInt(1)).Mod(q[i], p)
		if ccs.IsSolved(assign(q), solver.WithHints(GetHints()...)) == nil {
			t.Errorf("public Q_%d off by one accepted", i)
		}
		// a solver whose quotient i is off, with the public Q_i matching it
		off := overrideQuotients(func(mod *big.Int, _, out []*big.Int) {
			if out[i].Sign() == 0 {
				out[i].SetUint64(1)
			} else {
				out[i].Add(out[i], big.NewInt(1)).Mod(out[i], mod)
			}
		})
		q = quotientProbeValues(p, alpha, x, y)
		if q[i].Sign() == 0 {
			q[i].SetUint64(1)
		} else {
			q[i].Add(q[i], big.NewInt(1)).Mod(q[i], p)
		}
		if ccs.IsSolved(assign(q), off, solver.WithHints(GetHints()...)) == nil {
			t.Errorf("quotient %d off (solver and public value agreeing) accepted", i)
		}
	}
	// the test engine (api.DivUnchecked) agrees with the compiled system
	a := &quotientProbe{Alpha: alpha, X: x, Y: y, Q: make([]frontend.Variable, nb)}
	for i := range good {
		a.Q[i] = good[i]
	}
	if err := isSolvedTestEngine(&quotientProbe{Q: make([]frontend.Variable, nb)}, a, p); err != nil {
		t.Errorf("test engine refuses the honest quotients: %v", err)
	}
}

// TestRedteamS2PermutationEdges: the B-lean permutation on the COMPILED
// R1CS (not the test engine) equals gnark-crypto's on both curves for the
// zero state, all lanes p − 1, p − 1 in one lane (each lane), 1 in one lane,
// lanes 0/p − 1 alternating, random states; every output lane +1 and
// p − 1 − out is refused.
func TestRedteamS2PermutationEdges(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, curve := range protocol.Curves {
		sp := curve.Sponge()
		p := curve.ScalarField()
		pm1 := new(big.Int).Sub(p, big.NewInt(1))
		shape := &permCircuit{In: make([]frontend.Variable, sp.Width), Out: make([]frontend.Variable, sp.Width), curve: curve}
		ccs, err := compileWith(curve, "r1cs", shape)
		if err != nil {
			t.Fatal(err)
		}
		state := func(f func(i int) *big.Int) []*big.Int {
			s := make([]*big.Int, sp.Width)
			for i := range s {
				s[i] = f(i)
			}
			return s
		}
		states := [][]*big.Int{
			state(func(int) *big.Int { return new(big.Int) }),
			state(func(int) *big.Int { return new(big.Int).Set(pm1) }),
			state(func(i int) *big.Int {
				if i%2 == 1 {
					return new(big.Int).Set(pm1)
				}
				return new(big.Int)
			}),
		}
		for lane := 0; lane < sp.Width; lane++ {
			for _, v := range []*big.Int{pm1, big.NewInt(1)} {
				states = append(states, state(func(i int) *big.Int {
					if i == lane {
						return new(big.Int).Set(v)
					}
					return new(big.Int)
				}))
			}
		}
		for k := 0; k < 3; k++ {
			states = append(states, state(func(int) *big.Int { return new(big.Int).Rand(rng, p) }))
		}
		for k, in := range states {
			out := nativePermutation(t, curve, in)
			wit := func(out []*big.Int) witness.Witness {
				a := &permCircuit{In: make([]frontend.Variable, sp.Width), Out: make([]frontend.Variable, sp.Width), curve: curve}
				for i := range in {
					a.In[i], a.Out[i] = in[i], out[i]
				}
				w, err := frontend.NewWitness(a, p)
				if err != nil {
					t.Fatal(err)
				}
				return w
			}
			if err := ccs.IsSolved(wit(out)); err != nil {
				t.Errorf("%s state %d: compiled permutation is not gnark-crypto's: %v", curve, k, err)
			}
			if k > 3 { // the lane forgeries on a few states suffice
				continue
			}
			for lane := range out {
				for _, delta := range []*big.Int{big.NewInt(1), pm1} {
					bad := append([]*big.Int(nil), out...)
					bad[lane] = new(big.Int).Add(out[lane], delta)
					bad[lane].Mod(bad[lane], p)
					if ccs.IsSolved(wit(bad)) == nil {
						t.Errorf("%s state %d: output lane %d moved by %v accepted", curve, k, lane, delta)
					}
				}
			}
		}
	}
}

// TestRedteamS2PermutationWidths: newPermutation either refuses a width or
// computes gnark-crypto's BN254 permutation at it (it accepts 3 and every
// multiple of 4; gnark-crypto's external matrix at width 4 is M4 alone,
// circ(2·M4, M4, …) only from width 8 on).
func TestRedteamS2PermutationWidths(t *testing.T) {
	p := protocol.BN254.ScalarField()
	for _, width := range []int{3, 4, 8, 12, 16} {
		sp := protocol.Sponge{Width: width, FullRounds: 8, PartialRounds: 56}
		c := &permCircuit{In: make([]frontend.Variable, width), Out: make([]frontend.Variable, width), curve: protocol.BN254, sp: sp}
		ccs, err := compileWith(protocol.BN254, "r1cs", c)
		if err != nil {
			continue // refused: fine
		}
		in := make([]*big.Int, width)
		s := make([]fr254, width)
		for i := range in {
			in[i] = big.NewInt(int64(3*i + 1))
			s[i].SetBigInt(in[i])
		}
		if err := newNativeBN(width, sp).Permutation(s); err != nil {
			t.Fatal(err)
		}
		a := &permCircuit{In: make([]frontend.Variable, width), Out: make([]frontend.Variable, width), curve: protocol.BN254, sp: sp}
		for i := range in {
			a.In[i], a.Out[i] = in[i], s[i].BigInt(new(big.Int))
		}
		wit, err := frontend.NewWitness(a, p)
		if err != nil {
			t.Fatal(err)
		}
		if err := ccs.IsSolved(wit); err != nil {
			t.Errorf("width %d: newPermutation accepts the width but is not gnark-crypto's permutation: %v", width, err)
		}
	}
}

// spongeCircuit absorbs Limbs (limbBits each) with the freivalds-s2 hasher
// (B-lean permutation, no pins) and asserts the digest.
type spongeCircuit struct {
	Limbs    []frontend.Variable
	Digest   frontend.Variable `gnark:",public"`
	limbBits int               `gnark:"-"`
	tag      uint64            `gnark:"-"`
}

func (c *spongeCircuit) Define(api frontend.API) error {
	perm, sp, err := newSponge(api, true)
	if err != nil {
		return err
	}
	h := newHasher(api, perm, sp, c.tag)
	if h.pins {
		return fmt.Errorf("the B-lean hasher pins its lanes")
	}
	h.absorb(c.Limbs, c.limbBits)
	api.AssertIsEqual(h.sum(), c.Digest)
	return nil
}

// TestRedteamS2SpongeMatchesNative: without lane pins, the compiled hasher
// still equals protocol.DigestLimbs across block boundaries (0, 1, rate − 1,
// rate, rate + 1, 2·rate, 2·rate + 1 and 3·rate + 2 packed elements), with
// extreme limbs (0, 2^b − 1); a digest + 1 or of one limb + 1 is refused.
func TestRedteamS2SpongeMatchesNative(t *testing.T) {
	p := protocol.BN254.ScalarField()
	rate := protocol.BN254.Sponge().Rate()
	const b = 40
	per := protocol.PerElement(b)
	rng := rand.New(rand.NewSource(9))
	top := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), b), big.NewInt(1))
	for _, elems := range []int{0, 1, rate - 1, rate, rate + 1, 2 * rate, 2*rate + 1, 3*rate + 2} {
		nbLimbs := elems * per
		if elems > 1 {
			nbLimbs -= per / 2 // a short last element
		}
		limbs := make([]*big.Int, nbLimbs)
		for i := range limbs {
			switch i % 3 {
			case 0:
				limbs[i] = new(big.Int).Set(top)
			case 1:
				limbs[i] = new(big.Int)
			default:
				limbs[i] = new(big.Int).Rand(rng, top)
			}
		}
		tag := protocol.OutputTag(7, 3, b)
		d := protocol.DigestLimbs(protocol.BN254, tag, b, limbs)
		shape := &spongeCircuit{Limbs: make([]frontend.Variable, nbLimbs), limbBits: b, tag: tag}
		ccs, err := compileWith(protocol.BN254, "r1cs", shape)
		if err != nil {
			t.Fatal(err)
		}
		wit := func(limbs []*big.Int, digest *big.Int) witness.Witness {
			a := &spongeCircuit{Limbs: make([]frontend.Variable, nbLimbs), Digest: digest, limbBits: b, tag: tag}
			for i := range limbs {
				a.Limbs[i] = limbs[i]
			}
			w, err := frontend.NewWitness(a, p)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		digest := new(big.Int).SetBytes(d[:])
		if err := ccs.IsSolved(wit(limbs, digest)); err != nil {
			t.Errorf("%d elements: compiled digest is not protocol.DigestLimbs: %v", elems, err)
		}
		if ccs.IsSolved(wit(limbs, new(big.Int).Add(digest, big.NewInt(1)))) == nil {
			t.Errorf("%d elements: digest + 1 accepted", elems)
		}
		if nbLimbs > 0 {
			moved := append([]*big.Int(nil), limbs...)
			moved[nbLimbs-1] = new(big.Int).Add(limbs[nbLimbs-1], big.NewInt(1))
			if ccs.IsSolved(wit(moved, digest)) == nil {
				t.Errorf("%d elements: the digest accepted for a changed last limb", elems)
			}
		}
	}
}

// redteamSolve is compiledSolves with extra solver options (a malicious
// solver's hints).
func (fg *sForged) redteamSolve(ccs constraint.ConstraintSystem, mask *SyntheticMask, opts ...solver.Option) error {
	return fg.compiledSolves(ccs, mask, opts...)
}

// TestRedteamS2FullStatement: freivalds-s2 as NewSynthetic builds it at
// n = 4 (gnark's range checker), 8 and 16 (their own lookup layouts), with
// the digest by the B-lean permutation and the PoE, compiled: the honest
// witness solves; every non-adaptive sAttacks forgery is refused, with the
// honest digest kept and with digest and PoE recomputed over the forged C';
// and on the lookup layouts a
// forgery that leaves a range check as the only obstacle (R + 2^f·k with
// C' compensated, or a limb 2^w with the next limb compensated) is refused
// even with a malicious quotient solver that balances the lookup identity
// by zeroing the offending query's quotient.
func TestRedteamS2FullStatement(t *testing.T) {
	mask, err := NewSyntheticMask()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{4, 8, 16} {
		const f = 8
		shape, err := NewSynthetic(n, f)
		if err != nil {
			t.Fatal(err)
		}
		lay := shape.lay
		if !lay.leanB() || lay.lookup != (n >= syntheticLookupMinN) {
			t.Fatalf("n = %d: layout %+v is not freivalds-s2's", n, lay)
		}
		ccs, err := compileWith(protocol.BN254, "r1cs", shape)
		if err != nil {
			t.Fatal(err)
		}
		honest := newSForged(t, protocol.BN254, n, f, lay, 5)
		if err := honest.redteamSolve(ccs, mask); err != nil {
			t.Fatalf("n = %d: honest witness refused: %v", n, err)
		}
		for _, at := range sAttacks {
			fg := newSForged(t, protocol.BN254, n, f, lay, 5)
			if !at.apply(fg) || fg.adapt != nil || fg.sAt != nil {
				continue // redteamSolve has no adaptive step; lean_test covers them
			}
			if err := fg.redteamSolve(ccs, mask); err == nil {
				t.Errorf("n = %d, %s (honest digest kept): ACCEPTED", n, at.name)
			}
			fg.redigest()
			if err := fg.redteamSolve(ccs, mask); err == nil {
				t.Errorf("n = %d, %s (digest recomputed): ACCEPTED", n, at.name)
			}
		}
		if !lay.lookup {
			continue // gnark's range checker: no quotients of zkpoc's
		}
		// a quotient solver that zeroes the query quotients of v (the
		// counts stay honest, so they leave v out: the identity balances)
		p := protocol.BN254.ScalarField()
		zeroQuery := func(v *big.Int) solver.Option {
			return overrideQuotients(func(_ *big.Int, in, out []*big.Int) {
				k := len(out)
				if isTableCall(in, k) {
					return
				}
				for i := 0; i < k; i++ {
					if in[1+i].Cmp(v) == 0 && in[1+k+i].Cmp(big.NewInt(1)) == 0 {
						out[i].SetUint64(0)
					}
				}
			})
		}
		{
			// R + 2^f, C' − 1: the Freivalds value kept, R out of range
			fg := newSForged(t, protocol.BN254, n, f, lay, 5)
			e := 3
			fg.c[e].Sub(fg.c[e], big.NewInt(1))
			fg.r[e].Add(fg.r[e], big.NewInt(1<<f))
			fg.split()
			fg.redigest()
			if err := fg.redteamSolve(ccs, mask, zeroQuery(fg.r[e])); err == nil {
				t.Errorf("n = %d: R = 2^f + r with a zeroing quotient solver ACCEPTED", n)
			}
		}
		if lay.limbs >= 2 {
			// limb 0 + 2^w, limb 1 − 1: the value kept, limb 0 out of range
			fg := newSForged(t, protocol.BN254, n, f, lay, 5)
			k, w := lay.limbs, lay.limbBits
			e := 2
			fg.limbs[e*k].Add(fg.limbs[e*k], big.NewInt(1<<w))
			fg.limbs[e*k+1].Sub(fg.limbs[e*k+1], big.NewInt(1)).Mod(fg.limbs[e*k+1], p)
			fg.recombine()
			fg.redigest()
			if err := fg.redteamSolve(ccs, mask, zeroQuery(fg.limbs[e*k])); err == nil {
				t.Errorf("n = %d: limb 2^w + x with a zeroing quotient solver ACCEPTED", n)
			}
		}
	}
}

// TestRedteamS2Groth16 proves the B-lean lookup (the raw R1Cs in every
// matrix) with gnark's Groth16 on BN254: setup, prove and verify succeed
// for an honest witness; the prover refuses a witness whose quotient is off;
// the compiled system survives WriteTo/ReadFrom (the extra blueprint
// included) with the same digest and still refuses the forged quotient.
func TestRedteamS2Groth16(t *testing.T) {
	const w = 8
	p := protocol.BN254.ScalarField()
	ccs, err := compileWith(protocol.BN254, "r1cs", &lookupCircuit{W: w, Other: w + 1, LeanB: true})
	if err != nil {
		t.Fatal(err)
	}
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		t.Fatal(err)
	}
	wit, err := frontend.NewWitness(&lookupCircuit{W: w, Other: w + 1, LeanB: true, V: 255, X: 0}, p)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := wit.Public()
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(ccs, pk, wit)
	if err != nil {
		t.Fatalf("honest Groth16 proof: %v", err)
	}
	if err := groth16.Verify(proof, vk, pub); err != nil {
		t.Fatalf("honest Groth16 proof does not verify: %v", err)
	}
	off := overrideQuotients(func(mod *big.Int, _, out []*big.Int) {
		out[0].Add(out[0], big.NewInt(1)).Mod(out[0], mod)
	})
	if _, err := groth16.Prove(ccs, pk, wit, backendSolver(off)); err == nil {
		t.Error("Groth16 proved a witness with a quotient off by one")
	}
	var buf bytes.Buffer
	if _, err := ccs.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	back := groth16.NewCS(ecc.BN254)
	if _, err := back.ReadFrom(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	if redteamDigest(t, back) != redteamDigest(t, ccs) {
		t.Error("the B-lean system changes on WriteTo/ReadFrom")
	}
	if _, raws := rawQuotients(t, back); len(raws) != 1<<w+1<<(w+1)+2 {
		t.Errorf("read back: %d raw quotient R1Cs", len(raws))
	}
	if err := back.IsSolved(wit, solver.WithHints(GetHints()...)); err != nil {
		t.Errorf("read back: honest witness refused: %v", err)
	}
	if back.IsSolved(wit, off, solver.WithHints(GetHints()...)) == nil {
		t.Error("read back: a quotient off by one accepted")
	}
	proof2, err := groth16.Prove(back, pk, wit)
	if err != nil {
		t.Fatalf("read back: honest proof: %v", err)
	}
	if err := groth16.Verify(proof2, vk, pub); err != nil {
		t.Errorf("read back: honest proof does not verify: %v", err)
	}
}

// TestRedteamS2Names: the retired name is refused by ParseMethod and is in
// no cache id of the current statement.
func TestRedteamS2Names(t *testing.T) {
	if protocol.SyntheticCircuitID != "freivalds-s2" || protocol.Synthetic.Name() != "freivalds-s2" {
		t.Fatalf("synthetic statement named %q / %q", protocol.SyntheticCircuitID, protocol.Synthetic.Name())
	}
	if _, err := protocol.ParseMethod("freivalds-s1"); err == nil {
		t.Error("ParseMethod accepts the retired freivalds-s1")
	}
	for _, n := range []int{1, 4, 1024} {
		id := keys.SyntheticIDFor(n, 8)
		old := id
		old.Circuit = "freivalds-s1"
		if id.Circuit != "freivalds-s2" || id.String() == old.String() || id == old {
			t.Errorf("n = %d: cache id %s is the retired one's", n, id)
		}
	}
}

type fr254 = fr.Element

func newNativeBN(width int, sp protocol.Sponge) *poseidon2bn.Permutation {
	return poseidon2bn.NewPermutation(width, sp.FullRounds, sp.PartialRounds)
}

func isSolvedTestEngine(shape, assignment frontend.Circuit, p *big.Int) error {
	return test.IsSolved(shape, assignment, p)
}

func backendSolver(opts ...solver.Option) backend.ProverOption {
	return backend.WithSolverOptions(append(opts, solver.WithHints(GetHints()...))...)
}

// refConstProbe is quotients with α an expression carrying a constant term
// (α = A + 3) and a constant numerator 1: r1cWriter.linear takes the
// numerator's constant from api.Add(α, 1), whose one-wire term is 3 + 1.
type refConstProbe struct {
	A, X frontend.Variable
	Q    frontend.Variable `gnark:",public"`
}

func (c *refConstProbe) Define(api frontend.API) error {
	qs := quotients(api, api.Add(c.A, 3), []frontend.Variable{c.X}, []frontend.Variable{1}, true)
	api.AssertIsEqual(qs[0], c.Q)
	return nil
}

// TestRedteamS2LatentQuotientRef: quotients' contract (q = num/(α − x))
// for an α that is not a single wire. freivalds-s2's α (r·r, one wire) is
// not affected; this pins the helper for any other caller: on the compiled
// R1CS the honest 1/(α − x) must solve and 4/(α − x) (what the R1C
// enforces if the constant is taken with α's own constant added) must not.
func TestRedteamS2LatentQuotientRef(t *testing.T) {
	p := protocol.BN254.ScalarField()
	ccs, err := compileWith(protocol.BN254, "r1cs", &refConstProbe{})
	if err != nil {
		t.Fatal(err)
	}
	const a, x = 100, 7
	q := new(big.Int).ModInverse(big.NewInt(a+3-x), p)
	wit, err := frontend.NewWitness(&refConstProbe{A: a, X: x, Q: q}, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := ccs.IsSolved(wit, solver.WithHints(GetHints()...)); err != nil {
		t.Errorf("α = A + 3: the honest quotient 1/(α − x) is refused: %v", err)
	}
	q4 := new(big.Int).Mod(new(big.Int).Mul(q, big.NewInt(4)), p)
	wit4, err := frontend.NewWitness(&refConstProbe{A: a, X: x, Q: q4}, p)
	if err != nil {
		t.Fatal(err)
	}
	forced := solver.OverrideHint(solver.GetHintID(quotientHint), func(_ *big.Int, _, out []*big.Int) error {
		out[0].Set(q4)
		return nil
	})
	if ccs.IsSolved(wit4, forced, solver.WithHints(GetHints()...)) == nil {
		t.Errorf("α = A + 3: the quotient 4/(α − x) of numerator 1 is ACCEPTED")
	}
}
