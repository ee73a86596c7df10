package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// TestNodeVerdictRefused: a node that writes the verifier's boxes into its
// own signed receipt — a pass under zk-strict-v1, a widened claim, standard
// blocked claims dropped — is rejected naming each field, even though it
// re-signed the receipt and recomputed its receipt_id. Blocked claims it
// adds are allowed and carried into the verdict.
func TestNodeVerdictRefused(t *testing.T) {
	res := nativeReceipt(t, 16, prover.Options{Mode: protocol.ModeBinding})
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32)) // nativeReceipt's node key
	widened := "Output digest X is the correct product, proved under a multi-party setup."
	pass := func(r *receipt.Receipt) {
		r.PolicyDecision = &receipt.PolicyDecision{Status: verifier.Pass, Reason: "all checks pass", PolicyID: "zk-strict-v1",
			Checks: []receipt.Check{{Name: "proof.verify", Status: "pass"}}}
	}
	claim := func(r *receipt.Receipt) { r.AllowedClaim = &widened }
	const extra = "This receipt proves nothing about jobs run on Tuesdays."
	for _, tc := range []struct {
		name   string
		mutate func(r *receipt.Receipt)
		failed []string // exactly the checks that must fail; none: a pass
	}{
		{"policy_decision pass", pass, []string{"policy_decision"}},
		{"policy_decision reject", func(r *receipt.Receipt) {
			r.PolicyDecision = &receipt.PolicyDecision{Status: verifier.Reject}
		}, []string{"policy_decision"}},
		{"policy_decision empty object", func(r *receipt.Receipt) { r.PolicyDecision = &receipt.PolicyDecision{} }, []string{"policy_decision"}},
		{"allowed_claim widened", claim, []string{"allowed_claim"}},
		{"allowed_claim empty string", func(r *receipt.Receipt) { r.AllowedClaim = new(string) }, []string{"allowed_claim"}},
		{"standard blocked claim removed", func(r *receipt.Receipt) { r.BlockedClaims = r.BlockedClaims[1:] }, []string{"blocked_claims"}},
		{"blocked_claims null", func(r *receipt.Receipt) { r.BlockedClaims = nil }, []string{"blocked_claims"}},
		{"the whole self-verdict", func(r *receipt.Receipt) {
			pass(r)
			claim(r)
			r.BlockedClaims = []string{"This benchmark proves this job completed."}
		}, []string{"policy_decision", "allowed_claim", "blocked_claims"}},
		{"blocked claim added", func(r *receipt.Receipt) { r.BlockedClaims = append(slices.Clone(r.BlockedClaims), extra) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := resign(t, res.Envelope, key, func(st *receipt.Statement) {
				tc.mutate(&st.Predicate)
				id, err := st.Predicate.ComputeID()
				if err != nil {
					t.Fatal(err)
				}
				st.Predicate.ReceiptID = id
			})
			if len(tc.failed) == 0 {
				if v := verdict(t, env, "binding-v1"); v.PolicyDecision.Status != verifier.Pass || !slices.Contains(v.BlockedClaims, extra) {
					t.Errorf("a node's own blocked claim: status %s, failed %v, blocked %v", v.PolicyDecision.Status, v.Failed(), v.BlockedClaims)
				}
				return
			}
			for _, pol := range []string{"binding-v1", "zk-strict-v1"} {
				v := verdict(t, env, pol)
				if !slices.Equal(v.Failed(), tc.failed) {
					t.Fatalf("%s: status %s, failed %v, want exactly %v", pol, v.PolicyDecision.Status, v.Failed(), tc.failed)
				}
				if v.PolicyDecision.Status != verifier.Reject || strings.Contains(v.AllowedClaim, widened) {
					t.Fatalf("%s: status %s, claim %q", pol, v.PolicyDecision.Status, v.AllowedClaim)
				}
				for _, c := range v.PolicyDecision.Checks {
					if slices.Contains(tc.failed, c.Name) && !strings.HasPrefix(c.Detail, c.Name+": ") {
						t.Errorf("%s: check %s does not name its field: %q", pol, c.Name, c.Detail)
					}
				}
			}
		})
	}

	// The same self-verdict pasted in without re-signing: the signature and
	// the receipt_id both catch it, besides the fields themselves.
	env := resign(t, res.Envelope, nil, func(st *receipt.Statement) { pass(&st.Predicate); claim(&st.Predicate) })
	v := verdict(t, env, "binding-v1")
	for _, want := range []string{"signature", "receipt_id", "policy_decision", "allowed_claim"} {
		if !slices.Contains(v.Failed(), want) {
			t.Errorf("pasted verdict, not re-signed: failed %v lacks %s", v.Failed(), want)
		}
	}
}
