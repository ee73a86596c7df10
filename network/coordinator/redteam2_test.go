package coordinator_test

// Red-team tests, second round: a malicious worker node (and task poster)
// against the coordinator's state and its one result pipeline.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
)

// honestFlow has two honest workers answer a fresh task and waits until it
// is accepted: the coordinator's result pipeline still moves.
func honestFlow(t *testing.T, e *env, a, b string) network.TaskRecord {
	t.Helper()
	newWorker(t, e, a, false)
	newWorker(t, e, b, false)
	task := post(e)
	e.waitFor("the honest task accepted", func() bool { return e.task(task.TaskID).Status == network.StatusAccepted })
	return e.task(task.TaskID)
}

// TestRedteam2HugeFieldNameStrike: two result messages on mallory's own
// subject, each an object whose only key is 7 MiB long. Strict decoding
// names the unknown key in its error, which became the strike's reason:
// the first made mallory's node record 7 MiB, the second pushed it over
// the bucket's value limit, so its write failed, the message was nak'ed
// and redelivered forever, and the results consumer (one message in
// flight) processed nothing else, for every node. Each strike must be
// recorded with a bounded reason and the pipeline go on.
func TestRedteam2HugeFieldNameStrike(t *testing.T) {
	e := start(t, coordinator.Config{HeartbeatTimeout: time.Second}) // the silent mallory soon dead
	_, mallory := silentNode(t, e, "mallory")
	body := []byte(`{"` + strings.Repeat("a", 7<<20) + `":1}`)
	for i := 0; i < 2; i++ {
		if _, err := e.js.Publish(e.ctx, network.SubjectResultsPfx+mallory, body); err != nil {
			t.Fatal(err)
		}
	}
	e.waitFor("mallory's two strikes", func() bool { return e.node(mallory).Rejected == 2 })
	for _, s := range e.node(mallory).Strikes {
		if len(s.Reason) > 1024 {
			t.Fatalf("strike reason is %d bytes: an attacker's text unbounded", len(s.Reason))
		}
	}
	honestFlow(t, e, "alice", "bob")
}

// TestRedteam2StrikeFlood: mallory floods its own results subject with
// garbage; each message is a strike (a message that is not a result), but
// the node record must stay bounded (the most recent strikes kept, every
// one counted), or a few ten thousand small messages grow it past the
// bucket's value limit with the same effect as above, each strike
// rewriting an ever larger record on the way.
func TestRedteam2StrikeFlood(t *testing.T) {
	e := start(t, coordinator.Config{HeartbeatTimeout: time.Second}) // the silent mallory soon dead
	_, mallory := silentNode(t, e, "mallory")
	const flood = 600
	for i := 0; i < flood; i++ {
		if err := e.nc.Publish(network.SubjectResultsPfx+mallory, []byte("garbage")); err != nil {
			t.Fatal(err)
		}
	}
	e.waitFor("every garbage message struck", func() bool { return e.node(mallory).Rejected == flood })
	n := e.node(mallory)
	raw, _ := json.Marshal(n)
	if len(n.Strikes) > network.MaxStrikesKept || len(raw) > 64<<10 {
		t.Fatalf("node record after %d strikes: %d strikes kept, %d bytes", flood, len(n.Strikes), len(raw))
	}
	if n.Rating != 0 {
		t.Fatalf("rating %v after %d strikes and no acceptance", n.Rating, flood)
	}
	honestFlow(t, e, "alice", "bob")
}
