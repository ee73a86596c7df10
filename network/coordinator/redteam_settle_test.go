package coordinator_test

// Red-team tests of chain settlement (settle.go) against a registry in
// memory: states the flow can reach in which an accepted result's reward
// is paid to nobody, or to another worker than the accepted one.

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// gatedChain is fakeChain whose posts fail while down, that records the
// coordinator's clock at each successful post, and whose Refund refunds
// a posted, unsettled task (the registry's refund after the deadline).
type gatedChain struct {
	*fakeChain
	down     atomic.Bool
	now      func() time.Time
	mu       sync.Mutex
	postedAt time.Time
	// atOutcome, when set, runs at each Outcome of a task not posted yet
	// (before settlePost's deadline check): the test moves the clock there.
	atOutcome func(deadline int64)
	deadline  int64
}

func (g *gatedChain) Outcome(ctx context.Context, id string) (network.ChainOutcome, error) {
	o, err := g.fakeChain.Outcome(ctx, id)
	if err == nil && !o.Posted && !g.down.Load() && g.atOutcome != nil {
		g.atOutcome(g.deadline)
	}
	return o, err
}

func (g *gatedChain) Post(ctx context.Context, task workload.ComputeTask, env *receipt.Envelope) (network.ChainTx, error) {
	if g.down.Load() {
		return network.ChainTx{}, errors.New("connection refused")
	}
	g.mu.Lock()
	g.postedAt = g.now()
	g.mu.Unlock()
	return g.fakeChain.Post(ctx, task, env)
}

func (g *gatedChain) Refund(ctx context.Context, id string) (network.ChainTx, error) {
	g.fakeChain.mu.Lock()
	defer g.fakeChain.mu.Unlock()
	o := g.posted[id]
	if !o.Posted || o.Settled {
		return network.ChainTx{}, network.ErrNotYet
	}
	o.Settled, o.Tx = true, network.ChainTx{Hash: "0xrefund", Block: 98}
	g.posted[id] = o
	return o.Tx, nil
}

// TestRedteamSettlePostedTooLateToSubmit: the coordinator posts a task on
// the registry as long as its deadline is in the future by any margin,
// and sends the worker its RoleSubmit job one ChainEvery later. The
// registry pays a submission only while block.timestamp <= deadline, so a
// result accepted (or a post that lands after retries) within ChainEvery
// of the deadline is escrowed when no submission can reach the registry
// in time: the escrow is refunded to the coordinator, the credit stays
// SettleChain, and the accepted worker is paid nowhere. The deadline is
// the poster's (the market is unauthenticated): a poster can aim it.
//
// The clock is moved to 0.3 s before the deadline when settlePost reads
// the registry (just before its deadline check), so the test does not
// depend on the ticker's phase.
func TestRedteamSettlePostedTooLateToSubmit(t *testing.T) {
	var skew atomic.Int64 // nanoseconds added to the coordinator's clock
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	g := &gatedChain{fakeChain: &fakeChain{posted: map[string]network.ChainOutcome{}}, now: now}
	g.down.Store(true)
	const every = time.Second
	e := start(t, coordinator.Config{Chain: g, ChainEvery: every, Now: now})
	newWorker(t, e, "alice", false)
	newWorker(t, e, "bob", false)
	task := post(e)
	e.waitFor("an accepted result, its post failing", func() bool { s, ok := e.settlement(task.TaskID); return ok && s.Tries > 0 })
	g.mu.Lock()
	g.deadline = task.Task.Deadline
	g.atOutcome = func(d int64) {
		if skew.Load() == 0 {
			skew.Store(int64(time.Until(time.Unix(d, 0)) - 300*time.Millisecond))
		}
	}
	g.mu.Unlock()
	g.down.Store(false)
	var s network.ChainSettlement
	e.waitFor("the submit job sent, or the settlement final", func() bool {
		var ok bool
		s, ok = e.settlement(task.TaskID)
		return ok && (s.SubmitSent || s.Final())
	})
	sentAt := s.UpdatedAt
	e.waitFor("the settlement final", func() bool { s, _ = e.settlement(task.TaskID); return s.Final() })
	le, _, _ := e.ledger("credit." + task.RequestID)
	g.mu.Lock()
	postedAt := g.postedAt
	g.mu.Unlock()
	deadlineMs := task.Task.Deadline * 1000
	t.Logf("settlement %s; posted %d ms before the deadline; submit job sent %d ms after it; credit settlement %q",
		s.State, deadlineMs-postedAt.UnixMilli(), sentAt-deadlineMs, le.Settlement)
	if s.SubmitSent && sentAt > deadlineMs && le.Settlement == network.SettleChain {
		t.Fatalf("DEFECT: escrowed %d ms before the deadline, the submit job sent %d ms after it (the registry refuses a submission after the deadline): settlement %s, credit %q: the accepted worker is paid nowhere",
			deadlineMs-postedAt.UnixMilli(), sentAt-deadlineMs, s.State, le.Settlement)
	}
	if s.State != network.ChainPaid && le.Settlement == network.SettleChain {
		t.Fatalf("DEFECT: settlement %s, credit %q: the accepted worker is paid nowhere", s.State, le.Settlement)
	}
}

// TestRedteamSettleStaleSettlementOtherWorker: a settlement left by an
// acceptance whose credit was never written (a crash, or a ledger write
// refused, between chainSettleLocked's Create and the credit: the
// settlement survives the rolled-back acceptance, and reloadSettlements
// resumes it) names that first worker. If the task is then accepted for
// another worker (the first one's job timed out and was re-dispatched
// while the coordinator was down), chainSettleLocked finds the key taken,
// returns SettleChain all the same, and the second worker's credit is
// marked as paid on chain by a settlement that pays the first one (here:
// already paid to it). The accepted worker is paid nowhere.
//
// The state is seeded in the chain bucket before the acceptance (the
// crash cannot be injected from outside the package).
func TestRedteamSettleStaleSettlementOtherWorker(t *testing.T) {
	for _, state := range []string{network.ChainPaid, network.ChainRefunded} {
		t.Run(state, func(t *testing.T) {
			fc := &fakeChain{posted: map[string]network.ChainOutcome{}}
			e := start(t, coordinator.Config{Chain: fc, ChainEvery: 50 * time.Millisecond})
			task := post(e) // no worker yet: queued
			stale := network.ChainSettlement{TaskID: task.TaskID, RequestID: task.RequestID, Node: "c0ffee" + task.RequestID[6:],
				WorkerAddress: "cpc1carol", Receipt: "stale", State: state, PaidTx: "0xcarol", UpdatedAt: time.Now().UnixMilli()}
			b, _ := json.Marshal(stale)
			kv, err := e.js.KeyValue(e.ctx, network.ChainBucket)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := kv.Create(e.ctx, task.TaskID, b); err != nil {
				t.Fatal(err)
			}
			newWorker(t, e, "alice", false)
			newWorker(t, e, "bob", false)
			var r network.TaskRecord
			e.waitFor("acceptance in a block", func() bool {
				r = e.task(task.TaskID)
				return r.Accepted != nil && r.Accepted.Block > 0
			})
			time.Sleep(300 * time.Millisecond) // a few settle ticks
			le, _, _ := e.ledger("credit." + task.RequestID)
			s, _ := e.settlement(task.TaskID)
			if le.Settlement == network.SettleChain && s.Node != r.Accepted.Node {
				t.Fatalf("DEFECT: credit to %s (node %s) marked settled on chain by a %s settlement naming node %s (%s): the accepted worker is paid nowhere",
					le.Account, r.Accepted.Node[:12], s.State, s.Node[:12], s.WorkerAddress)
			}
		})
	}
}

// lateChain is a registry whose posts time out unanswered while failing,
// the last of them left in flight (a transaction broadcast, not yet
// mined: gas price too low, a congested chain); land mines it.
type lateChain struct {
	*fakeChain
	failing    atomic.Bool
	inFlight   func()
	inFlightID string
}

func (l *lateChain) Post(ctx context.Context, task workload.ComputeTask, env *receipt.Envelope) (network.ChainTx, error) {
	if !l.failing.Load() {
		return l.fakeChain.Post(ctx, task, env)
	}
	worker, _ := l.Eligible(task, env)
	l.mu.Lock()
	l.inFlightID = task.TaskID
	l.inFlight = func() {
		l.posted[task.TaskID] = network.ChainOutcome{Posted: true, Poster: fakeAccount, Named: worker, Deadline: task.Deadline}
	}
	l.mu.Unlock()
	return network.ChainTx{}, errors.New("waiting for the transaction's receipt: context deadline exceeded")
}

// InFlight: the last failed post is not mined yet.
func (l *lateChain) InFlight(context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inFlight != nil && !l.posted[l.inFlightID].Posted, nil
}

func (l *lateChain) land() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inFlight != nil {
		l.inFlight()
	}
}

// TestRedteamSettleGiveUpWithPostInFlight: after MaxChainTries failed
// posts the coordinator gives up when the registry shows no such task —
// but a failed attempt whose transaction is still in flight may land
// after that. The credit has moved to the ledger, the settlement is
// final (nobody watches the task any more), and the escrow, naming the
// worker, is live: the worker collects it with its own receipt on top of
// the ledger credit, and the coordinator never refunds it. (lateChain
// implements coordinator.InFlight; without the fix the coordinator does
// not ask.)
func TestRedteamSettleGiveUpWithPostInFlight(t *testing.T) {
	l := &lateChain{fakeChain: &fakeChain{posted: map[string]network.ChainOutcome{}}}
	l.failing.Store(true)
	e := start(t, coordinator.Config{Chain: l, ChainEvery: 20 * time.Millisecond})
	newWorker(t, e, "alice", false)
	newWorker(t, e, "bob", false)
	task := post(e)
	var s network.ChainSettlement
	e.waitFor("MaxChainTries failed posts, or the settlement final", func() bool {
		var ok bool
		s, ok = e.settlement(task.TaskID)
		return ok && (s.Final() || s.Tries >= coordinator.MaxChainTries)
	})
	time.Sleep(200 * time.Millisecond) // ticks past the give-up point
	l.land()                           // the last attempt is mined now
	time.Sleep(200 * time.Millisecond)
	s, _ = e.settlement(task.TaskID)
	le, _, _ := e.ledger("credit." + task.RequestID)
	o, _ := l.Outcome(e.ctx, task.TaskID)
	if s.State == network.ChainFailed && le.Settlement != network.SettleChain && o.Posted && !o.Settled {
		t.Fatalf("DEFECT: settlement %s (%s), credit on the ledger, and the coordinator's escrow naming %s open on the registry, unwatched: the worker can be paid twice",
			s.State, s.Error, o.Named)
	}
}

// TestRedteamSettleReregistration: the accepted node re-registers with
// another worker address while its settlement waits to be posted (the
// chain down). The task is posted naming the address the accepted
// receipt signs, and the credit stays that address's: a re-registration
// does not move the reward.
func TestRedteamSettleReregistration(t *testing.T) {
	g := &gatedChain{fakeChain: &fakeChain{posted: map[string]network.ChainOutcome{}}, now: time.Now}
	g.down.Store(true)
	e := start(t, coordinator.Config{Chain: g, ChainEvery: 50 * time.Millisecond})
	workers := map[string]string{}
	for _, name := range []string{"alice", "bob"} {
		w := newWorker(t, e, name, false)
		workers[w.id] = name
	}
	task := post(e)
	var s network.ChainSettlement
	e.waitFor("a settlement waiting", func() bool {
		var ok bool
		s, ok = e.settlement(task.TaskID)
		return ok && s.Tries > 0
	})
	signed := s.WorkerAddress
	newWorkerWith(t, e, workers[s.Node], func(w *worker) { w.addr = "cpc1moved" })
	if got := e.node(s.Node).Registration.WorkerAddress; got != "cpc1moved" {
		t.Fatalf("re-registration: worker address %q", got)
	}
	g.down.Store(false)
	e.waitFor("posted", func() bool { s, _ = e.settlement(task.TaskID); return s.State == network.ChainPosted })
	o, _ := g.Outcome(e.ctx, task.TaskID)
	le, _, _ := e.ledger("credit." + task.RequestID)
	if o.Named != signed || le.Account != signed || s.WorkerAddress != signed {
		t.Fatalf("posted naming %q, credit to %q, settlement %q; the receipt signs %q", o.Named, le.Account, s.WorkerAddress, signed)
	}
}
