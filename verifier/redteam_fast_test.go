package verifier_test

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// Red team of the fast sampled verifier: the injected row product, its
// early start and its reference cross-check.

// TestRedteamEarlyRowsDoNotOutliveVerify: the rows started before the
// input commitment is checked are computed for any signed sampled receipt
// whose list is at most n in-range rows, before sampling.indices is
// checked. A node can sign a receipt listing every row (the full product)
// with randomness that does not select them: the verdict is a reject at
// sampling.indices, and the row product it set off must not still be
// running when Verify returns (work and memory outliving the verdict, with
// no bound on how many pile up across receipts, and reads of the caller's
// Options.A/B after Verify returned).
func TestRedteamEarlyRowsDoNotOutliveVerify(t *testing.T) {
	const n = 128
	honest := nativeReceipt(t, n, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW})
	everyRow := reSampled(t, honest.Envelope, func(r *receipt.Receipt) {
		r.Sampling.Indices = make([]int, n)
		for i := range r.Sampling.Indices {
			r.Sampling.Indices[i] = i
		}
	})
	shuffled := reSampled(t, honest.Envelope, func(r *receipt.Receipt) {
		s := r.Sampling
		s.Indices[0], s.Indices[1] = s.Indices[1], s.Indices[0]
	})
	for _, tc := range []struct {
		name string
		env  *receipt.Envelope
		want string // the failed check; "" for a pass
	}{
		{"every row listed", everyRow, "sampling"}, // k no longer the declared K
		{"two rows swapped", shuffled, "sampling.indices"},
		{"honest", honest.Envelope, ""},
	} {
		var running atomic.Int32
		slow := func(A, B []int16, n, f int, idx []int) ([]int64, error) {
			running.Add(1)
			defer running.Add(-1)
			time.Sleep(300 * time.Millisecond) // a large n's product
			return native.MultiplyRows(A, B, n, f, idx)
		}
		v := verifier.Verify(tc.env, verifier.Options{Policy: policy(t, "binding-v1"), RowProduct: slow})
		if left := running.Load(); left != 0 {
			t.Errorf("%s: %d row products still running after Verify returned its verdict", tc.name, left)
		}
		switch {
		case tc.want == "" && v.PolicyDecision.Status != verifier.Pass:
			t.Errorf("%s: status %s, failed %v", tc.name, v.PolicyDecision.Status, v.Failed())
		case tc.want != "" && !slices.Contains(v.Failed(), tc.want):
			t.Errorf("%s: failed %v, want %s", tc.name, v.Failed(), tc.want)
		}
	}
}

// TestRedteamEchoingRowProduct: a row product that returns the node's
// committed rows (what a verifier would get by trusting an executor the
// node controls) cannot pass a receipt whose every row is wrong: the row
// recomputed with the reference is one of them, whichever it is. What the
// cross-check does not give: a receipt wrong on one listed row of k passes
// such a product with probability (k−1)/k; an honest verifier's verdict
// rests on native.MultiplyRows being exact (the float64 argument and
// TestRedteamMultiplyRowsEdges), not on the cross-check.
func TestRedteamEchoingRowProduct(t *testing.T) {
	lying := nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW, ExecutorImpl: wrongRows{}})
	echo := func(A, B []int16, n, f int, idx []int) ([]int64, error) {
		c, err := wrongRows{}.Multiply(A, B, n, f)
		if err != nil {
			return nil, err
		}
		out := make([]int64, 0, len(idx)*n)
		for _, i := range idx {
			out = append(out, c[i*n:(i+1)*n]...)
		}
		return out, nil
	}
	for range 8 { // a different row is cross-checked each time
		v := verifier.Verify(lying.Envelope, verifier.Options{Policy: policy(t, "binding-v1"), RowProduct: echo})
		if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "sampling.rows_match") {
			t.Fatalf("an echoing row product passed a receipt wrong on every row: status %s, failed %v", v.PolicyDecision.Status, v.Failed())
		}
	}
}

// TestRedteamConcurrentVerifiesShareNoRows: Verify runs on several
// receipts at once with one Options (one RowProduct): each verdict is the
// reference's, so no run answers its rows from another's early product
// (different matrices: n = 64 and 128; different lists).
func TestRedteamConcurrentVerifiesShareNoRows(t *testing.T) {
	envs := []*receipt.Envelope{
		nativeReceipt(t, 64, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW}).Envelope,
		nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW}).Envelope,
		nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW, ExecutorImpl: wrongRows{}}).Envelope,
	}
	want := make([]string, len(envs))
	for i, env := range envs {
		want[i] = verifier.Verify(env, verifier.Options{Policy: policy(t, "binding-v1")}).PolicyDecision.Status
	}
	if want[0] != verifier.Pass || want[1] != verifier.Pass || want[2] != verifier.Reject {
		t.Fatalf("reference verdicts %v", want)
	}
	o := verifier.Options{Policy: policy(t, "binding-v1"), RowProduct: native.MultiplyRows}
	var wg sync.WaitGroup
	for round := range 4 {
		for i, env := range envs {
			wg.Go(func() {
				if got := verifier.Verify(env, o).PolicyDecision.Status; got != want[i] {
					t.Errorf("round %d receipt %d: status %s concurrently, %s alone with the reference", round, i, got, want[i])
				}
			})
		}
	}
	wg.Wait()
}
