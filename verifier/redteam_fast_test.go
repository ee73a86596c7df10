package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
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

// TestRedteamReusedCommitmentCurve: for a task bound over BLS12-381 the
// verifier checks the task's BLS12-381 commitment, and a sampled receipt
// must carry the BN254 one: a receipt carrying the commitment the verifier
// just checked (the task's own, over the wrong curve) is refused at
// input_commitment, with either row product; so is the other way round.
func TestRedteamReusedCommitmentCurve(t *testing.T) {
	const n = 64
	seed := workload.DeriveSeed([32]byte{9}, "cpc1qreuse")
	for _, curve := range []protocol.Curve{protocol.BN254, protocol.BLS12381} {
		task, err := protocol.NewSyntheticTask(curve, "7c1f2a9e-6b7d-4e21-9a0b-5c8d7e6f1a22", seed, n, 8, "5", 1795000000)
		if err != nil {
			t.Fatal(err)
		}
		res, err := prover.Run(context.Background(), prover.Options{Task: task, Mode: protocol.ModeSampled, Sampling: cheapPoW,
			NodeKey: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32)), Cache: keys.Cache{Dir: t.TempDir()}})
		if err != nil {
			t.Fatal(err)
		}
		a, b, err := workload.Generate(mustSeed(t, task), n)
		if err != nil {
			t.Fatal(err)
		}
		other := protocol.BLS12381
		if curve == protocol.BLS12381 {
			other = protocol.BN254
		}
		otherIC, _ := protocol.InputCommitmentOn(other, a, b, n, 8)
		taskIC := task.Payload.InputCommitment
		for _, tc := range []struct {
			name string
			env  *receipt.Envelope
			want string
		}{
			{"honest", res.Envelope, ""},
			{"the task's own commitment", reSampled(t, res.Envelope, func(r *receipt.Receipt) { r.InputCommitment = taskIC }), "input_commitment"},
			{"the other curve's commitment", reSampled(t, res.Envelope, func(r *receipt.Receipt) { r.InputCommitment = hex.EncodeToString(otherIC[:]) }), "input_commitment"},
		} {
			if curve == protocol.BN254 && tc.name == "the task's own commitment" || curve == protocol.BLS12381 && tc.name == "the other curve's commitment" {
				tc.want = "" // the BN254 commitment: the one a sampled receipt carries
			}
			for _, rp := range []rowProduct{nil, native.MultiplyRows} {
				v := verifier.Verify(tc.env, verifier.Options{Policy: policy(t, "binding-v1"), RowProduct: rp})
				switch {
				case tc.want == "" && v.PolicyDecision.Status != verifier.Pass:
					t.Errorf("%s task, %s: status %s, failed %v", curve, tc.name, v.PolicyDecision.Status, v.Failed())
				case tc.want != "" && !slices.Contains(v.Failed(), tc.want):
					t.Errorf("%s task, %s: status %s, failed %v, want %s", curve, tc.name, v.PolicyDecision.Status, v.Failed(), tc.want)
				}
			}
		}
	}
}

// TestRedteamRandomMutationsSameVerdict: random one-field tampering of a
// sampled receipt (an index, a path hash, the nonce, the root, K, a row
// length) gives check for check the same verdict with the reference rows
// and with native.MultiplyRows started early (64 draws).
func TestRedteamRandomMutationsSameVerdict(t *testing.T) {
	honest := nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW})
	rng := mrand.New(mrand.NewPCG(11, 13))
	flipHex := func(s string, at int) string {
		b := []byte(s)
		i := at % len(b)
		b[i] = "0123456789abcdef"[(strings.IndexByte("0123456789abcdef", b[i])+1)%16]
		return string(b)
	}
	mutations := []func(r *receipt.Receipt){
		func(r *receipt.Receipt) { r.Sampling.Indices[rng.IntN(len(r.Sampling.Indices))] = rng.IntN(128) },
		func(r *receipt.Receipt) {
			p := r.Sampling.Paths[rng.IntN(len(r.Sampling.Paths))]
			j := rng.IntN(len(p))
			p[j] = flipHex(p[j], rng.IntN(64))
		},
		func(r *receipt.Receipt) { r.Sampling.Nonce = flipHex(r.Sampling.Nonce, rng.IntN(64)) },
		func(r *receipt.Receipt) { r.OutputDigest = flipHex(r.OutputDigest, rng.IntN(64)) },
		func(r *receipt.Receipt) { r.Sampling.K-- },
		func(r *receipt.Receipt) {
			p := &r.Sampling.Paths[rng.IntN(len(r.Sampling.Paths))]
			*p = (*p)[:len(*p)-1]
		},
		func(r *receipt.Receipt) {
			i, j := rng.IntN(len(r.Sampling.Indices)), rng.IntN(len(r.Sampling.Indices))
			r.Sampling.Paths[i], r.Sampling.Paths[j] = r.Sampling.Paths[j], r.Sampling.Paths[i]
		},
	}
	for d := range 64 {
		env := reSampled(t, honest.Envelope, mutations[d%len(mutations)])
		ref := verifier.Verify(env, verifier.Options{Policy: policy(t, "binding-v1")})
		fast := verifier.Verify(env, verifier.Options{Policy: policy(t, "binding-v1"), RowProduct: native.MultiplyRows})
		if ref.PolicyDecision.Status != fast.PolicyDecision.Status ||
			!slices.EqualFunc(ref.PolicyDecision.Checks, fast.PolicyDecision.Checks, func(a, b receipt.Check) bool { return a.Name == b.Name && a.Status == b.Status }) {
			t.Fatalf("draw %d (mutation %d): reference %s %v, native %s %v", d, d%len(mutations), ref.PolicyDecision.Status, ref.Failed(), fast.PolicyDecision.Status, fast.Failed())
		}
	}
}
