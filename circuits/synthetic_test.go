package circuits

import (
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"

	"github.com/zkpoc/zkpoc/protocol"
)

// syntheticLayouts enumerates every (layout, f) that NewSynthetic chooses
// for any n ≤ protocol.MaxN and any f it accepts.
func syntheticLayouts(t testing.TB) []chosenLayout {
	t.Helper()
	return layoutsChosen(true)
}

// sForged is a freivalds-s2 witness as field elements. A and B stay the
// honest integer matrices: the verifier regenerates them, the prover has no
// say. s is what the verifier computes at the witness's own challenge,
// unless sAt replaces it.
type sForged struct {
	curve protocol.Curve
	n, f  int
	lay   layout
	a, b  []int16
	c     []*big.Int // C' per entry (field elements), as the limbs recombine
	limbs []*big.Int
	r     []*big.Int
	pub   protocol.Public
	// sAt, if set, is the s the witness carries given the challenge.
	sAt func(fg *sForged, r *big.Int) *big.Int
	// adapt, if set, changes the witness after the challenge is seen (an
	// attacker choosing R after r); the challenge is then re-derived.
	adapt func(fg *sForged, r *big.Int)
	// rangeOnly leaves the digest and the PoE out of the circuit.
	rangeOnly bool
}

func newSForged(t testing.TB, curve protocol.Curve, n, f int, lay layout, seed uint64) *sForged {
	t.Helper()
	in := newInstanceOn(t, curve, n, f, seed)
	fg := &sForged{curve: curve, n: n, f: f, lay: lay, a: in.a, b: in.b, pub: in.pub}
	fg.c, fg.r = bigInts(in.c), bigInts(in.r)
	fg.split()
	fg.redigest() // a layout forced at small n has the outBits of a larger one
	return fg
}

func (fg *sForged) p() *big.Int { return fg.curve.ScalarField() }

func (fg *sForged) inv(k int64) *big.Int { return new(big.Int).ModInverse(big.NewInt(k), fg.p()) }

func (fg *sForged) split() {
	dst := make([]frontend.Variable, len(fg.c)*fg.lay.limbs)
	if err := splitOutputs(fg.lay, fg.c, dst); err != nil {
		panic(err)
	}
	fg.limbs = make([]*big.Int, len(dst))
	for i, x := range dst {
		fg.limbs[i] = new(big.Int).Set(x.(*big.Int))
	}
}

// recombine recomputes C' (field elements) from the limbs.
func (fg *sForged) recombine() { recombineLimbs(fg.lay, fg.limbs, fg.c, fg.p()) }

// redigest recomputes the output digest and the PoE over whatever C' now is.
func (fg *sForged) redigest() {
	b := fg.lay.outBits
	fg.pub.OutputDigest = protocol.DigestLimbs(fg.curve, protocol.OutputTag(fg.n, fg.f, b), b, shiftBig(fg.c, b, fg.p()))
	fg.pub.PoE = poe(fg.pub.RequestID, fg.pub.OutputDigest, fg.pub.NodeID)
}

func (fg *sForged) shape() *SyntheticMatMul {
	c := newSyntheticWithLayout(fg.n, fg.f, fg.lay)
	if fg.rangeOnly {
		c.skip = parts{hashes: true, poe: true}
	}
	return c
}

func (fg *sForged) assignment(s *big.Int) *SyntheticMatMul {
	c := fg.shape()
	assignSyntheticPublic(c, fg.pub, s)
	for i := range c.R {
		c.R[i] = fg.r[i]
	}
	for i := range c.C {
		c.C[i] = fg.limbs[i]
	}
	return c
}

var errNoChallenge = errors.New("rejected before the challenge")

// challenge runs the test engine once to read the witness's challenge r
// (the solve itself fails on the placeholder s, or earlier).
func (fg *sForged) challenge() (*big.Int, error) {
	shape := fg.shape()
	shape.probe = &challengeProbe{}
	err := test.IsSolved(shape, fg.assignment(big.NewInt(0)), fg.p())
	if shape.probe.r == nil {
		return nil, fmt.Errorf("%w: %v", errNoChallenge, err)
	}
	return new(big.Int).Set(shape.probe.r.(*big.Int)), nil
}

// verifierS is the s an offline verifier computes from the regenerated A, B.
func (fg *sForged) verifierS(r *big.Int) *big.Int {
	s, err := protocol.SyntheticCheck(fg.curve, r, fg.a, fg.b, fg.n)
	if err != nil {
		panic(err)
	}
	return s
}

// solves reports whether the witness passes with the s the verifier
// computes at the witness's own challenge (or sAt's).
func (fg *sForged) solves() error {
	r, err := fg.challenge()
	if err != nil {
		return err
	}
	if fg.adapt != nil {
		fg.adapt(fg, r)
		if r, err = fg.challenge(); err != nil {
			return err
		}
	}
	s := fg.verifierS(r)
	if fg.sAt != nil {
		s = fg.sAt(fg, r)
	}
	return test.IsSolved(fg.shape(), fg.assignment(s), fg.p())
}

// sAttacks are freivalds-s2 witnesses with one fault each. apply returns
// false where the layout admits no such witness.
var sAttacks = []struct {
	name  string
	apply func(fg *sForged) bool
}{
	{"C' + 1, R kept (wrong product in range)", func(fg *sForged) bool {
		fg.c[2].Add(fg.c[2], big.NewInt(1))
		fg.split()
		return true
	}},
	{"C' + 1, R − 2^f (compensated, R out of range)", func(fg *sForged) bool {
		e := 2
		fg.c[e].Add(fg.c[e], big.NewInt(1))
		fg.r[e].Sub(fg.r[e], big.NewInt(1<<fg.f)).Mod(fg.r[e], fg.p())
		fg.split()
		return true
	}},
	{"C' + 1, R of another entry adapted to r after the challenge", func(fg *sForged) bool {
		// C'[e] + 1 adds 2^f·r^e to the sum; R[e'] − 2^f·r^(e−e') removes it at
		// the challenge seen — but R is committed, so r moves with it.
		e, e2 := 5, 1
		fg.c[e].Add(fg.c[e], big.NewInt(1))
		fg.split()
		fg.adapt = func(fg *sForged, r *big.Int) {
			d := new(big.Int).Exp(r, big.NewInt(int64(e-e2)), fg.p())
			d.Lsh(d, uint(fg.f))
			fg.r[e2].Sub(fg.r[e2], d).Mod(fg.r[e2], fg.p())
		}
		return true
	}},
	{"wrong s (verifier's s + 1)", func(fg *sForged) bool {
		fg.sAt = func(fg *sForged, r *big.Int) *big.Int {
			s := fg.verifierS(r)
			return s.Add(s, big.NewInt(1)).Mod(s, fg.p())
		}
		return true
	}},
	{"s of other matrices (B transposed)", func(fg *sForged) bool {
		n := fg.n
		bt := make([]int16, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				bt[j*n+i] = fg.b[i*n+j]
			}
		}
		fg.sAt = func(fg *sForged, r *big.Int) *big.Int {
			s, _ := protocol.SyntheticCheck(fg.curve, r, fg.a, bt, fg.n)
			return s
		}
		return true
	}},
	{"R = 2^f, C' − 1 (R one past its range)", func(fg *sForged) bool {
		e := 3
		fg.c[e].Sub(fg.c[e], big.NewInt(1))
		fg.r[e].Add(fg.r[e], big.NewInt(1<<fg.f))
		fg.split()
		return true
	}},
	{"R = −1 (p − 1), C' kept", func(fg *sForged) bool {
		// an honest R of 0 replaced by p − 1: 2^f·C' + R off by one
		fg.r[4] = new(big.Int).Sub(fg.p(), big.NewInt(1))
		return true
	}},
	{"C' ± 1/2, R ∓ 2^(f−1) (value 2^f·C' + R kept)", func(fg *sForged) bool {
		if !halfLimbRCompensates(fg.lay, fg.f, fg.limbs, fg.r, fg.inv(2), 5) {
			return false
		}
		fg.recombine()
		return true
	}},
	{"R + 1/2, C' − 2^−(f+1) (value kept)", func(fg *sForged) bool {
		e, k := 6, fg.lay.limbs
		fg.r[e].Add(fg.r[e], fg.inv(2)).Mod(fg.r[e], fg.p())
		d := new(big.Int).Mul(fg.inv(2), fg.inv(1<<fg.f))
		fg.limbs[e*k].Sub(fg.limbs[e*k], d).Mod(fg.limbs[e*k], fg.p())
		fg.recombine()
		return true
	}},
	{"top limb ± 1/2, next limb compensates (value kept)", func(fg *sForged) bool {
		if !halfTopLimb(fg.lay, fg.limbs, fg.inv(2), 6) {
			return false
		}
		fg.recombine()
		return true
	}},
	{"limb 0 − 2^w (p − x), limb 1 + 1 (value kept)", func(fg *sForged) bool {
		k, w := fg.lay.limbs, fg.lay.limbBits
		if k < 2 {
			return false
		}
		e := 7
		fg.limbs[e*k].Sub(fg.limbs[e*k], big.NewInt(1<<w)).Mod(fg.limbs[e*k], fg.p())
		fg.limbs[e*k+1].Add(fg.limbs[e*k+1], big.NewInt(1))
		fg.recombine()
		return true
	}},
	{"C' = 2^(b−1) (past the product's bound), R compensates", func(fg *sForged) bool {
		// C'[e] + t with t = 2^(b−1) − C'[e] ≥ 1 reaches the bound; R −= 2^f·t
		e := 8
		t := new(big.Int).Lsh(big.NewInt(1), uint(fg.lay.outBits-1))
		t.Sub(t, fg.c[e])
		fg.c[e].Add(fg.c[e], t)
		fg.r[e].Sub(fg.r[e], new(big.Int).Lsh(t, uint(fg.f))).Mod(fg.r[e], fg.p())
		fg.split()
		return true
	}},
	{"C' + 2^(b−1) (top limb past lastBits, within its check width), R kept", func(fg *sForged) bool {
		e := 9
		fg.c[e].Add(fg.c[e], new(big.Int).Lsh(big.NewInt(1), uint(fg.lay.outBits-1)))
		fg.split()
		return true
	}},
	{"top limb 2^w (past its check width), value compensated in limb 0 wrapped", func(fg *sForged) bool {
		// top limb + 2^w, and the entry's value restored mod p through limb 0
		k, w := fg.lay.limbs, fg.lay.limbBits
		if k < 2 {
			return false
		}
		e := 10
		fg.limbs[e*k+k-1].Add(fg.limbs[e*k+k-1], big.NewInt(1<<w))
		d := new(big.Int).Lsh(big.NewInt(1), uint(w*k))
		fg.limbs[e*k].Sub(fg.limbs[e*k], d).Mod(fg.limbs[e*k], fg.p())
		fg.recombine()
		return true
	}},
}

// TestSyntheticLayoutsRejectForgeries: for every layout NewSynthetic can
// choose (every n ≤ protocol.MaxN, every f), forced at n = 4 so the test
// engine can run it, the honest witness solves with the verifier's s and
// every sAttacks witness is rejected. The digest and the PoE are left out
// here (TestSyntheticFullStatement checks them): the range checks and the
// Freivalds identity are what is under test.
func TestSyntheticLayoutsRejectForgeries(t *testing.T) {
	const n = 4
	lays := syntheticLayouts(t)
	count := 0
	for _, cl := range lays {
		curves := []protocol.Curve{protocol.BN254}
		if cl.f == 8 {
			curves = protocol.Curves
		}
		for _, curve := range curves {
			name := fmt.Sprintf("%s/%s", curve, cl)
			honest := newSForged(t, curve, n, cl.f, cl.lay, 42)
			honest.rangeOnly = true
			if err := honest.solves(); err != nil {
				t.Fatalf("%s: honest witness rejected: %v", name, err)
			}
			for _, at := range sAttacks {
				fg := newSForged(t, curve, n, cl.f, cl.lay, 42)
				fg.rangeOnly = true
				if !at.apply(fg) {
					continue
				}
				count++
				if err := fg.solves(); err == nil {
					t.Errorf("%s/%s: forgery accepted", name, at.name)
				}
			}
		}
	}
	t.Logf("%d layouts, %d forgeries, all rejected", len(lays), count)
}

// sFullCases are faults of the whole freivalds-s2 statement (digest and
// PoE in the circuit), with the honest witness first.
var sFullCases = []struct {
	name  string
	apply func(fg *sForged)
	ok    bool
}{
	{"honest", func(*sForged) {}, true},
	{"wrong C', digest and PoE recomputed", func(fg *sForged) {
		fg.c[1].Add(fg.c[1], big.NewInt(1))
		fg.split()
		fg.redigest()
	}, false},
	{"wrong C', digest of the honest C'", func(fg *sForged) {
		fg.c[1].Add(fg.c[1], big.NewInt(1))
		fg.split()
	}, false},
	{"digest + 1, PoE recomputed over it", func(fg *sForged) {
		d := new(big.Int).SetBytes(fg.pub.OutputDigest[:])
		d.Add(d, big.NewInt(1)).FillBytes(fg.pub.OutputDigest[:])
		fg.pub.PoE = poe(fg.pub.RequestID, fg.pub.OutputDigest, fg.pub.NodeID)
	}, false},
	{"PoE of another node", func(fg *sForged) {
		fg.pub.PoE = poe(fg.pub.RequestID, fg.pub.OutputDigest, fg.pub.RequestID)
	}, false},
}

// TestSyntheticFullStatement: with the digest and the PoE in the circuit, at
// both range-check gadgets, the honest witness solves; a wrong C' whose
// digest and PoE are recomputed (consistent public values) fails the
// Freivalds identity; a digest that does not match C', or a PoE that does
// not match the digest, is rejected.
func TestSyntheticFullStatement(t *testing.T) {
	const n, f = 4, 8
	for lname, lay := range map[string]layout{
		"rangecheck": chooseLayoutFor(n, f, true),
		"lookup":     chooseLayoutFor(512, f, true),
	} {
		for _, tc := range sFullCases {
			fg := newSForged(t, protocol.BN254, n, f, lay, 7)
			tc.apply(fg)
			err := fg.solves()
			if tc.ok && err != nil {
				t.Errorf("%s/%s: rejected: %v", lname, tc.name, err)
			}
			if !tc.ok && err == nil {
				t.Errorf("%s/%s: accepted", lname, tc.name)
			}
		}
	}
}

// TestSyntheticCheckMatchesCircuit: for honest inputs at several n, f, s
// computed natively (protocol.SyntheticCheck, O(n²)) equals the circuit's
// uᵀ·(2^f·C' + R)·v at the same r — the honest witness solves with it and
// not with s computed naively at another r — and equals the direct
// Σ_ij (AB)_ij·r^(n·i+j).
func TestSyntheticCheckMatchesCircuit(t *testing.T) {
	for _, tc := range []struct{ n, f int }{{1, 0}, {2, 1}, {3, 8}, {5, 16}, {8, 15}} {
		for _, curve := range protocol.Curves {
			name := fmt.Sprintf("%s/n=%d/f=%d", curve, tc.n, tc.f)
			fg := newSForged(t, curve, tc.n, tc.f, chooseLayoutFor(tc.n, tc.f, true), 3)
			r, err := fg.challenge()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			s := fg.verifierS(r)
			// direct: Σ_ij (AB)_ij·r^(n·i+j)
			p, direct := curve.ScalarField(), new(big.Int)
			ab := product(fg.a, fg.b, tc.n)
			for e := len(ab) - 1; e >= 0; e-- {
				direct.Mul(direct, r).Add(direct, big.NewInt(ab[e])).Mod(direct, p)
			}
			if s.Cmp(direct) != 0 {
				t.Fatalf("%s: SyntheticCheck %v, direct sum %v", name, s, direct)
			}
			if err := test.IsSolved(fg.shape(), fg.assignment(s), p); err != nil {
				t.Errorf("%s: circuit rejects the native s: %v", name, err)
			}
		}
	}
}

// TestAssignSynthetic: AssignSynthetic fills the honest witness (it solves
// with the verifier's s) and refuses a wrong product or a wrong length.
func TestAssignSynthetic(t *testing.T) {
	const n, f = 4, 8
	in := newInstance(t, n, f, 9)
	c, err := AssignSynthetic(n, f, in.a, in.b, in.c, in.pub, big.NewInt(0))
	if err != nil {
		t.Fatal(err)
	}
	shape, _ := NewSynthetic(n, f)
	shape.probe = &challengeProbe{}
	_ = test.IsSolved(shape, c, protocol.BN254.ScalarField())
	if shape.probe.r == nil {
		t.Fatal("no challenge")
	}
	s, err := protocol.SyntheticCheck(protocol.BN254, shape.probe.r.(*big.Int), in.a, in.b, n)
	if err != nil {
		t.Fatal(err)
	}
	c.S = s
	shape.probe = nil
	if err := test.IsSolved(shape, c, protocol.BN254.ScalarField()); err != nil {
		t.Fatalf("honest assignment rejected: %v", err)
	}
	wrong := append([]int64(nil), in.c...)
	wrong[0]++
	if _, err := AssignSynthetic(n, f, in.a, in.b, wrong, in.pub, s); err == nil {
		t.Error("wrong C' assigned")
	}
	if _, err := AssignSynthetic(n, f, in.a, in.b[:3], in.c, in.pub, s); err == nil {
		t.Error("short B assigned")
	}
	if _, err := NewSynthetic(0, f); err == nil {
		t.Error("n = 0 accepted")
	}
	if _, err := NewSynthetic(n, 17); err == nil {
		t.Error("f = 17 accepted")
	}
}
