package chain

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// forgeOtherInputs is the attack of issue 11, item 7: the fixture's node
// proves, for the fixture's request, the product of matrices other than the
// ones the task's seed derives (A with one entry changed), with the real
// keys, and signs the receipt. The proof verifies against its own public
// inputs; only a check that compares the input commitment with the task's
// can tell.
func forgeOtherInputs(t *testing.T) (*receipt.Envelope, *receipt.Receipt) {
	t.Helper()
	fx := testfixture.Groth16N4(t)
	rc := fx.Receipt
	n, f := rc.Task.Payload.MatrixSize, rc.Task.Payload.FracBits
	seed, err := rc.Task.SeedBytes()
	if err != nil {
		t.Fatal(err)
	}
	a, b, err := workload.Generate(seed, n)
	if err != nil {
		t.Fatal(err)
	}
	a[0] ^= 1
	c, err := workload.Multiply(a, b, n, f)
	if err != nil {
		t.Fatal(err)
	}
	method, err := circuits.ParseMethod(rc.Proof.Circuit)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := prover.PublicValues(rc.Task, fx.Key.Public().(ed25519.PublicKey), a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	assignment, err := circuits.Assign(method, n, f, a, b, c, pub)
	if err != nil {
		t.Fatal(err)
	}
	w, err := frontend.NewWitness(assignment, circuits.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	set, err := fx.Cache.Load(prover.KeyID(method, n, f))
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(set.CCS, set.PK, w, prover.ProverOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	var pb bytes.Buffer
	if _, err := proof.WriteTo(&pb); err != nil {
		t.Fatal(err)
	}
	forged := *rc
	p := *rc.Proof
	p.Bytes, p.PublicInputs = pb.Bytes(), prover.PublicInputs(pub)
	forged.Proof = &p
	forged.InputCommitment = hex.EncodeToString(pub.InputCommitment[:])
	forged.OutputDigest = hex.EncodeToString(pub.OutputDigest[:])
	forged.PoE = hex.EncodeToString(pub.PoE[:])
	if forged.ReceiptID, err = forged.ComputeID(); err != nil {
		t.Fatal(err)
	}
	env, err := receipt.Sign(&forged, fx.Key)
	if err != nil {
		t.Fatal(err)
	}
	return env, &forged
}

// TestChainRefusesOtherInputs: every chain-side path refuses a proof whose
// input commitment is not the task's: building the ComputeResult, encoding
// zk_compute_proof, and the light client's check of the result.
func TestChainRefusesOtherInputs(t *testing.T) {
	env, forged := forgeOtherInputs(t)
	f := getFixture(t)
	if forged.Proof.PublicInputs[0] == f.rc.Proof.PublicInputs[0] {
		t.Fatal("the forgery did not change the input commitment")
	}
	if _, err := EncodeComputeProof(forged); err == nil {
		t.Error("zk_compute_proof encoded for a proof over other matrices")
	}
	if _, err := FromReceipt(env, fixtureWorker); err == nil {
		t.Error("ComputeResult built for a proof over other matrices")
	}
	// The light client, given the forged ComputeResult as a worker would submit it.
	honest, err := FromReceipt(f.env, fixtureWorker)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := ComputeProofFromReceipt(f.rc)
	if err != nil {
		t.Fatal(err)
	}
	cp.Proof, cp.PublicInputs = forged.Proof.Bytes, nil
	for _, s := range forged.Proof.PublicInputs {
		x, _ := ParseFieldElement(s)
		var b [32]byte
		x.FillBytes(b[:])
		cp.PublicInputs = append(cp.PublicInputs, b)
	}
	enc, err := cp.Encode()
	if err != nil {
		t.Fatal(err)
	}
	sub := honest
	sub.ResultHash = forged.PoE
	sub.Proof = strp(base64.StdEncoding.EncodeToString(enc))
	if _, err := VerifyComputeResult(sub, f.vk); err == nil {
		t.Error("light client accepted a proof over other matrices")
	}
}
