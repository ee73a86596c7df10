package circuits

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	fcs "github.com/consensys/gnark/frontend/cs"

	"github.com/zkpoc/zkpoc/protocol"
)

// The B-lean R1Cs of freivalds-s2 (quotients in r1c.go) are emitted as raw
// instructions, which the test engine never sees: it runs the ordinary
// api.DivUnchecked fallback. These tests replay the attacks through the
// compiled R1CS, the system Groth16 proves.

var errSeen = errors.New("challenge seen")

// compiledSolves is sForged.solves on a compiled R1CS: the BSB22 commitment
// is replaced by a hash of the committed values (the mask fixed), so the
// challenge moves with every committed wire as Groth16's does; a first
// solve reads it, the verifier's s is computed at it, and a second solve
// decides. opts (a malicious solver's hints) join both solves.
func (fg *sForged) compiledSolves(ccs constraint.ConstraintSystem, mask *SyntheticMask, opts ...solver.Option) error {
	var r *big.Int
	commit := func(stop bool) solver.Option {
		return solver.OverrideHint(solver.GetHintID(fcs.Bsb22CommitmentComputePlaceholder), func(mod *big.Int, in, out []*big.Int) error {
			h := sha256.New()
			for _, x := range in[1:] {
				h.Write(x.Bytes())
				h.Write([]byte{0xff})
			}
			r = new(big.Int).SetBytes(h.Sum(nil))
			r.Mod(r, mod)
			out[0].Set(r)
			if stop {
				return errSeen
			}
			return nil
		})
	}
	solve := func(s *big.Int, stop bool) error {
		w, err := frontend.NewWitness(fg.assignment(s), fg.p())
		if err != nil {
			return err
		}
		all := append([]solver.Option{commit(stop), mask.solverOption(), solver.WithHints(GetHints()...)}, opts...)
		_, err = ccs.Solve(w, all...)
		return err
	}
	challenge := func() error {
		r = nil
		err := solve(big.NewInt(0), true)
		if r == nil {
			return fmt.Errorf("%w: %v", errNoChallenge, err)
		}
		return nil
	}
	if err := challenge(); err != nil {
		return err
	}
	if fg.adapt != nil {
		fg.adapt(fg, r)
		if err := challenge(); err != nil {
			return err
		}
	}
	s := fg.verifierS(r)
	if fg.sAt != nil {
		s = fg.sAt(fg, r)
	}
	return solve(s, false)
}

// leanLayouts are freivalds-s2 lookup layouts NewSynthetic chooses, one per
// kind of table set: f = 0 (no remainder table), 1, 8 and 16 at n = 8 (the
// first lookup size, 8-bit limbs) and the n = 1024 layout (two 17-bit
// limbs), forced at n = 4 where a layout is not the one of n = 4.
func leanLayouts(t *testing.T) []chosenLayout {
	var out []chosenLayout
	for _, f := range []int{0, 1, 8, 16} {
		out = append(out, chosenLayout{4, f, chooseLayoutFor(8, f, true)})
	}
	out = append(out, chosenLayout{4, 8, chooseLayoutFor(1024, 8, true)})
	for _, cl := range out {
		if !cl.lay.lookup || !cl.lay.leanB() {
			t.Fatalf("%v: want a B-lean lookup layout", cl)
		}
	}
	return out
}

// TestLeanSystemsRejectForgeries: through the compiled R1CS of each B-lean
// layout, the honest witness solves and every sAttacks witness fails.
func TestLeanSystemsRejectForgeries(t *testing.T) {
	mask, err := NewSyntheticMask()
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, cl := range leanLayouts(t) {
		honest := newSForged(t, protocol.BN254, cl.n, cl.f, cl.lay, 42)
		honest.rangeOnly = true
		ccs, err := compileWith(protocol.BN254, "r1cs", honest.shape())
		if err != nil {
			t.Fatal(err)
		}
		if err := honest.compiledSolves(ccs, mask); err != nil {
			t.Fatalf("%v: honest witness rejected by the compiled system: %v", cl, err)
		}
		for _, at := range sAttacks {
			fg := newSForged(t, protocol.BN254, cl.n, cl.f, cl.lay, 42)
			fg.rangeOnly = true
			if !at.apply(fg) {
				continue
			}
			count++
			if err := fg.compiledSolves(ccs, mask); err == nil {
				t.Errorf("%v/%s: the compiled system accepts the forgery", cl, at.name)
			}
		}
	}
	t.Logf("%d forgeries, all rejected by compiled systems", count)
}

// TestLeanFullStatementCompiled: the whole freivalds-s2 statement (digest by
// the B-lean permutation, PoE) compiled at n = 4 with the n = 1024 layout:
// sFullCases, as TestSyntheticFullStatement runs them on the test engine.
func TestLeanFullStatementCompiled(t *testing.T) {
	mask, err := NewSyntheticMask()
	if err != nil {
		t.Fatal(err)
	}
	lay := chooseLayoutFor(1024, 8, true)
	ccs, err := compileWith(protocol.BN254, "r1cs", newSyntheticWithLayout(4, 8, lay))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range sFullCases {
		fg := newSForged(t, protocol.BN254, 4, 8, lay, 7)
		tc.apply(fg)
		err := fg.compiledSolves(ccs, mask)
		if tc.ok && err != nil {
			t.Errorf("%s: rejected: %v", tc.name, err)
		}
		if !tc.ok && err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// TestQuotientsConstrainTheirWires: every quotient of the B-lean lookup is
// bound by its R1C — a solver whose quotient hint returns one value off (any
// position of a call) is refused on the compiled system, good values pass,
// and the quotients are written with their fresh wire out of R: the B-lean
// system has at least one wire per query and table entry fewer in B.
func TestQuotientsConstrainTheirWires(t *testing.T) {
	const w = 8
	p := protocol.BN254.ScalarField()
	for _, lean := range []bool{true, false} {
		shape := &lookupCircuit{W: w, Other: w + 1, LeanB: lean}
		ccs, err := compileWith(protocol.BN254, "r1cs", shape)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []int64{0, 5, 1<<w - 1} {
			wit, err := frontend.NewWitness(&lookupCircuit{W: w, Other: w + 1, LeanB: lean, V: v, X: 3}, p)
			if err != nil {
				t.Fatal(err)
			}
			if err := ccs.IsSolved(wit, solver.WithHints(GetHints()...)); err != nil {
				t.Errorf("lean=%v v=%d: rejected: %v", lean, v, err)
			}
			if !lean {
				continue
			}
			// a quotient off by one: of a table entry (the call of 2^w or
			// 2^(w+1) outputs) or of a query (the calls of one output)
			for _, at := range []struct{ size, idx int }{{1 << w, 0}, {1 << w, 3}, {1 << (w + 1), 1<<(w+1) - 1}, {1, 0}} {
				off := solver.OverrideHint(solver.GetHintID(quotientHint), func(mod *big.Int, in, out []*big.Int) error {
					if err := quotientHint(mod, in, out); err != nil {
						return err
					}
					if len(out) == at.size {
						out[at.idx].Add(out[at.idx], big.NewInt(1)).Mod(out[at.idx], mod)
					}
					return nil
				})
				if ccs.IsSolved(wit, off, solver.WithHints(GetHints()...)) == nil {
					t.Errorf("v=%d: a quotient off by one (call of %d, index %d) accepted", v, at.size, at.idx)
				}
			}
		}
	}
	// non-integers and values off by p through the compiled B-lean system
	ccs, err := compileWith(protocol.BN254, "r1cs", &lookupCircuit{W: w, Other: w + 1, LeanB: true})
	if err != nil {
		t.Fatal(err)
	}
	half := new(big.Int).ModInverse(big.NewInt(2), p)
	for name, v := range map[string]*big.Int{
		"1/2": half, "2^w": big.NewInt(1 << w), "p − 1": new(big.Int).Sub(p, big.NewInt(1)),
		"p − 2^w":     new(big.Int).Sub(p, big.NewInt(1<<w)),
		"(2^w − 1)/2": new(big.Int).Mod(new(big.Int).Mul(big.NewInt(1<<w-1), half), p),
	} {
		wit, err := frontend.NewWitness(&lookupCircuit{W: w, Other: w + 1, LeanB: true, V: v, X: 3}, p)
		if err != nil {
			t.Fatal(err)
		}
		if ccs.IsSolved(wit, solver.WithHints(GetHints()...)) == nil {
			t.Errorf("B-lean lookup: %s accepted as a %d-bit value", name, w)
		}
	}
	lean, plain := wiresInB(t, &lookupCircuit{W: w, Other: w + 1, LeanB: true}), wiresInB(t, &lookupCircuit{W: w, Other: w + 1})
	// plain: every quotient (2^w + 2^(w+1) table entries, 2 queries) is in
	// B; lean: only α, the queries and the constant wire
	if lean > 8 || plain < 1<<w+1<<(w+1) {
		t.Errorf("B-lean lookup: %d wires in B against %d, want at most 8 against at least %d", lean, plain, 1<<w+1<<(w+1))
	}
}

// wiresInB counts the wires that appear in some R of c's R1CS.
func wiresInB(t *testing.T, c frontend.Circuit) int {
	ccs, err := compileWith(protocol.BN254, "r1cs", c)
	if err != nil {
		t.Fatal(err)
	}
	in := map[int]bool{}
	for _, r := range ccs.(interface{ GetR1Cs() []constraint.R1C }).GetR1Cs() {
		for _, term := range r.R {
			in[term.WireID()] = true
		}
	}
	return len(in)
}

// TestLeanPermutationHalvesBWires: the digest's S-boxes of freivalds-s2 put
// two wires per S-box in B, against gnark's gadget's three.
func TestLeanPermutationSavesBWires(t *testing.T) {
	sp := protocol.BN254.Sponge()
	lean := wiresInB(t, &permCircuit{In: make([]frontend.Variable, sp.Width), Out: make([]frontend.Variable, sp.Width), curve: protocol.BN254})
	gnarks := wiresInB(t, &permCircuit{In: make([]frontend.Variable, sp.Width), Out: make([]frontend.Variable, sp.Width), curve: protocol.BN254, gnarks: true})
	sboxes := sp.FullRounds*sp.Width + sp.PartialRounds
	if gnarks-lean < sboxes-sp.Width {
		t.Errorf("B-lean permutation: %d wires in B against gnark's %d, want about %d fewer", lean, gnarks, sboxes)
	}
	t.Logf("wires in B per permutation: %d (gnark's gadget %d)", lean, gnarks)
}
