package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// The signed payload is parsed with encoding/json, which matches object keys
// case-insensitively (Unicode simple folding: "ſ" is "s", "K" is "k") and
// lets the last of duplicate keys win. Any other reader of the same signed
// bytes — a case-sensitive parser, a first-key-wins one, jq, a browser —
// may see different values from the ones the verifier judged, while the
// receipt_id (computed from the Go struct) stays the honest one. A node can
// therefore sign a receipt that verify passes and that, read by anything
// else, carries its own verdict (item 3) or another output digest.

// spliceKey replaces the first `"key":<old>` in payload by extra (raw JSON
// members), failing the test when the member is not there.
func spliceKey(t *testing.T, payload []byte, member, replacement string) []byte {
	t.Helper()
	if !bytes.Contains(payload, []byte(member)) {
		t.Fatalf("payload lacks %s", member)
	}
	return bytes.Replace(payload, []byte(member), []byte(replacement), 1)
}

// caseSensitiveView reads the predicate the way a case-sensitive reader does
// (exact keys; for duplicates, encoding/json's map decoding keeps the last).
func caseSensitiveView(t *testing.T, payload []byte) map[string]any {
	t.Helper()
	var st map[string]any
	if err := json.Unmarshal(payload, &st); err != nil {
		t.Fatal(err)
	}
	pred, _ := st["predicate"].(map[string]any)
	return pred
}

// nonCanonical reports whether v failed envelope.payload as a non-canonical
// payload, naming field.
func nonCanonical(v *verifier.Verdict, field string) bool {
	for _, c := range v.PolicyDecision.Checks {
		if c.Name == "envelope.payload" && c.Status == "fail" {
			return strings.Contains(c.Detail, receipt.ErrNonCanonical.Error()) && strings.Contains(c.Detail, "in "+field+",")
		}
	}
	return false
}

// TestRedteamCaseFoldedVerdict tried to bypass the item-3 fix: the node puts
// its own pass verdict and widened claim under the exact keys
// policy_decision and allowed_claim, followed by case-folded twins set to
// null. encoding/json keeps the null (last wins, keys fold), so every
// CheckUnjudged check passed and verify said pass, while a case-sensitive
// reader of the same signed bytes sees policy_decision {status: pass, policy
// zk-strict-v1} and the widened claim. Now refused: the payload is not the
// canonical encoding of what it decodes to (envelope.payload, naming
// predicate.policy_decision).
func TestRedteamCaseFoldedVerdict(t *testing.T) {
	res := nativeReceipt(t, 16, prover.Options{Mode: protocol.ModeBinding})
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	raw := payloadOf(t, res.Envelope)
	verdictJSON := `{"status":"pass","reason":"all checks pass","policy_id":"zk-strict-v1","checks":[{"name":"proof.verify","status":"pass"}]}`
	for _, tc := range []struct{ name, decisionTwin, claimTwin string }{
		{"upper case twins", "POLICY_DECISION", "ALLOWED_CLAIM"},
		{"long-s twin (U+017F folds to s)", "policy_deciſion", "Allowed_Claim"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := spliceKey(t, raw, `"policy_decision":null`,
				`"policy_decision":`+verdictJSON+`,"`+tc.decisionTwin+`":null`)
			p = spliceKey(t, p, `"allowed_claim":null`,
				`"allowed_claim":"Output digest X is the correct product, proved under a multi-party setup.","`+tc.claimTwin+`":null`)
			view := caseSensitiveView(t, p)
			if view["policy_decision"] == nil || view["allowed_claim"] == nil {
				t.Fatalf("the splice did not put a verdict in the case-sensitive view: %v", view["policy_decision"])
			}
			env := signRaw(key, p)
			for _, pol := range []string{"binding-v1", "zk-strict-v1"} {
				v := verdict(t, env, pol)
				if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "policy_decision") && !nonCanonical(v, "predicate.policy_decision") {
					t.Errorf("%s: a signed receipt whose bytes carry policy_decision %v got %s (%+v); want reject naming policy_decision (or a non-canonical payload there)",
						pol, view["policy_decision"], v.PolicyDecision.Status, v.PolicyDecision.Checks)
				}
			}
		})
	}
}

// TestRedteamDuplicateKeyDigest: the output_digest the verifier judged was
// not the one other readers see. The payload carries a fake digest under
// "output_digest" and the real one under "OUTPUT_DIGEST" (or a second exact
// "output_digest", for first-key-wins readers); verify passed the real one,
// and the receipt_id is the honest receipt's, so a verdict for that
// receipt_id could be shown next to signed bytes that name another output.
// Now a payload that is not the canonical encoding of what was parsed is
// rejected (envelope.payload, naming predicate.output_digest).
func TestRedteamDuplicateKeyDigest(t *testing.T) {
	res := nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW})
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	raw := payloadOf(t, res.Envelope)
	real := res.Receipt.OutputDigest
	fake := strings.Repeat("5a", 32)
	for _, tc := range []struct{ name, replacement string }{
		{"case-folded twin", `"output_digest":"` + fake + `","OUTPUT_DIGEST":"` + real + `"`},
		{"exact duplicate (first-key-wins readers see the fake)", `"output_digest":"` + fake + `","output_digest":"` + real + `"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := spliceKey(t, raw, `"output_digest":"`+real+`"`, tc.replacement)
			env := signRaw(key, p)
			v := verdict(t, env, "binding-v1")
			if v.PolicyDecision.Status != verifier.Reject || !nonCanonical(v, "predicate.output_digest") {
				t.Errorf("a payload that also names output digest %s…: %s %+v; want reject, a non-canonical payload at predicate.output_digest",
					fake[:8], v.PolicyDecision.Status, v.PolicyDecision.Checks)
			}
		})
	}
}

// TestRedteamSubjectListedTwice: checkSubjects wanted two subjects, each
// named input_commitment or output_digest with the matching digest, but not
// one of each: a statement whose subjects were the input commitment twice,
// and no output digest, passed (in-toto tooling that matches artifacts by
// subject then finds no output in the signed statement). Now the subjects
// must be exactly one of each name and no others.
func TestRedteamSubjectListedTwice(t *testing.T) {
	res := nativeReceipt(t, 16, prover.Options{Mode: protocol.ModeBinding})
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	extra := receipt.Subject{Name: "model.bin", Digest: map[string]string{"sha256": strings.Repeat("00", 32)}}
	for _, tc := range []struct {
		name   string
		mutate func(s []receipt.Subject) []receipt.Subject
		detail string
	}{
		{"input commitment twice, no output digest", func(s []receipt.Subject) []receipt.Subject { return []receipt.Subject{s[0], s[0]} }, `no "output_digest" subject`},
		{"output digest twice, no input commitment", func(s []receipt.Subject) []receipt.Subject { return []receipt.Subject{s[1], s[1]} }, `"output_digest" is listed more than once`},
		{"a third subject", func(s []receipt.Subject) []receipt.Subject { return append(s, extra) }, `name "model.bin" is not one of`},
		{"one subject replaced by another name", func(s []receipt.Subject) []receipt.Subject { return []receipt.Subject{s[0], extra} }, `no "output_digest" subject`},
		{"no subjects", func([]receipt.Subject) []receipt.Subject { return nil }, `no "input_commitment" subject`},
		{"10k subjects", func(s []receipt.Subject) []receipt.Subject { return slices.Repeat(s, 5000) }, "10000 subjects listed, want exactly 2"},
		{"output digest under a second algorithm too", func(s []receipt.Subject) []receipt.Subject {
			s[1].Digest["sha256"] = strings.Repeat("00", 32)
			return s
		}, "the output_digest digest does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := resign(t, res.Envelope, key, func(st *receipt.Statement) { st.Subject = tc.mutate(st.Subject) })
			v := verdict(t, env, "binding-v1")
			i := slices.IndexFunc(v.PolicyDecision.Checks, func(c receipt.Check) bool { return c.Name == "statement.subject" })
			if v.PolicyDecision.Status != verifier.Reject || i < 0 || !strings.Contains(v.PolicyDecision.Checks[i].Detail, tc.detail) {
				t.Errorf("status %s, checks %+v; want reject, statement.subject naming %s", v.PolicyDecision.Status, v.PolicyDecision.Checks, tc.detail)
			}
		})
	}
	// The same subjects in the other order are the same statement.
	env := resign(t, res.Envelope, key, func(st *receipt.Statement) { slices.Reverse(st.Subject) })
	if v := verdict(t, env, "binding-v1"); v.PolicyDecision.Status != verifier.Pass {
		t.Errorf("subjects reordered: %s %v", v.PolicyDecision.Status, v.Failed())
	}
}
