package verifier_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// TestMissingKeyHolds: a valid receipt whose verifying key this verifier
// does not have is held (the evidence could not be checked), not rejected
// like a forgery; the verdict names the fingerprint and how to get the key.
// A forgery with the key missing is still rejected on what could be checked.
func TestMissingKeyHolds(t *testing.T) {
	f := getFixture(t)
	st, _, _ := f.env.Statement()
	fp := strings.TrimPrefix(st.Predicate.Proof.KeyFingerprint, "sha256:")
	empty := keys.Cache{Dir: t.TempDir()}
	for _, o := range []verifier.Options{{Cache: &empty}, {}} {
		v := verifier.Verify(f.env, o)
		if v.PolicyDecision.Status != verifier.Hold {
			t.Fatalf("status %s (failed %v), want hold: %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
		}
		if v.KeyNeeded != "sha256:"+fp {
			t.Errorf("key_needed %q, want sha256:%s", v.KeyNeeded, fp)
		}
		for _, want := range []string{fp, "zkpoc keys import", "--key"} {
			if !strings.Contains(v.PolicyDecision.Reason, want) {
				t.Errorf("hold reason lacks %q: %s", want, v.PolicyDecision.Reason)
			}
		}
		if strings.Contains(v.AllowedClaim, "correct fixed-point product") {
			t.Errorf("a held receipt's claim names the product: %s", v.AllowedClaim)
		}
		i := slices.IndexFunc(v.PolicyDecision.Checks, func(c receipt.Check) bool { return c.Name == "proof.verify" })
		if i < 0 || v.PolicyDecision.Checks[i].Status != "skip" {
			t.Errorf("proof.verify must be skipped without the key: %+v", v.PolicyDecision.Checks)
		}
	}
	forged := resign(t, f.env, f.key, func(st *receipt.Statement) { st.Predicate.OutputDigest = flipHex(st.Predicate.OutputDigest) })
	v := verifier.Verify(forged, verifier.Options{Cache: &empty})
	if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "poe") || v.KeyNeeded == "" {
		t.Fatalf("forgery without the key: %s %v key_needed %q", v.PolicyDecision.Status, v.Failed(), v.KeyNeeded)
	}
}
