package embedded_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
	"github.com/zkpoc/zkpoc/network/market"
	"github.com/zkpoc/zkpoc/network/worker"
	"github.com/zkpoc/zkpoc/protocol"
)

// noViolations fails the test if a connection reported a permissions
// violation (or any other asynchronous error).
func noViolations(t *testing.T, who string, e *asyncErrs) {
	t.Helper()
	for _, err := range e.list() {
		t.Errorf("%s: asynchronous error: %v", who, err)
	}
}

// runCoordinator runs a coordinator on nc until the test ends and waits
// for it to provision.
func runCoordinator(t *testing.T, nc *nats.Conn) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c, err := coordinator.New(nc, coordinator.Config{Address: "cpc1authcoordinator", BlockInterval: 300 * time.Millisecond,
		HeartbeatTimeout: 5 * time.Second, KeyDir: t.TempDir(), Settings: network.Settings{AckWait: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("coordinator: %v", err)
		}
	})
	js := mustJS(t, nc)
	for i := 0; ; i++ {
		if _, err := js.Consumer(ctx, network.ResultsStream, network.ConsumerCoordinator); err == nil {
			return
		}
		if i > 100 {
			t.Fatal("coordinator did not provision within 5 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startRunning starts an authenticated server with the workers named and
// a coordinator on it; it returns the coordinator's JetStream and a
// context bounded to 20 s.
func startRunning(t *testing.T, workers ...string) (*authNet, jetstream.JetStream, context.Context) {
	t.Helper()
	a := startAuth(t, workers...)
	cnc, _ := a.coordinator(t)
	runCoordinator(t, cnc)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return a, mustJS(t, cnc), ctx
}

// runWorker runs a real worker (sampled mode: it commits, then opens the
// challenged rows) on nc until the test ends.
func runWorker(t *testing.T, nc *nats.Conn, a *authNet, i int) {
	t.Helper()
	w, err := worker.New(nc, worker.Config{NodeKey: a.workers[i], WorkerAddress: fmt.Sprintf("cpc1authworker%d", i), KeyDir: t.TempDir(),
		Mode: protocol.ModeSampled, HeartbeatEvery: 200 * time.Millisecond, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("worker %d: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("worker %d did not stop within 10 s", i)
		}
	})
}

func httpDo(t *testing.T, method, url, body string, want int, v any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %s: %s", method, url, resp.Status, data)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, data)
		}
	}
}

// TestAuthHonestFlow: under the role permissions the whole network works
// and no client hits a permission: the market stores supplied inputs and
// posts a synthetic and a supplied task through intake; two real workers (sampled mode) register
// with their node keys, heartbeat, pull their own jobs, commit, publish
// their results and ack; the coordinator accepts the task, pays the
// reward and appends a block; the market reads the task, the block, the
// node and the account (a ledger key listing); a worker reads the stored
// input with its own permissions.
func TestAuthHonestFlow(t *testing.T) {
	a := startAuth(t, "w0", "w1")
	cnc, cerrs := a.coordinator(t)
	runCoordinator(t, cnc)
	wconns := make([]*asyncErrs, 2)
	for i := range 2 {
		nc, errs := a.worker(t, i)
		wconns[i] = errs
		runWorker(t, nc, a, i)
	}
	mnc, merrs := a.market(t)
	h, err := market.New(mnc, market.Config{})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(h)
	t.Cleanup(api.Close)

	var in, inB market.Input
	const a4, b4 = "1,2,3,4\n5,6,7,8\n-1,-2,-3,-4\n9,10,11,12\n", "2,0,0,0\n0,2,0,0\n0,0,2,0\n1,1,1,1\n"
	httpDo(t, "POST", api.URL+"/v1/inputs", a4, http.StatusCreated, &in)
	httpDo(t, "POST", api.URL+"/v1/inputs", a4, http.StatusCreated, nil) // the same again: kept as stored
	httpDo(t, "POST", api.URL+"/v1/inputs", b4, http.StatusCreated, &inB)
	settle := func(body string) network.TaskRecord {
		t.Helper()
		var rec network.TaskRecord
		httpDo(t, "POST", api.URL+"/v1/tasks", body, http.StatusCreated, &rec)
		deadline := time.Now().Add(30 * time.Second)
		for rec.Status != network.StatusAccepted || rec.Accepted == nil || rec.Accepted.Block == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("task not accepted in a block within 30 s: %+v", rec)
			}
			time.Sleep(200 * time.Millisecond)
			httpDo(t, "GET", api.URL+"/v1/tasks/"+rec.TaskID, "", http.StatusOK, &rec)
		}
		if len(rec.Jobs) < 2 {
			t.Errorf("task has %d jobs, want a primary and a re-dispatch (sampled receipts always are)", len(rec.Jobs))
		}
		return rec
	}
	rec := settle(`{"matrix_size":4,"reward":"10.0","deadline_in":600,"poster":"cpc1authposter"}`)
	// Supplied inputs: the workers read them from the object store with
	// their own permissions.
	settle(fmt.Sprintf(`{"matrix_size":4,"reward":"1.0","deadline_in":600,"inputs":{"a":%q,"b":%q}}`, in.Name, inB.Name))
	var blk network.Block
	httpDo(t, "GET", api.URL+"/v1/blocks/latest", "", http.StatusOK, &blk)
	httpDo(t, "GET", api.URL+"/v1/nodes/"+rec.Accepted.Node, "", http.StatusOK, nil)
	var acct struct {
		BalanceWei string `json:"balance_wei"`
	}
	httpDo(t, "GET", api.URL+"/v1/accounts/"+rec.Accepted.WorkerAddress, "", http.StatusOK, &acct)
	if acct.BalanceWei == "0" || acct.BalanceWei == "" {
		t.Errorf("account balance %q wei, the task paid %q", acct.BalanceWei, rec.RewardPaidWei)
	}

	wnc, werrs := a.worker(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	data, err := network.GetObject(ctx, mustJS(t, wnc), network.InputsObjects, in.Name, 1<<20)
	if err != nil {
		t.Fatalf("worker reads the stored input: %v", err)
	}
	if !bytes.HasPrefix(data, []byte("\x93NUMPY")) || uint64(len(data)) != in.Bytes {
		t.Errorf("input read back: %d bytes, want the %d-byte .npy", len(data), in.Bytes)
	}
	noViolations(t, "coordinator", cerrs)
	noViolations(t, "market", merrs)
	noViolations(t, "worker 0", wconns[0])
	noViolations(t, "worker 1", wconns[1])
	noViolations(t, "worker 0 (input read)", werrs)
}
