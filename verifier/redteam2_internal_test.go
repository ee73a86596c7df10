package verifier

import (
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// redteam2PlonkReceipt is the part of a PLONK receipt useKey and the policy
// read (a real PLONK proof costs minutes; the proof is not what is under
// attack here).
func redteam2PlonkReceipt(fp, provenance string) *receipt.Receipt {
	return &receipt.Receipt{Mode: protocol.ModePlonk,
		Task:  workload.ComputeTask{Payload: workload.Payload{MatrixSize: 4, FracBits: 8}},
		Proof: &receipt.Proof{System: protocol.Plonk, Curve: "bn254", Circuit: "freivalds-v5", KeyFingerprint: "sha256:" + fp, SetupProvenance: provenance}}
}

// TestRedteam2PlonkAttackerSRS: a PLONK key re-derived from an SRS the node
// made (so the circuit is established) passes a strict policy only if that
// SRS's own digest is trusted. A bundle provenance naming a trusted SRS
// while the key was re-derived from another file, a trusted SRS named only
// by the key's source, or a trusted SRS with the key's circuit not
// established, are all held.
func TestRedteam2PlonkAttackerSRS(t *testing.T) {
	fp := strings.Repeat("f", 64)
	attacker, genuine := strings.Repeat("a", 64), strings.Repeat("9", 64)
	named := "srs(aztec-ignition, sha256:" + genuine + ")"
	id := keys.ID{Circuit: "freivalds-v5", N: 4, FracBits: 8, Curve: "bn254", System: protocol.Plonk}
	strict := BuiltinPolicies["zk-strict-v1"]
	strict.ID, strict.TrustedSRS = "rt2-srs", []string{genuine}
	for _, tc := range []struct {
		name     string
		k        KeyEstablished
		wantPass bool
	}{
		{"re-derived from the attacker's SRS, provenance names the genuine one (unverified)",
			KeyEstablished{Circuit: id, How: "re-derived", Provenance: named, SRSDigest: attacker}, false},
		{"the genuine SRS named by the key's source only, circuit not established",
			KeyEstablished{How: "given as a key bundle", Provenance: named}, false},
		{"re-derived from the genuine SRS, but circuit not established (impossible, defensive)",
			KeyEstablished{How: "given", SRSDigest: genuine}, false},
		{"re-derived from the genuine SRS", KeyEstablished{Circuit: id, How: "re-derived", SRSDigest: genuine}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := tc.k
			k.Fingerprint = fp
			rc := redteam2PlonkReceipt(fp, k.Provenance)
			var r run
			v := &Verdict{}
			r.useKey(v, strict, rc, &k)
			r.applyPolicy(strict, rc, v.provenance)
			if fails := r.failed(); len(fails) > 0 {
				t.Fatalf("failed %v: %+v", fails, r.checks)
			}
			if pass := r.hold == ""; pass != tc.wantPass {
				t.Fatalf("pass = %v, want %v (hold %q)", pass, tc.wantPass, r.hold)
			}
		})
	}
}
