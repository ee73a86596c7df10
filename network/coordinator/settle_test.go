package coordinator_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// fakeChain is a registry in memory whose Post fails as told.
type fakeChain struct {
	mu sync.Mutex
	// failPosts: the first failPosts Posts fail; landFailed: a failing
	// Post lands on chain all the same (its answer lost).
	failPosts  int
	landFailed bool
	// takenBy: the task ids are taken on the registry by this poster.
	takenBy string
	posts   int
	posted  map[string]network.ChainOutcome
}

const fakeAccount = "0x00000000000000000000000000000000000000C0"

func (f *fakeChain) Ref(context.Context) (network.ChainRef, error) {
	return network.ChainRef{ChainID: 1337, Registry: "0x00000000000000000000000000000000000000AA"}, nil
}
func (f *fakeChain) Account() string { return fakeAccount }
func (f *fakeChain) Eligible(task workload.ComputeTask, env *receipt.Envelope) (string, error) {
	st, _, err := env.Statement()
	if err != nil {
		return "", err
	}
	return st.Predicate.Node.WorkerAddress, nil
}
func (f *fakeChain) Post(ctx context.Context, task workload.ComputeTask, env *receipt.Envelope) (network.ChainTx, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts++
	worker, _ := f.Eligible(task, env)
	land := func() {
		f.posted[task.TaskID] = network.ChainOutcome{Posted: true, Poster: fakeAccount, Named: worker, Deadline: task.Deadline}
	}
	if f.posts <= f.failPosts {
		if f.landFailed {
			land()
		}
		return network.ChainTx{}, errors.New("connection reset")
	}
	land()
	return network.ChainTx{Hash: fmt.Sprintf("0x%064x", f.posts), Block: uint64(f.posts)}, nil
}
func (f *fakeChain) Outcome(ctx context.Context, id string) (network.ChainOutcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.takenBy != "" {
		return network.ChainOutcome{Posted: true, Poster: f.takenBy, Named: f.takenBy}, nil
	}
	return f.posted[id], nil
}
func (f *fakeChain) Refund(ctx context.Context, id string) (network.ChainTx, error) {
	return network.ChainTx{}, network.ErrNotYet
}
func (f *fakeChain) pay(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.posted[id]
	o.Settled, o.Paid, o.Tx = true, true, network.ChainTx{Hash: "0xpaid", Block: 99}
	f.posted[id] = o
}

func (e *env) settlement(id string) (network.ChainSettlement, bool) {
	kv, err := e.js.KeyValue(e.ctx, network.ChainBucket)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := kv.Get(e.ctx, id); err != nil {
		return network.ChainSettlement{}, false
	}
	return record[network.ChainSettlement](e, network.ChainBucket, id), true
}

// TestChainSettlement: the coordinator's side of settling on a registry,
// against a registry in memory: retries, a post whose answer was lost, a
// task id someone else took, and giving up; each ends with the worker
// paid once — by the registry, or by the ledger.
func TestChainSettlement(t *testing.T) {
	for _, tc := range []struct {
		name  string
		chain *fakeChain
		// state the settlement reaches, posts made, and the credit's settlement then
		state  string
		posts  int
		credit string
		errSub string
	}{
		{"posted first time", &fakeChain{}, network.ChainPosted, 1, network.SettleChain, ""},
		{"three failures, then posted", &fakeChain{failPosts: 3}, network.ChainPosted, 4, network.SettleChain, ""},
		{"answer lost: not posted twice", &fakeChain{failPosts: 1, landFailed: true}, network.ChainPosted, 1, network.SettleChain, ""},
		{"task id taken by another poster", &fakeChain{takenBy: "0x00000000000000000000000000000000000000Ee"}, network.ChainFailed, 0, "", "taken on the registry"},
		{"chain down: credited on the ledger", &fakeChain{failPosts: 1 << 30}, network.ChainFailed, coordinator.MaxChainTries, "", "failed attempts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.chain.posted = map[string]network.ChainOutcome{}
			e := start(t, coordinator.Config{Chain: tc.chain, ChainEvery: 20 * time.Millisecond})
			newWorker(t, e, "alice", false)
			newWorker(t, e, "bob", false)
			task := post(e)
			var s network.ChainSettlement
			e.waitFor("settlement "+tc.state, func() bool {
				var ok bool
				s, ok = e.settlement(task.TaskID)
				// posted: and the submit job sent, one step later
				return ok && s.State == tc.state && (s.State != network.ChainPosted || s.SubmitSent)
			})
			if !strings.Contains(s.Error, tc.errSub) {
				t.Fatalf("settlement error %q, want %q", s.Error, tc.errSub)
			}
			tc.chain.mu.Lock()
			posts := tc.chain.posts
			tc.chain.mu.Unlock()
			if posts != tc.posts {
				t.Fatalf("%d posts, want %d", posts, tc.posts)
			}
			e.waitFor("the task in a block", func() bool {
				r := e.task(task.TaskID)
				return r.Accepted != nil && r.Accepted.Block > 0
			})
			le, _, _ := e.ledger("credit." + task.RequestID)
			r := e.task(task.TaskID)
			want := tc.credit
			if want == "" {
				want = network.SettleLedger
			}
			if le.Settlement != tc.credit || r.Settlement != want {
				t.Fatalf("credit settlement %q, task %q; want %q", le.Settlement, r.Settlement, tc.credit)
			}
			if tc.state != network.ChainPosted {
				return
			}
			// The worker was sent its receipt to submit; once the registry
			// pays, the settlement is final.
			if !s.SubmitSent || s.Node != r.Accepted.Node {
				t.Fatalf("settlement %+v", s)
			}
			tc.chain.pay(task.TaskID)
			e.waitFor("paid", func() bool { s, _ = e.settlement(task.TaskID); return s.State == network.ChainPaid })
			if s.PaidTx != "0xpaid" || s.PaidBlock != 99 {
				t.Fatalf("settlement %+v", s)
			}
		})
	}
}

// TestChainSettlementResumes: a settlement the coordinator was stopped in
// the middle of (the chain was down) is resumed by the next one.
func TestChainSettlementResumes(t *testing.T) {
	down := &fakeChain{failPosts: 1 << 30, posted: map[string]network.ChainOutcome{}}
	cfg := coordinator.Config{Address: "cpc1coordinator", BlockInterval: 300 * time.Millisecond, Chain: down, ChainEvery: 50 * time.Millisecond}
	e, stop := startStoppable(t, cfg, 40*time.Second)
	newWorker(t, e, "alice", false)
	newWorker(t, e, "bob", false)
	task := post(e)
	e.waitFor("a failed post", func() bool { s, ok := e.settlement(task.TaskID); return ok && s.Tries > 0 })
	stop()
	up := &fakeChain{posted: map[string]network.ChainOutcome{}}
	cfg.Chain = up
	defer runCoord(t, e.nc, cfg)()
	e.waitFor("posted after the restart", func() bool { s, _ := e.settlement(task.TaskID); return s.State == network.ChainPosted })
	up.mu.Lock()
	defer up.mu.Unlock()
	if up.posts != 1 {
		t.Fatalf("%d posts after the restart", up.posts)
	}
}
