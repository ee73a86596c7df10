package worker_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc"
	"github.com/zkpoc/zkpoc/hardware/probe"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/embedded"
	"github.com/zkpoc/zkpoc/network/embedded/embeddedtest"
	"github.com/zkpoc/zkpoc/network/worker"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

const addr = "cpc1qtestworker"

// coord is a fake coordinator: it accepts registrations (creating the
// node's consumer), answers commitments with random challenges, publishes
// jobs and reads results.
type coord struct {
	t        *testing.T
	nc       *nats.Conn
	js       jetstream.JetStream
	settings network.Settings

	mu       sync.Mutex
	regs     []network.Registration
	commits  map[string]commit // request_id.node_id.attempt → the latest
	nCommits int
	onCommit func(network.CommitRequest) // called before the reply, when set
	results  jetstream.Consumer
}

type commit struct {
	root      [32]byte
	challenge []byte
}

func newCoord(t *testing.T, ackWait time.Duration) *coord {
	t.Helper()
	_, nc, js := embeddedtest.Start(t)
	var err error
	c := &coord{t: t, nc: nc, js: js, settings: network.Settings{Storage: jetstream.FileStorage, AckWait: ackWait}, commits: map[string]commit{}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := network.Provision(ctx, js, c.settings); err != nil {
		t.Fatal(err)
	}
	if c.results, err = js.Consumer(ctx, network.ResultsStream, network.ConsumerCoordinator); err != nil {
		t.Fatal(err)
	}
	reply := func(m *nats.Msg, v any) {
		data, _ := json.Marshal(v)
		_ = m.Respond(data)
	}
	if _, err := nc.Subscribe(network.SubjectRegisterPfx+"*", func(m *nats.Msg) {
		var r network.Registration
		if err := network.Decode(m.Data, network.MaxMessageBytes, &r); err != nil {
			reply(m, network.Ack{Error: err.Error()})
			return
		}
		if _, err := r.Verify(); err != nil || m.Subject != network.SubjectRegisterPfx+r.NodeID {
			reply(m, network.Ack{Error: fmt.Sprintf("registration refused: %v", err)})
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := network.ProvisionNode(ctx, js, r.NodeID, c.settings); err != nil {
			reply(m, network.Ack{Error: err.Error()})
			return
		}
		c.mu.Lock()
		c.regs = append(c.regs, r)
		c.mu.Unlock()
		reply(m, network.Ack{OK: true})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Subscribe(network.SubjectCommitPfx+"*", func(m *nats.Msg) {
		var r network.CommitRequest
		if err := network.Decode(m.Data, 64<<10, &r); err != nil {
			reply(m, network.CommitReply{Error: err.Error()})
			return
		}
		root, err := receipt.DecodeHex32("root", r.Root)
		if err != nil {
			reply(m, network.CommitReply{Error: err.Error()})
			return
		}
		ch := make([]byte, 32)
		_, _ = rand.Read(ch)
		c.mu.Lock()
		c.commits[fmt.Sprintf("%s.%s.%d", r.RequestID, r.NodeID, r.Attempt)] = commit{root, ch}
		c.nCommits++
		hook := c.onCommit
		c.mu.Unlock()
		if hook != nil {
			hook(r)
		}
		reply(m, network.CommitReply{Challenge: hex.EncodeToString(ch)})
	}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *coord) registrations() []network.Registration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]network.Registration(nil), c.regs...)
}

// job publishes a job for node and returns it.
func (c *coord) job(node string, task workload.ComputeTask, attempt int) network.Job {
	c.t.Helper()
	req, err := task.RequestID()
	if err != nil {
		c.t.Fatal(err)
	}
	j := network.Job{TaskID: task.TaskID, RequestID: hex.EncodeToString(req[:]), Task: task, Role: network.RolePrimary, Attempt: attempt, Node: node}
	data, _ := json.Marshal(j)
	if _, err := c.js.Publish(context.Background(), network.SubjectJobsNodePfx+node, data); err != nil {
		c.t.Fatal(err)
	}
	return j
}

// result waits for the next result and acks it.
func (c *coord) result(within time.Duration) (network.Result, *receipt.Envelope) {
	c.t.Helper()
	msg, err := c.results.Next(jetstream.FetchMaxWait(within))
	if err != nil {
		c.t.Fatalf("no result within %s: %v", within, err)
	}
	_ = msg.Ack()
	var r network.Result
	if err := network.Decode(msg.Data(), network.MaxMessageBytes, &r); err != nil {
		c.t.Fatal(err)
	}
	env, err := zkpoc.DecodeEnvelope(r.Receipt)
	if err != nil {
		c.t.Fatal(err)
	}
	if h := msg.Headers().Get(jetstream.MsgIDHeader); h != fmt.Sprintf("%s/%s/%d", r.RequestID, r.NodeID, r.Attempt) {
		c.t.Errorf("Nats-Msg-Id %q", h)
	}
	return r, env
}

func (c *coord) challenge(r network.Result) commit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.commits[fmt.Sprintf("%s.%s.%d", r.RequestID, r.NodeID, r.Attempt)]
}

func nodeKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, 32))
}

func task(t *testing.T, n int, id string) workload.ComputeTask {
	t.Helper()
	tk, err := workload.NewSyntheticTask(id, workload.DeriveSeed(network.GenesisHash, addr), n, 8, "1000", time.Now().Add(time.Hour).Unix())
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// start runs a worker on its own connection until the returned stop.
func start(t *testing.T, c *coord, cfg worker.Config) (*worker.Worker, func()) {
	t.Helper()
	nc, err := nats.Connect(c.nc.ConnectedUrl())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.WorkerAddress == "" {
		cfg.WorkerAddress = addr
	}
	if cfg.KeyDir == "" {
		cfg.KeyDir = t.TempDir()
	}
	cfg.HeartbeatEvery = 200 * time.Millisecond
	var logs bytes.Buffer
	var lmu sync.Mutex
	cfg.Log = writerFunc(func(p []byte) (int, error) { lmu.Lock(); defer lmu.Unlock(); return logs.Write(p) })
	w, err := worker.New(nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("Run did not return within 10 s of cancel")
			}
			nc.Close()
			lmu.Lock()
			t.Logf("worker log:\n%s", logs.String())
			lmu.Unlock()
		})
	}
	t.Cleanup(stop)
	return w, stop
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func verify(t *testing.T, env *receipt.Envelope, policy string, opts ...zkpoc.VerifyOption) *zkpoc.Verdict {
	t.Helper()
	v, err := zkpoc.Verify(env, append([]zkpoc.VerifyOption{zkpoc.VerifyWithPolicy(policy)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRegisterAndAnswer: the worker registers with a valid signature and
// heartbeats; it answers a binding job and (auto mode, a budget no SNARK
// fits) a sampled job by commit-then-challenge, both verifying; a second
// job for an answered request gets the stored receipt back.
func TestRegisterAndAnswer(t *testing.T) {
	c := newCoord(t, 5*time.Second)
	hb := make(chan network.Heartbeat, 16)
	if _, err := c.nc.Subscribe(network.SubjectHeartbeatPfx+"*", func(m *nats.Msg) {
		var h network.Heartbeat
		if network.Decode(m.Data, 1024, &h) == nil {
			select {
			case hb <- h:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}

	// Binding.
	wb, stopB := start(t, c, worker.Config{NodeKey: nodeKey(1), Mode: protocol.ModeBinding})
	j := c.job(wb.NodeID(), task(t, 8, "6f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a01"), 1)
	res, env := c.result(15 * time.Second)
	regs := c.registrations()
	if len(regs) != 1 || regs[0].NodeID != wb.NodeID() || regs[0].WorkerAddress != addr {
		t.Fatalf("registrations %+v", regs)
	}
	if _, err := regs[0].Verify(); err != nil {
		t.Fatal(err)
	}
	select {
	case h := <-hb:
		if h.NodeID != wb.NodeID() {
			t.Errorf("heartbeat from %s", h.NodeID)
		}
	case <-time.After(3 * time.Second):
		t.Error("no heartbeat")
	}
	if res.RequestID != j.RequestID || res.NodeID != wb.NodeID() || res.Attempt != 1 || res.Role != network.RolePrimary {
		t.Errorf("result %+v", res)
	}
	if v := verify(t, env, "binding-v1"); v.PolicyDecision.Status != zkpoc.Pass {
		t.Fatalf("binding receipt: %s: %s", v.PolicyDecision.Status, v.PolicyDecision.Reason)
	}
	// A second attempt of the answered request: the stored receipt, not a new run.
	c.job(wb.NodeID(), j.Task, 2)
	res2, _ := c.result(10 * time.Second)
	if res2.Attempt != 2 || !bytes.Equal(res2.Receipt, res.Receipt) {
		t.Errorf("attempt 2: attempt %d, same receipt %v", res2.Attempt, bytes.Equal(res2.Receipt, res.Receipt))
	}
	stopB()

	// Auto with a budget no SNARK fits: sampled, with the coordinator's challenge.
	ws, _ := start(t, c, worker.Config{NodeKey: nodeKey(2), Budget: prover.Budget{Time: time.Millisecond, Memory: 1 << 20}})
	c.job(ws.NodeID(), task(t, 8, "6f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a02"), 1)
	res, env = c.result(15 * time.Second)
	ch := c.challenge(res)
	if ch.challenge == nil {
		t.Fatal("no commitment recorded for the sampled result")
	}
	st, _, err := env.Statement()
	if err != nil {
		t.Fatal(err)
	}
	if p := st.Predicate; p.Mode != protocol.ModeSampled || p.Sampling == nil || p.Sampling.Method != receipt.SamplingMethodChallenge ||
		p.Sampling.Challenge != hex.EncodeToString(ch.challenge) || p.OutputDigest != hex.EncodeToString(ch.root[:]) {
		t.Fatalf("sampled receipt: mode %s, sampling %+v", p.Mode, p.Sampling)
	}
	if v := verify(t, env, "sampled-v1", zkpoc.VerifyWithChallenge(ch.challenge, ch.root)); v.PolicyDecision.Status != zkpoc.Pass {
		t.Fatalf("sampled receipt: %s: %s", v.PolicyDecision.Status, v.PolicyDecision.Reason)
	}
}

// TestRedeliveredAfterStop: a worker stopped mid-job (after it committed,
// before it answered) leaves the job unacked; JetStream redelivers it after
// AckWait and a restarted worker with the same key answers it.
func TestRedeliveredAfterStop(t *testing.T) {
	c := newCoord(t, time.Second)
	cfg := worker.Config{NodeKey: nodeKey(3), Mode: protocol.ModeSampled}
	w1, stop1 := start(t, c, cfg)
	stopped := make(chan struct{})
	var once sync.Once
	c.mu.Lock()
	c.onCommit = func(network.CommitRequest) {
		once.Do(func() {
			go func() { stop1(); close(stopped) }()
			time.Sleep(300 * time.Millisecond) // the reply comes after the worker is gone
		})
	}
	c.mu.Unlock()
	j := c.job(w1.NodeID(), task(t, 4, "6f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a03"), 1)
	select {
	case <-stopped:
	case <-time.After(15 * time.Second):
		t.Fatal("the first worker never committed")
	}
	if msg, err := c.results.Next(jetstream.FetchMaxWait(500 * time.Millisecond)); err == nil {
		t.Fatalf("a result from the stopped worker: %s", msg.Data())
	}
	start(t, c, cfg)
	res, env := c.result(15 * time.Second)
	if res.RequestID != j.RequestID {
		t.Fatalf("result for %s", res.RequestID)
	}
	ch := c.challenge(res)
	if v := verify(t, env, "sampled-v1", zkpoc.VerifyWithChallenge(ch.challenge, ch.root)); v.PolicyDecision.Status != zkpoc.Pass {
		t.Fatalf("redelivered job's receipt: %s: %s", v.PolicyDecision.Status, v.PolicyDecision.Reason)
	}
	c.mu.Lock()
	n := c.nCommits
	c.mu.Unlock()
	if n != 2 {
		t.Errorf("%d commitments, want 2 (one per run)", n)
	}
}

// TestDishonest: a dishonest worker's receipt carries a valid signature and
// PoE but a wrong output; Compare against an honest one finds it.
func TestDishonest(t *testing.T) {
	c := newCoord(t, 5*time.Second)
	tk := task(t, 8, "6f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a04")
	honest, stopH := start(t, c, worker.Config{NodeKey: nodeKey(4), Mode: protocol.ModeBinding})
	c.job(honest.NodeID(), tk, 1)
	_, envH := c.result(15 * time.Second)
	stopH()
	liar, _ := start(t, c, worker.Config{NodeKey: nodeKey(5), Mode: protocol.ModeBinding, Dishonest: true})
	c.job(liar.NodeID(), tk, 1)
	_, envD := c.result(15 * time.Second)

	v := verify(t, envD, "binding-v1")
	if v.PolicyDecision.Status != zkpoc.Pass || v.Attributable() != nil {
		t.Fatalf("dishonest receipt: %s: %s (attributable: %v)", v.PolicyDecision.Status, v.PolicyDecision.Reason, v.Attributable())
	}
	policy := verifier.BuiltinPolicies["binding-v1"]
	cmp, err := verifier.Compare(envH, envD, verifier.Options{Policy: &policy}, verifier.Options{Policy: &policy})
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Outcome != verifier.Disagree || len(cmp.Escalate) != 1 || cmp.Escalate[0] != liar.NodeID() {
		t.Fatalf("compare: %s, escalate %v: %s", cmp.Outcome, cmp.Escalate, cmp.Advice)
	}
	if cmp.Reference == nil || !cmp.Reference.Correct[0] || cmp.Reference.Correct[1] {
		t.Errorf("reference %+v", cmp.Reference)
	}
}

// TestRefusedRegistration: a refusal is an error naming it, not a retry loop.
func TestRefusedRegistration(t *testing.T) {
	srv, err := embedded.Start(embedded.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.Subscribe(network.SubjectRegisterPfx+"*", func(m *nats.Msg) {
		_ = m.Respond([]byte(`{"ok":false,"error":"node is banned"}`))
	}); err != nil {
		t.Fatal(err)
	}
	w, err := worker.New(nc, worker.Config{NodeKey: nodeKey(6), WorkerAddress: addr})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = w.Run(ctx)
	if err == nil || !errors.Is(err, worker.ErrRefused) || !bytes.Contains([]byte(err.Error()), []byte("node is banned")) {
		t.Fatalf("Run: %v", err)
	}
	if _, err := worker.New(nc, worker.Config{NodeKey: nodeKey(6), WorkerAddress: "not an address"}); err == nil {
		t.Error("New accepted a malformed worker address")
	}
}

// slow is an executor that takes its time.
type slow struct {
	native.Executor
	d     time.Duration
	mu    sync.Mutex
	calls int
}

func (s *slow) Multiply(a, b []int16, n, f int) ([]int64, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	time.Sleep(s.d)
	return s.Executor.Multiply(a, b, n, f)
}

// TestInProgress: a job that runs longer than AckWait is not redelivered:
// the worker's in-progress acks hold it.
func TestInProgress(t *testing.T) {
	c := newCoord(t, time.Second)
	real, err := native.SelectExecutor(probe.Host(), "")
	if err != nil {
		t.Fatal(err)
	}
	ex := &slow{Executor: real, d: 2500 * time.Millisecond}
	cfg := worker.Config{NodeKey: nodeKey(7), Mode: protocol.ModeBinding}
	worker.SetExecutor(&cfg, ex)
	w, _ := start(t, c, cfg)
	c.job(w.NodeID(), task(t, 4, "6f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a05"), 1)
	c.result(15 * time.Second)
	if msg, err := c.results.Next(jetstream.FetchMaxWait(1500 * time.Millisecond)); err == nil {
		t.Fatalf("a second result (the job was redelivered): %s", msg.Data())
	}
	ex.mu.Lock()
	defer ex.mu.Unlock()
	if ex.calls != 1 {
		t.Errorf("%d products, want 1", ex.calls)
	}
}

// TestSuppliedInputs: a supplied task's matrices come from the inputs object
// store; the receipt verifies with them. Inputs that do not match the
// task's commitment terminate the job (no result, no retry).
func TestSuppliedInputs(t *testing.T) {
	c := newCoord(t, 5*time.Second)
	const n = 4
	a, b := zkpoc.Matrix{N: n}, zkpoc.Matrix{N: n}
	csv := func(m *zkpoc.Matrix, k int) []byte {
		var buf bytes.Buffer
		for i := range n {
			for j := range n {
				v := int16((i*n+j)*k%97 - 40)
				m.Data = append(m.Data, v)
				if j > 0 {
					buf.WriteByte(',')
				}
				fmt.Fprint(&buf, v)
			}
			buf.WriteByte('\n')
		}
		return buf.Bytes()
	}
	ctx := context.Background()
	store, err := c.js.ObjectStore(ctx, network.InputsObjects)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"a.csv": csv(&a, 3), "b.csv": csv(&b, 5)} {
		if _, err := store.PutBytes(ctx, name, data); err != nil {
			t.Fatal(err)
		}
	}
	tk, err := zkpoc.NewSuppliedTask(a, b)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := start(t, c, worker.Config{NodeKey: nodeKey(8), Mode: protocol.ModeBinding})
	publish := func(in network.SuppliedInputs) {
		req, _ := tk.RequestID()
		j := network.Job{TaskID: tk.TaskID, RequestID: hex.EncodeToString(req[:]), Task: tk, Role: network.RolePrimary, Attempt: 1, Node: w.NodeID(), Inputs: &in}
		data, _ := json.Marshal(j)
		if _, err := c.js.Publish(ctx, network.SubjectJobsNodePfx+w.NodeID(), data); err != nil {
			t.Fatal(err)
		}
	}
	publish(network.SuppliedInputs{A: "b.csv", B: "a.csv"}) // swapped: not the committed inputs
	if msg, err := c.results.Next(jetstream.FetchMaxWait(2 * time.Second)); err == nil {
		t.Fatalf("a result for mismatched inputs: %s", msg.Data())
	}
	publish(network.SuppliedInputs{A: "a.csv", B: "b.csv"})
	_, env := c.result(10 * time.Second)
	if v := verify(t, env, "binding-v1", zkpoc.VerifyWithMatrices(a, b)); v.PolicyDecision.Status != zkpoc.Pass {
		t.Fatalf("supplied receipt: %s: %s", v.PolicyDecision.Status, v.PolicyDecision.Reason)
	}
}

// TestSNARKAuto: in auto mode with cached keys and the default budget, the
// worker proves (Groth16) and the receipt verifies under the key. It needs
// ZKPOC_TEST_KEYS with the n = 4 keys (the shared test key cache).
func TestSNARKAuto(t *testing.T) {
	dir := os.Getenv("ZKPOC_TEST_KEYS")
	if dir == "" {
		t.Skip("needs ZKPOC_TEST_KEYS with the n = 4 Groth16 keys")
	}
	if _, err := (keys.Cache{Dir: dir}).Load(keys.IDFor(protocol.BN254, protocol.Groth16, protocol.Freivalds, 4, 8)); err != nil {
		t.Skipf("no n = 4 Groth16 keys in ZKPOC_TEST_KEYS: %v", err)
	}
	c := newCoord(t, 5*time.Second)
	w, _ := start(t, c, worker.Config{NodeKey: nodeKey(9), KeyDir: dir})
	tk := task(t, 4, "6f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a06")
	if m, err := w.Mode(tk); err != nil || m != protocol.ModeGroth16 {
		t.Fatalf("auto mode: %s, %v", m, err)
	}
	c.job(w.NodeID(), tk, 1)
	_, env := c.result(30 * time.Second)
	v, err := zkpoc.Verify(env, zkpoc.VerifyWithKeyDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if v.PolicyDecision.Status != zkpoc.Pass {
		t.Fatalf("SNARK receipt: %s: %s", v.PolicyDecision.Status, v.PolicyDecision.Reason)
	}
}
