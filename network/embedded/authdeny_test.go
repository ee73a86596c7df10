package embedded_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/embedded"
)

// denial is one thing a client must not do: act does it on a fresh
// connection; the server must report a permissions violation for kind
// ("Publish" or "Subscription") to subject (a subject under it when it
// ends in a dot: a name the client library picks).
type denial struct {
	name    string
	kind    string
	subject string
	act     func(ctx context.Context, nc *nats.Conn, js jetstream.JetStream) error
}

func pub(subj string) func(context.Context, *nats.Conn, jetstream.JetStream) error {
	return func(_ context.Context, nc *nats.Conn, _ jetstream.JetStream) error {
		if err := nc.Publish(subj, []byte(`{}`)); err != nil {
			return err
		}
		return nc.Flush()
	}
}

func sub(subj string) func(context.Context, *nats.Conn, jetstream.JetStream) error {
	return func(_ context.Context, nc *nats.Conn, _ jetstream.JetStream) error {
		_, err := nc.SubscribeSync(subj)
		if err != nil {
			return err
		}
		return nc.Flush()
	}
}

// jsCall is a JetStream API call that must fail: the request is dropped
// (a permissions violation), so it times out.
func jsCall(call func(ctx context.Context, js jetstream.JetStream) error) func(context.Context, *nats.Conn, jetstream.JetStream) error {
	return func(ctx context.Context, _ *nats.Conn, js jetstream.JetStream) error {
		if err := call(ctx, js); err == nil {
			return errors.New("the call succeeded")
		}
		return nil
	}
}

// checkDenials runs each denial on a fresh connection from connect.
func checkDenials(t *testing.T, connect func(t *testing.T) (*nats.Conn, *asyncErrs), cases []denial) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nc, errs := connect(t)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if err := c.act(ctx, nc, mustJS(t, nc)); err != nil {
				t.Fatalf("act: %v", err)
			}
			if !errs.violation(c.kind, c.subject, 2*time.Second) {
				t.Errorf("no permissions violation for %s to %q; asynchronous errors: %v", c.kind, c.subject, errs.list())
			}
		})
	}
}

// TestAuthWorkerDenied: a registered worker that misbehaves is stopped by
// the server at every step: it cannot read other queues or inboxes, pull
// or ack another node's jobs, read or write the buckets (receipts, ledger,
// tasks, nodes, commitments), publish under another node's id, create or
// delete consumers or streams, write the inputs, or publish blocks.
func TestAuthWorkerDenied(t *testing.T) {
	a, cjs, ctx := startRunning(t, "mallory", "victim")
	me, other := a.workerIDs[0], a.workerIDs[1]
	for _, id := range a.workerIDs { // both registered: their consumers exist
		if err := network.ProvisionNode(ctx, cjs, id, network.Settings{}); err != nil {
			t.Fatal(err)
		}
	}
	// A job waits for the victim.
	if _, err := cjs.Publish(ctx, network.SubjectJobsNodePfx+other, []byte(`{"job":"for the victim"}`)); err != nil {
		t.Fatal(err)
	}
	kv := func(bucket, key string) string { return "$KV." + bucket + "." + key }
	cases := []denial{
		{"subscribe all jobs", "Subscription", "zkpoc.jobs.>", sub("zkpoc.jobs.>")},
		{"subscribe another node's jobs", "Subscription", network.SubjectJobsNodePfx + other, sub(network.SubjectJobsNodePfx + other)},
		{"subscribe the results", "Subscription", "zkpoc.results.*", sub("zkpoc.results.*")},
		{"subscribe commits", "Subscription", "zkpoc.commit.>", sub("zkpoc.commit.>")},
		{"subscribe everything", "Subscription", ">", sub(">")},
		{"subscribe the shared inbox", "Subscription", "_INBOX.>", sub("_INBOX.>")},
		{"subscribe another node's inbox", "Subscription", network.WorkerInboxPrefix(other) + ".>", sub(network.WorkerInboxPrefix(other) + ".>")},
		{"subscribe the market's inbox", "Subscription", network.MarketInboxPrefix + ".>", sub(network.MarketInboxPrefix + ".>")},
		{"pull another node's job (raw)", "Publish", "$JS.API.CONSUMER.MSG.NEXT.ZKPOC_JOBS.node-" + other,
			func(ctx context.Context, nc *nats.Conn, _ jetstream.JetStream) error {
				if _, err := nc.RequestWithContext(ctx, "$JS.API.CONSUMER.MSG.NEXT.ZKPOC_JOBS.node-"+other, []byte(`{"batch":1}`)); err == nil {
					return errors.New("a job pulled from another node's consumer")
				}
				return nil
			}},
		{"look up another node's consumer", "Publish", "$JS.API.CONSUMER.INFO.ZKPOC_JOBS.node-" + other,
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				_, err := js.Consumer(ctx, network.JobsStream, network.NodeConsumer(other))
				return err
			})},
		{"ack another node's job", "Publish", "$JS.ACK.ZKPOC_JOBS.node-" + other + ".1.1.1.1700000000000000000.0",
			pub("$JS.ACK.ZKPOC_JOBS.node-" + other + ".1.1.1.1700000000000000000.0")},
		{"nak another node's job", "Publish", "$JS.ACK.ZKPOC_JOBS.node-" + other + ".1.1.1.1.0", pub("$JS.ACK.ZKPOC_JOBS.node-" + other + ".1.1.1.1.0")},
		{"read the receipts bucket", "Publish", "$JS.API.STREAM.INFO.KV_" + network.ReceiptsBucket,
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				_, err := js.KeyValue(ctx, network.ReceiptsBucket)
				return err
			})},
		{"direct-get a receipt", "Publish", "$JS.API.DIRECT.GET.KV_" + network.ReceiptsBucket + "." + kv(network.ReceiptsBucket, "x"),
			pub("$JS.API.DIRECT.GET.KV_" + network.ReceiptsBucket + "." + kv(network.ReceiptsBucket, "x"))},
		{"write a receipt", "Publish", kv(network.ReceiptsBucket, "x"), pub(kv(network.ReceiptsBucket, "x"))},
		{"read the ledger", "Publish", "$JS.API.STREAM.INFO.KV_" + network.LedgerBucket,
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				_, err := js.KeyValue(ctx, network.LedgerBucket)
				return err
			})},
		{"credit itself in the ledger", "Publish", kv(network.LedgerBucket, "credit.x"), pub(kv(network.LedgerBucket, "credit.x"))},
		{"read the tasks", "Publish", "$JS.API.DIRECT.GET.KV_" + network.TasksBucket + "." + kv(network.TasksBucket, "t"),
			pub("$JS.API.DIRECT.GET.KV_" + network.TasksBucket + "." + kv(network.TasksBucket, "t"))},
		{"write a task", "Publish", kv(network.TasksBucket, "t"), pub(kv(network.TasksBucket, "t"))},
		{"rewrite its node record", "Publish", kv(network.NodesBucket, me), pub(kv(network.NodesBucket, me))},
		{"write a commitment", "Publish", kv(network.ChallengesKV, "x"), pub(kv(network.ChallengesKV, "x"))},
		{"publish a result as another node", "Publish", network.SubjectResultsPfx + other, pub(network.SubjectResultsPfx + other)},
		{"heartbeat as another node", "Publish", network.SubjectHeartbeatPfx + other, pub(network.SubjectHeartbeatPfx + other)},
		{"commit as another node", "Publish", network.SubjectCommitPfx + other, pub(network.SubjectCommitPfx + other)},
		{"register as another node", "Publish", network.SubjectRegisterPfx + other, pub(network.SubjectRegisterPfx + other)},
		{"post a task", "Publish", network.SubjectIntake, pub(network.SubjectIntake)},
		{"publish a job", "Publish", network.SubjectJobsNodePfx + me, pub(network.SubjectJobsNodePfx + me)},
		{"publish a block", "Publish", network.SubjectBlocks, pub(network.SubjectBlocks)},
		{"answer on the coordinator's inbox", "Publish", "_INBOX.spoofed", pub("_INBOX.spoofed")},
		{"create a consumer on the jobs", "Publish", "$JS.API.CONSUMER.CREATE.ZKPOC_JOBS.mine." + network.SubjectJobsNodePfx + other,
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				_, err := js.CreateConsumer(ctx, network.JobsStream, jetstream.ConsumerConfig{Name: "mine", FilterSubject: network.SubjectJobsNodePfx + other})
				return err
			})},
		{"create a consumer on the inputs", "Publish", "$JS.API.CONSUMER.CREATE.OBJ_" + network.InputsObjects + ".mine",
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				_, err := js.CreateConsumer(ctx, "OBJ_"+network.InputsObjects, jetstream.ConsumerConfig{Name: "mine"})
				return err
			})},
		{"delete another node's consumer", "Publish", "$JS.API.CONSUMER.DELETE.ZKPOC_JOBS.node-" + other,
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				return js.DeleteConsumer(ctx, network.JobsStream, network.NodeConsumer(other))
			})},
		{"delete its own consumer", "Publish", "$JS.API.CONSUMER.DELETE.ZKPOC_JOBS.node-" + me,
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				return js.DeleteConsumer(ctx, network.JobsStream, network.NodeConsumer(me))
			})},
		{"create a stream", "Publish", "$JS.API.STREAM.CREATE.MINE",
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "MINE", Subjects: []string{"mine.>"}})
				return err
			})},
		{"delete the blocks", "Publish", "$JS.API.STREAM.DELETE." + network.BlocksStream,
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				return js.DeleteStream(ctx, network.BlocksStream)
			})},
		{"purge the jobs", "Publish", "$JS.API.STREAM.PURGE." + network.JobsStream, pub("$JS.API.STREAM.PURGE." + network.JobsStream)},
		{"store an input", "Publish", "$O." + network.InputsObjects + ".C.x", pub("$O." + network.InputsObjects + ".C.x")},
		{"purge the inputs", "Publish", "$JS.API.STREAM.PURGE.OBJ_" + network.InputsObjects, pub("$JS.API.STREAM.PURGE.OBJ_" + network.InputsObjects)},
		{"read the blocks stream", "Publish", "$JS.API.STREAM.INFO." + network.BlocksStream,
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				_, err := js.Stream(ctx, network.BlocksStream)
				return err
			})},
		{"account info", "Publish", "$JS.API.INFO",
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				_, err := js.AccountInfo(ctx)
				return err
			})},
	}
	checkDenials(t, func(t *testing.T) (*nats.Conn, *asyncErrs) { return a.worker(t, 0) }, cases)

	// The victim's job is still there, for the victim alone.
	vnc, verrs := a.worker(t, 1)
	cons, err := mustJS(t, vnc).Consumer(ctx, network.JobsStream, network.NodeConsumer(other))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cons.Next(jetstream.FetchMaxWait(2 * time.Second))
	if err != nil {
		t.Fatalf("the victim's job after the attacks: %v", err)
	}
	if !strings.Contains(string(msg.Data()), "for the victim") {
		t.Fatalf("the victim pulled %q", msg.Data())
	}
	if err := msg.InProgress(); err != nil {
		t.Fatal(err)
	}
	if err := msg.DoubleAck(ctx); err != nil {
		t.Fatalf("the victim acks its own job: %v", err)
	}
	noViolations(t, "victim", verrs)
}

// TestAuthMarketDenied: the market reads what the coordinator wrote and
// stores inputs, and nothing else.
func TestAuthMarketDenied(t *testing.T) {
	a := startAuth(t, "w0")
	cnc, _ := a.coordinator(t)
	runCoordinator(t, cnc)
	id := a.workerIDs[0]
	kv := func(bucket, key string) string { return "$KV." + bucket + "." + key }
	cases := []denial{
		{"read the receipts bucket", "Publish", "$JS.API.STREAM.INFO.KV_" + network.ReceiptsBucket,
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				_, err := js.KeyValue(ctx, network.ReceiptsBucket)
				return err
			})},
		{"read the commitments", "Publish", "$JS.API.STREAM.INFO.KV_" + network.ChallengesKV,
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				_, err := js.KeyValue(ctx, network.ChallengesKV)
				return err
			})},
		{"write the ledger", "Publish", kv(network.LedgerBucket, "credit.x"), pub(kv(network.LedgerBucket, "credit.x"))},
		{"write a task", "Publish", kv(network.TasksBucket, "t"), pub(kv(network.TasksBucket, "t"))},
		{"write a node record", "Publish", kv(network.NodesBucket, id), pub(kv(network.NodesBucket, id))},
		{"publish a block", "Publish", network.SubjectBlocks, pub(network.SubjectBlocks)},
		{"publish a result", "Publish", network.SubjectResultsPfx + id, pub(network.SubjectResultsPfx + id)},
		{"publish a job", "Publish", network.SubjectJobsNodePfx + id, pub(network.SubjectJobsNodePfx + id)},
		{"register a node", "Publish", network.SubjectRegisterPfx + id, pub(network.SubjectRegisterPfx + id)},
		{"subscribe the shared inbox", "Subscription", "_INBOX.>", sub("_INBOX.>")},
		{"subscribe a worker's inbox", "Subscription", network.WorkerInboxPrefix(id) + ".>", sub(network.WorkerInboxPrefix(id) + ".>")},
		{"subscribe intake", "Subscription", network.SubjectIntake, sub(network.SubjectIntake)},
		{"create a consumer on the jobs", "Publish", "$JS.API.CONSUMER.CREATE.ZKPOC_JOBS.mine",
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				_, err := js.CreateConsumer(ctx, network.JobsStream, jetstream.ConsumerConfig{Name: "mine"})
				return err
			})},
		{"delete the blocks", "Publish", "$JS.API.STREAM.DELETE." + network.BlocksStream,
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				return js.DeleteStream(ctx, network.BlocksStream)
			})},
		{"create a consumer on the ledger", "Publish", "$JS.API.CONSUMER.CREATE.KV_" + network.LedgerBucket + ".mine",
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				_, err := js.CreateConsumer(ctx, "KV_"+network.LedgerBucket, jetstream.ConsumerConfig{Name: "mine", DeliverSubject: network.SubjectBlocks})
				return err
			})},
		{"watch the ledger", "Publish", "$JS.API.CONSUMER.CREATE.KV_" + network.LedgerBucket + ".",
			jsCall(func(ctx context.Context, js jetstream.JetStream) error {
				kv, err := js.KeyValue(ctx, network.LedgerBucket)
				if err == nil {
					_, err = kv.ListKeys(ctx)
				}
				return err
			})},
	}
	checkDenials(t, a.market, cases)
}

// TestAuthUnknownKey: a key that is not in the user list, or no key at
// all, cannot connect.
func TestAuthUnknownKey(t *testing.T) {
	a := startAuth(t, "w0")
	stranger := userKP(t)
	for _, c := range []struct {
		name string
		opts []nats.Option
	}{
		{"unknown nkey", []nats.Option{nats.Nkey(pubOf(t, stranger), stranger.Sign)}},
		{"no credentials", nil},
		{"a listed key, signed by another", []nats.Option{nats.Nkey(pubOf(t, a.marketKP), stranger.Sign)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			nc, err := nats.Connect(a.srv.URL(), append(c.opts, nats.Timeout(2*time.Second), nats.NoReconnect())...)
			if err == nil {
				nc.Close()
				t.Fatal("connected")
			}
			if !errors.Is(err, nats.ErrAuthorization) && !strings.Contains(strings.ToLower(err.Error()), "authorization violation") {
				t.Fatalf("error %v, want an authorization violation", err)
			}
		})
	}
}

// TestConsumerDeliverSubjectUnchecked is why no role but the coordinator
// may create consumers, not even read-only ones on the inputs: a client
// allowed to create a push consumer on the inputs stream (and nothing
// else) has nats-server deliver the stream's messages to any subject it
// names, here into the blocks stream, which that client may not publish to.
func TestConsumerDeliverSubjectUnchecked(t *testing.T) {
	coord, reader := userKP(t), userKP(t)
	obj := "OBJ_" + network.InputsObjects
	users := []*server.NkeyUser{{Nkey: pubOf(t, coord)}, {Nkey: pubOf(t, reader), Permissions: &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: []string{"$JS.API.STREAM.INFO." + obj, "$JS.API.CONSUMER.CREATE." + obj + ".>"}},
		Subscribe: &server.SubjectPermission{Allow: []string{"_INBOX_reader.>"}},
	}}}
	srv, err := embedded.Start(embedded.Options{Dir: t.TempDir(), Users: users})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	a := &authNet{srv: srv}
	cnc, _ := a.connect(t, "coordinator", coord, "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cjs := mustJS(t, cnc)
	if err := network.Provision(ctx, cjs, network.Settings{}); err != nil {
		t.Fatal(err)
	}
	store, err := cjs.ObjectStore(ctx, network.InputsObjects)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PutBytes(ctx, "a.csv", []byte("1,2\n3,4\n")); err != nil {
		t.Fatal(err)
	}
	rnc, rerrs := a.connect(t, "reader", reader, "_INBOX_reader")
	if _, err := mustJS(t, rnc).CreateConsumer(ctx, obj, jetstream.ConsumerConfig{Name: "inject", DeliverSubject: network.SubjectBlocks}); err != nil {
		t.Fatalf("create the push consumer: %v (%v)", err, rerrs.list())
	}
	blocks, err := cjs.Stream(ctx, network.BlocksStream)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		info, err := blocks.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs > 0 {
			t.Logf("the blocks stream holds %d messages it never got from the coordinator", info.State.Msgs)
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing delivered into the blocks stream: the server now checks deliver subjects; consumer creation could be granted again")
		}
	}
}

// TestAuthReplyInjection: a request names the subject its answer goes to,
// and neither nats-server (for JetStream API answers and publish acks)
// nor the coordinator (for its answers) checks that subject against the
// requester's permissions. Every request a worker or the market may make,
// with a stream's subject as its reply, must leave the streams untouched:
// the blocks, the ledger, the tasks, the node records, another node's
// jobs. (In one account the server wrote its answers there; the workers'
// and the market's own accounts keep every answer in them.) The same
// requests with an inbox are answered, so they were served, not dropped.
func TestAuthReplyInjection(t *testing.T) {
	a, cjs, ctx := startRunning(t, "mallory", "victim")
	me, other := a.workerIDs[0], a.workerIDs[1]
	if err := network.ProvisionNode(ctx, cjs, me, network.Settings{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cjs.Publish(ctx, network.SubjectJobsNodePfx+me, []byte(`{"job":"for mallory"}`)); err != nil {
		t.Fatal(err)
	}
	reg := network.Registration{WorkerAddress: "cpc1mallory", Time: time.Now().Unix()}
	if err := reg.Sign(a.workers[0]); err != nil {
		t.Fatal(err)
	}
	regData, _ := json.Marshal(reg)
	wnc, werrs := a.worker(t, 0)
	mnc, merrs := a.market(t)
	kv := func(bucket, key string) string { return "$KV." + bucket + "." + key }
	requests := []struct {
		nc            *nats.Conn
		subject, data string
	}{
		{wnc, network.SubjectRegisterPfx + me, string(regData)},
		{wnc, network.SubjectCommitPfx + me, `{}`},
		{wnc, network.SubjectResultsPfx + me, `{}`},
		{wnc, "$JS.API.CONSUMER.INFO.ZKPOC_JOBS.node-" + me, ``},
		{wnc, "$JS.API.STREAM.INFO.OBJ_" + network.InputsObjects, ``},
		{wnc, "$JS.API.DIRECT.GET.OBJ_" + network.InputsObjects, `{"seq":1}`},
		{mnc, network.SubjectIntake, `{}`},
		{mnc, "$JS.API.STREAM.INFO.KV_" + network.TasksBucket, ``},
		{mnc, "$JS.API.STREAM.MSG.GET." + network.BlocksStream, `{"seq":1}`},
		{mnc, "$O." + network.InputsObjects + ".C.mine", `chunk`},
	}
	targets := []struct{ stream, subject string }{
		{network.BlocksStream, network.SubjectBlocks},
		{"KV_" + network.LedgerBucket, kv(network.LedgerBucket, "credit."+me)},
		{"KV_" + network.TasksBucket, kv(network.TasksBucket, "t")},
		{"KV_" + network.NodesBucket, kv(network.NodesBucket, other)},
		{network.JobsStream, network.SubjectJobsNodePfx + other},
	}
	// The coordinator subscribes its request subjects after it provisions
	// the streams runCoordinator waits for: wait for a responder on each,
	// so that the injected replies below reach one (bounded: 5 s each).
	for _, r := range requests[:2] {
		awaitResponder(t, ctx, r.nc, r.subject, r.data)
	}
	for _, r := range requests {
		for _, tg := range targets {
			if err := r.nc.PublishRequest(r.subject, tg.subject, []byte(r.data)); err != nil {
				t.Fatal(err)
			}
		}
		// The pull request, last: it delivers mallory's job to the reply.
		if _, err := r.nc.RequestWithContext(ctx, r.subject, []byte(r.data)); err != nil {
			t.Errorf("%s with an inbox: %v", r.subject, err)
		}
	}
	for _, tg := range targets {
		if err := wnc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.ZKPOC_JOBS.node-"+me, tg.subject, []byte(`{"batch":1,"expires":200000000}`)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	for _, tg := range targets {
		s, err := cjs.Stream(ctx, tg.stream)
		if err != nil {
			t.Fatal(err)
		}
		if m, err := s.GetLastMsgForSubject(ctx, tg.subject); err == nil {
			t.Errorf("a reply was written into %s: %.200s", tg.subject, m.Data)
		} else if !errors.Is(err, jetstream.ErrMsgNotFound) {
			t.Fatal(err)
		}
	}
	for _, e := range append(werrs.list(), merrs.list()...) {
		t.Errorf("asynchronous error: %v", e)
	}
}

// awaitResponder requests subject until something subscribes to it: at most
// 100 tries, 50 ms apart.
func awaitResponder(t *testing.T, ctx context.Context, nc *nats.Conn, subject, data string) {
	t.Helper()
	for i := 0; ; i++ {
		_, err := nc.RequestWithContext(ctx, subject, []byte(data))
		if !errors.Is(err, nats.ErrNoResponders) {
			return
		}
		if i == 100 {
			t.Fatalf("no responder on %s within 5 s", subject)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
