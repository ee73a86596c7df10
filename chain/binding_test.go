package chain

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
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
	method, err := protocol.ParseMethod(rc.Proof.Circuit)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := protocol.PublicValues(protocol.BN254, rc.Task, fx.Key.Public().(ed25519.PublicKey), a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	assignment, err := circuits.Assign(method, n, f, a, b, c, pub)
	if err != nil {
		t.Fatal(err)
	}
	w, err := frontend.NewWitness(assignment, protocol.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	set, err := fx.Cache.Load(keys.IDFor(protocol.BN254, protocol.Groth16, method, n, f))
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(set.CCS, set.PK.(groth16.ProvingKey), w, proofsystem.ProverOptions(protocol.Groth16)...)
	if err != nil {
		t.Fatal(err)
	}
	var pb bytes.Buffer
	if _, err := proof.WriteTo(&pb); err != nil {
		t.Fatal(err)
	}
	forged := *rc
	p := *rc.Proof
	p.Bytes, p.PublicInputs = pb.Bytes(), protocol.PublicInputStrings(pub)
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
	otherInputs := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: accepted a proof over other matrices", what)
		} else if !errors.Is(err, ErrBinding) || !strings.Contains(err.Error(), "input_commitment (public input 0)") {
			t.Errorf("%s: refused for another reason: %v", what, err)
		}
	}
	_, err := EncodeComputeProof(forged)
	otherInputs("zk_compute_proof", err)
	_, err = FromReceipt(env, fixtureWorker)
	otherInputs("ComputeResult", err)
	otherInputs("calldata export check", CheckReceipt(forged))
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
	_, err = VerifyComputeResult(sub, f.binding(t), f.vk)
	otherInputs("light client", err)
	// Without the binding the proof itself is valid: the attack is real.
	if err := cp.verifyPairing(f.vk); err != nil {
		t.Errorf("the forged proof does not verify against its own public inputs: %v", err)
	}
}

// resigned is the fixture receipt with its task changed and signed again by
// the fixture's node, as a node would for a task of its own making.
func resigned(t *testing.T, mutate func(*workload.ComputeTask)) (*receipt.Envelope, *receipt.Receipt) {
	t.Helper()
	return resignedReceipt(t, func(r *receipt.Receipt) { mutate(&r.Task) })
}

// resignedReceipt is the fixture's receipt changed by mutate, with its
// receipt_id recomputed and signed afresh by the fixture's node key.
func resignedReceipt(t *testing.T, mutate func(*receipt.Receipt)) (*receipt.Envelope, *receipt.Receipt) {
	t.Helper()
	fx := testfixture.Groth16N4(t)
	rc := *fx.Receipt
	mutate(&rc)
	var err error
	if rc.ReceiptID, err = rc.ComputeID(); err != nil {
		t.Fatal(err)
	}
	env, err := receipt.Sign(&rc, fx.Key)
	if err != nil {
		t.Fatal(err)
	}
	return env, &rc
}

// TestUnboundTaskRefused: a receipt for a v1 task (no payload.input_commitment)
// is refused by every export path with ErrUnboundTask: the fixture's with
// the commitment removed, and a Groth16 receipt zkpoc wrote before tasks
// carried it (testdata/v1-groth16-receipt.json).
func TestUnboundTaskRefused(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "v1-groth16-receipt.json"))
	if err != nil {
		t.Fatal(err)
	}
	oldEnv, err := receipt.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := oldEnv.Statement()
	if err != nil {
		t.Fatal(err)
	}
	env, rc := resigned(t, func(task *workload.ComputeTask) {
		task.Payload.InputCommitment, task.Payload.InputCommitmentAlg = "", ""
	})
	for name, c := range map[string]struct {
		env *receipt.Envelope
		rc  *receipt.Receipt
	}{"fixture without commitment": {env, rc}, "receipt from before": {oldEnv, &st.Predicate}} {
		_, errEnc := EncodeComputeProof(c.rc)
		_, errRes := FromReceipt(c.env, fixtureWorker)
		for what, err := range map[string]error{"zk_compute_proof": errEnc, "ComputeResult": errRes, "calldata export check": CheckReceipt(c.rc)} {
			if !errors.Is(err, ErrUnboundTask) || !strings.Contains(err.Error(), "no input_commitment") {
				t.Errorf("%s: %s: err = %v, want ErrUnboundTask", name, what, err)
			}
		}
	}
}

// TestBindingCheck: the fixture's decoded zk_compute_proof against bindings
// that differ from its own in one respect each.
func TestBindingCheck(t *testing.T) {
	f := getFixture(t)
	cp, err := ComputeProofFromReceipt(f.rc)
	if err != nil {
		t.Fatal(err)
	}
	good := f.binding(t)
	if err := cp.CheckBinding(good); err != nil {
		t.Fatalf("own binding: %v", err)
	}
	seed, _ := good.Task.SeedBytes()
	blsTask, err := protocol.NewSyntheticTask(protocol.BLS12381, good.Task.TaskID, seed, 4, 8, good.Task.Reward, good.Task.Deadline)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(b *Binding, cp *ComputeProof)
		want   string
	}{
		{"unbound task", func(b *Binding, _ *ComputeProof) {
			b.Task.Payload.InputCommitment, b.Task.Payload.InputCommitmentAlg = "", ""
		}, "no input_commitment"},
		{"task bound on BLS12-381", func(b *Binding, _ *ComputeProof) { b.Task = blsTask }, "payload.input_commitment_algorithm is poseidon2-bls12-381-sponge3/v1, but chain proofs are over BN254"},
		{"another commitment in the task", func(b *Binding, _ *ComputeProof) {
			b.Task.Payload.InputCommitment = strings.Repeat("0", 63) + "1"
		}, "the proof's input_commitment (public input 0)"},
		{"another request (reward)", func(b *Binding, _ *ComputeProof) { b.Task.Reward = "1001" }, "a proof for another request or node"},
		{"another node", func(b *Binding, _ *ComputeProof) { b.NodeID[0] ^= 1 }, "a proof for another request or node"},
		{"another n", func(b *Binding, _ *ComputeProof) { b.Task.Payload.MatrixSize = 8 }, "the proof is for n = 4, f = 8, the task for n = 8, f = 8"},
		{"another f", func(b *Binding, _ *ComputeProof) { b.Task.Payload.FracBits = 7 }, "the task for n = 4, f = 7"},
		{"invalid task", func(b *Binding, _ *ComputeProof) { b.Task.Deadline = -1 }, "task: deadline"},
		{"three public inputs", func(_ *Binding, cp *ComputeProof) { cp.PublicInputs = cp.PublicInputs[:3] }, "3 public inputs, want 4"},
		{"five public inputs", func(_ *Binding, cp *ComputeProof) { cp.PublicInputs = append(cp.PublicInputs, [32]byte{}) }, "5 public inputs, want 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, c := good, *cp
			c.PublicInputs = append([][32]byte(nil), cp.PublicInputs...)
			tc.mutate(&b, &c)
			err := c.CheckBinding(b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if !errors.Is(err, ErrBinding) && !errors.Is(err, ErrUnboundTask) {
				t.Errorf("error %v wraps neither ErrBinding nor ErrUnboundTask", err)
			}
		})
	}
	cr, err := FromReceipt(f.env, fixtureWorker)
	if err != nil {
		t.Fatal(err)
	}
	other := good
	other.Task.TaskID = "00000000-0000-4000-8000-000000000000"
	if _, err := VerifyComputeResult(cr, other, f.vk); !errors.Is(err, ErrInvalidResult) || !strings.Contains(err.Error(), "is not the task's") {
		t.Errorf("a result for another task id: err = %v", err)
	}
}
