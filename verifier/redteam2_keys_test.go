package verifier_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// Second red-team pass against key trust and policies in the verifier:
// the node names keys, hands out key files, and may write policy files
// for a careless verifier.

func writePolicy(t *testing.T, raw string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(p, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRedteam2PolicyPins: pins match whole digests only (a prefix of the
// key's fingerprint is refused by Validate, so it can never match), hex case
// is not significant (the same key), and min_contributions cannot go below
// one per phase.
func TestRedteam2PolicyPins(t *testing.T) {
	f := getFixture(t)
	st, _, _ := f.env.Statement()
	rc := st.Predicate
	fp := strings.TrimPrefix(rc.Proof.KeyFingerprint, "sha256:")
	base := verifier.BuiltinPolicies["zk-strict-v1"]
	base.ID = "rt2"
	pin := func(fingerprint string) verifier.Policy {
		p := base
		p.TrustedKeys = []verifier.TrustedKey{{Fingerprint: fingerprint, Circuit: rc.Proof.Circuit, N: rc.Task.Payload.MatrixSize,
			FracBits: rc.Task.Payload.FracBits, Curve: rc.Proof.Curve, System: rc.Proof.System}}
		return p
	}
	for _, prefix := range []string{fp[:32], fp[:63], "sha256:" + fp[:8]} {
		p := pin(prefix)
		if err := p.Validate(); err == nil {
			t.Errorf("a prefix pin %q validated", prefix)
		}
		p.TrustedTranscripts, p.TrustedKeys = []string{prefix}, nil
		if err := p.Validate(); err == nil {
			t.Errorf("a prefix transcript pin %q validated", prefix)
		}
		p.TrustedTranscripts, p.TrustedSRS = nil, []string{prefix}
		if err := p.Validate(); err == nil {
			t.Errorf("a prefix SRS pin %q validated", prefix)
		}
	}
	up := pin("SHA256:" + strings.ToUpper(fp))
	if err := up.Validate(); err == nil {
		t.Error(`a pin with the prefix "SHA256:" validated`)
	}
	up = pin(" sha256:" + strings.ToUpper(fp))
	v := verifier.Verify(f.env, verifier.Options{VK: f.vk, Policy: &up})
	// Pinned (circuit established), but the dev provenance is still held.
	if v.PolicyDecision.Status != verifier.Hold || strings.Contains(v.PolicyDecision.Reason, "not established") {
		t.Errorf("upper-case pin: %s: %s", v.PolicyDecision.Status, v.PolicyDecision.Reason)
	}
	neg := base
	neg.MinContributions = -1
	if err := neg.Validate(); err == nil {
		t.Error("min_contributions -1 validated")
	}
	// min_contributions 0 is the floor of 1 per phase: a pinned 1+1
	// ceremony passes (by design), and the claim states the assumption.
	zero := pin(fp)
	zero.MinContributions = 0
	mpc := "mpc(1+1 contributions, beacon " + strings.Repeat("ab", 32) + ")"
	zero.TrustedKeys[0].Provenance = mpc
	env := withProvenance(t, f, mpc)
	v = verifier.Verify(env, verifier.Options{VK: f.vk, Policy: &zero})
	if v.PolicyDecision.Status != verifier.Pass || !strings.Contains(v.AllowedClaim, "at least one of its 1 phase-1 and one of its 1 phase-2 contributors was honest") {
		t.Errorf("min_contributions 0: %s: %s", v.PolicyDecision.Status, v.AllowedClaim)
	}
	// Unknown fields in a policy file are refused.
	if _, err := verifier.LookupPolicy(writePolicy(t, `{"id":"x","modes":["groth16"],"require_trusted_setup":true,"trust_everything":true}`)); err == nil {
		t.Error("a policy file with an unknown field loaded")
	}
}

// TestRedteam2PolicyDuplicateKeys: encoding/json keeps the last of
// duplicate members and matches keys case-insensitively, so a policy file
// that reads as strict to its reviewer (the first "require_trusted_setup":
// true) was lax to zkpoc, and "Require_Trusted_Setup" was taken for the
// field. The policy is the verifier's trust root: LookupPolicy refuses
// duplicate and case-variant keys, naming the key.
func TestRedteam2PolicyDuplicateKeys(t *testing.T) {
	for name, raw := range map[string]string{
		"duplicate":    `{"id":"strict-looking","modes":["groth16"],"require_trusted_setup":true,"require_established_key":true,"require_trusted_setup":false}`,
		"case variant": `{"id":"strict-looking","modes":["groth16"],"require_established_key":true,"Require_Established_Key":false}`,
		"folded":       `{"id":"strict-looking","modes":["groth16"],"REQUIRE_TRUSTED_SETUP":false}`,
	} {
		if p, err := verifier.LookupPolicy(writePolicy(t, raw)); !errors.Is(err, verifier.ErrPolicy) || !strings.Contains(err.Error(), "_") {
			t.Errorf("%s keys: loaded as %+v (%v), want ErrPolicy naming the key", name, p, err)
		}
	}
}

// TestRedteam2MissingKeyMalformedProof: the key is missing, so the proof
// cannot be verified, but proof bytes that do not even decode as a proof on
// the receipt's curve are wrong whatever the key: that forgery is
// detectable and is rejected (proof.verify), not held with "obtain the key".
func TestRedteam2MissingKeyMalformedProof(t *testing.T) {
	f := getFixture(t)
	empty := keys.Cache{Dir: t.TempDir()}
	forged := resign(t, f.env, f.key, func(st *receipt.Statement) {
		st.Predicate.Proof.Bytes = []byte("not a proof at all")
		id, err := st.Predicate.ComputeID()
		if err != nil {
			t.Fatal(err)
		}
		st.Predicate.ReceiptID = id
	})
	v := verifier.Verify(forged, verifier.Options{Cache: empty})
	if v.PolicyDecision.Status != verifier.Reject || !slices.Equal(v.Failed(), []string{"proof.verify"}) {
		t.Fatalf("garbage proof, key missing: %s (failed %v): %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
	}
	for _, c := range v.PolicyDecision.Checks {
		if c.Name == "proof.verify" && !strings.Contains(c.Detail, "not a bn254 groth16 proof") {
			t.Errorf("proof.verify does not say the bytes are not a proof: %s", c.Detail)
		}
	}
}

// TestRedteam2WrongGivenKeyHolds: verify --key with a key that is not the
// one the receipt names is the verifier lacking the key, not the receipt
// being wrong: a valid receipt is held (key_needed), as with a missing key,
// not rejected like a forgery (issue 11 item 4). --accept-key is the way
// to refuse receipts under other keys.
func TestRedteam2WrongGivenKeyHolds(t *testing.T) {
	f := getFixture(t)
	_, other := otherKeyReceipt(t, f)
	v := verifier.Verify(f.env, verifier.Options{VK: other})
	st, _, _ := f.env.Statement()
	otherFP, err := keys.FingerprintHex(other)
	if err != nil {
		t.Fatal(err)
	}
	if v.PolicyDecision.Status != verifier.Hold || v.KeyNeeded != st.Predicate.Proof.KeyFingerprint {
		t.Fatalf("valid receipt, another key given: %s (failed %v), key_needed %q", v.PolicyDecision.Status, v.Failed(), v.KeyNeeded)
	}
	if want := "the given verifying key is sha256:" + otherFP + ", not the receipt's"; !strings.Contains(v.PolicyDecision.Reason, want) {
		t.Errorf("reason does not say %q: %s", want, v.PolicyDecision.Reason)
	}
	// --accept-key still refuses a receipt under a key not accepted.
	v = verifier.Verify(f.env, verifier.Options{VK: other, AcceptKeys: []string{"sha256:" + otherFP}})
	if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "proof.key_accepted") {
		t.Fatalf("another key given and accepted: %s (failed %v)", v.PolicyDecision.Status, v.Failed())
	}
}

// TestRedteam2GivenKeyNeverEstablishedByItself: a bare key file, a key
// with an established record for another key, or a record claiming the
// receipt's circuit for a key that is not the given one, never lets a
// claim name the circuit.
func TestRedteam2GivenKeyNeverEstablishedByItself(t *testing.T) {
	f := getFixture(t)
	env, other := otherKeyReceipt(t, f)
	st, _, _ := f.env.Statement()
	rc := st.Predicate
	id := keys.ID{Circuit: rc.Proof.Circuit, N: rc.Task.Payload.MatrixSize, FracBits: rc.Task.Payload.FracBits, Curve: rc.Proof.Curve, System: rc.Proof.System}
	realFP := strings.TrimPrefix(rc.Proof.KeyFingerprint, "sha256:")
	// The record is about the real key; the given key is the other one.
	forgedRecord := &verifier.KeyEstablished{Fingerprint: realFP, Circuit: id, How: "re-derived (forged)"}
	v := verifier.Verify(env, verifier.Options{VK: other, KeyEstablished: forgedRecord})
	if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "proof.key") {
		t.Fatalf("record about another key: %s %v", v.PolicyDecision.Status, v.Failed())
	}
	strict := verifier.BuiltinPolicies["zk-strict-v1"]
	for name, vk := range map[string]proofsystem.VerifyingKey{"other circuit": other} {
		v := verifier.Verify(env, verifier.Options{VK: vk, Policy: &strict})
		if v.PolicyDecision.Status != verifier.Hold || strings.HasPrefix(v.AllowedClaim, "Output digest") {
			t.Errorf("%s under zk-strict-v1: %s: %s", name, v.PolicyDecision.Status, v.AllowedClaim)
		}
	}
}

// TestRedteam2ImportedEntryWithoutOrigin: an entry under
// imported/<fingerprint>/ can only have been written by keys import, which
// always records an import origin. One without an origin (written by hand,
// by an older tool, or copied from a node's cache) was read as a legacy
// entry of this machine's own setup: its circuit "generated locally" and
// established, so zk-strict-v1's key rule was met. Entries in imported/
// are read as imported whatever their meta.json says, establishing nothing
// without an import origin.
func TestRedteam2ImportedEntryWithoutOrigin(t *testing.T) {
	f := getFixture(t)
	env, other := otherKeyReceipt(t, f)
	st, _, _ := env.Statement()
	rc := st.Predicate
	fp := strings.TrimPrefix(rc.Proof.KeyFingerprint, "sha256:")
	c := keys.Cache{Dir: t.TempDir()}
	dir := c.ImportedDir(fp)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	vkPath := filepath.Join(dir, "vk.bin")
	if err := proofsystem.WriteVerifyingKeyFile(vkPath, other); err != nil {
		t.Fatal(err)
	}
	m := keys.Meta{ID: keys.ID{Circuit: rc.Proof.Circuit, N: rc.Task.Payload.MatrixSize, FracBits: rc.Task.Payload.FracBits, Curve: rc.Proof.Curve, System: rc.Proof.System},
		Fingerprint: fp, Provenance: keys.ProvenanceDevSingleParty}
	raw, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, "meta.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	v := verifier.Verify(env, verifier.Options{Cache: c})
	if strings.HasPrefix(v.AllowedClaim, "Output digest") || strings.Contains(v.AllowedClaim, "generated locally") {
		t.Fatalf("a key for another circuit, from imported/ without an origin: %s: %s", v.PolicyDecision.Status, v.AllowedClaim)
	}
}
