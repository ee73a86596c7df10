package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// retask is what a node that makes its own task does: it changes the task,
// then recomputes request_id, the PoE and receipt_id so that everything it
// signs is consistent, leaving the verifier only the task's own claims to check.
func retask(t *testing.T, mutate func(*workload.ComputeTask)) func(st *receipt.Statement) {
	return func(st *receipt.Statement) {
		rc := &st.Predicate
		mutate(&rc.Task)
		rid, err := rc.Task.RequestID()
		if err != nil {
			t.Fatal(err)
		}
		od, err := receipt.DecodeHex32("output_digest", rc.OutputDigest)
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := hex.DecodeString(rc.Node.PublicKey)
		poe := protocol.PoE(rid, od, protocol.NodeID(ed25519.PublicKey(pub)))
		rc.RequestID, rc.PoE = hex.EncodeToString(rid[:]), hex.EncodeToString(poe[:])
		if rc.ReceiptID, err = rc.ComputeID(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTaskInputCommitment: a task's carried input commitment must be the
// one its seed gives (on the curve its algorithm names), and a SNARK must be
// on that curve; a v1 task without one still verifies, with a note that
// chain export refuses it.
func TestTaskInputCommitment(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	seed := workload.DeriveSeed([32]byte{9}, "cpc1qbinder")
	const id = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
	v1, err := workload.NewSyntheticTask(id, seed, 8, 8, "5", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	bound, err := protocol.NewSyntheticTask(protocol.BN254, id, seed, 8, 8, "5", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	other, err := protocol.NewSyntheticTask(protocol.BN254, id, [32]byte{1}, 8, 8, "5", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	blsOfSeed, err := protocol.BindInputs(v1, protocol.BLS12381)
	if err != nil {
		t.Fatal(err)
	}
	binding := func(task workload.ComputeTask) *receipt.Envelope {
		res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: key, Cache: keys.Cache{Dir: t.TempDir()}, Mode: protocol.ModeBinding})
		if err != nil {
			t.Fatal(err)
		}
		return res.Envelope
	}
	boundEnv := binding(bound)
	for _, tc := range []struct {
		name   string
		env    *receipt.Envelope
		status string
		fail   string // the failed check; "" for none
		detail string // in its detail, or in the skip note of a passing receipt
	}{
		{"bound task", boundEnv, verifier.Pass, "", ""},
		{"v1 task", binding(v1), verifier.Pass, "", "chain export refuses its receipts"},
		{"another seed's commitment", resign(t, boundEnv, key, retask(t, func(task *workload.ComputeTask) {
			task.Payload.InputCommitment = other.Payload.InputCommitment
		})), verifier.Reject, "input_commitment.regenerate",
			"payload.input_commitment: " + other.Payload.InputCommitment + " is not the poseidon2-bn254-sponge16/v1 commitment"},
		{"the BLS12-381 value named as BN254's", resign(t, boundEnv, key, retask(t, func(task *workload.ComputeTask) {
			task.Payload.InputCommitment = blsOfSeed.Payload.InputCommitment
		})), verifier.Reject, "input_commitment.regenerate", "payload.input_commitment: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(tc.env, verifier.Options{Policy: policy(t, "binding-v1")})
			if v.PolicyDecision.Status != tc.status || (tc.fail != "" && !slices.Contains(v.Failed(), tc.fail)) {
				t.Fatalf("status %s, failed %v: %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
			}
			var notes []string
			for _, c := range v.PolicyDecision.Checks {
				if c.Status != "pass" {
					notes = append(notes, c.Name+": "+c.Detail)
				}
			}
			if all := strings.Join(notes, "\n"); !strings.Contains(all, tc.detail) || tc.detail == "" && tc.status == verifier.Pass && all != "" {
				t.Errorf("checks not passed:\n%s\nwant one mentioning %q", all, tc.detail)
			}
		})
	}
}

// TestSNARKOnTheTaskCurve: a Groth16 proof over BN254 for a task that binds
// its inputs with the BLS12-381 commitment cannot carry that commitment, and
// is rejected on proof.curve even when the node signs it all consistently.
func TestSNARKOnTheTaskCurve(t *testing.T) {
	f := getFixture(t)
	st, _, err := f.env.Statement()
	if err != nil {
		t.Fatal(err)
	}
	v1 := st.Predicate.Task
	v1.Payload.InputCommitment, v1.Payload.InputCommitmentAlg = "", ""
	bls, err := protocol.BindInputs(v1, protocol.BLS12381)
	if err != nil {
		t.Fatal(err)
	}
	env := resign(t, f.env, f.key, retask(t, func(task *workload.ComputeTask) { *task = bls }))
	v := verifier.Verify(env, verifier.Options{Cache: f.cache})
	if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "proof.curve") {
		t.Fatalf("status %s, failed %v", v.PolicyDecision.Status, v.Failed())
	}
}

// TestReceiptBeforeInputBinding: a binding receipt written by zkpoc before
// tasks carried their input commitment and before the runtime box recorded
// the usable CPUs (testdata/v1-binding-receipt.json, for the conformance
// task) still verifies: its receipt_id recomputes, and its inputs are bound
// through the seed, with a note that chain export refuses it.
func TestReceiptBeforeInputBinding(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "v1-binding-receipt.json"))
	if err != nil {
		t.Fatal(err)
	}
	env, err := receipt.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	v := verifier.Verify(env, verifier.Options{Policy: policy(t, "binding-v1")})
	if v.PolicyDecision.Status != verifier.Pass {
		t.Fatalf("status %s, failed %v: %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
	}
	if !strings.Contains(v.AllowedClaim, "request d14327e3f6c50957e335c3ed362b976c5502e436237e3de9a5d305ad576b77b7") {
		t.Errorf("claim does not name the v1 request: %s", v.AllowedClaim)
	}
	if !slices.ContainsFunc(v.PolicyDecision.Checks, func(c receipt.Check) bool {
		return c.Name == "task.payload.input_commitment" && c.Status == "skip"
	}) {
		t.Error("no note that the v1 task carries no input commitment")
	}
}
