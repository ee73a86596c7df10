package circuits

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkpoc/zkpoc/protocol"
)

// offlineVerify is what a freivalds-s2 verifier does: derive r from the
// proof's commitment, compute s from the A, B it regenerated, verify.
func offlineVerify(t *testing.T, vk groth16.VerifyingKey, proof groth16.Proof, a, b []int16, n int, pub protocol.Public) (*big.Int, error) {
	t.Helper()
	bp := proof.(*groth16bn254.Proof)
	if len(bp.Commitments) != 1 {
		t.Fatalf("%d commitments", len(bp.Commitments))
	}
	r, err := protocol.SyntheticChallenge(protocol.BN254, bp.Commitments[0].Marshal())
	if err != nil {
		t.Fatal(err)
	}
	s, err := protocol.SyntheticCheck(protocol.BN254, r, a, b, n)
	if err != nil {
		t.Fatal(err)
	}
	return r, verifyWithS(vk, proof, n, pub, s)
}

// verifyWithS verifies with the public witness built as a verifier builds
// it, from protocol.SyntheticPublicInputs (no circuit code).
func verifyWithS(vk groth16.VerifyingKey, proof groth16.Proof, _ int, pub protocol.Public, s *big.Int) error {
	w, err := syntheticPublicWitness(protocol.BN254, pub, s)
	if err != nil {
		return err
	}
	return groth16.Verify(proof, vk, w)
}

func syntheticPublicWitness(curve protocol.Curve, pub protocol.Public, s *big.Int) (witness.Witness, error) {
	w, err := witness.New(curve.ScalarField())
	if err != nil {
		return nil, err
	}
	in := protocol.SyntheticPublicInputs(pub, s)
	values := make(chan any, len(in))
	for _, x := range in {
		values <- x
	}
	close(values)
	return w, w.Fill(len(in), 0, values)
}

// TestSyntheticPublicWitnessAgrees: the public witness built from
// protocol.SyntheticPublicInputs equals, byte for byte, gnark's public
// witness of the circuit's own assignment, at both range-check gadgets.
func TestSyntheticPublicWitnessAgrees(t *testing.T) {
	for _, n := range []int{2, 4, 9} {
		in := newInstance(t, n, 8, uint64(n))
		s := big.NewInt(123456789)
		c, err := AssignSynthetic(n, 8, in.a, in.b, in.c, in.pub, s)
		if err != nil {
			t.Fatal(err)
		}
		want, err := frontend.NewWitness(c, protocol.BN254.ScalarField(), frontend.PublicOnly())
		if err != nil {
			t.Fatal(err)
		}
		got, err := syntheticPublicWitness(protocol.BN254, in.pub, s)
		if err != nil {
			t.Fatal(err)
		}
		assertSameWitness(t, fmt.Sprintf("n=%d", n), got, want)
		// and the order matters: s and the digest swapped differ
		swapped := in.pub
		copy(swapped.OutputDigest[:], s.FillBytes(make([]byte, 32)))
		bad, err := syntheticPublicWitness(protocol.BN254, swapped, new(big.Int).SetBytes(in.pub.OutputDigest[:]))
		if err != nil {
			t.Fatal(err)
		}
		gb, _ := bad.MarshalBinary()
		wb, _ := want.MarshalBinary()
		if string(gb) == string(wb) {
			t.Errorf("n=%d: swapped digest and s give the same witness", n)
		}
	}
}

// TestSyntheticGroth16 runs a real BN254 Groth16 setup, prove and verify of
// freivalds-s2 at n = 4 (full statement: digest and PoE), with the verifier
// computing r and s itself:
//   - the honest proof verifies, and the r the prover pre-computed
//     (SyntheticChallengeGroth16) is the r the verifier derives from the
//     proof, which pins gnark's commitment encoding and hash (and that the
//     Freivalds callback gets the root commitment, not a power of it);
//   - a wrong C' proved against the prover's own s (the only s its witness
//     satisfies) is rejected with the verifier's s, accepted with the
//     prover's — s must come from the verifier;
//   - a wrong C' with R adapted to the pre-computed r cannot be proved (R
//     leaves its range; and R is committed, so r would move);
//   - the honest proof is rejected against other matrices, and with its
//     commitment point replaced.
func TestSyntheticGroth16(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup and proofs of a 50k-constraint circuit")
	}
	const n, f = 4, 8
	if CommitmentDstPinned := constraint.CommitmentDst; protocol.CommitmentDst != CommitmentDstPinned {
		t.Fatalf("protocol.CommitmentDst %q, gnark's %q", protocol.CommitmentDst, CommitmentDstPinned)
	}
	shape, err := NewSynthetic(n, f)
	if err != nil {
		t.Fatal(err)
	}
	ccs, err := frontend.Compile(protocol.BN254.ScalarField(), r1cs.NewBuilder, shape)
	if err != nil {
		t.Fatal(err)
	}
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		t.Fatal(err)
	}
	in := newInstance(t, n, f, 11)

	mask, err := NewSyntheticMask()
	if err != nil {
		t.Fatal(err)
	}
	prove := func(c *SyntheticMatMul) (groth16.Proof, error) {
		w, err := frontend.NewWitness(c, protocol.BN254.ScalarField())
		if err != nil {
			return nil, err
		}
		return groth16.Prove(ccs, pk, w, mask.ProverOptions()...)
	}

	// honest
	honest, err := AssignSynthetic(n, f, in.a, in.b, in.c, in.pub, big.NewInt(0))
	if err != nil {
		t.Fatal(err)
	}
	r0, err := SyntheticChallengeGroth16(ccs, pk, honest, mask)
	if err != nil {
		t.Fatal(err)
	}
	if honest.S, err = protocol.SyntheticCheck(protocol.BN254, r0, in.a, in.b, n); err != nil {
		t.Fatal(err)
	}
	proof, err := prove(honest)
	if err != nil {
		t.Fatalf("honest proof: %v", err)
	}
	rv, err := offlineVerify(t, vk, proof, in.a, in.b, n, in.pub)
	if err != nil {
		t.Fatalf("honest proof rejected: %v", err)
	}
	if rv.Cmp(r0) != 0 {
		t.Fatalf("verifier's r %v, prover's %v", rv, r0)
	}

	// wrong C'[1] + 1, honest R, with the prover's own s
	wrongC := append([]int64(nil), in.c...)
	wrongC[1]++
	pub := in.pub
	pub.OutputDigest, err = protocol.OutputDigestOn(protocol.BN254, wrongC, n, f)
	if err != nil {
		t.Fatal(err)
	}
	pub.PoE = poe(pub.RequestID, pub.OutputDigest, pub.NodeID)
	forged := newSyntheticWithLayout(n, f, shape.lay)
	assignSyntheticPublic(forged, pub, big.NewInt(0))
	if err := splitOutputs(forged.lay, bigInts(wrongC), forged.C); err != nil {
		t.Fatal(err)
	}
	for i, r := range in.r {
		forged.R[i] = r
	}
	r1, err := SyntheticChallengeGroth16(ccs, pk, forged, mask)
	if err != nil {
		t.Fatal(err)
	}
	// the prover's s: Σ (2^f·C' + R)_ij·r^(n·i+j) over its own witness
	sProver, p := new(big.Int), protocol.BN254.ScalarField()
	for e := n*n - 1; e >= 0; e-- {
		v := wrongC[e]<<f + in.r[e]
		sProver.Mul(sProver, r1).Add(sProver, big.NewInt(v)).Mod(sProver, p)
	}
	forged.S = sProver
	fproof, err := prove(forged)
	if err != nil {
		t.Fatalf("a wrong C' with its own s should be provable (the circuit does not know A, B): %v", err)
	}
	if _, err := offlineVerify(t, vk, fproof, in.a, in.b, n, pub); err == nil {
		t.Error("wrong C' accepted by the verifier computing s")
	}
	if err := verifyWithS(vk, fproof, n, pub, sProver); err != nil {
		t.Errorf("the forged proof should verify against the prover's s (else the test shows nothing): %v", err)
	}

	// wrong C'[1] + 1 with R[0] adapted to r1: R[0] −= 2^f·r1
	sVer, _ := protocol.SyntheticCheck(protocol.BN254, r1, in.a, in.b, n)
	adapted := newSyntheticWithLayout(n, f, shape.lay)
	assignSyntheticPublic(adapted, pub, sVer)
	copy(adapted.C, forged.C)
	for i, r := range in.r {
		adapted.R[i] = r
	}
	d := new(big.Int).Lsh(r1, f)
	adapted.R[0] = new(big.Int).Mod(new(big.Int).Sub(big.NewInt(in.r[0]), d), p)
	// The adapted R[0] is a field element far outside [0, 2^f): the solver
	// already fails at its range check, before the commitment. Were it to
	// get there, R is committed, so r would move.
	if r2, err := SyntheticChallengeGroth16(ccs, pk, adapted, mask); err == nil && r2.Cmp(r1) == 0 {
		t.Fatal("changing R did not change the challenge")
	}
	adapted.S = sVer
	if _, err := prove(adapted); err == nil {
		t.Error("wrong C' with R adapted after the challenge was proved")
	}

	// the honest proof against other matrices, and with another commitment
	other := newInstance(t, n, f, 12)
	if _, err := offlineVerify(t, vk, proof, other.a, other.b, n, in.pub); err == nil {
		t.Error("honest proof accepted for other matrices")
	}
	tampered := *proof.(*groth16bn254.Proof)
	tampered.Commitments = append(tampered.Commitments[:0:0], fproof.(*groth16bn254.Proof).Commitments...)
	if _, err := offlineVerify(t, vk, &tampered, in.a, in.b, n, in.pub); err == nil {
		t.Error("honest proof accepted with another commitment point")
	}
}
