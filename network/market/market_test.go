package market_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/embedded/embeddedtest"
	"github.com/zkpoc/zkpoc/network/market"
	"github.com/zkpoc/zkpoc/workload"
)

const (
	taskID = "0f8fad5b-d9cb-469f-a165-70867728950e"
	reqID  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	nodeID = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

type env struct {
	nc  *nats.Conn
	js  jetstream.JetStream
	srv *httptest.Server
	ctx context.Context
}

// start runs an embedded server, provisions the network when provision is
// set, and serves the market over it.
func start(t *testing.T, provision bool) *env {
	t.Helper()
	return startWith(t, provision, market.Config{IntakeTimeout: 1 * time.Second, ReadTimeout: 2 * time.Second})
}

func startWith(t *testing.T, provision bool, cfg market.Config) *env {
	t.Helper()
	_, nc, js := embeddedtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	if provision {
		if err := network.Provision(ctx, js, network.Settings{Storage: jetstream.MemoryStorage}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := market.New(nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{nc, js, srv, ctx}
}

func (e *env) do(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, body %s", method, path, ct, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: body not JSON: %s", method, path, raw)
	}
	return resp.StatusCode, out
}

func (e *env) put(t *testing.T, bucket, key string, v any) {
	t.Helper()
	kv, err := e.js.KeyValue(e.ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	if _, err := kv.Put(e.ctx, key, b); err != nil {
		t.Fatal(err)
	}
}

// coordinator answers intake requests with reply(req).
func (e *env) coordinator(t *testing.T, reply func(network.IntakeRequest) network.IntakeReply) chan network.IntakeRequest {
	t.Helper()
	got := make(chan network.IntakeRequest, 4)
	sub, err := e.nc.Subscribe(network.SubjectIntake, func(m *nats.Msg) {
		var req network.IntakeRequest
		if err := network.Decode(m.Data, network.MaxMessageBytes, &req); err != nil {
			b, _ := json.Marshal(network.IntakeReply{Error: err.Error()})
			m.Respond(b)
			return
		}
		got <- req
		b, _ := json.Marshal(reply(req))
		m.Respond(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Unsubscribe() })
	e.nc.Flush()
	return got
}

func record(req network.IntakeRequest) network.TaskRecord {
	task, err := workload.NewSyntheticTask(taskID, [32]byte{1}, req.MatrixSize, req.FracBits, req.RewardWei, req.Deadline)
	if err != nil {
		panic(err)
	}
	return network.TaskRecord{TaskID: taskID, RequestID: reqID, Task: task, Status: network.StatusQueued, RewardPaidWei: "0", Poster: req.Poster}
}

func TestPostTaskBadInput(t *testing.T) {
	e := start(t, true)
	e.coordinator(t, func(req network.IntakeRequest) network.IntakeReply {
		if req.MatrixSize == 7 {
			return network.IntakeReply{Field: "matrix_size", Error: "matrix_size: 7 is odd today"}
		}
		r := record(req)
		return network.IntakeReply{Task: &r}
	})
	future := strconv.FormatInt(time.Now().Unix()+3600, 10)
	cases := []struct {
		name, body string
		status     int
		field      string
	}{
		{"matrix_size zero", `{"matrix_size":0,"reward":"1","deadline_in":60}`, 400, "matrix_size"},
		{"matrix_size over", `{"matrix_size":1025,"reward":"1","deadline_in":60}`, 400, "matrix_size"},
		{"matrix_size missing", `{"reward":"1","deadline_in":60}`, 400, "matrix_size"},
		{"matrix_size string", `{"matrix_size":"8","reward":"1","deadline_in":60}`, 400, "matrix_size"},
		{"frac_bits", `{"matrix_size":8,"frac_bits":17,"reward":"1","deadline_in":60}`, 400, "frac_bits"},
		{"reward 19 decimals", `{"matrix_size":8,"reward":"10.0000000000000000001","deadline_in":60}`, 400, "reward"},
		{"reward negative", `{"matrix_size":8,"reward":"-1","deadline_in":60}`, 400, "reward"},
		{"reward number", `{"matrix_size":8,"reward":10,"deadline_in":60}`, 400, "reward"},
		{"reward missing", `{"matrix_size":8,"deadline_in":60}`, 400, "reward"},
		{"negative deadline", `{"matrix_size":8,"reward":"1","deadline":-5}`, 400, "deadline"},
		{"past deadline", `{"matrix_size":8,"reward":"1","deadline":1000}`, 400, "deadline"},
		{"both deadlines", `{"matrix_size":8,"reward":"1","deadline":` + future + `,"deadline_in":60}`, 400, "deadline"},
		{"no deadline", `{"matrix_size":8,"reward":"1"}`, 400, "deadline"},
		{"deadline_in zero", `{"matrix_size":8,"reward":"1","deadline_in":0}`, 400, "deadline_in"},
		{"unknown field", `{"matrix_size":8,"reward":"1","deadline_in":60,"seed":"x"}`, 400, "seed"},
		{"poster", `{"matrix_size":8,"reward":"1","deadline_in":60,"poster":"a b"}`, 400, "poster"},
		{"inputs name", `{"matrix_size":8,"reward":"1","deadline_in":60,"inputs":{"a":"../x","b":"y"}}`, 400, "inputs.a"},
		{"inputs missing", `{"matrix_size":8,"reward":"1","deadline_in":60,"inputs":{"a":"x.npy","b":"y.npy"}}`, 400, "inputs.a"},
		{"not json", `{"matrix_size":`, 400, ""},
		{"empty", ``, 400, ""},
		{"trailing", `{"matrix_size":8,"reward":"1","deadline_in":60} {}`, 400, ""},
		{"oversize", `{"matrix_size":8,"reward":"1","deadline_in":60,"poster":"` + strings.Repeat("a", 70<<10) + `"}`, 413, ""},
		{"coordinator field", `{"matrix_size":7,"reward":"1","deadline_in":60}`, 400, "matrix_size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, out := e.do(t, "POST", "/v1/tasks", c.body)
			if st != c.status {
				t.Fatalf("status %d, want %d: %v", st, c.status, out)
			}
			if f, _ := out["field"].(string); f != c.field {
				t.Fatalf("field %q, want %q: %v", f, c.field, out)
			}
			if msg, _ := out["error"].(string); msg == "" {
				t.Fatalf("no error message: %v", out)
			}
		})
	}
}

func TestPostTask(t *testing.T) {
	e := start(t, true)
	got := e.coordinator(t, func(req network.IntakeRequest) network.IntakeReply {
		r := record(req)
		return network.IntakeReply{Task: &r}
	})
	st, out := e.do(t, "POST", "/v1/tasks", `{"matrix_size":16,"reward":"10.5","deadline_in":600,"poster":"cpc1poster"}`)
	if st != http.StatusCreated {
		t.Fatalf("status %d: %v", st, out)
	}
	req := <-got
	if req.RewardWei != "10500000000000000000" || req.FracBits != 8 || req.MatrixSize != 16 || req.Poster != "cpc1poster" {
		t.Fatalf("intake request %+v", req)
	}
	if d := req.Deadline - time.Now().Unix(); d < 590 || d > 610 {
		t.Fatalf("deadline %d s from now", d)
	}
	if out["task_id"] != taskID || out["request_id"] != reqID || out["reward"] != "10.5" || out["reward_paid"] != "0" {
		t.Fatalf("task %v", out)
	}
}

func TestNoCoordinator(t *testing.T) {
	e := start(t, true)
	st, out := e.do(t, "POST", "/v1/tasks", `{"matrix_size":8,"reward":"1","deadline_in":60}`)
	if st != http.StatusServiceUnavailable {
		t.Fatalf("status %d: %v", st, out)
	}
}

func TestUnprovisioned(t *testing.T) {
	e := start(t, false)
	for _, p := range []string{"/v1/tasks/" + taskID, "/v1/nodes/" + nodeID, "/v1/blocks/latest", "/v1/blocks/1", "/v1/accounts/cpc1x"} {
		if st, out := e.do(t, "GET", p, ""); st != http.StatusServiceUnavailable {
			t.Errorf("GET %s: status %d: %v", p, st, out)
		}
	}
}

func TestReads(t *testing.T) {
	e := start(t, true)
	task, _ := workload.NewSyntheticTask(taskID, [32]byte{1}, 8, 8, "10000000000000000000", 2000000000)
	e.put(t, network.TasksBucket, taskID, network.TaskRecord{
		TaskID: taskID, RequestID: reqID, Task: task, Status: network.StatusAccepted, RewardPaidWei: "10000000000000000000",
		Jobs:     []network.JobRecord{{Role: network.RolePrimary, Attempt: 1, Node: nodeID, Verdict: "pass"}},
		Accepted: &network.Acceptance{Node: nodeID, WorkerAddress: "cpc1worker", Receipt: "r", Block: 2},
	})
	e.put(t, network.NodesBucket, nodeID, network.NodeRecord{Registration: network.Registration{NodeID: nodeID, WorkerAddress: "cpc1worker"},
		Accepted: 3, Rating: 0.75, Strikes: []network.Strike{{Reason: "wrong product"}}})
	e.put(t, network.LedgerBucket, "credit."+reqID, network.LedgerEntry{Kind: network.Credit, Account: "cpc1worker", Wei: "10000000000000000000", TaskID: taskID, RequestID: reqID})
	e.put(t, network.LedgerBucket, "credit."+nodeID, network.LedgerEntry{Kind: network.Credit, Account: "cpc1worker", Wei: "500000000000000000", TaskID: taskID, RequestID: nodeID})
	e.put(t, network.LedgerBucket, "refund."+reqID, network.LedgerEntry{Kind: network.Refund, Account: "cpc1other", Wei: "1", TaskID: taskID, RequestID: reqID})

	st, out := e.do(t, "GET", "/v1/tasks/"+taskID, "")
	if st != 200 || out["status"] != "accepted" || out["reward_paid"] != "10" || out["reward_paid_wei"] != "10000000000000000000" {
		t.Fatalf("task: %d %v", st, out)
	}
	if jobs, _ := out["jobs"].([]any); len(jobs) != 1 || jobs[0].(map[string]any)["verdict"] != "pass" {
		t.Fatalf("jobs %v", out["jobs"])
	}
	if acc, _ := out["accepted"].(map[string]any); acc["worker_address"] != "cpc1worker" {
		t.Fatalf("accepted %v", out["accepted"])
	}
	st, out = e.do(t, "GET", "/v1/nodes/"+nodeID, "")
	if st != 200 || out["node_id"] != nodeID || out["rating"] != 0.75 || len(out["strikes"].([]any)) != 1 {
		t.Fatalf("node: %d %v", st, out)
	}
	st, out = e.do(t, "GET", "/v1/accounts/cpc1worker", "")
	if st != 200 || out["balance_wei"] != "10500000000000000000" || out["balance"] != "10.5" || len(out["entries"].([]any)) != 2 {
		t.Fatalf("account: %d %v", st, out)
	}

	// Blocks: no blocks yet, then three, with a gap in the sequence.
	if st, out := e.do(t, "GET", "/v1/blocks/latest", ""); st != 404 {
		t.Fatalf("latest with no blocks: %d %v", st, out)
	}
	for h := uint64(1); h <= 3; h++ {
		b, _ := json.Marshal(network.Block{Height: h, Parent: "p", Time: int64(h)})
		if _, err := e.js.Publish(e.ctx, network.SubjectBlocks, b, jetstream.WithMsgID(strconv.FormatUint(h, 10))); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := e.js.Stream(e.ctx, network.BlocksStream)
	if err := s.DeleteMsg(e.ctx, 1); err != nil { // heights no longer match sequences after a re-publish
		t.Fatal(err)
	}
	b, _ := json.Marshal(network.Block{Height: 4, Parent: "p", Time: 4})
	e.js.Publish(e.ctx, network.SubjectBlocks, b)
	st, out = e.do(t, "GET", "/v1/blocks/latest", "")
	if st != 200 || out["height"] != 4.0 {
		t.Fatalf("latest: %d %v", st, out)
	}
	for _, h := range []string{"2", "3", "4"} {
		st, out = e.do(t, "GET", "/v1/blocks/"+h, "")
		if st != 200 || strconv.FormatFloat(out["height"].(float64), 'f', -1, 64) != h {
			t.Fatalf("block %s: %d %v", h, st, out)
		}
	}
	if st, out := e.do(t, "GET", "/v1/blocks/1", ""); st != 404 {
		t.Fatalf("deleted block 1: %d %v", st, out)
	}
}

func TestNotFoundAndBadIDs(t *testing.T) {
	e := start(t, true)
	cases := []struct {
		method, path string
		status       int
		field        string
	}{
		{"GET", "/v1/tasks/" + taskID, 404, ""},
		{"GET", "/v1/tasks/not-a-uuid", 400, "task_id"},
		{"GET", "/v1/tasks/" + strings.ToUpper(taskID), 400, "task_id"},
		{"GET", "/v1/nodes/" + nodeID, 404, ""},
		{"GET", "/v1/nodes/zz", 400, "node_id"},
		{"GET", "/v1/nodes/" + strings.ToUpper(nodeID), 400, "node_id"},
		{"GET", "/v1/accounts/cpc1nobody", 404, ""},
		{"GET", "/v1/accounts/" + strings.Repeat("a", 200), 400, "address"},
		{"GET", "/v1/blocks/7", 404, ""},
		{"GET", "/v1/blocks/0", 400, "height"},
		{"GET", "/v1/blocks/01", 400, "height"},
		{"GET", "/v1/blocks/-1", 400, "height"},
		{"GET", "/v1/blocks/99999999999999999999999", 400, "height"},
		{"GET", "/v2/tasks", 404, ""},
		{"GET", "/", 404, ""},
		{"DELETE", "/v1/tasks/" + taskID, 405, ""},
		{"GET", "/v1/tasks", 405, ""},
	}
	for _, c := range cases {
		st, out := e.do(t, c.method, c.path, "")
		if st != c.status {
			t.Errorf("%s %s: status %d, want %d: %v", c.method, c.path, st, c.status, out)
			continue
		}
		if f, _ := out["field"].(string); f != c.field || out["error"] == "" {
			t.Errorf("%s %s: field %q, want %q: %v", c.method, c.path, f, c.field, out)
		}
	}
}

func TestInputs(t *testing.T) {
	e := start(t, true)
	got := e.coordinator(t, func(req network.IntakeRequest) network.IntakeReply {
		r := record(req)
		r.Inputs = req.Inputs
		return network.IntakeReply{Task: &r}
	})
	st, out := e.do(t, "POST", "/v1/inputs", "1,2\n3,4\n")
	if st != 201 || out["matrix_size"] != 2.0 {
		t.Fatalf("csv input: %d %v", st, out)
	}
	csvName := out["name"].(string)
	var npy bytes.Buffer
	workload.EncodeNPY(&npy, workload.Matrix{N: 2, Data: []int16{5, 6, 7, 8}})
	st, out = e.do(t, "POST", "/v1/inputs", npy.String())
	if st != 201 {
		t.Fatalf("npy input: %d %v", st, out)
	}
	npyName := out["name"].(string)
	if st, out := e.do(t, "POST", "/v1/inputs", "1,2\n3\n"); st != 400 {
		t.Fatalf("bad csv: %d %v", st, out)
	}
	if st, out := e.do(t, "POST", "/v1/inputs", "\x93NUMPYjunk"); st != 400 {
		t.Fatalf("bad npy: %d %v", st, out)
	}
	st, out = e.do(t, "POST", "/v1/tasks", `{"matrix_size":3,"reward":"1","deadline_in":60,"inputs":{"a":"`+csvName+`","b":"`+npyName+`"}}`)
	if st != 400 || out["field"] != "inputs.a" {
		t.Fatalf("wrong size inputs: %d %v", st, out)
	}
	st, out = e.do(t, "POST", "/v1/tasks", `{"matrix_size":2,"reward":"1","deadline_in":60,"inputs":{"a":"`+csvName+`","b":"`+npyName+`"}}`)
	if st != 201 {
		t.Fatalf("task with inputs: %d %v", st, out)
	}
	if req := <-got; req.Inputs == nil || req.Inputs.A != csvName || req.Inputs.B != npyName {
		t.Fatalf("intake inputs %+v", req.Inputs)
	}
	obs, _ := e.js.ObjectStore(e.ctx, network.InputsObjects)
	data, err := obs.GetBytes(e.ctx, csvName)
	if err != nil {
		t.Fatal(err)
	}
	m, err := workload.DecodeNPY(bytes.NewReader(data))
	if err != nil || m.N != 2 || m.Data[3] != 4 {
		t.Fatalf("stored input %v %v", m, err)
	}
}

// TestCoordinatorTrouble: a coordinator that never answers (503 after the
// intake timeout), one that refuses without a field (422), and one that
// answers garbage (502).
func TestCoordinatorTrouble(t *testing.T) {
	e := startWith(t, true, market.Config{IntakeTimeout: 300 * time.Millisecond})
	body := `{"matrix_size":8,"reward":"1","deadline_in":60}`
	sub, _ := e.nc.Subscribe(network.SubjectIntake, func(*nats.Msg) {})
	e.nc.Flush()
	if st, out := e.do(t, "POST", "/v1/tasks", body); st != http.StatusServiceUnavailable {
		t.Fatalf("silent coordinator: %d %v", st, out)
	}
	sub.Unsubscribe()
	sub, _ = e.nc.Subscribe(network.SubjectIntake, func(m *nats.Msg) { m.Respond([]byte(`{"error":"no live workers"}`)) })
	e.nc.Flush()
	if st, out := e.do(t, "POST", "/v1/tasks", body); st != http.StatusUnprocessableEntity || out["error"] != "no live workers" {
		t.Fatalf("refusing coordinator: %d %v", st, out)
	}
	sub.Unsubscribe()
	sub, _ = e.nc.Subscribe(network.SubjectIntake, func(m *nats.Msg) { m.Respond([]byte(`not json`)) })
	defer sub.Unsubscribe()
	e.nc.Flush()
	if st, out := e.do(t, "POST", "/v1/tasks", body); st != http.StatusBadGateway {
		t.Fatalf("garbage reply: %d %v", st, out)
	}
}

func TestInputTooLarge(t *testing.T) {
	e := startWith(t, true, market.Config{MaxInputBytes: 1024})
	if st, out := e.do(t, "POST", "/v1/inputs", strings.Repeat("1,", 600)+"1\n"); st != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversize input: %d %v", st, out)
	}
	if st, out := e.do(t, "POST", "/v1/inputs", ""); st != http.StatusBadRequest {
		t.Fatalf("empty input: %d %v", st, out)
	}
}

// TestOddRequests: odd paths and bodies get JSON errors, never a panic.
func TestOddRequests(t *testing.T) {
	e := start(t, true)
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/v1/tasks/%00", ""},
		{"GET", "/v1/nodes/%2e%2e", ""},
		{"GET", "/v1/accounts/%ff%fe", ""},
		{"GET", "/v1/blocks/latest/x", ""},
		{"POST", "/v1/tasks", "null"},
		{"POST", "/v1/tasks", "[]"},
		{"POST", "/v1/tasks", `{"inputs":null,"matrix_size":null}`},
		{"POST", "/v1/tasks", `{"matrix_size":1e400}`},
		{"POST", "/v1/inputs", "\x93NUMPY\x01\x00\xff\xff"},
	} {
		st, out := e.do(t, c.method, c.path, c.body)
		if st < 400 || st >= 500 {
			t.Errorf("%s %s %q: status %d: %v", c.method, c.path, c.body, st, out)
		}
	}
}
