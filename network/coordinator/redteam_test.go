package coordinator_test

// Red-team tests: a malicious worker node against the coordinator.

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
	"github.com/zkpoc/zkpoc/verifier"
)

// silentNode registers a node that runs no fake loop (the test drives it).
func silentNode(t *testing.T, e *env, name string) (ed25519.PrivateKey, string) {
	t.Helper()
	seed := make([]byte, 32)
	copy(seed, name)
	key := ed25519.NewKeyFromSeed(seed)
	reg := network.Registration{WorkerAddress: "cpc1" + name, Time: time.Now().Unix()}
	if err := reg.Sign(key); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(reg)
	m, err := e.nc.Request(network.SubjectRegisterPfx+reg.NodeID, b, 5*time.Second)
	if err != nil || !strings.Contains(string(m.Data), `"ok":true`) {
		t.Fatalf("register %s: %v", name, err)
	}
	hb, _ := json.Marshal(network.Heartbeat{NodeID: reg.NodeID})
	_ = e.nc.Publish(network.SubjectHeartbeatPfx+reg.NodeID, hb)
	return key, reg.NodeID
}

func fetchJob(t *testing.T, e *env, node string) network.Job {
	t.Helper()
	cons, err := e.js.Consumer(e.ctx, network.JobsStream, network.NodeConsumer(node))
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var job network.Job
	for m := range msgs.Messages() {
		_ = json.Unmarshal(m.Data(), &job)
		_ = m.Ack()
	}
	if job.RequestID == "" {
		t.Fatalf("%s got no job", node[:12])
	}
	return job
}

// TestRedteamStealJob: mallory (registered, but not assigned the job)
// proves the victim's job herself and publishes it, on her own subject
// with her own node_id and on her subject with the victim's node_id.
// Both must be ignored: no credit, no acceptance, no strike on the victim.
func TestRedteamStealJob(t *testing.T) {
	e := start(t, coordinator.Config{})
	_, victim := silentNode(t, e, "victim")
	task := post(e)
	job := fetchJob(t, e, victim)
	if job.RequestID != task.RequestID {
		t.Fatalf("job %+v", job)
	}
	mkey, mallory := silentNode(t, e, "mallory")
	res, err := zkpoc.Prove(e.ctx, job.Task, mkey, zkpoc.WithMode(zkpoc.ModeBinding), zkpoc.WithWorkerAddress("cpc1mallory"), zkpoc.WithKeyDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(res.Envelope)
	for _, claimed := range []string{mallory, victim} {
		rb, _ := json.Marshal(network.Result{RequestID: job.RequestID, NodeID: claimed, Role: job.Role, Attempt: job.Attempt, Receipt: raw})
		if _, err := e.js.Publish(e.ctx, network.SubjectResultsPfx+mallory, rb); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(1500 * time.Millisecond)
	r := e.task(task.TaskID)
	if r.Status == network.StatusAccepted || r.Accepted != nil {
		t.Fatalf("stolen job accepted: %+v", r)
	}
	for _, j := range r.Jobs {
		if j.Node == mallory || j.Verdict != "" {
			t.Fatalf("stolen result recorded: %+v", j)
		}
	}
	if _, _, ok := e.ledger("credit." + task.RequestID); ok {
		t.Fatal("a stolen job was paid")
	}
	if n := len(e.node(victim).Strikes); n != 0 {
		t.Fatalf("victim struck for mallory's messages: %+v", e.node(victim).Strikes)
	}
}

// TestRedteamGarbageResults: hostile result bodies are struck as garbage
// or rejected, and the coordinator keeps serving (no panic, no hang).
func TestRedteamGarbageResults(t *testing.T) {
	e := start(t, coordinator.Config{})
	_, eve := silentNode(t, e, "eve")
	task := post(e)
	job := fetchJob(t, e, eve)
	deep := strings.Repeat("[", 200000) + strings.Repeat("]", 200000)
	hugeStr := `"` + strings.Repeat("A", 4<<20) + `"`
	want := 0
	for _, tc := range []struct {
		name   string
		body   []byte
		strike bool // struck as garbage; else ignored (no such job)
	}{
		{"deeply nested body", []byte(deep), true},
		{"deeply nested receipt", []byte(`{"request_id":"` + job.RequestID + `","node_id":"` + eve + `","role":"` + job.Role + `","attempt":1,"receipt":` + deep + `}`), true},
		{"huge string field", []byte(`{"request_id":` + hugeStr + `}`), false},
		{"null", []byte("null"), false},
	} {
		if _, err := e.js.Publish(e.ctx, network.SubjectResultsPfx+eve, tc.body); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.strike {
			want++
			e.waitFor(tc.name, func() bool { return len(e.node(eve).Strikes) >= want })
		}
	}
	time.Sleep(time.Second)
	if n := len(e.node(eve).Strikes); n != want {
		t.Fatalf("strikes %d, want %d: %+v", n, want, e.node(eve).Strikes)
	}
	if r := e.task(task.TaskID); r.Accepted != nil {
		t.Fatalf("accepted after garbage: %+v", r)
	}
	// still serving
	if rep := e.intake(network.IntakeRequest{MatrixSize: 4, FracBits: 8, RewardWei: "1", Deadline: time.Now().Add(time.Hour).Unix()}); rep.Task == nil {
		t.Fatalf("coordinator stopped serving: %+v", rep)
	}
}

// TestRedteamLatePrimary: a primary that timed out sends its (correct)
// result, attempt 1, after the re-dispatched attempt was accepted and
// paid. It is ignored: one credit, to the node that was accepted.
func TestRedteamLatePrimary(t *testing.T) {
	e := start(t, coordinator.Config{JobTimeout: time.Second})
	key, sloth := silentNode(t, e, "sloth")
	task := post(e)
	job := fetchJob(t, e, sloth)
	res, err := zkpoc.Prove(e.ctx, job.Task, key, zkpoc.WithMode(zkpoc.ModeBinding), zkpoc.WithWorkerAddress("cpc1sloth"), zkpoc.WithKeyDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	newWorker(t, e, "quick1", false)
	newWorker(t, e, "quick2", false)
	e.waitFor("acceptance", func() bool { return e.task(task.TaskID).Status == network.StatusAccepted })
	before := e.task(task.TaskID)
	entry, rev, ok := e.ledger("credit." + task.RequestID)
	if !ok || entry.Node == sloth {
		t.Fatalf("credit %+v %v", entry, ok)
	}
	raw, _ := json.Marshal(res.Envelope)
	rb, _ := json.Marshal(network.Result{RequestID: job.RequestID, NodeID: sloth, Role: job.Role, Attempt: job.Attempt, Receipt: raw})
	if _, err := e.js.Publish(e.ctx, network.SubjectResultsPfx+sloth, rb); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	after := e.task(task.TaskID)
	if after.Accepted == nil || after.Accepted.Node != before.Accepted.Node || after.Accepted.Receipt != before.Accepted.Receipt {
		t.Fatalf("late primary changed the acceptance: %+v -> %+v", before.Accepted, after.Accepted)
	}
	entry2, rev2, _ := e.ledger("credit." + task.RequestID)
	if rev2 != rev || entry2.Node != entry.Node {
		t.Fatalf("credit rewritten: %+v -> %+v", entry, entry2)
	}
	if n := e.node(sloth); n.Accepted != 0 {
		t.Fatalf("late node credited: %+v", n)
	}
}

// TestRedteamReRegisterAddress: a primary whose binding receipt names
// cpc1pat re-registers as cpc1other while its check is out. The credit
// must go to an address the receipt binds (or be refused), never to an
// address the receipt does not name.
func TestRedteamReRegisterAddress(t *testing.T) {
	e := start(t, coordinator.Config{})
	key, pat := silentNode(t, e, "pat")
	task := post(e)
	job := fetchJob(t, e, pat)
	res, err := zkpoc.Prove(e.ctx, job.Task, key, zkpoc.WithMode(zkpoc.ModeBinding), zkpoc.WithWorkerAddress("cpc1pat"), zkpoc.WithKeyDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(res.Envelope)
	rb, _ := json.Marshal(network.Result{RequestID: job.RequestID, NodeID: pat, Role: job.Role, Attempt: job.Attempt, Receipt: raw})
	if _, err := e.js.Publish(e.ctx, network.SubjectResultsPfx+pat, rb); err != nil {
		t.Fatal(err)
	}
	e.waitFor("checking", func() bool { return e.task(task.TaskID).Status == network.StatusChecking })
	reg := network.Registration{WorkerAddress: "cpc1other", Time: time.Now().Unix()}
	_ = reg.Sign(key)
	b, _ := json.Marshal(reg)
	if m, err := e.nc.Request(network.SubjectRegisterPfx+pat, b, 5*time.Second); err != nil || !strings.Contains(string(m.Data), `"ok":true`) {
		t.Fatalf("re-register: %v", err)
	}
	newWorker(t, e, "checker", false)
	e.waitFor("acceptance", func() bool { return e.task(task.TaskID).Status == network.StatusAccepted })
	entry, _, ok := e.ledger("credit." + task.RequestID)
	r := e.task(task.TaskID)
	t.Logf("credit %+v accepted %+v", entry, r.Accepted)
	if !ok || entry.Node != pat || entry.Account != "cpc1pat" || r.Accepted.WorkerAddress != "cpc1pat" {
		t.Fatalf("credit to %s (accepted %+v), not the receipt's worker_address cpc1pat", entry.Account, r.Accepted)
	}
}

// TestRedteamIntakeOverflow: rewards over 2^256-1, deadlines out of
// range and huge matrix sizes are refused with a field, no crash, and the coordinator keeps serving.
func TestRedteamIntakeOverflow(t *testing.T) {
	e := start(t, coordinator.Config{})
	for _, req := range []network.IntakeRequest{
		{MatrixSize: 4, RewardWei: "1" + strings.Repeat("0", 100000), Deadline: time.Now().Add(time.Hour).Unix()},
		{MatrixSize: 4, RewardWei: "115792089237316195423570985008687907853269984665640564039457584007913129639936", Deadline: time.Now().Add(time.Hour).Unix()},
		{MatrixSize: 4, RewardWei: "1", Deadline: 1<<63 - 1},
		{MatrixSize: 4, RewardWei: "1", Deadline: -1 << 63},
		{MatrixSize: 1<<31 - 1, RewardWei: "1", Deadline: time.Now().Add(time.Hour).Unix()},
	} {
		rep := e.intake(req)
		if rep.Task != nil || rep.Field == "" {
			t.Errorf("reward %.20s… deadline %d n %d: taken: %+v", req.RewardWei, req.Deadline, req.MatrixSize, rep)
		}
	}
	if rep := e.intake(network.IntakeRequest{MatrixSize: 4, FracBits: 8, RewardWei: "1", Deadline: time.Now().Add(time.Hour).Unix()}); rep.Task == nil {
		t.Fatalf("coordinator stopped serving: %+v", rep)
	}
}

// TestRedteamCommitForeignJob: mallory asks for a challenge on the
// victim's outstanding sampled job (to learn its challenge, or to burn
// the victim's one commitment): refused, and the victim's own commitment
// still gets its challenge afterwards.
func TestRedteamCommitForeignJob(t *testing.T) {
	e := start(t, coordinator.Config{})
	_, victim := silentNode(t, e, "victim")
	post(e)
	job := fetchJob(t, e, victim)
	_, mallory := silentNode(t, e, "mallory")
	root := strings.Repeat("22", 32)
	for _, tc := range []struct{ subj, node string }{
		{network.SubjectCommitPfx + mallory, mallory},
		{network.SubjectCommitPfx + mallory, victim},
	} {
		b, _ := json.Marshal(network.CommitRequest{RequestID: job.RequestID, NodeID: tc.node, Attempt: job.Attempt, Root: root})
		m, err := e.nc.Request(tc.subj, b, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var rep network.CommitReply
		if json.Unmarshal(m.Data, &rep) == nil && rep.Challenge != "" {
			t.Fatalf("node_id %s on %s: challenge for a foreign job: %s", tc.node[:12], tc.subj, m.Data)
		}
	}
	b, _ := json.Marshal(network.CommitRequest{RequestID: job.RequestID, NodeID: victim, Attempt: job.Attempt, Root: strings.Repeat("33", 32)})
	m, err := e.nc.Request(network.SubjectCommitPfx+victim, b, 5*time.Second)
	var rep network.CommitReply
	if err != nil || json.Unmarshal(m.Data, &rep) != nil || rep.Challenge == "" {
		t.Fatalf("victim's own commitment refused: %v", err)
	}
}

// TestRedteamHoldNotReturned: a node whose sampled receipt the coordinator
// must hold (drawn on a challenge it chose itself, never committed) is not
// handed the same task again — alone on the network, it would otherwise
// get the job back at once, again and again; it is not struck either (a
// hold is not a refutation). The task waits for other nodes and is
// accepted by them.
func TestRedteamHoldNotReturned(t *testing.T) {
	e := start(t, coordinator.Config{})
	mallory := newWorkerWith(t, e, "mallory", func(w *worker) { w.mode, w.forge = zkpoc.ModeSampled, "uncommitted" })
	// n = 256: the default sampling opens fewer rows than n (at small n it
	// opens every row, which is a full re-execution, nothing to hold).
	rep := e.intake(network.IntakeRequest{MatrixSize: 256, FracBits: 8, RewardWei: "1000", Deadline: time.Now().Add(time.Hour).Unix()})
	if rep.Task == nil {
		t.Fatalf("intake: %+v", rep)
	}
	task := *rep.Task
	e.waitFor("the held first result", func() bool {
		r := e.task(task.TaskID)
		return len(r.Jobs) > 0 && r.Jobs[0].Verdict == verifier.Hold
	})
	time.Sleep(500 * time.Millisecond) // time for any re-dispatch to reach mallory
	if r := e.task(task.TaskID); len(r.Jobs) != 2 || r.Jobs[1].Node != "" {
		t.Fatalf("after the hold, jobs %+v (want one re-dispatch, waiting for another node)", r.Jobs)
	}
	newWorker(t, e, "bob", false)
	newWorker(t, e, "carol", false)
	e.waitFor("acceptance by the others", func() bool { return e.task(task.TaskID).Status == network.StatusAccepted })
	r := e.task(task.TaskID)
	for i, j := range r.Jobs[1:] {
		if j.Node == mallory.id {
			t.Fatalf("job %d went back to the held node: %+v", i+2, r.Jobs)
		}
	}
	if r.Accepted.Node == mallory.id {
		t.Fatal("the held node was accepted")
	}
	if n := e.node(mallory.id); len(n.Strikes) != 0 {
		t.Fatalf("a hold struck the node: %+v", n.Strikes)
	}
}

// TestStruckNodeBarred: a node with MaxStrikes strikes gets no more jobs
// (before, a node struck any number of times kept being dispatched, so a
// dishonest node could keep trying until its check was drawn to a
// colluder).
func TestStruckNodeBarred(t *testing.T) {
	e := start(t, coordinator.Config{MaxStrikes: 1})
	mallory := newWorker(t, e, "mallory", true)
	newWorker(t, e, "bob", false)
	newWorker(t, e, "carol", false)
	struck := func() bool { return e.node(mallory.id).Rejected >= 1 }
	for i := 0; i < 10 && !struck(); i++ {
		task := post(e)
		e.waitFor("acceptance", func() bool { return e.task(task.TaskID).Status == network.StatusAccepted })
	}
	if !struck() {
		t.Fatal("the dishonest node was never struck in 10 tasks")
	}
	for i := 0; i < 4; i++ {
		task := post(e)
		e.waitFor("acceptance", func() bool { return e.task(task.TaskID).Status == network.StatusAccepted })
		for _, j := range e.task(task.TaskID).Jobs {
			if j.Node == mallory.id {
				t.Fatalf("task %d after the strike: a job went to the struck node: %+v", i+1, j)
			}
		}
	}
}
