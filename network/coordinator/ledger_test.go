package coordinator_test

import (
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
)

// TestNeverCreditedAndRefunded: a request is credited or refunded, never
// both, even when the task record missed the first ledger entry (a KV
// write failing after it, simulated by writing the entry directly).
func TestNeverCreditedAndRefunded(t *testing.T) {
	put := func(e *env, key string) {
		t.Helper()
		kv, err := e.js.KeyValue(e.ctx, network.LedgerBucket)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Create(e.ctx, key, []byte(`{"kind":"test"}`)); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("credited then expired: no refund", func(t *testing.T) {
		e := start(t, coordinator.Config{})
		rep := e.intake(network.IntakeRequest{MatrixSize: 4, FracBits: 8, RewardWei: "5", Deadline: time.Now().Unix() + 2, Poster: "cpc1poster"})
		if rep.Task == nil {
			t.Fatalf("%+v", rep)
		}
		put(e, "credit."+rep.Task.RequestID)
		e.waitFor("expiry", func() bool { return e.task(rep.Task.TaskID).Status == network.StatusExpired })
		if _, _, ok := e.ledger("refund." + rep.Task.RequestID); ok {
			t.Fatal("refunded a credited request")
		}
		if e.task(rep.Task.TaskID).Refunded {
			t.Fatal("task marked refunded")
		}
	})
	t.Run("refunded then a result: no credit", func(t *testing.T) {
		e := start(t, coordinator.Config{})
		task := post(e)
		put(e, "refund."+task.RequestID)
		newWorker(t, e, "ledger1", false)
		newWorker(t, e, "ledger2", false)
		e.waitFor("the task final", func() bool { return e.task(task.TaskID).Status == network.StatusExpired })
		if _, _, ok := e.ledger("credit." + task.RequestID); ok {
			t.Fatal("credited a refunded request")
		}
		if b, ok := e.lastBlock(); ok {
			for _, tx := range b.Transactions {
				if tx.Payload.TaskID == task.TaskID {
					t.Fatal("a refunded request went into a block")
				}
			}
		}
	})
}
