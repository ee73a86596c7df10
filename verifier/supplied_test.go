package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// suppliedTask returns matrices as a user would supply them (here generated
// from an arbitrary seed) and the supplied task that names their commitment.
func suppliedTask(t *testing.T, n int) (workload.ComputeTask, []int16, []int16) {
	t.Helper()
	a, b, err := workload.Generate([32]byte{0x5e, 0x11}, n)
	if err != nil {
		t.Fatal(err)
	}
	ic, err := protocol.InputCommitment(a, b, n, 8)
	if err != nil {
		t.Fatal(err)
	}
	task, err := workload.NewSuppliedTask("6a1f2a9e-6b7d-4e21-9a0b-5c8d7e6f1a22", ic, n, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	return task, a, b
}

func suppliedRun(t *testing.T, cache keys.Cache, task workload.ComputeTask, a, b []int16, mode protocol.Mode) *prover.Result {
	t.Helper()
	res, err := prover.Run(context.Background(), prover.Options{Task: task, A: a, B: b, Mode: mode, Cache: cache,
		NodeKey: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32))})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// tweak returns a copy of m with one entry changed.
func tweak(m []int16) []int16 {
	out := slices.Clone(m)
	out[len(out)-1]++
	return out
}

func TestSuppliedInputsProverChecks(t *testing.T) {
	const n = 8
	task, a, b := suppliedTask(t, n)
	synth, err := workload.NewSyntheticTask("6a1f2a9e-6b7d-4e21-9a0b-5c8d7e6f1a22", [32]byte{1}, n, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		task workload.ComputeTask
		a, b []int16
		want string
	}{
		{"files that commit elsewhere", task, a, tweak(b), "do not match the task's input_commitment"},
		{"A and B swapped", task, b, a, "do not match"},
		{"no files", task, nil, nil, "give the A and B files"},
		{"wrong size", task, a[:n], b, "A has 8 entries"},
		{"files for a synthetic task", synth, a, b, "come from the seed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := prover.Run(context.Background(), prover.Options{Task: tc.task, A: tc.a, B: tc.b, Mode: protocol.ModeBinding,
				Cache: keys.Cache{Dir: t.TempDir()}, NodeKey: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32))})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	_, err = prover.Run(context.Background(), prover.Options{Task: task, A: a, B: tweak(b), Mode: protocol.ModeBinding,
		Cache: keys.Cache{Dir: t.TempDir()}, NodeKey: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32))})
	if !errors.Is(err, protocol.ErrInputsMismatch) {
		t.Fatalf("err = %v, want ErrInputsMismatch", err)
	}
}

// verifyCases runs the three ways a verifier meets a supplied receipt: with
// the right files, without files, and with files that differ.
func verifyCases(t *testing.T, env *receipt.Envelope, o verifier.Options, a, b []int16, withText, noFiles, noFilesText string) {
	t.Helper()
	with := o
	with.A, with.B = a, b
	v := verifier.Verify(env, with)
	if v.PolicyDecision.Status != verifier.Pass || !strings.Contains(v.AllowedClaim, withText) {
		t.Fatalf("with the files: %s (%v): %s", v.PolicyDecision.Status, v.Failed(), v.AllowedClaim)
	}
	checkClaim(t, v)

	v = verifier.Verify(env, o)
	text := v.AllowedClaim + v.PolicyDecision.Reason
	if v.PolicyDecision.Status != noFiles || !strings.Contains(text, noFilesText) {
		t.Fatalf("without the files: %s (%v), want %s mentioning %q: %s", v.PolicyDecision.Status, v.Failed(), noFiles, noFilesText, text)
	}
	checkClaim(t, v)

	for name, ab := range map[string][2][]int16{"B altered": {a, tweak(b)}, "A and B swapped": {b, a}} {
		bad := o
		bad.A, bad.B = ab[0], ab[1]
		v = verifier.Verify(env, bad)
		if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "input_commitment.files") {
			t.Fatalf("%s: %s, failed %v; want a reject naming input_commitment.files", name, v.PolicyDecision.Status, v.Failed())
		}
	}
}

func TestSuppliedInputsSampled(t *testing.T) {
	task, a, b := suppliedTask(t, 32)
	res := suppliedRun(t, keys.Cache{Dir: t.TempDir()}, task, a, b, protocol.ModeSampled)
	verifyCases(t, res.Envelope, verifier.Options{Policy: policy(t, "sampled-v1")}, a, b,
		"re-executed by the verifier from inputs supplied as files the verifier checked", verifier.Hold, "none were given")
}

func TestSuppliedInputsBinding(t *testing.T) {
	task, a, b := suppliedTask(t, 8)
	res := suppliedRun(t, keys.Cache{Dir: t.TempDir()}, task, a, b, protocol.ModeBinding)
	verifyCases(t, res.Envelope, verifier.Options{Policy: policy(t, "binding-v1")}, a, b,
		"Nothing is claimed about the output's correctness", verifier.Pass, "Nothing is claimed about the output's correctness")
}

// TestSuppliedInputsGroth16: the proof binds the supplied matrices through
// the input commitment, so it verifies without the files and the claim says
// the verifier did not see them.
func TestSuppliedInputsGroth16(t *testing.T) {
	f := getFixture(t) // keys for n = 4, f = 8 are in its cache
	task, a, b := suppliedTask(t, 4)
	res := suppliedRun(t, f.cache, task, a, b, protocol.ModeGroth16)
	if !res.Timings.SetupCached {
		t.Fatal("the supplied task did not reuse the synthetic task's keys")
	}
	verifyCases(t, res.Envelope, verifier.Options{Cache: f.cache}, a, b,
		"supplied as files the verifier checked against that commitment", verifier.Pass, "supplied as files the verifier did not see")
}
