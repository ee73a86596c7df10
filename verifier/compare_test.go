package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// TestCompare: two nodes' binding receipts for one task. Escalation is
// advised only against a node whose own signed receipt (signature and
// identity verified) carries the wrong output; a receipt that fails its
// signature is evidence against no one, and a side that does not pass
// verification never yields "agree".
func TestCompare(t *testing.T) {
	keyA := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32)) // nativeReceipt's node key
	keyB := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32))
	a := nativeReceipt(t, 16, prover.Options{Mode: protocol.ModeBinding})
	// Node B: the same task, its own key.
	honestB := resign(t, a.Envelope, keyB, func(st *receipt.Statement) { rebind(t, st, keyB, st.Predicate.OutputDigest) })
	idA, idB := nodeIDHex(keyA), nodeIDHex(keyB)
	wrongRoot := strings.Repeat("5a", 32)
	binding := verifier.BuiltinPolicies["binding-v1"]
	strict := verifier.BuiltinPolicies["zk-strict-v1"]

	for _, tc := range []struct {
		name     string
		e1, e2   *receipt.Envelope
		policy   verifier.Policy
		outcome  string
		evidence [2]bool
		escalate []string
		advice   string // a phrase the advice must contain
	}{
		{"honest nodes agree", a.Envelope, honestB, binding, verifier.Agree, [2]bool{true, true}, nil, "The nodes agree"},
		{"B signed a wrong output", a.Envelope,
			resign(t, honestB, keyB, func(st *receipt.Statement) { rebind(t, st, keyB, wrongRoot) }),
			binding, verifier.Disagree, [2]bool{true, true}, []string{idB}, "Escalate against " + idB[:20]},
		{"A signed a wrong output", resign(t, a.Envelope, keyA, func(st *receipt.Statement) { rebind(t, st, keyA, wrongRoot) }), honestB,
			binding, verifier.Disagree, [2]bool{true, true}, []string{idA}, "Escalate against " + idA[:20]},
		// The framing attack: B's honest receipt with its output digest
		// changed by someone without B's key.
		{"B's receipt altered, not re-signed", a.Envelope,
			resign(t, honestB, nil, func(st *receipt.Statement) { rebind(t, st, keyB, wrongRoot) }),
			binding, verifier.Undecided, [2]bool{true, false}, nil, "receipt 2 is not evidence"},
		{"A's receipt altered, not re-signed", resign(t, a.Envelope, nil, func(st *receipt.Statement) { rebind(t, st, keyA, wrongRoot) }), honestB,
			binding, verifier.Undecided, [2]bool{false, true}, nil, "receipt 1 is not evidence"},
		{"same digests, one signature broken", a.Envelope,
			resign(t, honestB, nil, func(st *receipt.Statement) { st.Predicate.BenchmarkResult.ProveSeconds = 9 }),
			binding, verifier.Undecided, [2]bool{true, false}, nil, "receipt 2 is not evidence"},
		{"same digests, neither passes the policy", a.Envelope, honestB, strict, verifier.Undecided, [2]bool{true, true}, nil, "did not pass"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol := tc.policy
			cmp, err := verifier.Compare(tc.e1, tc.e2, verifier.Options{Policy: &pol}, verifier.Options{Policy: &pol})
			if err != nil {
				t.Fatal(err)
			}
			if cmp.Outcome != tc.outcome || cmp.Evidence != tc.evidence || !slices.Equal(cmp.Escalate, tc.escalate) {
				t.Fatalf("outcome %s, evidence %v, escalate %v; want %s, %v, %v\nadvice: %s",
					cmp.Outcome, cmp.Evidence, cmp.Escalate, tc.outcome, tc.evidence, tc.escalate, cmp.Advice)
			}
			t.Logf("%s: %s", cmp.Outcome, cmp.Advice)
			if cmp.Agree != (tc.outcome == verifier.Agree) {
				t.Errorf("agree = %v with outcome %s", cmp.Agree, cmp.Outcome)
			}
			if !strings.Contains(cmp.Advice, tc.advice) {
				t.Errorf("advice lacks %q: %s", tc.advice, cmp.Advice)
			}
			for i, ev := range tc.evidence {
				if !ev && strings.Contains(cmp.Advice, "Escalate against "+cmp.Nodes[i][:20]) {
					t.Errorf("escalation on the strength of a receipt that is not evidence: %s", cmp.Advice)
				}
			}
		})
	}

	if _, err := verifier.Compare(a.Envelope, a.Envelope, verifier.Options{Policy: &binding}, verifier.Options{Policy: &binding}); err == nil {
		t.Error("one node compared with itself")
	}
}

func nodeIDHex(key ed25519.PrivateKey) string {
	id := protocol.NodeID(key.Public().(ed25519.PublicKey))
	return hex.EncodeToString(id[:])
}

// rebind makes the statement key's receipt with output digest d, as that
// node would make it (PoE, subjects, sample indices and receipt id follow).
func rebind(t *testing.T, st *receipt.Statement, key ed25519.PrivateKey, d string) {
	t.Helper()
	r := &st.Predicate
	st.Subject[1].Digest = map[string]string{receipt.SubjectAlgorithm(r.OutputDigestAlg): d}
	pub := key.Public().(ed25519.PublicKey)
	id := protocol.NodeID(pub)
	r.Node = receipt.Node{PublicKey: hex.EncodeToString(pub), NodeID: hex.EncodeToString(id[:])}
	r.OutputDigest = d
	req, _ := receipt.DecodeHex32("request_id", r.RequestID)
	dig, _ := receipt.DecodeHex32("output_digest", d)
	poe := protocol.PoE(req, dig, id)
	r.PoE = hex.EncodeToString(poe[:])
	var err error
	if r.ReceiptID, err = r.ComputeID(); err != nil {
		t.Fatal(err)
	}
}
