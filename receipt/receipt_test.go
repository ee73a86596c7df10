package receipt

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
)

func TestValidateReportsEveryMissingField(t *testing.T) {
	r := Receipt{Mode: protocol.ModeGroth16, Proof: &Proof{}}
	err := r.Validate()
	if !errors.Is(err, ErrMissingFields) {
		t.Fatalf("Validate = %v, want ErrMissingFields", err)
	}
	want := []string{
		"version", "receipt_id", "job_id", "workload_digest", "input_commitment",
		"output_digest", "output_digest_algorithm", "request_id", "poe", "task.task_id", "node.public_key",
		"node.node_id", "runtime_measurement", "benchmark_result", "attestation_result",
		"verifier_policy_id", "proof.system", "proof.curve", "proof.circuit",
		"proof.key_fingerprint", "proof.setup_provenance", "proof.bytes", "proof.public_inputs",
	}
	_, list, ok := strings.Cut(err.Error(), ErrMissingFields.Error()+": ")
	if !ok {
		t.Fatalf("Validate error %q does not list fields after %q", err, ErrMissingFields)
	}
	if got := strings.Split(list, ", "); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("missing fields:\n got %q\nwant %q", got, want)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*Receipt)
		missing string // "" means valid
	}{
		{"complete", func(*Receipt) {}, ""},
		{"sampled without proof", func(r *Receipt) { r.Mode = protocol.ModeSampled; r.Proof = nil; r.Sampling = &Sampling{} }, ""},
		{"sampled without sampling box", func(r *Receipt) { r.Mode = protocol.ModeSampled; r.Proof = nil }, "sampling"},
		{"binding without proof", func(r *Receipt) { r.Mode = protocol.ModeBinding; r.Proof = nil }, ""},
		{"groth16 without proof", func(r *Receipt) { r.Proof = nil }, "proof"},
		{"no mode", func(r *Receipt) { r.Mode = "" }, "mode"},
		{"no version", func(r *Receipt) { r.Version = "" }, "version"},
		{"no poe", func(r *Receipt) { r.PoE = "" }, "poe"},
		{"no node id", func(r *Receipt) { r.Node.NodeID = "" }, "node.node_id"},
		{"empty proof bytes", func(r *Receipt) { r.Proof.Bytes = []byte{} }, "proof.bytes"},
		{"no public inputs", func(r *Receipt) { r.Proof.PublicInputs = nil }, "proof.public_inputs"},
		{"two missing", func(r *Receipt) { r.JobID = ""; r.AttestationResult = nil }, "job_id, attestation_result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fullReceipt(t)
			tt.mutate(&r)
			err := r.Validate()
			if tt.missing == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrMissingFields) || !strings.HasSuffix(err.Error(), ": "+tt.missing) {
				t.Fatalf("Validate = %v, want ErrMissingFields naming %q", err, tt.missing)
			}
		})
	}
}

func TestComputeID(t *testing.T) {
	base := fullReceipt(t)
	id, err := base.ComputeID()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "rcpt_") || len(id) != len("rcpt_")+32 {
		t.Fatalf("ComputeID = %q, want rcpt_<32 hex>", id)
	}
	if _, err := hex.DecodeString(strings.TrimPrefix(id, "rcpt_")); err != nil {
		t.Fatalf("ComputeID = %q: %v", id, err)
	}
	if again, _ := base.ComputeID(); again != id {
		t.Fatalf("ComputeID not deterministic: %s then %s", id, again)
	}

	claim := "This receipt proves the product of two matrices."
	tests := []struct {
		name    string
		mutate  func(*Receipt)
		changes bool
	}{
		{"output_digest", func(r *Receipt) { r.OutputDigest = strings.Repeat("0", 63) + "b" }, true},
		{"input_commitment", func(r *Receipt) { r.InputCommitment += "1" }, true},
		{"task.payload.matrix_size", func(r *Receipt) { r.Task.Payload.MatrixSize = 8 }, true},
		{"task.payload.seed", func(r *Receipt) { r.Task.Payload.Seed = strings.Repeat("a", 64) }, true},
		{"task.reward", func(r *Receipt) { r.Task.Reward = "1" }, true},
		{"proof.bytes", func(r *Receipt) { r.Proof.Bytes = []byte{0xde, 0xad, 0xbe, 0xee} }, true},
		{"proof.public_inputs", func(r *Receipt) { r.Proof.PublicInputs = []string{"1", "2", "4"} }, true},
		{"proof removed", func(r *Receipt) { r.Proof = nil }, true},
		{"mode", func(r *Receipt) { r.Mode = protocol.ModeSampled }, true},
		{"node.node_id", func(r *Receipt) { r.Node.NodeID = strings.Repeat("0", 64) }, true},
		{"runtime_measurement.native_seconds", func(r *Receipt) { r.RuntimeMeasurement.NativeSeconds = 0.25 }, true},
		{"attestation_result.status", func(r *Receipt) { r.AttestationResult.Status = "tdx" }, true},
		{"blocked_claims", func(r *Receipt) { r.BlockedClaims = r.BlockedClaims[1:] }, true},
		{"verifier_policy_id", func(r *Receipt) { r.VerifierPolicyID = "policy-v2" }, true},
		{"receipt_id", func(r *Receipt) { r.ReceiptID = "rcpt_other" }, false},
		// A node never signs a verdict (CheckUnjudged), so receipt_id covers
		// these boxes like any other: a verdict pasted into a signed receipt
		// breaks its id too.
		{"policy_decision", func(r *Receipt) {
			r.PolicyDecision = &PolicyDecision{Status: "pass", Reason: "ok", PolicyID: "policy-v1",
				Checks: []Check{{Name: "signature", Status: "pass"}}}
		}, true},
		{"allowed_claim", func(r *Receipt) { r.AllowedClaim = &claim }, true},
		{"policy_decision and allowed_claim", func(r *Receipt) {
			r.PolicyDecision = &PolicyDecision{Status: "reject", Reason: "bad proof"}
			r.AllowedClaim = &claim
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fullReceipt(t) // fresh: the mutations reach through pointers
			tt.mutate(&r)
			got, err := r.ComputeID()
			if err != nil {
				t.Fatal(err)
			}
			if changed := got != id; changed != tt.changes {
				t.Fatalf("ComputeID changed = %v (%s → %s), want %v", changed, id, got, tt.changes)
			}
		})
	}

	// ComputeID has a value receiver: it must not clear the caller's fields.
	r := fullReceipt(t)
	r.PolicyDecision = &PolicyDecision{Status: "pass"}
	r.AllowedClaim = &claim
	if _, err := r.ComputeID(); err != nil {
		t.Fatal(err)
	}
	if r.ReceiptID != id || r.PolicyDecision == nil || r.AllowedClaim == nil {
		t.Fatalf("ComputeID mutated its receiver: %+v", r)
	}
}

// TestComputeIDGolden pins the receipt_id of fullReceipt: a change means every
// receipt ever issued gets a new id. Rewrite with go test ./receipt -run
// TestComputeIDGolden -update only for an intended schema change.
func TestComputeIDGolden(t *testing.T) {
	r := fullReceipt(t)
	id, err := r.ComputeID()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "receipt_id.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(id+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./receipt -run TestComputeIDGolden -update)", err)
	}
	if got := id + "\n"; got != string(want) {
		t.Fatalf("receipt_id = %s, golden %s (rerun with -update if the schema change is intended)", id, strings.TrimSpace(string(want)))
	}
}

func TestDecodeHex32(t *testing.T) {
	const lower = "61e6cd147576a21b83556d533ed5f7aad9cb2874b64d4cbb90cecf755fe340cf"
	want, _ := hex.DecodeString(lower)
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"lowercase", lower, true},
		{"sha256 prefix", "sha256:" + lower, true},
		{"zeros", strings.Repeat("0", 64), false}, // checked separately below
		{"uppercase", strings.ToUpper(lower), false},
		{"one uppercase digit", "61E6" + lower[4:], false},
		{"uppercase prefix", "SHA256:" + lower, false},
		{"double prefix", "sha256:sha256:" + lower, false},
		{"other algorithm", "sha512:" + lower, false},
		{"short", lower[:62], false},
		{"odd length", lower[:63], false},
		{"long", lower + "00", false},
		{"non-hex", "zz" + lower[2:], false},
		{"space", " " + lower[1:], false},
		{"0x prefix", "0x" + lower[2:], false},
		{"empty", "", false},
		{"prefix only", "sha256:", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeHex32("poe", tt.in)
			if tt.name == "zeros" {
				if err != nil || got != [32]byte{} {
					t.Fatalf("DecodeHex32(zeros) = %x, %v", got, err)
				}
				return
			}
			if !tt.ok {
				if err == nil {
					t.Fatalf("DecodeHex32(%q) = %x, want an error", tt.in, got)
				}
				if !strings.HasPrefix(err.Error(), "poe: ") {
					t.Fatalf("error %q does not name the field", err)
				}
				return
			}
			if err != nil || string(got[:]) != string(want) {
				t.Fatalf("DecodeHex32(%q) = %x, %v; want %s", tt.in, got, err, lower)
			}
		})
	}
	// Long attacker input is not echoed in full.
	_, err := DecodeHex32("poe", strings.Repeat("x", 10000))
	if err == nil || len(err.Error()) > 200 {
		t.Fatalf("DecodeHex32(long) error = %.300q", err)
	}
}

func FuzzDecodeHex32(f *testing.F) {
	f.Add("61e6cd147576a21b83556d533ed5f7aad9cb2874b64d4cbb90cecf755fe340cf")
	f.Add("sha256:61e6cd147576a21b83556d533ed5f7aad9cb2874b64d4cbb90cecf755fe340cf")
	f.Add("61E6CD147576A21B83556D533ED5F7AAD9CB2874B64D4CBB90CECF755FE340CF")
	f.Add("sha256:")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := DecodeHex32("f", s)
		if err != nil {
			if got != [32]byte{} {
				t.Fatalf("DecodeHex32(%q) returned %x with an error", s, got)
			}
			return
		}
		// Accepted input is exactly the canonical lowercase hex, optionally prefixed.
		canon := hex.EncodeToString(got[:])
		if s != canon && s != "sha256:"+canon {
			t.Fatalf("DecodeHex32 accepted non-canonical %q (= %s)", s, canon)
		}
	})
}

// TestCheckUnjudged: the node's receipt as the prover writes it passes; a
// verdict box filled in, or a standard blocked claim dropped, is refused
// naming the field (every problem at once); claims the node adds are allowed.
func TestCheckUnjudged(t *testing.T) {
	claim := "This job ran under a multi-party setup."
	empty := ""
	tests := []struct {
		name   string
		mutate func(*Receipt)
		fields []string // fields the error must name, in order; none: no error
	}{
		{"as the prover writes it", func(*Receipt) {}, nil},
		{"policy_decision pass", func(r *Receipt) { r.PolicyDecision = &PolicyDecision{Status: "pass", PolicyID: "zk-strict-v1"} }, []string{"policy_decision"}},
		{"policy_decision empty", func(r *Receipt) { r.PolicyDecision = &PolicyDecision{} }, []string{"policy_decision"}},
		{"allowed_claim", func(r *Receipt) { r.AllowedClaim = &claim }, []string{"allowed_claim"}},
		{"allowed_claim empty", func(r *Receipt) { r.AllowedClaim = &empty }, []string{"allowed_claim"}},
		{"blocked claim removed", func(r *Receipt) { r.BlockedClaims = r.BlockedClaims[:len(r.BlockedClaims)-1] }, []string{"blocked_claims"}},
		{"blocked claim reworded", func(r *Receipt) { r.BlockedClaims[0] += " (mostly)" }, []string{"blocked_claims"}},
		{"blocked_claims null", func(r *Receipt) { r.BlockedClaims = nil }, []string{"blocked_claims"}},
		{"blocked claim added", func(r *Receipt) { r.BlockedClaims = append(r.BlockedClaims, "No claim about Tuesdays.") }, nil},
		{"all three", func(r *Receipt) {
			r.PolicyDecision = &PolicyDecision{Status: "pass"}
			r.AllowedClaim = &claim
			r.BlockedClaims = nil
		}, []string{"policy_decision", "allowed_claim", "blocked_claims"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fullReceipt(t)
			tt.mutate(&r)
			err := r.CheckUnjudged()
			if len(tt.fields) == 0 {
				if err != nil {
					t.Fatalf("CheckUnjudged = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrNodeVerdict) {
				t.Fatalf("CheckUnjudged = %v, want ErrNodeVerdict", err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.fields) {
				t.Fatalf("%d errors, want %d: %v", len(lines), len(tt.fields), err)
			}
			for i, f := range tt.fields {
				if !strings.HasPrefix(lines[i], f+": ") {
					t.Errorf("error %d %q does not name %s", i, lines[i], f)
				}
			}
		})
	}
	r := fullReceipt(t)
	r.BlockedClaims = append(r.BlockedClaims, "Extra.", ProverBlockedClaims[0], "Extra.")
	if got := r.NodeExtraClaims(); len(got) != 1 || got[0] != "Extra." {
		t.Errorf("NodeExtraClaims = %q, want [\"Extra.\"]", got)
	}
}
