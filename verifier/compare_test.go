package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

func TestCompare(t *testing.T) {
	keyB := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32))
	a := nativeReceipt(t, 16, prover.Options{Mode: receipt.ModeBinding})
	b := nativeReceipt(t, 16, prover.Options{Mode: receipt.ModeBinding})
	// Node B: the same task, its own key.
	honestB := resign(t, b.Envelope, keyB, func(st *receipt.Statement) { rebind(t, st, keyB, st.Predicate.OutputDigest) })
	pol := verifier.BuiltinPolicies["binding-v1"]

	cmp, err := verifier.Compare(a.Envelope, honestB, verifier.Options{Policy: &pol})
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Agree {
		t.Fatalf("honest nodes disagree: %+v", cmp)
	}

	// Node B returns a wrong output: a different root, correctly bound and signed.
	wrong := resign(t, b.Envelope, keyB, func(st *receipt.Statement) {
		rebind(t, st, keyB, strings.Repeat("5a", 32))
	})
	cmp, err = verifier.Compare(a.Envelope, wrong, verifier.Options{Policy: &pol})
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Agree || cmp.Reference == nil || !cmp.Reference.Correct[0] || cmp.Reference.Correct[1] {
		t.Fatalf("disagreement not attributed: %+v", cmp.Reference)
	}
	idB := receipt.NodeID(keyB.Public().(ed25519.PublicKey))
	if !strings.Contains(cmp.Advice, "Escalate against "+hex.EncodeToString(idB[:])[:20]) {
		t.Errorf("advice does not name node B: %s", cmp.Advice)
	}
	if cmp.Verdicts[0].PolicyDecision.Status != verifier.Pass || cmp.Verdicts[1].PolicyDecision.Status != verifier.Pass {
		t.Errorf("a binding receipt verifies even when its output is wrong: binding proves nothing about correctness")
	}

	if _, err := verifier.Compare(a.Envelope, a.Envelope, verifier.Options{Policy: &pol}); err == nil {
		t.Error("one node compared with itself")
	}
}

// rebind makes the statement key's receipt with output digest d, as that
// node would make it (PoE, subjects, sample indices and receipt id follow).
func rebind(t *testing.T, st *receipt.Statement, key ed25519.PrivateKey, d string) {
	t.Helper()
	r := &st.Predicate
	st.Subject[1].Digest = map[string]string{receipt.SubjectAlgorithm(r.OutputDigestAlg): d}
	pub := key.Public().(ed25519.PublicKey)
	id := receipt.NodeID(pub)
	r.Node = receipt.Node{PublicKey: hex.EncodeToString(pub), NodeID: hex.EncodeToString(id[:])}
	r.OutputDigest = d
	req, _ := receipt.DecodeHex32("request_id", r.RequestID)
	dig, _ := receipt.DecodeHex32("output_digest", d)
	poe := receipt.PoE(req, dig, id)
	r.PoE = hex.EncodeToString(poe[:])
	var err error
	if r.ReceiptID, err = r.ComputeID(); err != nil {
		t.Fatal(err)
	}
}
