package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// TestRedteamFinding_CompareFramesWithLyingRequestID: Compare matches the two
// receipts by the request_id FIELD each one states, then recomputes the
// reference output from the FIRST receipt's task. An attacker (who needs no
// key but its own, or none at all) writes a receipt for another task T1 that
// states node B's request_id, puts it first, and hands Compare node B's
// honest, signed receipt for its own task T2: the reference is T1's product,
// B's digest does not match it, and B's receipt is evidence (signature and
// node id verify), so Compare says "Escalate against B". Expected: no
// escalation (the tasks differ, or the first receipt's request_id does not
// verify), and an error or Undecided.
func TestRedteamFinding_CompareFramesWithLyingRequestID(t *testing.T) {
	redteamFinding(t, "compare escalates against an honest node when the other receipt states that node's request_id over another task")
	keyB := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32)) // nativeReceipt's node key: B
	keyM := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32)) // the attacker
	honestB := nativeReceipt(t, 16, prover.Options{Mode: receipt.ModeBinding})
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
			a, b, err := prover.Inputs(other, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			c, err := workload.Multiply(a, b, other.Payload.MatrixSize, other.Payload.FracBits)
			if err != nil {
				t.Fatal(err)
			}
			root, _ := merkle.RootHash(prover.RowLeaves(c, other.Payload.MatrixSize))
			rebind(t, st, keyM, hex.EncodeToString(root[:]))
		})
	}
	pol := verifier.BuiltinPolicies["binding-v1"]
	idB := nodeIDHex(keyB)
	for name, forged := range map[string]*receipt.Envelope{"signed by the attacker": forge(keyM), "signature broken": forge(nil)} {
		t.Run(name, func(t *testing.T) {
			cmp, err := verifier.Compare(forged, honestB.Envelope, verifier.Options{Policy: &pol}, verifier.Options{Policy: &pol})
			if err != nil {
				t.Logf("refused: %v", err)
				return
			}
			if slices.Contains(cmp.Escalate, idB) || strings.Contains(cmp.Advice, "Escalate against "+idB[:20]) {
				t.Errorf("honest node B framed: outcome %s, escalate %v, advice %q (verdict 1 failed %v; verdict 2 %s)",
					cmp.Outcome, cmp.Escalate, cmp.Advice, cmp.Verdicts[0].Failed(), cmp.Verdicts[1].PolicyDecision.Status)
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
	honestB := nativeReceipt(t, 16, prover.Options{Mode: receipt.ModeBinding})
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
