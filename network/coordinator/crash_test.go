package coordinator_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
)

// TestStoppedAfterBlockPublish: a coordinator stopped after publishing a
// block but before recording the block's height in its tasks (simulated
// by rewriting the accepted task's record as the stop leaves it) does not
// put the result into a second block after its restart; it records the
// height it already has.
func TestStoppedAfterBlockPublish(t *testing.T) {
	cfg := coordinator.Config{Address: "cpc1coord", BlockInterval: 200 * time.Millisecond}
	e, stop := startStoppable(t, cfg, 25*time.Second)
	ctx, nc, js := e.ctx, e.nc, e.js
	newWorker(t, e, "crash1", false)
	newWorker(t, e, "crash2", false)
	t1 := post(e)
	e.waitFor("block 1", func() bool { r := e.task(t1.TaskID); return r.Accepted != nil && r.Accepted.Block == 1 })
	stop()

	kv, err := js.KeyValue(ctx, network.TasksBucket)
	if err != nil {
		t.Fatal(err)
	}
	r := e.task(t1.TaskID)
	r.Accepted.Block = 0
	b, _ := json.Marshal(r)
	if _, err := kv.Put(ctx, r.TaskID, b); err != nil {
		t.Fatal(err)
	}

	stop = runCoord(t, nc, cfg)
	defer func() { stop() }()
	e.waitFor("the task's block recorded again", func() bool { r := e.task(t1.TaskID); return r.Accepted.Block == 1 })
	t2 := post(e)
	e.waitFor("block 2", func() bool { r := e.task(t2.TaskID); return r.Accepted != nil && r.Accepted.Block == 2 })
	s, err := js.Stream(ctx, network.BlocksStream)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.CachedInfo().State.Msgs; n != 2 {
		t.Fatalf("%d blocks, want 2", n)
	}
	b2, ok := e.lastBlock()
	if !ok || b2.Height != 2 {
		t.Fatalf("last block %+v", b2)
	}
	for _, tx := range b2.Transactions {
		if tx.Payload.TaskID == t1.TaskID {
			t.Fatalf("task %s submitted again in block 2", t1.TaskID)
		}
	}
	if len(b2.Transactions) != 1 {
		t.Fatalf("block 2 has %d transactions, want 1", len(b2.Transactions))
	}
}
