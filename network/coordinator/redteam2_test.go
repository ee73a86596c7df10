package coordinator_test

// Red-team tests, second round: a malicious worker node (and task poster)
// against the coordinator's state and its one result pipeline.

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
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

// TestRedteam2SNARKOutvoted: above the recompute budget, an honest node's
// Groth16 receipt (verified: it proves its output under the setup's
// trust) is re-dispatched to a check, and two sybils answer the check and
// the third job with binding receipts — no computation at all — carrying
// the same wrong digest. The SNARK's Poseidon2 digest is not comparable
// with their row roots, so the vote counted 2 of 2 comparable votes for
// the lie: accepted, paid to the sybil and put into a block over a proof.
// A verified SNARK receipt must decide, whatever votes beside it.
func TestRedteam2SNARKOutvoted(t *testing.T) {
	dir := os.Getenv("ZKPOC_TEST_KEYS")
	if dir == "" {
		t.Skip("needs ZKPOC_TEST_KEYS (a key cache shared with the other packages' tests)")
	}
	e := start(t, coordinator.Config{KeyDir: dir, RecomputeMaxN: -1, RedispatchFraction: 1, JobTimeout: time.Minute})
	prover := newWorkerWith(t, e, "snark", func(w *worker) { w.mode, w.keyDir = zkpoc.ModeSNARK, dir })
	task := post(e)
	lie := strings.Repeat("5a", 32)
	var sybils []*worker
	for _, name := range []string{"sybil1", "sybil2"} {
		e.waitFor("a job waiting for "+name, func() bool { return waitingOrFinal(e.task(task.TaskID)) })
		sybils = append(sybils, newWorkerWith(t, e, name, func(w *worker) { w.lie = lie }))
	}
	e.waitFor("a final status", func() bool {
		r := e.task(task.TaskID)
		return r.Status == network.StatusExpired || r.Status == network.StatusAccepted && r.Accepted.Block > 0
	})
	r := e.task(task.TaskID)
	t.Logf("comparison: %s", r.Comparison)
	if r.Status != network.StatusAccepted || r.Accepted.Node != prover.id {
		t.Fatalf("status %s, accepted %+v: the verified SNARK receipt of %s was not the one accepted", r.Status, r.Accepted, prover.id[:12])
	}
	if le, _, ok := e.ledger("credit." + task.RequestID); !ok || le.Node != prover.id {
		t.Fatalf("credit %+v", le)
	}
	if n := e.node(prover.id); len(n.Strikes) != 0 {
		t.Fatalf("the SNARK prover struck: %+v", n.Strikes)
	}
	for _, s := range sybils {
		if n := e.node(s.id); n.Accepted != 0 {
			t.Fatalf("sybil %s credited", s.addr)
		}
	}
}

// TestRedteam2SampledWithoutCommit: the network's sampled runs are
// ungrindable because the coordinator draws the challenge after the
// worker committed its row root. A worker that skips the exchange and
// answers with a Fiat–Shamir sampled receipt (its rows drawn from its own
// root, which it may regrind until the rows it got wrong are not drawn)
// must not have that receipt pass as the network's sampled evidence.
func TestRedteam2SampledWithoutCommit(t *testing.T) {
	e := start(t, coordinator.Config{})
	key, grinder := silentNode(t, e, "grinder")
	// n = 256: the default sampling opens fewer rows than n.
	rep := e.intake(network.IntakeRequest{MatrixSize: 256, FracBits: 8, RewardWei: "1000", Deadline: time.Now().Add(time.Hour).Unix()})
	if rep.Task == nil {
		t.Fatalf("intake: %+v", rep)
	}
	job := fetchJob(t, e, grinder)
	res, err := prover.Run(e.ctx, prover.Options{Task: job.Task, NodeKey: key, WorkerAddress: "cpc1grinder", Mode: zkpoc.ModeSampled, Cache: keys.Cache{Dir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := res.Envelope.Statement()
	if err != nil || st.Predicate.Sampling == nil || st.Predicate.Sampling.Method == receipt.SamplingMethodChallenge || st.Predicate.Sampling.K >= 256 {
		t.Fatalf("want a Fiat–Shamir receipt opening fewer rows than n: %+v %v", st.Predicate.Sampling, err)
	}
	raw, _ := json.Marshal(res.Envelope)
	rb, _ := json.Marshal(network.Result{RequestID: job.RequestID, NodeID: grinder, Role: job.Role, Attempt: job.Attempt, Receipt: raw})
	if _, err := e.js.Publish(e.ctx, network.SubjectResultsPfx+grinder, rb); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the verdict", func() bool { r := e.task(rep.Task.TaskID); return len(r.Jobs) > 0 && r.Jobs[0].Verdict != "" })
	j := e.task(rep.Task.TaskID).Jobs[0]
	t.Logf("verdict %s: %s", j.Verdict, j.Reason)
	if j.Verdict == verifier.Pass {
		t.Fatalf("a sampled receipt on the worker's own Fiat–Shamir challenge passed: %s", j.Reason)
	}
}

// TestRedteam2OpenTasksBounded: anyone who reaches the market posts
// tasks, for 0 wei if it likes, with a deadline far away; with no worker
// taking them each stays in the coordinator's memory (and in every
// housekeeping pass) until it expires. Intake must refuse past a bound on
// open tasks instead of growing without one.
func TestRedteam2OpenTasksBounded(t *testing.T) {
	e := start(t, coordinator.Config{MaxOpenTasks: 3})
	req := network.IntakeRequest{MatrixSize: 4, FracBits: 8, RewardWei: "0", Deadline: time.Now().Add(24 * time.Hour).Unix()}
	var open []string
	for i := 0; i < 3; i++ {
		rep := e.intake(req)
		if rep.Task == nil {
			t.Fatalf("task %d refused: %+v", i+1, rep)
		}
		open = append(open, rep.Task.TaskID)
	}
	rep := e.intake(req)
	if rep.Task != nil || !strings.Contains(rep.Error, "3 tasks are open") {
		t.Fatalf("a fourth open task: %+v", rep)
	}
	// Room again once they are final (accepted and in a block).
	newWorker(t, e, "alice", false)
	newWorker(t, e, "bob", false)
	for _, id := range open {
		e.waitFor("task "+id+" in a block", func() bool { r := e.task(id); return r.Accepted != nil && r.Accepted.Block > 0 })
	}
	rep = e.intake(req)
	if rep.Task == nil {
		t.Fatalf("intake refused with no task open: %+v", rep)
	}
	e.waitFor("the fourth task accepted", func() bool { return e.task(rep.Task.TaskID).Status == network.StatusAccepted })
}

// TestRedteam2OneProductPerTask: a synthetic task's seed was SHA-256(the
// latest block hash ‖ the coordinator's address), the same for every task
// posted between two blocks: tasks of one n and frac_bits had the same
// matrices and the same product, so a worker computed it once and
// answered the rest without computing (a binding receipt signs only the
// digest, and the honest check agrees: it is right), paid each time. Two
// tasks must be two products.
func TestRedteam2OneProductPerTask(t *testing.T) {
	e := start(t, coordinator.Config{})
	a, b := post(e), post(e)
	if a.Task.Payload.Seed == b.Task.Payload.Seed {
		t.Fatalf("tasks %s and %s posted in one block interval share the seed %s: one product for both", a.TaskID, b.TaskID, a.Task.Payload.Seed)
	}
}
