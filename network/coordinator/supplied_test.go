package coordinator_test

// Supplied inputs through the coordinator: matrices uploaded to the inputs
// object store, read and committed at intake, computed on by the workers
// and used by the coordinator's verifier.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
	"github.com/zkpoc/zkpoc/network/market"
	nworker "github.com/zkpoc/zkpoc/network/worker"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// objects reads a job's supplied matrices from the inputs object store.
func (e *env) objects(in *network.SuppliedInputs) ([]int16, []int16, error) {
	store, err := e.js.ObjectStore(e.ctx, network.InputsObjects)
	if err != nil {
		return nil, nil, err
	}
	var out [2][]int16
	for k, name := range []string{in.A, in.B} {
		data, err := store.GetBytes(e.ctx, name)
		if err != nil {
			return nil, nil, fmt.Errorf("object %s: %w", name, err)
		}
		m, err := workload.DecodeNPY(bytes.NewReader(data))
		if err != nil {
			return nil, nil, fmt.Errorf("object %s: %w", name, err)
		}
		out[k] = m.Data
	}
	return out[0], out[1], nil
}

// testMatrix is an n×n matrix with small entries depending on k.
func testMatrix(n, k int) workload.Matrix {
	m := workload.Matrix{N: n, Data: make([]int16, n*n)}
	for i := range m.Data {
		m.Data[i] = int16((i*7+k*13)%97 - 48)
	}
	return m
}

// matrices are testMatrix(n, ka) and (n, kb) with their hex input commitment.
func matrices(t *testing.T, n, f, ka, kb int) (workload.Matrix, workload.Matrix, string) {
	t.Helper()
	a, b := testMatrix(n, ka), testMatrix(n, kb)
	ic, err := protocol.InputCommitment(a.Data, b.Data, n, f)
	if err != nil {
		t.Fatal(err)
	}
	return a, b, hex.EncodeToString(ic[:])
}

func npyBytes(t *testing.T, m workload.Matrix) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := workload.EncodeNPY(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (e *env) putObject(name string, data []byte) {
	e.t.Helper()
	store, err := e.js.ObjectStore(e.ctx, network.InputsObjects)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := store.Put(e.ctx, jetstream.ObjectMeta{Name: name}, bytes.NewReader(data)); err != nil {
		e.t.Fatal(err)
	}
}

// serve sends one request to the market handler h.
func serve(t *testing.T, h http.Handler, method, path, body string) (int, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	return rec.Code, rec.Body.Bytes()
}

// upload stores m through the market (as CSV) and returns its name.
func upload(t *testing.T, h http.Handler, m workload.Matrix) string {
	t.Helper()
	var csv bytes.Buffer
	if err := workload.EncodeCSV(&csv, m); err != nil {
		t.Fatal(err)
	}
	code, body := serve(t, h, http.MethodPost, "/v1/inputs", csv.String())
	var in market.Input
	if code != http.StatusCreated || json.Unmarshal(body, &in) != nil || in.MatrixSize != m.N {
		t.Fatalf("POST /v1/inputs: %d %s", code, body)
	}
	return in.Name
}

// postSupplied posts a task over the uploaded matrices names through the
// market (reward 1000 wei).
func postSupplied(t *testing.T, h http.Handler, n, f int, names []string) market.Task {
	t.Helper()
	code, body := serve(t, h, http.MethodPost, "/v1/tasks",
		fmt.Sprintf(`{"matrix_size":%d,"frac_bits":%d,"reward":"0.000000000000001","deadline_in":3600,"inputs":{"a":%q,"b":%q}}`, n, f, names[0], names[1]))
	var task market.Task
	if code != http.StatusCreated || json.Unmarshal(body, &task) != nil {
		t.Fatalf("POST /v1/tasks: %d %s", code, body)
	}
	return task
}

// acceptedCommitment is the input commitment of the task in rec's accepted receipt.
func (e *env) acceptedCommitment(rec network.TaskRecord) string {
	e.t.Helper()
	env, err := e.receipt(rec.Accepted.Receipt)
	if err != nil {
		e.t.Fatal(err)
	}
	st, _, err := env.Statement()
	if err != nil || st.Predicate.RequestID != rec.RequestID {
		e.t.Fatalf("accepted receipt: %v, request %s", err, st.Predicate.RequestID)
	}
	return st.Predicate.Task.Payload.InputCommitment
}

// swapped multiplies B·A: a worker computing on other matrices than the
// task's, while claiming the task.
type swapped struct{}

func (swapped) Name() string { return "cpu-go" }
func (swapped) Multiply(a, b []int16, n, f int) ([]int64, error) {
	return workload.Multiply(b, a, n, f)
}

// TestSuppliedInputs: matrices uploaded through the market (CSV, stored
// as .npy), a task posted naming them, computed by the workers on the
// stored objects. The accepted receipt's task carries the input commitment
// of the uploaded matrices; a worker that multiplies other matrices is
// caught — by the sampled rows the coordinator re-executes on the
// committed matrices, or by its recomputation against an honest check.
func TestSuppliedInputs(t *testing.T) {
	const n, f = 4, 8
	A, B, ic := matrices(t, n, f, 1, 2)
	sampled := func(w *worker) { w.mode = zkpoc.ModeSampled }
	honest := func(w *worker) {}
	for _, tc := range []struct {
		name string
		// first takes the primary job; the others register once it has.
		first  func(*worker)
		others []func(*worker)
		// badFirst: the first is caught, struck (with evidence keys) and
		// unpaid; an honest other is accepted.
		badFirst bool
		evidence int
		reason   string
	}{
		{name: "binding, honest", first: honest, others: []func(*worker){honest}},
		{name: "sampled, honest", first: sampled, others: []func(*worker){sampled}},
		{name: "binding on other matrices: refuted by recomputation", first: func(w *worker) { w.executor = swapped{} },
			others: []func(*worker){honest}, badFirst: true, evidence: 2, reason: "refuted by recomputation"},
		{name: "sampled on other matrices: rejected at verification", first: func(w *worker) { w.mode, w.executor = zkpoc.ModeSampled, swapped{} },
			others: []func(*worker){sampled, sampled}, badFirst: true, evidence: 1, reason: "row"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, coordinator.Config{})
			h, err := market.New(e.nc, market.Config{})
			if err != nil {
				t.Fatal(err)
			}
			names := []string{upload(t, h, A), upload(t, h, B)}
			first := newWorkerWith(t, e, "first"+fmt.Sprint(len(tc.others)), tc.first)
			task := postSupplied(t, h, n, f, names)
			if !task.Task.Supplied() || task.Task.Payload.InputCommitment != ic {
				t.Fatalf("task payload %+v, want the input commitment %s of the uploaded matrices", task.Task.Payload, ic)
			}
			if task.Inputs == nil || task.Inputs.A != names[0] || task.Inputs.B != names[1] || task.Jobs[0].Node != first.id {
				t.Fatalf("task inputs %+v jobs %+v", task.Inputs, task.Jobs)
			}
			e.waitFor("the primary job taken", func() bool { first.mu.Lock(); defer first.mu.Unlock(); return len(first.jobs) > 0 })
			var others []*worker
			for k, set := range tc.others {
				others = append(others, newWorkerWith(t, e, fmt.Sprintf("other%d", k), set))
			}
			e.waitFor("acceptance in a block", func() bool {
				r := e.task(task.TaskID)
				return r.Status == network.StatusAccepted && r.Accepted.Block > 0
			})
			r := e.task(task.TaskID)
			for _, w := range append([]*worker{first}, others...) {
				w.mu.Lock()
				for _, j := range w.jobs {
					if j.Inputs == nil || *j.Inputs != *task.Inputs {
						t.Errorf("job without the task's inputs: %+v", j.Inputs)
					}
				}
				w.mu.Unlock()
			}
			if c := e.acceptedCommitment(r); c != ic {
				t.Fatalf("accepted receipt's input commitment %s, want %s", c, ic)
			}
			le, rev, ok := e.ledger("credit." + task.RequestID)
			if !ok || rev != 1 || le.Wei != "1000" {
				t.Fatalf("credit %+v rev %d", le, rev)
			}
			if !tc.badFirst {
				for _, j := range r.Jobs {
					if j.Verdict != "pass" {
						t.Fatalf("honest job %+v", j)
					}
				}
				if r.Jobs[0].Mode != string(first.mode) {
					t.Fatalf("mode %s", r.Jobs[0].Mode)
				}
				return
			}
			if r.Accepted.Node == first.id || le.Node == first.id || r.Jobs[0].Verdict != "reject" {
				t.Fatalf("the worker on other matrices was accepted: %+v", r)
			}
			n := e.node(first.id)
			if len(n.Strikes) != 1 || len(n.Strikes[0].Evidence) != tc.evidence || !strings.Contains(n.Strikes[0].Reason, tc.reason) || n.Accepted != 0 {
				t.Fatalf("strikes %+v, want one with %d evidence keys and %q", n.Strikes, tc.evidence, tc.reason)
			}
			t.Logf("strike: %s", n.Strikes[0].Reason)
		})
	}
}

func (e *env) receipt(key string) (*receipt.Envelope, error) {
	kv, err := e.js.KeyValue(e.ctx, network.ReceiptsBucket)
	if err != nil {
		return nil, err
	}
	ent, err := kv.Get(e.ctx, key)
	if err != nil {
		return nil, err
	}
	return receipt.Decode(ent.Value())
}

// TestSuppliedInputsRealWorkers: the same through the market with two
// network/worker workers, which read the objects the jobs name.
func TestSuppliedInputsRealWorkers(t *testing.T) {
	const n, f = 8, 8
	A, B, ic := matrices(t, n, f, 4, 5)
	e := start(t, coordinator.Config{})
	h, err := market.New(e.nc, market.Config{})
	if err != nil {
		t.Fatal(err)
	}
	task := postSupplied(t, h, n, f, []string{upload(t, h, A), upload(t, h, B)})
	for _, name := range []string{"realone", "realtwo"} {
		seed := make([]byte, 32)
		copy(seed, name)
		w, err := nworker.New(e.nc, nworker.Config{NodeKey: ed25519.NewKeyFromSeed(seed), WorkerAddress: "cpc1" + name,
			Mode: protocol.ModeBinding, KeyDir: t.TempDir(), HeartbeatEvery: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(e.ctx)
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("worker %s: %v", name, err)
			}
		})
	}
	e.waitFor("acceptance in a block", func() bool {
		r := e.task(task.TaskID)
		return r.Status == network.StatusAccepted && r.Accepted.Block > 0
	})
	r := e.task(task.TaskID)
	if c := e.acceptedCommitment(r); c != ic || len(r.Jobs) != 2 || !strings.HasPrefix(r.Comparison, "agree") {
		t.Fatalf("commitment %s (want %s), task %+v", c, ic, r)
	}
}

// TestSuppliedInputsIntakeErrors: objects that are missing, larger or
// smaller than n requires, or not an int16 .npy are refused at intake
// with the field that names them; nothing is dispatched.
func TestSuppliedInputsIntakeErrors(t *testing.T) {
	e := start(t, coordinator.Config{})
	_, quiet := silentNode(t, e, "quiet")
	good := npyBytes(t, testMatrix(4, 1))
	e.putObject("a4.npy", good)
	e.putObject("a3.npy", npyBytes(t, testMatrix(3, 1)))
	e.putObject("big.npy", append(append([]byte(nil), good...), make([]byte, 64)...))
	e.putObject("huge.npy", make([]byte, 3<<20))
	e.putObject("short.npy", good[:len(good)-1])
	i4 := bytes.Replace(append([]byte(nil), good...), []byte("'<i2'"), []byte("'<i4'"), 1)
	e.putObject("int32.npy", i4)
	var csv bytes.Buffer
	_ = workload.EncodeCSV(&csv, testMatrix(4, 1))
	e.putObject("a4.csv", csv.Bytes())
	future := time.Now().Add(time.Hour).Unix()
	for _, tc := range []struct {
		a, b, field, want string
	}{
		{"missing.npy", "a4.npy", "inputs.a", "no object named"},
		{"a4.npy", "missing.npy", "inputs.b", "no object named"},
		{"a4.npy", "big.npy", "inputs.b", "bytes, not the"},
		{"huge.npy", "a4.npy", "inputs.a", "bytes, not the"},
		{"a4.npy", "short.npy", "inputs.b", "bytes, not the"},
		{"a3.npy", "a4.npy", "inputs.a", "bytes, not the"},
		{"int32.npy", "a4.npy", "inputs.a", "int32.npy"},
		{"a4.npy", "a4.csv", "inputs.b", "bytes, not the"},
		{"", "a4.npy", "inputs.a", "no object"},
	} {
		rep := e.intake(network.IntakeRequest{MatrixSize: 4, FracBits: 8, RewardWei: "1", Deadline: future, Inputs: &network.SuppliedInputs{A: tc.a, B: tc.b}})
		if rep.Task != nil || rep.Field != tc.field || !strings.HasPrefix(rep.Error, tc.field+": ") || !strings.Contains(rep.Error, tc.want) {
			t.Errorf("inputs %s, %s: reply %+v, want field %s and %q", tc.a, tc.b, rep, tc.field, tc.want)
		}
	}
	rep := e.intake(network.IntakeRequest{MatrixSize: 4, FracBits: 8, RewardWei: "1", Deadline: future, Inputs: &network.SuppliedInputs{A: "a4.npy", B: "a4.npy"}})
	if rep.Task == nil || !rep.Task.Task.Supplied() || rep.Task.Jobs[0].Node != quiet {
		t.Fatalf("valid supplied intake: %+v", rep)
	}
	if job := fetchJob(t, e, quiet); job.Inputs == nil || job.Inputs.A != "a4.npy" || job.RequestID != rep.Task.RequestID {
		t.Fatalf("job %+v", job)
	}
}

// TestSuppliedInputsReplaced: after intake the object A names is replaced
// by another matrix of the same size. The commitment fixed at intake
// catches it: the coordinator verifies nothing against the new matrices —
// the task is expired and refunded, the worker (which proved on the
// matrices committed at intake) is not struck, nobody is paid.
func TestSuppliedInputsReplaced(t *testing.T) {
	const n, f = 4, 8
	A, B, ic := matrices(t, n, f, 1, 2)
	e := start(t, coordinator.Config{})
	e.putObject("A.npy", npyBytes(t, A))
	e.putObject("B.npy", npyBytes(t, B))
	rep := e.intake(network.IntakeRequest{MatrixSize: n, FracBits: f, RewardWei: "9", Deadline: time.Now().Add(time.Hour).Unix(),
		Inputs: &network.SuppliedInputs{A: "A.npy", B: "B.npy"}})
	if rep.Task == nil || rep.Task.Task.Payload.InputCommitment != ic {
		t.Fatalf("intake: %+v, want input commitment %s", rep, ic)
	}
	e.putObject("A.npy", npyBytes(t, testMatrix(n, 3)))
	w := newWorkerWith(t, e, "keeper", func(w *worker) { w.matrices = [][]int16{A.Data, B.Data} })
	e.waitFor("expiry", func() bool { return e.task(rep.Task.TaskID).Status == network.StatusExpired })
	r := e.task(rep.Task.TaskID)
	if len(r.Jobs) != 1 || r.Jobs[0].Verdict != "hold" || !strings.Contains(r.Jobs[0].Reason, "not the matrices committed at intake") || !r.Refunded {
		t.Fatalf("%+v", r)
	}
	t.Logf("hold: %s", r.Jobs[0].Reason)
	if _, _, ok := e.ledger("credit." + rep.Task.RequestID); ok {
		t.Fatal("paid on replaced inputs")
	}
	if le, _, ok := e.ledger("refund." + rep.Task.RequestID); !ok || le.Wei != "9" {
		t.Fatalf("refund %+v %v", le, ok)
	}
	if nr := e.node(w.id); len(nr.Strikes) != 0 || nr.Accepted != 0 {
		t.Fatalf("worker %+v", nr)
	}
}
