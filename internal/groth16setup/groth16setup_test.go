package groth16setup

import (
	"bytes"
	"slices"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	cs "github.com/consensys/gnark/constraint/bn254"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/std/multicommit"
)

// committed is a small circuit with public inputs, private wires, wires that
// never appear in A or B, and one commitment (as the real statement has).
type committed struct {
	X, Y [6]frontend.Variable
	Out  frontend.Variable `gnark:",public"`
	Pub  frontend.Variable `gnark:",public"`
}

func (c *committed) Define(api frontend.API) error {
	acc := frontend.Variable(0)
	for i := range c.X {
		acc = api.Add(acc, api.Mul(c.X[i], c.Y[i]))
	}
	api.AssertIsEqual(acc, c.Out)
	api.AssertIsDifferent(c.Pub, 0)
	multicommit.WithCommitment(api, func(api frontend.API, r frontend.Variable) error {
		// Σ X_i·r^i computed twice must agree: needs r after X is fixed.
		var a, b frontend.Variable = 0, 0
		for i := len(c.X) - 1; i >= 0; i-- {
			a = api.Add(api.Mul(a, r), c.X[i])
			b = api.Add(api.Mul(b, r), c.X[i])
		}
		api.AssertIsEqual(a, b)
		return nil
	}, c.X[:]...)
	return nil
}

func committedWitness(out int) *committed {
	w := &committed{Out: out, Pub: 5}
	for i := range w.X {
		w.X[i], w.Y[i] = i+1, 2
	}
	return w
}

// TestFastSetupMatchesGnark: the comb-based setup gives keys of exactly the
// shape gnark's Setup gives (same points per section, same infinity flags,
// same commitment layout), and gnark proves and verifies with them, a wrong
// public input failing.
func TestFastSetupMatchesGnark(t *testing.T) {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &committed{})
	if err != nil {
		t.Fatal(err)
	}
	pkG, vkG, err := groth16.Setup(ccs)
	if err != nil {
		t.Fatal(err)
	}
	pkF, vkF, err := setupGroth16BN254(ccs.(*cs.R1CS))
	if err != nil {
		t.Fatal(err)
	}
	g, f := pkG.(*groth16bn254.ProvingKey), pkF
	shape := func(p *groth16bn254.ProvingKey) []int {
		return []int{len(p.G1.A), len(p.G1.B), len(p.G1.Z), len(p.G1.K), len(p.G2.B), int(p.NbInfinityA), int(p.NbInfinityB),
			len(p.CommitmentKeys), int(p.Domain.Cardinality)}
	}
	if gs, fs := shape(g), shape(f); !slices.Equal(gs, fs) {
		t.Fatalf("proving key shape: gnark %v, fast %v", gs, fs)
	}
	for i := range g.InfinityA {
		if g.InfinityA[i] != f.InfinityA[i] || g.InfinityB[i] != f.InfinityB[i] {
			t.Fatalf("infinity flags differ at wire %d", i)
		}
	}
	vg, vf := vkG.(*groth16bn254.VerifyingKey), vkF
	if len(vg.G1.K) != len(vf.G1.K) || len(vg.CommitmentKeys) != len(vf.CommitmentKeys) ||
		len(vg.PublicAndCommitmentCommitted) != len(vf.PublicAndCommitmentCommitted) {
		t.Fatalf("verifying key shape differs: K %d/%d, commitments %d/%d", len(vg.G1.K), len(vf.G1.K), len(vg.CommitmentKeys), len(vf.CommitmentKeys))
	}
	var bg, bf bytes.Buffer
	if _, err := vkG.WriteTo(&bg); err != nil {
		t.Fatal(err)
	}
	if _, err := vkF.WriteTo(&bf); err != nil {
		t.Fatal(err)
	}
	if bg.Len() != bf.Len() {
		t.Fatalf("serialized vk: gnark %d bytes, fast %d", bg.Len(), bf.Len())
	}

	w, err := frontend.NewWitness(committedWitness(2*21), ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(ccs, pkF, w)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := w.Public()
	if err != nil {
		t.Fatal(err)
	}
	if err := groth16.Verify(proof, vkF, pub); err != nil {
		t.Fatalf("a proof under the fast keys does not verify: %v", err)
	}
	bad, err := frontend.NewWitness(&committed{Out: 2*21 + 1, Pub: 5}, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err != nil {
		t.Fatal(err)
	}
	if err := groth16.Verify(proof, vkF, bad); err == nil {
		t.Fatal("the proof verified against a wrong public input")
	}
	if err := groth16.Verify(proof, vkG, pub); err == nil {
		t.Fatal("the proof verified under keys from another setup")
	}

	// Every Pedersen basis point and its σ-multiple pair up under the
	// commitment verifying key: e(Basis_j, −σ·G)·e(σ·Basis_j, G) = 1.
	ck, cvk := pkF.CommitmentKeys[0], vkF.CommitmentKeys[0]
	if len(ck.Basis) == 0 || len(ck.Basis) != len(ck.BasisExpSigma) {
		t.Fatalf("commitment key: %d basis points, %d σ-multiples", len(ck.Basis), len(ck.BasisExpSigma))
	}
	for j := range ck.Basis {
		ok, err := curve.PairingCheck([]curve.G1Affine{ck.Basis[j], ck.BasisExpSigma[j]}, []curve.G2Affine{cvk.GSigmaNeg, cvk.G})
		if err != nil || !ok {
			t.Fatalf("commitment basis %d: σ-multiple does not pair (%v)", j, err)
		}
	}
	// And the proof's commitment proof of knowledge fails once one
	// σ-multiple is wrong.
	saved := ck.BasisExpSigma[0]
	ck.BasisExpSigma[0] = ck.Basis[0]
	defer func() { ck.BasisExpSigma[0] = saved }()
	proof2, err := groth16.Prove(ccs, pkF, w)
	if err == nil {
		err = groth16.Verify(proof2, vkF, pub)
	}
	if err == nil {
		t.Fatal("a proof made with a broken commitment key verified")
	}
}
