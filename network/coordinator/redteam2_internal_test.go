package coordinator

// Red-team tests, second round, on the coordinator's internals: the state a
// flood of tasks or accepted results leaves, driven directly.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/embedded/embeddedtest"
)

// newProvisioned is a coordinator on a fresh embedded server with the
// network provisioned, not running.
func newProvisioned(t *testing.T) (*Coordinator, context.Context) {
	t.Helper()
	_, nc, js := embeddedtest.Start(t)
	// Generous: TestRedteam2BlockOverPayload publishes three 8 MiB-class
	// blocks, which took over 30 s under -race on a loaded 2-core machine.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	if err := network.Provision(ctx, js, network.Settings{}); err != nil {
		t.Fatal(err)
	}
	c, err := New(nc, Config{Address: "cpc1coordinator"})
	if err != nil {
		t.Fatal(err)
	}
	return c, ctx
}

// TestRedteam2BlockOverPayload: more accepted results wait than one
// block message can hold (the network's max_payload, 8 MiB: about 9,000
// results with 128-byte worker addresses and Groth16 proofs; a backlog
// after the server was unreachable, or a restart re-queuing every
// accepted result not yet in a block). Every block must still be
// published — a bounded number of transactions each, the rest in the
// next blocks, the chain unbroken — or the publish fails at every tick
// and no block is ever appended again.
func TestRedteam2BlockOverPayload(t *testing.T) {
	c, ctx := newProvisioned(t)
	const waiting = 12000
	addr := "cpc1" + strings.Repeat("q", 124)
	proof := strings.Repeat("P", 344) // a Groth16 proof's base64
	sig := strings.Repeat("S", 86) + "=="
	for i := 0; i < waiting; i++ {
		cr := chain.ComputeResult{TaskID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), WorkerAddress: addr,
			ResultHash: fmt.Sprintf("%064x", i), Proof: &proof, Signature: &sig}
		c.pending = append(c.pending, pendingResult{taskID: cr.TaskID, result: resultForBlock{cr: cr}})
	}
	txs, blocks := 0, 0
	parent := fmt.Sprintf("%x", network.GenesisHash)
	for len(c.pending) > 0 {
		if blocks++; blocks > waiting {
			t.Fatal("pending results never drain")
		}
		before := len(c.pending)
		if err := c.appendBlock(ctx); err != nil {
			t.Fatalf("block %d with %d results waiting: %v", blocks, before, err)
		}
		s, err := c.js.Stream(ctx, network.BlocksStream)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.GetLastMsgForSubject(ctx, network.SubjectBlocks)
		if err != nil {
			t.Fatal(err)
		}
		var b network.Block
		if err := json.Unmarshal(m.Data, &b); err != nil {
			t.Fatal(err)
		}
		if b.Height != uint64(blocks) || b.Parent != parent || len(b.Transactions) != before-len(c.pending) {
			t.Fatalf("block %d: height %d parent %.12s, %d txs for %d results taken", blocks, b.Height, b.Parent, len(b.Transactions), before-len(c.pending))
		}
		parent = b.Hash
		txs += len(b.Transactions)
	}
	if txs != waiting || blocks < 2 {
		t.Fatalf("%d transactions in %d blocks, want %d in several", txs, blocks, waiting)
	}
	t.Logf("%d results in %d blocks", txs, blocks)
}

// TestRedteam2WaitingJobsCost: a poster floods intake with tasks while no
// worker is free for them (none live, or every live one excluded). Each
// waiting job was offered a worker at every housekeeping tick (5 a
// second) and every heartbeat, and each offer counted every task's jobs
// first: O(tasks²) under the coordinator's one mutex per tick, seconds at
// ten thousand tasks, during which no result, registration or intake is
// served. With nobody to pick, an offer must cost nothing.
func TestRedteam2WaitingJobsCost(t *testing.T) {
	c, ctx := newProvisioned(t)
	const tasks = 6000
	mallory := strings.Repeat("ab", 32)
	c.nodes[mallory] = "cpc1mallory"
	c.live[mallory] = c.cfg.Now() // live, but it already failed every task: excluded
	for i := 0; i < tasks; i++ {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		c.tasks[id] = &network.TaskRecord{TaskID: id, RequestID: fmt.Sprintf("%064x", i), Status: network.StatusQueued,
			Jobs: []network.JobRecord{{Role: network.RolePrimary, Attempt: 1, Node: mallory, Verdict: "reject"}, {Role: network.RolePrimary, Attempt: 2}}}
	}
	c.mu.Lock()
	start := time.Now()
	c.dispatchWaitingLocked(ctx)
	took := time.Since(start)
	c.mu.Unlock()
	t.Logf("one pass over %d waiting jobs: %v", tasks, took)
	if took > 250*time.Millisecond {
		t.Fatalf("one pass over %d waiting jobs with no worker to pick took %v", tasks, took)
	}
}

// TestRedteam2HeartbeatFlood: a worker may publish its own heartbeat as
// fast as the server takes it. Each heartbeat walked every open task's
// jobs under the coordinator's mutex (offering waiting jobs a worker): a
// flood from one node held the lock from the results, and its backlog
// made the coordinator's subscription a slow consumer, dropping the
// honest nodes' heartbeats with it. A heartbeat from a node already live
// must cost only its bookkeeping (housekeeping offers the waiting jobs).
func TestRedteam2HeartbeatFlood(t *testing.T) {
	c, ctx := newProvisioned(t)
	const tasks, beats = 20000, 2000
	mallory := strings.Repeat("cd", 32)
	c.nodes[mallory] = "cpc1mallory"
	for i := 0; i < tasks; i++ {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		c.tasks[id] = &network.TaskRecord{TaskID: id, RequestID: fmt.Sprintf("%064x", i), Status: network.StatusQueued,
			Jobs: []network.JobRecord{{Role: network.RolePrimary, Attempt: 1, Node: mallory, DispatchedAt: 1}}}
	}
	hb, _ := json.Marshal(network.Heartbeat{NodeID: mallory})
	m := &nats.Msg{Subject: network.SubjectHeartbeatPfx + mallory, Data: hb}
	start := time.Now()
	for i := 0; i < beats; i++ {
		c.handleHeartbeat(ctx, m)
	}
	took := time.Since(start)
	t.Logf("%d heartbeats with %d open tasks: %v", beats, tasks, took)
	if took > 250*time.Millisecond {
		t.Fatalf("%d heartbeats with %d open tasks took %v", beats, tasks, took)
	}
	if c.live[mallory].IsZero() {
		t.Fatal("the heartbeats did not make the node live")
	}
}
