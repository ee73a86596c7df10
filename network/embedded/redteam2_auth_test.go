package embedded_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/embedded"
)

// TestRedteam2ReplyIntoImports: TestAuthReplyInjection aims replies at the
// coordinator's streams, which the workers' account does not import. The
// subjects it does import, with the node id a wildcard, are another
// matter: a reply that mallory names zkpoc.results.<victim> lands, in the
// workers' account, on a subject of a service import. Had the server
// forwarded it, the coordinator would take the API answer for a garbage
// result from the victim and strike it (or an ack of the victim's job, a
// pull of its jobs, its heartbeat or registration). Mallory's every
// allowed request, with a reply at each of the victim's imported
// subjects, must bring nothing into the coordinator's account. (The
// server forwards no answer through an import, and refuses a reply
// subject under $JS. outright.)
func TestRedteam2ReplyIntoImports(t *testing.T) {
	a, cjs, ctx := startRunning(t, "mallory", "victim")
	me, victim := a.workerIDs[0], a.workerIDs[1]
	if err := network.ProvisionNode(ctx, cjs, me, network.Settings{}); err != nil {
		t.Fatal(err)
	}
	// What arrives in the coordinator's account on the victim's subjects.
	spy, _ := a.coordinator(t)
	got := make(chan *nats.Msg, 64)
	victimSubjects := []string{
		network.SubjectResultsPfx + victim, network.SubjectHeartbeatPfx + victim,
		network.SubjectRegisterPfx + victim, network.SubjectCommitPfx + victim,
		"$JS.API.CONSUMER.MSG.NEXT.ZKPOC_JOBS.node-" + victim, "$JS.API.CONSUMER.INFO.ZKPOC_JOBS.node-" + victim,
		"$JS.ACK.ZKPOC_JOBS.node-" + victim + ".1.1.1.1700000000000000000.0",
	}
	for _, s := range victimSubjects {
		if _, err := spy.ChanSubscribe(s, got); err != nil {
			t.Fatal(err)
		}
	}
	if err := spy.Flush(); err != nil {
		t.Fatal(err)
	}
	wnc, werrs := a.worker(t, 0)
	requests := []struct{ subject, data string }{
		{network.SubjectRegisterPfx + me, `{}`},
		{network.SubjectCommitPfx + me, `{}`},
		{network.SubjectResultsPfx + me, `{}`},
		{"$JS.API.CONSUMER.INFO.ZKPOC_JOBS.node-" + me, ``},
		{"$JS.API.STREAM.INFO.OBJ_" + network.InputsObjects, ``},
		{"$JS.API.STREAM.MSG.GET.OBJ_" + network.InputsObjects, `{"seq":1}`},
		{"$JS.API.DIRECT.GET.OBJ_" + network.InputsObjects, `{"seq":1}`},
	}
	for _, r := range requests[:2] { // register and commit: see awaitResponder
		awaitResponder(t, ctx, wnc, r.subject, r.data)
	}
	for _, r := range requests {
		for _, target := range victimSubjects {
			if err := wnc.PublishRequest(r.subject, target, []byte(r.data)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := wnc.RequestWithContext(ctx, r.subject, []byte(r.data)); err != nil {
			t.Errorf("%s with an inbox: %v", r.subject, err)
		}
	}
	// A job of mallory's own, pulled with the reply at the victim's subjects.
	if _, err := cjs.Publish(ctx, network.SubjectJobsNodePfx+me, []byte(`{"job":"for mallory"}`)); err != nil {
		t.Fatal(err)
	}
	for _, target := range victimSubjects {
		if err := wnc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.ZKPOC_JOBS.node-"+me, target, []byte(`{"batch":1,"expires":200000000}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := wnc.Flush(); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		t.Fatalf("a reply of mallory's reached the coordinator's account on %s: %.200s", m.Subject, m.Data)
	case <-time.After(time.Second):
	}
	// The spy does see what reaches those subjects in its account.
	if err := spy.Publish(network.SubjectHeartbeatPfx+victim, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(2 * time.Second):
		t.Fatal("the spy subscription receives nothing")
	}
	// A reply subject under $JS. is refused by the server at the publish.
	for _, e := range werrs.list() {
		if !strings.Contains(e.Error(), `Publish with Reply of "$JS.`) {
			t.Errorf("asynchronous error: %v", e)
		}
	}
}

// TestRedteam2AckForeignSequence: an ack subject names the consumer and
// the stream sequence, and a worker may publish acks under its own
// consumer's name. The server takes an ack for a sequence its consumer
// never delivered (only one at or above the consumer's next sequence is
// ignored) and asks the work-queue stream to remove that message; the
// stream keeps it only because the victim's consumer still needs it.
// Mallory acking, terminating or nak'ing the victim's job's sequence
// through its own consumer must leave the job for the victim.
func TestRedteam2AckForeignSequence(t *testing.T) {
	a, cjs, ctx := startRunning(t, "mallory", "victim")
	me, victim := a.workerIDs[0], a.workerIDs[1]
	for _, id := range a.workerIDs {
		if err := network.ProvisionNode(ctx, cjs, id, network.Settings{}); err != nil {
			t.Fatal(err)
		}
	}
	vack, err := cjs.Publish(ctx, network.SubjectJobsNodePfx+victim, []byte(`{"job":"for the victim"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cjs.Publish(ctx, network.SubjectJobsNodePfx+me, []byte(`{"job":"for mallory"}`)); err != nil {
		t.Fatal(err)
	}
	wnc, werrs := a.worker(t, 0)
	mine, err := mustJS(t, wnc).Consumer(ctx, network.JobsStream, network.NodeConsumer(me))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mine.Next(jetstream.FetchMaxWait(2 * time.Second)) // its consumer is now past the victim's sequence
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Ack(); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"+ACK", "+TERM", "-NAK", "+WPI"} {
		subj := fmt.Sprintf("$JS.ACK.%s.%s.1.%d.1.%d.0", network.JobsStream, network.NodeConsumer(me), vack.Sequence, time.Now().UnixNano())
		if err := wnc.Publish(subj, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := wnc.Flush(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	jobs, err := cjs.Stream(ctx, network.JobsStream)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.GetMsg(ctx, vack.Sequence); err != nil {
		t.Fatalf("the victim's job after mallory's acks of its sequence: %v", err)
	}
	vnc, _ := a.worker(t, 1)
	theirs, err := mustJS(t, vnc).Consumer(ctx, network.JobsStream, network.NodeConsumer(victim))
	if err != nil {
		t.Fatal(err)
	}
	vm, err := theirs.Next(jetstream.FetchMaxWait(2 * time.Second))
	if err != nil || !strings.Contains(string(vm.Data()), "for the victim") {
		t.Fatalf("the victim's pull: %v", err)
	}
	noViolations(t, "mallory", werrs)
}

// TestRedteam2WebSocketAuth: the WebSocket listener (seed 002's worker
// transport) is a second door into the same server; nats-server has
// authorization settings of its own for it. With the role accounts, a
// WebSocket client without a key or with an unknown one must be refused,
// and a listed worker must keep its permissions there.
func TestRedteam2WebSocketAuth(t *testing.T) {
	coord, market, stranger := userKP(t), userKP(t), userKP(t)
	wkey := nodeKeyOf("ws-worker")
	wpub, wkp, err := network.NodeNkey(wkey)
	if err != nil {
		t.Fatal(err)
	}
	id, err := network.NkeyNodeID(wpub)
	if err != nil {
		t.Fatal(err)
	}
	keys := embedded.RoleKeys{Coordinator: pubOf(t, coord), Market: pubOf(t, market), Workers: []string{wpub}}
	srv, err := embedded.Start(embedded.Options{Dir: t.TempDir(), Auth: &keys, WebSocketPort: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	ws := srv.WebsocketURL()
	if !strings.HasPrefix(ws, "ws://127.0.0.1:") {
		t.Fatalf("WebSocket URL %q", ws)
	}
	for _, c := range []struct {
		name string
		opts []nats.Option
	}{
		{"no credentials", nil},
		{"unknown nkey", []nats.Option{nats.Nkey(pubOf(t, stranger), stranger.Sign)}},
		{"the worker's key, signed by another", []nats.Option{nats.Nkey(wpub, stranger.Sign)}},
	} {
		nc, err := nats.Connect(ws, append(c.opts, nats.Timeout(2*time.Second), nats.NoReconnect())...)
		if err == nil {
			nc.Close()
			t.Fatalf("%s: connected over WebSocket", c.name)
		}
	}
	errs := &asyncErrs{ch: make(chan struct{}, 1)}
	nc, err := nats.Connect(ws, nats.Nkey(wpub, wkp.Sign), nats.ErrorHandler(errs.handler), nats.CustomInboxPrefix(network.WorkerInboxPrefix(id)), nats.Timeout(5*time.Second))
	if err != nil {
		t.Fatalf("the listed worker over WebSocket: %v", err)
	}
	t.Cleanup(nc.Close)
	other := strings.Repeat("0f", 32)
	if err := nc.Publish(network.SubjectResultsPfx+other, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	_ = nc.Flush()
	if !errs.violation("Publish", network.SubjectResultsPfx+other, 2*time.Second) {
		t.Fatalf("a result as another node over WebSocket: no permissions violation (%v)", errs.list())
	}
}
