package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// TestRedteamCompareLyingRequestID (issue 11 item 5; was a finding):
// Compare matched the two receipts by the request_id FIELD each one states,
// then recomputed the reference output from the FIRST receipt's task. An
// attacker (who needs no key but its own, or none at all) wrote a receipt
// for another task T1 that states node B's request_id, put it first, and
// handed Compare node B's honest, signed receipt for its own task T2: the
// reference was T1's product, B's digest did not match it, and B's receipt
// is evidence (signature and node id verify), so Compare said "Escalate
// against B". Now the request ids are recomputed from each receipt's task:
// two tasks are refused, naming the request_id field that misstates its own.
func TestRedteamCompareLyingRequestID(t *testing.T) {
	keyB := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32)) // nativeReceipt's node key: B
	keyM := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32)) // the attacker
	honestB := nativeReceipt(t, 16, prover.Options{Mode: protocol.ModeBinding})
	// The attacker's receipt: B's, with another task T1 (another seed) and
	// the correct output for T1, B's request_id field kept, signed with the
	// attacker's own key — or not validly signed at all.
	forge := func(signer ed25519.PrivateKey) *receipt.Envelope {
		return resign(t, honestB.Envelope, signer, func(st *receipt.Statement) {
			r := &st.Predicate
			seed := workload.DeriveSeed([32]byte{0xee}, "cpc1qattacker")
			other, err := workload.NewSyntheticTask(r.Task.TaskID, seed, r.Task.Payload.MatrixSize, r.Task.Payload.FracBits, r.Task.Reward, r.Task.Deadline)
			if err != nil {
				t.Fatal(err)
			}
			r.Task = other // r.RequestID still names B's task
			a, b, err := protocol.Inputs(other, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			c, err := workload.Multiply(a, b, other.Payload.MatrixSize, other.Payload.FracBits)
			if err != nil {
				t.Fatal(err)
			}
			root, _ := merkle.RootHash(sampling.RowLeaves(c, other.Payload.MatrixSize))
			rebind(t, st, keyM, hex.EncodeToString(root[:]))
		})
	}
	pol := verifier.BuiltinPolicies["binding-v1"]
	idB := nodeIDHex(keyB)
	for name, forged := range map[string]*receipt.Envelope{"signed by the attacker": forge(keyM), "signature broken": forge(nil)} {
		for _, order := range []string{"forged first", "forged second"} {
			t.Run(name+", "+order, func(t *testing.T) {
				e1, e2, lying := forged, honestB.Envelope, "receipt 1's request_id field"
				if order == "forged second" {
					e1, e2, lying = e2, e1, "receipt 2's request_id field"
				}
				cmp, err := verifier.Compare(e1, e2, verifier.Options{Policy: &pol}, verifier.Options{Policy: &pol})
				if err == nil {
					t.Fatalf("compared: outcome %s, escalate %v, advice %q", cmp.Outcome, cmp.Escalate, cmp.Advice)
				}
				if !strings.Contains(err.Error(), "different tasks") || !strings.Contains(err.Error(), lying+" states "+honestB.Receipt.RequestID+", which is not its task's") {
					t.Errorf("refused, but the error does not say why: %v", err)
				}
				if strings.Contains(err.Error(), idB) {
					t.Errorf("the refusal names node B: %v", err)
				}
			})
		}
	}
}

// TestRedteamCompareRequestIDFieldMisstated: two receipts of ONE task, one
// of which states another request_id than its task's. A receipt that
// misstates its request does not say which request its output answers: it
// is held against no one (not even its signer), the reference comes from
// the task of a receipt that states it correctly, and when neither does
// nothing is recomputed or escalated.
func TestRedteamCompareRequestIDFieldMisstated(t *testing.T) {
	keyB := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	keyM := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32))
	honestB := nativeReceipt(t, 16, prover.Options{Mode: protocol.ModeBinding})
	wrongRoot := strings.Repeat("5a", 32)
	misstate := func(env *receipt.Envelope, key ed25519.PrivateKey, digest string) *receipt.Envelope {
		return resign(t, env, key, func(st *receipt.Statement) {
			st.Predicate.RequestID = strings.Repeat("77", 32)
			rebind(t, st, key, digest)
		})
	}
	pol := verifier.BuiltinPolicies["binding-v1"]
	idB, idM := nodeIDHex(keyB), nodeIDHex(keyM)
	for _, tc := range []struct {
		name    string
		e1, e2  *receipt.Envelope
		matches [2]bool
		advice  string
	}{
		{"the attacker misstates it, wrong output", misstate(honestB.Envelope, keyM, wrongRoot), honestB.Envelope, [2]bool{false, true},
			"Node " + idB + "'s output matches the recomputation"},
		{"both misstate it", misstate(honestB.Envelope, keyM, wrongRoot), misstate(honestB.Envelope, keyB, honestB.Receipt.OutputDigest), [2]bool{false, false},
			"neither receipt states its task's request_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmp, err := verifier.Compare(tc.e1, tc.e2, verifier.Options{Policy: &pol}, verifier.Options{Policy: &pol})
			if err != nil {
				t.Fatal(err)
			}
			if cmp.Outcome != verifier.Undecided || len(cmp.Escalate) > 0 || cmp.RequestIDMatches != tc.matches || cmp.Evidence != [2]bool{true, true} {
				t.Fatalf("outcome %s, escalate %v, request_id matches %v, evidence %v; want undecided, none, %v, both\nadvice: %s",
					cmp.Outcome, cmp.Escalate, cmp.RequestIDMatches, cmp.Evidence, tc.matches, cmp.Advice)
			}
			if cmp.RequestID != honestB.Receipt.RequestID {
				t.Errorf("request_id %s, want the task's %s", cmp.RequestID, honestB.Receipt.RequestID)
			}
			for _, want := range []string{tc.advice, "receipt 1 (node " + idM + ") states request_id " + strings.Repeat("77", 32) + ", not its task's"} {
				if !strings.Contains(cmp.Advice, want) {
					t.Errorf("advice lacks %q: %s", want, cmp.Advice)
				}
			}
			if strings.Contains(cmp.Advice, "Escalate") {
				t.Errorf("escalation advised: %s", cmp.Advice)
			}
		})
	}
}

// TestRedteamCompareSameTaskWrongFirst: with a first receipt of the SAME
// task whose digest is wrong, the attacker (not B) is blamed: the reference
// is right when the tasks agree.
func TestRedteamCompareSameTaskWrongFirst(t *testing.T) {
	keyB := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	keyM := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32))
	honestB := nativeReceipt(t, 16, prover.Options{Mode: protocol.ModeBinding})
	forged := resign(t, honestB.Envelope, keyM, func(st *receipt.Statement) { rebind(t, st, keyM, strings.Repeat("5a", 32)) })
	pol := verifier.BuiltinPolicies["binding-v1"]
	cmp, err := verifier.Compare(forged, honestB.Envelope, verifier.Options{Policy: &pol}, verifier.Options{Policy: &pol})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(cmp.Escalate, nodeIDHex(keyB)) || !slices.Contains(cmp.Escalate, nodeIDHex(keyM)) {
		t.Errorf("escalate %v: want the attacker only", cmp.Escalate)
	}
}
