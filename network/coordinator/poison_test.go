package coordinator_test

import (
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
)

// TestResultThatCannotBeRecorded: a result the coordinator cannot record
// (here its receipts bucket is gone) is retried with backoff and then
// dropped, instead of stopping every result behind it (the results
// consumer takes one at a time); once the bucket is back, the job times
// out, goes to a worker again and the task is accepted.
func TestResultThatCannotBeRecorded(t *testing.T) {
	cfg := coordinator.Config{Address: "cpc1coord", BlockInterval: 200 * time.Millisecond, JobTimeout: 20 * time.Second}
	e, stop := startStoppable(t, cfg, 60*time.Second)
	defer func() { stop() }()
	ctx, js := e.ctx, e.js
	newWorker(t, e, "poison1", false)
	newWorker(t, e, "poison2", false)
	newWorker(t, e, "poison3", false) // a check after the re-dispatch needs a third node
	if err := js.DeleteKeyValue(ctx, network.ReceiptsBucket); err != nil {
		t.Fatal(err)
	}
	task := post(e)
	start := time.Now()
	e.waitFor("the result tried and dropped", func() bool {
		c, err := js.Consumer(ctx, network.ResultsStream, network.ConsumerCoordinator)
		if err != nil {
			return false
		}
		i, err := c.Info(ctx)
		if err != nil || i.NumAckPending != 0 || i.NumPending != 0 || i.Delivered.Consumer < 8 {
			return false
		}
		// Dropped, not waiting for another try: the work queue holds no
		// message any more (a message nak'd again stays in it).
		s, err := js.Stream(ctx, network.ResultsStream)
		return err == nil && s.CachedInfo().State.Msgs == 0
	})
	t.Logf("dropped %.1f s after the task was posted", time.Since(start).Seconds())
	if r := e.task(task.TaskID); r.Jobs[0].ReturnedAt != 0 || r.Status == network.StatusAccepted {
		t.Fatalf("a result that could not be recorded left its mark: %+v", r.Jobs[0])
	}
	if err := network.Provision(ctx, js, network.Settings{}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("acceptance after the job timed out", func() bool { return e.task(task.TaskID).Status == network.StatusAccepted })
	r := e.task(task.TaskID)
	if r.Jobs[0].Verdict != "lost" || r.Jobs[0].Reason != "timeout" {
		t.Fatalf("first job %+v, want lost to a timeout", r.Jobs[0])
	}
}
