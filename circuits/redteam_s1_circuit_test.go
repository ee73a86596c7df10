package circuits

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"testing"

	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkpoc/zkpoc/protocol"
)

// Red team of freivalds-s2 at the circuit level: a malicious node with the
// code in hand builds witnesses by hand (field elements, not necessarily
// integers in range) and runs them through gnark's test engine with the s
// the verifier computes at the witness's own challenge. Every test here
// fails if the attack it names works.

// redteamS1Shapes are the (n, f) the attacks run at with the layout
// NewSynthetic really chooses there (not forced): n = 1 (u = v = 1, the
// identity does not depend on r), non-powers of two, the last n with gnark's
// range checker (7) and the first with zkpoc's lookup tables (8, 9), each at
// f = 0 (R asserted 0), 1, 8, 15 and 16 (the largest NewSynthetic accepts).
// TestSyntheticLayoutsRejectForgeries covers every layout NewSynthetic can
// choose for any n ≤ MaxN, forced at n = 4.
func redteamS1Shapes() []chosenLayout {
	var out []chosenLayout
	for _, n := range []int{1, 2, 3, 5, 7, 8, 9} {
		for _, f := range []int{0, 1, 8, 15, 16} {
			out = append(out, chosenLayout{n, f, chooseLayoutFor(n, f, true)})
		}
	}
	return out
}

// redteamS1Attacks are faults at entry e (an index < n², so they apply at
// n = 1 too); apply returns false where the shape admits no such witness.
var redteamS1Attacks = []struct {
	name  string
	apply func(fg *sForged, e int) bool
}{
	{"C' − 1, R kept", func(fg *sForged, e int) bool {
		fg.c[e].Sub(fg.c[e], big.NewInt(1))
		fg.split()
		return true
	}},
	{"C' + 1, R + p − 2^f (2^f·ΔC' + ΔR ≡ 0)", func(fg *sForged, e int) bool {
		fg.c[e].Add(fg.c[e], big.NewInt(1))
		fg.r[e].Add(fg.r[e], new(big.Int).Sub(fg.p(), big.NewInt(1<<fg.f)))
		fg.r[e].Mod(fg.r[e], fg.p())
		fg.split()
		return true
	}},
	{"C' + 2, R − 2^(f+1) (two carries)", func(fg *sForged, e int) bool {
		fg.c[e].Add(fg.c[e], big.NewInt(2))
		fg.r[e].Sub(fg.r[e], big.NewInt(2<<fg.f)).Mod(fg.r[e], fg.p())
		fg.split()
		return true
	}},
	{"R = 2^f, C' − 1 (R one past its range, value kept)", func(fg *sForged, e int) bool {
		fg.c[e].Sub(fg.c[e], big.NewInt(1))
		fg.r[e].Add(fg.r[e], big.NewInt(1<<fg.f))
		fg.split()
		return true
	}},
	{"R = p − 1", func(fg *sForged, e int) bool {
		fg.r[e] = new(big.Int).Sub(fg.p(), big.NewInt(1))
		return true
	}},
	{"R replaced by another in-range value, C' kept", func(fg *sForged, e int) bool {
		if fg.f == 0 {
			return false // R is 0, its only value
		}
		want := big.NewInt(1<<fg.f - 1)
		if fg.r[e].Cmp(want) == 0 {
			want.SetInt64(0)
		}
		fg.r[e] = want
		return true
	}},
	{"R ± 1/2 with C' ∓ 2^−(f+1) (value kept, non-integers)", func(fg *sForged, e int) bool {
		k := fg.lay.limbs
		fg.r[e].Add(fg.r[e], fg.inv(2)).Mod(fg.r[e], fg.p())
		d := new(big.Int).Mul(fg.inv(2), fg.inv(1<<fg.f))
		fg.limbs[e*k].Sub(fg.limbs[e*k], d).Mod(fg.limbs[e*k], fg.p())
		fg.recombine()
		return true
	}},
	{"limb 0 = p − 1 (a negative limb), value not kept", func(fg *sForged, e int) bool {
		k := fg.lay.limbs
		fg.limbs[e*k] = new(big.Int).Sub(fg.p(), big.NewInt(1))
		fg.recombine()
		return true
	}},
	{"limb 0 − 2^w as p − x, limb 1 + 1 (value kept)", func(fg *sForged, e int) bool {
		k, w := fg.lay.limbs, fg.lay.limbBits
		if k < 2 {
			return false
		}
		fg.limbs[e*k].Sub(fg.limbs[e*k], big.NewInt(1<<w)).Mod(fg.limbs[e*k], fg.p())
		fg.limbs[e*k+1].Add(fg.limbs[e*k+1], big.NewInt(1))
		fg.recombine()
		return true
	}},
	{"single limb (gnark's checker) + 2^b, R kept", func(fg *sForged, e int) bool {
		if fg.lay.limbs != 1 {
			return false
		}
		fg.limbs[e].Add(fg.limbs[e], new(big.Int).Lsh(big.NewInt(1), uint(fg.lay.outBits)))
		fg.recombine()
		return true
	}},
}

// TestRedteamS1RealShapes runs every redteamS1Attacks fault at every entry
// position class (first, last) of every redteamS1Shapes shape: the honest
// witness solves with the verifier's s, each fault is rejected. Range
// checks and the identity only (TestSyntheticFullStatement has the digest
// and the PoE).
func TestRedteamS1RealShapes(t *testing.T) {
	count := 0
	for _, cl := range redteamS1Shapes() {
		name := cl.String()
		honest := newSForged(t, protocol.BN254, cl.n, cl.f, cl.lay, uint64(31*cl.n+cl.f))
		honest.rangeOnly = true
		if err := honest.solves(); err != nil {
			t.Fatalf("%s: honest witness rejected: %v", name, err)
		}
		for _, e := range slices.Compact([]int{0, cl.n*cl.n - 1}) {
			for _, at := range redteamS1Attacks {
				fg := newSForged(t, protocol.BN254, cl.n, cl.f, cl.lay, uint64(31*cl.n+cl.f))
				fg.rangeOnly = true
				if !at.apply(fg, e) {
					continue
				}
				count++
				if err := fg.solves(); err == nil {
					t.Errorf("%s/e=%d/%s: forgery accepted", name, e, at.name)
				}
			}
		}
	}
	t.Logf("%d shapes, %d forgeries, all rejected", len(redteamS1Shapes()), count)
}

// TestRedteamS1DigestCollision: freivalds-s2 checks the top output limb at
// the full limb width w, not at lastBits, so an entry may carry
// C' + 2^(b−1) ≥ 2^b, and the digest packs entries b bits apart: entry 0
// + 2^b with entry 1 − 1 packs to the same field element, hence the SAME
// output digest and PoE as the honest C'. Every layout where the top limb
// has room (k·w > b), forced at n = 4, and the real layout at n = 9: the
// collision is real (the digest is unchanged, and with the prover's own s
// the full statement — digest and PoE included — solves), and with the
// verifier's s it is rejected: only the identity stands between this C'
// and an accepted claim, and it suffices. (The digest and the PoE are in
// the circuit at three of the layouts, for time; the rejection comes from
// the identity, checked at all.)
func TestRedteamS1DigestCollision(t *testing.T) {
	cases := []chosenLayout{}
	for _, cl := range syntheticLayouts(t) {
		cases = append(cases, chosenLayout{4, cl.f, cl.lay})
	}
	cases = append(cases, chosenLayout{9, 8, chooseLayoutFor(9, 8, true)})
	tried := 0
	for _, cl := range cases {
		lay := cl.lay
		b := lay.outBits
		if lay.limbs*lay.limbBits <= b || protocol.PerElement(b) < 2 {
			continue
		}
		honest := newSForged(t, protocol.BN254, cl.n, cl.f, lay, 77)
		fg := newSForged(t, protocol.BN254, cl.n, cl.f, lay, 77)
		two := new(big.Int).Lsh(big.NewInt(1), uint(b))
		top := new(big.Int).Lsh(big.NewInt(1), uint(lay.limbs*lay.limbBits))
		if new(big.Int).Add(new(big.Int).Add(fg.c[0], new(big.Int).Lsh(big.NewInt(1), uint(b-1))), two).Cmp(top) >= 0 {
			continue // entry 0 has no room under 2^(k·w)
		}
		fg.c[0].Add(fg.c[0], two)
		fg.c[1].Sub(fg.c[1], big.NewInt(1))
		fg.split()
		fg.redigest()
		if fg.pub.OutputDigest != honest.pub.OutputDigest {
			t.Fatalf("%s: the packed collision changed the digest (test broken)", cl)
		}
		tried++
		// with the digest and the PoE in the circuit for the real n = 9
		// layout and the first two forced ones (they cost seconds each);
		// the identity, which is what rejects, is in every run
		fg.rangeOnly = !(cl.n == 9 || tried <= 2)
		// the prover's own s: the statement solves, so the digest
		// collision is real in-circuit
		fg.sAt = func(fg *sForged, r *big.Int) *big.Int {
			s, p := new(big.Int), fg.p()
			for e := len(fg.c) - 1; e >= 0; e-- {
				v := new(big.Int).Lsh(fg.c[e], uint(fg.f))
				s.Mul(s, r).Add(s, v.Add(v, fg.r[e])).Mod(s, p)
			}
			return s
		}
		if err := fg.solves(); err != nil {
			t.Fatalf("%s: the colliding witness should solve with its own s (else the test shows nothing): %v", cl, err)
		}
		fg.sAt = nil
		if err := fg.solves(); err == nil {
			t.Errorf("%s: C' with the honest digest but entries (+2^b, −1) accepted with the verifier's s", cl)
		}
	}
	if tried == 0 {
		t.Fatal("no layout admits the collision: the test covers nothing")
	}
	t.Logf("%d layouts with a digest collision, all rejected by the identity", tried)
}

// TestRedteamS1CommitmentCoverage compiles freivalds-s2 at both range-check
// gadgets and every f class and reads gnark's commitment metadata: exactly
// one commitment, no public wire in it (s must not be: it depends on r),
// and every secret input that the identity or the PoE's request half
// depends on — request_id (2 wires), every limb of C, every R — is among
// its committed wires. Wire order: the constant 1, the 4 public inputs,
// then the secret inputs in declaration order (RequestID, NodeID, C, R).
func TestRedteamS1CommitmentCoverage(t *testing.T) {
	for _, n := range []int{1, 2, 5, 8, 9} {
		for _, f := range []int{0, 8, 16} {
			shape, err := NewSynthetic(n, f)
			if err != nil {
				t.Fatal(err)
			}
			ccs, err := frontend.Compile(protocol.BN254.ScalarField(), r1cs.NewBuilder, shape)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("n=%d,f=%d,%+v", n, f, shape.lay)
			info, ok := ccs.GetCommitments().(constraint.Groth16Commitments)
			if !ok || len(info) != 1 {
				t.Fatalf("%s: %T with %d commitments, want one Groth16 commitment", name, ccs.GetCommitments(), len(info))
			}
			if len(info[0].PublicAndCommitmentCommitted) != 0 || info[0].NbPublicCommitted != 0 {
				t.Errorf("%s: public wires committed: %v", name, info[0].PublicAndCommitmentCommitted)
			}
			if got := ccs.GetNbPublicVariables(); got != 5 {
				t.Fatalf("%s: %d public variables, want 5", name, got)
			}
			nc, nr := len(shape.C), len(shape.R)
			if got, want := ccs.GetNbSecretVariables(), 4+nc+nr; got != want {
				t.Fatalf("%s: %d secret variables, want %d", name, got, want)
			}
			committed := map[int]bool{}
			for _, id := range info[0].PrivateCommitted {
				committed[id] = true
			}
			want := []int{5, 6} // request_id
			for i := 0; i < nc+nr; i++ {
				want = append(want, 9+i) // C limbs, then R
			}
			for _, id := range want {
				if !committed[id] {
					t.Errorf("%s: secret wire %d (of request_id, C, R) is not committed", name, id)
				}
			}
		}
	}
}

// TestRedteamS1CommitmentMoves: in the test engine (whose commitment is a
// hash of the committed values), changing any single limb of C, any R or
// either request_id half — even to an equivalent-looking field value —
// moves r: no wire of the identity is outside the commitment. n = 2 and
// n = 8 (both gadgets), f = 8.
func TestRedteamS1CommitmentMoves(t *testing.T) {
	for _, n := range []int{2, 8} {
		lay := chooseLayoutFor(n, 8, true)
		base := newSForged(t, protocol.BN254, n, 8, lay, 5)
		base.rangeOnly = true
		r0, err := base.challenge()
		if err != nil {
			t.Fatal(err)
		}
		mutations := []func(fg *sForged){}
		for i := range base.limbs {
			mutations = append(mutations, func(fg *sForged) { fg.limbs[i].Xor(fg.limbs[i], big.NewInt(1)) })
		}
		for i := range base.r {
			mutations = append(mutations, func(fg *sForged) { fg.r[i].Xor(fg.r[i], big.NewInt(1)) })
		}
		for h := 0; h < 2; h++ {
			mutations = append(mutations, func(fg *sForged) { fg.pub.RequestID[16*h] ^= 1 })
		}
		for k, mut := range mutations {
			fg := newSForged(t, protocol.BN254, n, 8, lay, 5)
			fg.rangeOnly = true
			mut(fg)
			r, err := fg.challenge()
			if err != nil {
				t.Fatalf("n=%d: mutation %d (in range) rejected before the commitment: %v", n, k, err)
			}
			if r.Cmp(r0) == 0 {
				t.Errorf("n=%d: mutation %d did not move r", n, k)
			}
		}
	}
}

// TestRedteamS1ErrorBound recomputes the per-commitment error of the doc
// ("Statement freivalds-s2", Error) for every n ≤ MaxN and f ≤ 16 with the
// layout chosen there, counting what the doc's sum leaves implicit: the
// lookup argument runs at α = r² (gnark's multicommit hands the second
// callback the square of the root commitment), so its rational identity of
// degree ≤ entries + queries becomes one of degree ≤ 2·(entries + queries)
// in r; gnark's range checker (n < 8) is bounded generously by a 2^20
// table. The doc's claim 2^t·ε < 2^(t−229) must hold everywhere.
func TestRedteamS1ErrorBound(t *testing.T) {
	log2p := 253.59 // log2 of BN254's scalar modulus, rounded down
	worst, at := math.Inf(-1), ""
	for f := 0; f <= 16; f++ {
		for n := 1; n <= protocol.MaxN; n++ {
			lay := chooseLayoutFor(n, f, true)
			q := float64(n * n * lay.queriesPerElement(f))
			tables := float64(lay.tableEntries(f))
			if !lay.lookup {
				tables = 1 << MaxTableBits
			}
			eps := float64(n*n-1) + 2*(tables+q)
			if l := math.Log2(eps) - log2p; l > worst {
				worst, at = l, fmt.Sprintf("n=%d,f=%d,%+v", n, f, lay)
			}
		}
	}
	t.Logf("worst per-commitment error 2^%.2f at %s", worst, at)
	if worst >= -229 {
		t.Errorf("per-commitment error 2^%.2f at %s: the doc's 2^(t−229) does not hold", worst, at)
	}
}
