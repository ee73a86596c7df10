package embedded_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
	"github.com/zkpoc/zkpoc/network/embedded"
	"github.com/zkpoc/zkpoc/network/worker"
	"github.com/zkpoc/zkpoc/protocol"
)

// freePorts returns n ports free on 127.0.0.1 right now.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// retry calls f with a 2 s deadline per attempt until it succeeds or ctx
// ends: in a cluster a JetStream API request made while a stream is being
// created or its leader is moving can go unanswered.
func retry(ctx context.Context, t *testing.T, what string, f func(context.Context) error) {
	t.Helper()
	for {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := f(actx)
		cancel()
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// testLog collects a component's log lines for the test log.
type testLog struct {
	t    *testing.T
	name string
	mu   sync.Mutex
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Logf("%s: %s", l.name, strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestClusterOfThree runs the network on a three-server JetStream cluster
// on loopback, with every stream and bucket replicated three times: the
// coordinator connects to all three servers, one worker over TCP to the
// second and one over WebSocket to the third. A task is accepted into a
// block; then the server the coordinator is connected to is shut down, the
// coordinator fails over, and a second task is accepted into a block that
// continues the chain, with both credits and both task records intact on
// the two servers left.
func TestClusterOfThree(t *testing.T) { clusterOfThree(t, false) }

// TestClusterOfThreeAuth is TestClusterOfThree with the role accounts on
// every server: the coordinator and the test sign in with the
// coordinator's key, each worker with its node key.
func TestClusterOfThreeAuth(t *testing.T) { clusterOfThree(t, true) }

func clusterOfThree(t *testing.T, auth bool) {
	if testing.Short() {
		t.Skip("cluster test: -short")
	}
	nodeKey := func(i int) ed25519.PrivateKey {
		seed := make([]byte, 32)
		seed[0] = byte(i + 1)
		return ed25519.NewKeyFromSeed(seed)
	}
	var keys *embedded.RoleKeys
	var coordOpt nats.Option = func(*nats.Options) error { return nil }
	if auth {
		coordKP, marketKP := userKP(t), userKP(t)
		keys = &embedded.RoleKeys{Coordinator: pubOf(t, coordKP), Market: pubOf(t, marketKP)}
		for i := range 2 {
			pub, _, err := network.NodeNkey(nodeKey(i))
			if err != nil {
				t.Fatal(err)
			}
			keys.Workers = append(keys.Workers, pub)
		}
		coordOpt = nats.Nkey(keys.Coordinator, coordKP.Sign)
	}
	routes := freePorts(t, 3)
	var urls []string
	for _, p := range routes {
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	var servers []*embedded.Server
	for i := range routes {
		o := embedded.Options{Dir: t.TempDir(), ServerName: fmt.Sprintf("n%d", i+1),
			Cluster: &embedded.Cluster{Name: "zkpoc", Port: routes[i], Routes: urls}, Auth: keys}
		if i == 2 {
			o.WebSocketPort = -1
		}
		s, err := embedded.Start(o)
		if err != nil {
			t.Fatal(err)
		}
		servers = append(servers, s)
		t.Cleanup(s.Stop)
	}
	clientURLs := []string{servers[0].URL(), servers[1].URL(), servers[2].URL()}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// The coordinator and the test's own connection list all three servers,
	// the first one first.
	connect := func(url string, opts ...nats.Option) *nats.Conn {
		nc, err := nats.Connect(url, append(opts, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		return nc
	}
	all := strings.Join(clientURLs, ",")
	nc := connect(all, nats.DontRandomize(), coordOpt)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	// JetStream answers once the cluster has elected its meta leader.
	retry(ctx, t, "the cluster's JetStream", func(ctx context.Context) error { _, err := js.AccountInfo(ctx); return err })

	cnc := connect(all, nats.DontRandomize(), coordOpt)
	c, err := coordinator.New(cnc, coordinator.Config{Address: "cpc1coordinator", BlockInterval: 300 * time.Millisecond,
		Settings: network.Settings{Replicas: 3}, Log: &testLog{t: t, name: "coordinator"}})
	if err != nil {
		t.Fatal(err)
	}
	cdone := make(chan error, 1)
	cctx, ccancel := context.WithCancel(ctx)
	go func() { cdone <- c.Run(cctx) }()
	defer func() {
		ccancel()
		if err := <-cdone; err != nil {
			t.Errorf("coordinator: %v", err)
		}
	}()

	// Two workers in binding mode (no proving keys needed): one on n2 over
	// TCP, one on n3 over WebSocket.
	wsURL := servers[2].WebsocketURL()
	if !strings.HasPrefix(wsURL, "ws://127.0.0.1:") {
		t.Fatalf("WebSocket URL %q", wsURL)
	}
	for i, url := range []string{clientURLs[1], wsURL} {
		var wopts []nats.Option
		if auth {
			pub, kp, _ := network.NodeNkey(nodeKey(i))
			id, _ := network.NkeyNodeID(pub)
			wopts = append(wopts, nats.Nkey(pub, kp.Sign), nats.CustomInboxPrefix(network.WorkerInboxPrefix(id)))
		}
		wnc := connect(url, wopts...)
		w, err := worker.New(wnc, worker.Config{NodeKey: nodeKey(i), WorkerAddress: fmt.Sprintf("cpc1worker%d", i+1),
			KeyDir: t.TempDir(), Mode: protocol.ModeBinding, HeartbeatEvery: 200 * time.Millisecond, Log: &testLog{t: t, name: fmt.Sprintf("worker%d", i+1)}})
		if err != nil {
			t.Fatal(err)
		}
		wdone := make(chan error, 1)
		wctx, wcancel := context.WithCancel(ctx)
		go func() { wdone <- w.Run(wctx) }()
		defer func() {
			wcancel()
			if err := <-wdone; err != nil {
				t.Errorf("worker: %v", err)
			}
		}()
	}
	if got := nc.ConnectedUrl(); got != clientURLs[0] {
		t.Fatalf("test connection on %s, want n1", got)
	}

	post := func() network.TaskRecord {
		t.Helper()
		req, _ := json.Marshal(network.IntakeRequest{MatrixSize: 4, FracBits: 8, RewardWei: "1000", Deadline: time.Now().Add(time.Hour).Unix()})
		for {
			m, err := nc.Request(network.SubjectIntake, req, 5*time.Second)
			if err == nil {
				var rep network.IntakeReply
				if err := json.Unmarshal(m.Data, &rep); err != nil || rep.Task == nil {
					t.Fatalf("intake: %s (%v)", m.Data, err)
				}
				return *rep.Task
			}
			if ctx.Err() != nil {
				t.Fatalf("intake: %v", err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	task := func(id string) (network.TaskRecord, bool) {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		kv, err := js.KeyValue(actx, network.TasksBucket)
		if err != nil {
			return network.TaskRecord{}, false
		}
		e, err := kv.Get(actx, id)
		if err != nil {
			return network.TaskRecord{}, false
		}
		var r network.TaskRecord
		return r, json.Unmarshal(e.Value(), &r) == nil
	}
	inBlock := func(id string) network.TaskRecord {
		t.Helper()
		for ctx.Err() == nil {
			if r, ok := task(id); ok && r.Status == network.StatusAccepted && r.Accepted != nil && r.Accepted.Block > 0 {
				return r
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("task %s not accepted into a block", id)
		return network.TaskRecord{}
	}

	// Every bucket and stream is replicated on the three servers (once the
	// coordinator has provisioned them).
	for _, name := range []string{network.JobsStream, network.ResultsStream, network.BlocksStream, "KV_" + network.TasksBucket, "KV_" + network.LedgerBucket, "KV_" + network.ReceiptsBucket} {
		var s jetstream.Stream
		retry(ctx, t, "stream "+name, func(ctx context.Context) (err error) { s, err = js.Stream(ctx, name); return err })
		if r := s.CachedInfo().Config.Replicas; r != 3 {
			t.Fatalf("stream %s has %d replicas, want 3", name, r)
		}
	}

	start := time.Now()
	t1 := inBlock(post().TaskID)
	t.Logf("task 1 accepted in block %d after %.2f s", t1.Accepted.Block, time.Since(start).Seconds())

	// Shut down n1, the server the coordinator and this test are on.
	if got := cnc.ConnectedUrl(); got != clientURLs[0] {
		t.Fatalf("coordinator on %s, want n1", got)
	}
	servers[0].Stop()
	start = time.Now()
	t2 := inBlock(post().TaskID)
	t.Logf("n1 down: coordinator on %s; task 2 accepted in block %d %.2f s after the shutdown", cnc.ConnectedUrl(), t2.Accepted.Block, time.Since(start).Seconds())
	if t2.Accepted.Block <= t1.Accepted.Block {
		t.Fatalf("task 2 in block %d, task 1 in block %d", t2.Accepted.Block, t1.Accepted.Block)
	}

	// The chain continues across the failover, and both credits are there.
	var s jetstream.Stream
	retry(ctx, t, "blocks stream", func(ctx context.Context) (err error) { s, err = js.Stream(ctx, network.BlocksStream); return err })
	var prev string
	for h := uint64(1); h <= uint64(t2.Accepted.Block); h++ {
		m, err := s.GetMsg(ctx, h)
		if err != nil {
			t.Fatalf("block message %d: %v", h, err)
		}
		var b network.Block
		if err := json.Unmarshal(m.Data, &b); err != nil {
			t.Fatal(err)
		}
		if hash, _ := b.ComputeHash(); hash != b.Hash || (prev != "" && b.Parent != prev) {
			t.Fatalf("block %d: hash %s parent %s, previous %s", b.Height, b.Hash, b.Parent, prev)
		}
		prev = b.Hash
	}
	for _, r := range []network.TaskRecord{t1, t2} {
		var e jetstream.KeyValueEntry
		retry(ctx, t, "credit for task "+r.TaskID, func(ctx context.Context) error {
			kv, err := js.KeyValue(ctx, network.LedgerBucket)
			if err == nil {
				e, err = kv.Get(ctx, "credit."+r.RequestID)
			}
			return err
		})
		var le network.LedgerEntry
		if err := json.Unmarshal(e.Value(), &le); err != nil || le.Wei != "1000" {
			t.Fatalf("credit %s: %+v %v", e.Value(), le, err)
		}
	}
}
