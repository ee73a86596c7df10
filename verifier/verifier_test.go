package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"

	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// fixture is the shared n = 4 Groth16 receipt (internal/testfixture).
type fixture struct {
	env   *receipt.Envelope
	cache keys.Cache
	key   ed25519.PrivateKey
	vk    proofsystem.VerifyingKey
}

func TestMain(m *testing.M) {
	code := m.Run()
	testfixture.Cleanup()
	os.Exit(code)
}

func getFixture(t *testing.T) fixture {
	t.Helper()
	f := testfixture.Groth16N4(t)
	return fixture{env: f.Env, cache: f.Cache, key: f.Key, vk: f.VK}
}

func TestVerifyPass(t *testing.T) {
	f := getFixture(t)
	for _, tc := range []struct {
		name, claim string
		o           verifier.Options
	}{
		{"key from cache", "could forge proofs", verifier.Options{Cache: f.cache}},
		// a bare key file does not show its circuit (TestKeyForAnotherCircuit)
		{"key given", "circuit was not established", verifier.Options{VK: f.vk}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(f.env, tc.o)
			if v.PolicyDecision.Status != verifier.Pass {
				t.Fatalf("status %s, failed %v: %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
			}
			if !strings.Contains(v.AllowedClaim, tc.claim) {
				t.Errorf("the claim must say %q: %s", tc.claim, v.AllowedClaim)
			}
			if len(v.PolicyDecision.Checks) < 15 {
				t.Errorf("only %d checks ran", len(v.PolicyDecision.Checks))
			}
		})
	}
}

// resign re-encodes the statement after mutate and signs it with key (nil:
// keep the original signature, which then no longer matches).
func resign(t *testing.T, env *receipt.Envelope, key ed25519.PrivateKey, mutate func(st *receipt.Statement)) *receipt.Envelope {
	t.Helper()
	st, _, err := env.Statement()
	if err != nil {
		t.Fatal(err)
	}
	mutate(st)
	payload, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	out := *env
	out.Signatures = slices.Clone(env.Signatures)
	out.Payload = base64.StdEncoding.EncodeToString(payload)
	if key != nil {
		id := protocol.NodeID(key.Public().(ed25519.PublicKey))
		out.Signatures = []receipt.Signature{{
			KeyID: hex.EncodeToString(id[:]),
			Sig:   base64.StdEncoding.EncodeToString(ed25519.Sign(key, receipt.PAE(out.PayloadType, payload))),
		}}
	}
	return &out
}

func flipHex(s string) string {
	b := []byte(s)
	if b[len(b)-1] == '0' {
		b[len(b)-1] = '1'
	} else {
		b[len(b)-1] = '0'
	}
	return string(b)
}

// TestTamperMatrix changes one thing at a time in a valid receipt — re-signed
// by the node (so only the semantic check can catch it) and not re-signed —
// and requires a reject naming the expected check.
func TestTamperMatrix(t *testing.T) {
	f := getFixture(t)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	otherPub := other.Public().(ed25519.PublicKey)
	otherID := protocol.NodeID(otherPub)
	// pred changes the predicate and recomputes receipt_id (unless fn set
	// it), as the node re-signing its own receipt would.
	pred := func(fn func(r *receipt.Receipt)) func(st *receipt.Statement) {
		return func(st *receipt.Statement) {
			r := &st.Predicate
			id := r.ReceiptID
			fn(r)
			if r.ReceiptID == id {
				var err error
				if r.ReceiptID, err = r.ComputeID(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	cases := []struct {
		name   string
		mutate func(st *receipt.Statement)
		key    ed25519.PrivateKey // signer after the change; nil keeps the old signature
		want   string             // a check that must fail
	}{
		{"output_digest", pred(func(r *receipt.Receipt) { r.OutputDigest = flipHex(r.OutputDigest) }), f.key, "poe"},
		{"output_digest not canonical", pred(func(r *receipt.Receipt) { r.OutputDigest = strings.Repeat("f", 64) }), f.key, "output_digest"},
		{"input_commitment", pred(func(r *receipt.Receipt) { r.InputCommitment = flipHex(r.InputCommitment) }), f.key, "input_commitment"},
		{"request_id", pred(func(r *receipt.Receipt) { r.RequestID = flipHex(r.RequestID) }), f.key, "request_id"},
		{"poe", pred(func(r *receipt.Receipt) { r.PoE = flipHex(r.PoE) }), f.key, "poe"},
		{"receipt_id", pred(func(r *receipt.Receipt) { r.ReceiptID = "rcpt_00" }), f.key, "receipt_id"},
		{"job_id", pred(func(r *receipt.Receipt) { r.JobID = "11111111-1111-4111-8111-111111111111" }), f.key, "job_id"},
		{"workload_digest", pred(func(r *receipt.Receipt) { r.WorkloadDigest = "sha256:" + strings.Repeat("0", 64) }), f.key, "workload_digest"},
		{"mode", pred(func(r *receipt.Receipt) { r.Mode = protocol.ModeBinding }), f.key, "mode.evidence"},
		{"mode unknown", pred(func(r *receipt.Receipt) { r.Mode = "magic" }), f.key, "mode"},
		{"version", pred(func(r *receipt.Receipt) { r.Version = "zkpoc/receipt/v0" }), f.key, "statement.type"},
		{"task.payload.seed", pred(func(r *receipt.Receipt) { r.Task.Payload.Seed = flipHex(r.Task.Payload.Seed) }), f.key, "request_id"},
		{"task.payload.seed, request_id updated", pred(func(r *receipt.Receipt) {
			r.Task.Payload.Seed = flipHex(r.Task.Payload.Seed)
			id, _ := r.Task.RequestID()
			r.RequestID = hex.EncodeToString(id[:])
		}), f.key, "input_commitment.regenerate"}, // the task's payload.input_commitment is the old seed's
		{"task.payload.matrix_size", pred(func(r *receipt.Receipt) { r.Task.Payload.MatrixSize = 8 }), f.key, "request_id"},
		{"task.payload.frac_bits", pred(func(r *receipt.Receipt) { r.Task.Payload.FracBits = 4 }), f.key, "request_id"},
		{"task.reward", pred(func(r *receipt.Receipt) { r.Task.Reward = "1001" }), f.key, "request_id"},
		{"task.deadline", pred(func(r *receipt.Receipt) { r.Task.Deadline++ }), f.key, "request_id"},
		{"task.task_id", pred(func(r *receipt.Receipt) { r.Task.TaskID = "11111111-1111-4111-8111-111111111111" }), f.key, "request_id"},
		{"task invalid", pred(func(r *receipt.Receipt) { r.Task.Payload.MatrixSize = 0 }), f.key, "task"},
		{"node.node_id", pred(func(r *receipt.Receipt) { r.Node.NodeID = hex.EncodeToString(otherID[:]) }), f.key, "node.node_id"},
		{"node.public_key (signed by the other key)", pred(func(r *receipt.Receipt) {
			r.Node.PublicKey = hex.EncodeToString(otherPub)
			r.Node.NodeID = hex.EncodeToString(otherID[:])
		}), other, "poe"},
		{"node.public_key malformed", pred(func(r *receipt.Receipt) { r.Node.PublicKey = "zz" }), f.key, "node.public_key"},
		{"proof.bytes", pred(func(r *receipt.Receipt) { r.Proof.Bytes[40] ^= 1 }), f.key, "proof.verify"},
		{"proof.bytes truncated", pred(func(r *receipt.Receipt) { r.Proof.Bytes = r.Proof.Bytes[:50] }), f.key, "proof.verify"},
		{"proof.public_inputs", pred(func(r *receipt.Receipt) { r.Proof.PublicInputs[1] = "1" }), f.key, "proof.public_inputs"},
		{"proof.public_inputs dropped", pred(func(r *receipt.Receipt) { r.Proof.PublicInputs = r.Proof.PublicInputs[:3] }), f.key, "proof.public_inputs"},
		// A key this verifier lacks is a hold (TestMissingKeyHolds); the edit
		// itself is caught by receipt_id, which the helper does not recompute.
		{"proof.circuit", pred(func(r *receipt.Receipt) { r.Proof.Circuit = protocol.Naive.Name() }), f.key, "workload_digest"},
		{"proof.circuit unknown", pred(func(r *receipt.Receipt) { r.Proof.Circuit = "magic" }), f.key, "proof.circuit"},
		{"proof.system", pred(func(r *receipt.Receipt) { r.Proof.System = "stark" }), f.key, "proof.system"},
		{"proof.system relabeled plonk", pred(func(r *receipt.Receipt) { r.Proof.System = "plonk" }), f.key, "proof.system"},
		{"proof.setup_provenance", pred(func(r *receipt.Receipt) { r.Proof.SetupProvenance = "mpc(3 contributions)" }), f.key, "proof.setup_provenance"},
		{"runtime_measurement removed", pred(func(r *receipt.Receipt) { r.RuntimeMeasurement = nil }), f.key, "receipt.fields"},
		{"subject digest", func(st *receipt.Statement) { st.Subject[1].Digest[receipt.DigestAlgorithm] = strings.Repeat("0", 64) }, f.key, "statement.subject"},
		{"predicateType", func(st *receipt.Statement) { st.PredicateType = "https://example.com/other" }, f.key, "statement.type"},
		{"output_digest, not re-signed", pred(func(r *receipt.Receipt) { r.OutputDigest = flipHex(r.OutputDigest) }), nil, "signature"},
		{"benchmark_result, not re-signed", pred(func(r *receipt.Receipt) { r.BenchmarkResult.ProveSeconds = 0.001 }), nil, "signature"},
	}
	envelopeCases := []struct {
		name   string
		mutate func(e *receipt.Envelope)
		want   string
	}{
		{"signature byte", func(e *receipt.Envelope) {
			sig, _ := base64.StdEncoding.DecodeString(e.Signatures[0].Sig)
			sig[0] ^= 1
			e.Signatures[0].Sig = base64.StdEncoding.EncodeToString(sig)
		}, "signature"},
		{"keyid", func(e *receipt.Envelope) { e.Signatures[0].KeyID = hex.EncodeToString(otherID[:]) }, "signature"},
		{"payloadType", func(e *receipt.Envelope) { e.PayloadType = "application/json" }, "envelope.payload_type"},
		{"payload not base64", func(e *receipt.Envelope) { e.Payload = "%%%" }, "envelope.payload"},
	}
	total := 0
	check := func(t *testing.T, env *receipt.Envelope, want string) {
		t.Helper()
		v := verifier.Verify(env, verifier.Options{Cache: f.cache})
		if v.PolicyDecision.Status != verifier.Reject {
			t.Fatalf("status %s, want reject", v.PolicyDecision.Status)
		}
		if !slices.Contains(v.Failed(), want) {
			t.Fatalf("failed checks %v do not name %q", v.Failed(), want)
		}
		if !strings.Contains(v.AllowedClaim, "rejected") {
			t.Errorf("a reject must still say the verifier path ran: %q", v.AllowedClaim)
		}
	}
	for _, tc := range cases {
		total++
		t.Run(tc.name, func(t *testing.T) { check(t, resign(t, f.env, tc.key, tc.mutate), tc.want) })
	}
	// A fingerprint this verifier has no key for (re-signed consistently) is
	// held, not rejected: the proof may be valid under a key it lacks.
	t.Run("proof.key_fingerprint", func(t *testing.T) {
		total++
		other := "sha256:" + strings.Repeat("1", 64)
		env := resign(t, f.env, f.key, pred(func(r *receipt.Receipt) { r.Proof.KeyFingerprint = other }))
		v := verifier.Verify(env, verifier.Options{Cache: f.cache})
		if v.PolicyDecision.Status != verifier.Hold || v.KeyNeeded != other {
			t.Fatalf("status %s, key_needed %q; want hold naming %s", v.PolicyDecision.Status, v.KeyNeeded, other)
		}
	})
	for _, tc := range envelopeCases {
		total++
		t.Run(tc.name, func(t *testing.T) {
			e := *f.env
			e.Signatures = slices.Clone(f.env.Signatures)
			tc.mutate(&e)
			check(t, &e, tc.want)
		})
	}
	// A given key that is not the receipt's is the receipt's key missing:
	// held too (TestRedteam2WrongGivenKeyHolds).
	t.Run("wrong verifying key", func(t *testing.T) {
		total++
		other := groth16.NewVerifyingKey(ecc.BN254)
		v := verifier.Verify(f.env, verifier.Options{VK: wrapVK(t, other)})
		st, _, _ := f.env.Statement()
		if v.PolicyDecision.Status != verifier.Hold || v.KeyNeeded != st.Predicate.Proof.KeyFingerprint {
			t.Fatalf("status %s, failed %v, key_needed %q", v.PolicyDecision.Status, v.Failed(), v.KeyNeeded)
		}
	})
	t.Logf("tamper matrix: %d cases, all rejected but the unknown key fingerprint and the wrong given key, which are held", total)
}

// TestAcceptKeys: a verifier pinned to other keys rejects a proof that
// verifies, naming the key check; pinned to this key it passes.
func TestAcceptKeys(t *testing.T) {
	f := getFixture(t)
	st, _, _ := f.env.Statement()
	fp := st.Predicate.Proof.KeyFingerprint
	v := verifier.Verify(f.env, verifier.Options{Cache: f.cache, AcceptKeys: []string{"sha256:" + strings.Repeat("0", 64)}})
	if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "proof.key_accepted") {
		t.Fatalf("unpinned key: %s %v", v.PolicyDecision.Status, v.Failed())
	}
	if !slices.Contains(v.Failed(), "proof.key_accepted") || slices.Contains(v.Failed(), "proof.verify") {
		t.Errorf("only the pin may fail: %v", v.Failed())
	}
	v = verifier.Verify(f.env, verifier.Options{Cache: f.cache, AcceptKeys: []string{strings.TrimPrefix(fp, "sha256:")}})
	if v.PolicyDecision.Status != verifier.Pass {
		t.Fatalf("pinned key: %s: %s", v.PolicyDecision.Status, v.PolicyDecision.Reason)
	}
}

// TestStrictPolicyHoldsDevSetup: the same valid dev-setup proof passes
// zk-dev-v1 and is held, not passed, by zk-strict-v1.
func TestStrictPolicyHoldsDevSetup(t *testing.T) {
	f := getFixture(t)
	strict := verifier.BuiltinPolicies["zk-strict-v1"]
	v := verifier.Verify(f.env, verifier.Options{Cache: f.cache, Policy: &strict})
	if v.PolicyDecision.Status != verifier.Hold || !strings.Contains(v.PolicyDecision.Reason, "dev setup") {
		t.Fatalf("status %s: %s", v.PolicyDecision.Status, v.PolicyDecision.Reason)
	}
	for _, b := range []string{"This proves the model answer is true.", "This proves the provider is always faster.", "This benchmark proves this job completed."} {
		if strings.Contains(v.AllowedClaim, b) {
			t.Errorf("hold claim contains a seed-000 blocked claim")
		}
	}
}
