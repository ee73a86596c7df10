// Package market is the Task Market HTTP API of the zkpoc network (seed 002
// Stage 5): a versioned JSON API in front of the coordinator. It posts tasks
// through the coordinator's intake request (network.SubjectIntake), stores
// supplied matrices in the InputsObjects object store, and otherwise only
// reads what the coordinator wrote: task and node records, ledger entries
// and blocks. It never writes coordinator state.
//
// Routes (every body, errors included, is JSON; an error is
// {"error": "...", "field": "..."} with field naming the input at fault):
//
//	POST /v1/tasks              post a task; 201 with the task
//	POST /v1/inputs             store a supplied matrix (.npy or CSV); 201 with its name
//	GET  /v1/tasks/{id}         a task: status, request_id, jobs, accepted result, reward paid
//	GET  /v1/blocks/latest      the latest block
//	GET  /v1/blocks/{height}    the block at a height
//	GET  /v1/nodes/{node_id}    a registered worker: registration, rating, strikes
//	GET  /v1/accounts/{address} an account's balance: the sum of its ledger entries
package market

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/workload"
)

// Defaults of Config.
const (
	DefaultIntakeTimeout = 5 * time.Second
	DefaultMaxBodyBytes  = 64 << 10
	// DefaultMaxInputBytes admits a CSV of a MaxNetworkN matrix of
	// six-character values ("-32768,") with some spacing.
	DefaultMaxInputBytes = 16 << 20
	// DefaultFracBits is the frac_bits of a task that names none.
	DefaultFracBits = 8
	// MaxDeadlineIn bounds deadline_in (one year).
	MaxDeadlineIn = 365 * 24 * 3600
)

// Config configures the market.
type Config struct {
	// IntakeTimeout bounds the wait for the coordinator's intake reply.
	IntakeTimeout time.Duration
	// MaxBodyBytes bounds a POST /v1/tasks body.
	MaxBodyBytes int64
	// MaxInputBytes bounds a POST /v1/inputs body.
	MaxInputBytes int64
	// ReadTimeout bounds one JetStream read (default 5 s).
	ReadTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.IntakeTimeout <= 0 {
		c.IntakeTimeout = DefaultIntakeTimeout
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxInputBytes <= 0 {
		c.MaxInputBytes = DefaultMaxInputBytes
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

type market struct {
	nc  *nats.Conn
	js  jetstream.JetStream
	cfg Config
	mux *http.ServeMux
}

// New returns the market's HTTP handler over the connection nc.
func New(nc *nats.Conn, cfg Config) (http.Handler, error) {
	if nc == nil {
		return nil, errors.New("market: no NATS connection")
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("market: jetstream: %w", err)
	}
	m := &market{nc: nc, js: js, cfg: cfg.withDefaults(), mux: http.NewServeMux()}
	m.mux.HandleFunc("POST /v1/tasks", m.postTask)
	m.mux.HandleFunc("POST /v1/inputs", m.postInput)
	m.mux.HandleFunc("GET /v1/tasks/{id}", m.getTask)
	m.mux.HandleFunc("GET /v1/blocks/latest", m.getLatestBlock)
	m.mux.HandleFunc("GET /v1/blocks/{height}", m.getBlock)
	m.mux.HandleFunc("GET /v1/nodes/{node_id}", m.getNode)
	m.mux.HandleFunc("GET /v1/accounts/{address}", m.getAccount)
	return m, nil
}

// ServeHTTP routes r, answering unknown routes and methods with JSON
// errors, and turns a panic into a JSON 500.
func (m *market) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			writeErr(w, http.StatusInternalServerError, "", fmt.Sprintf("internal error: %v", v))
		}
	}()
	if _, pat := m.mux.Handler(r); pat == "" {
		for _, meth := range []string{http.MethodGet, http.MethodPost} {
			if meth == r.Method {
				continue
			}
			r2 := r.Clone(r.Context())
			r2.Method = meth
			if _, p := m.mux.Handler(r2); p != "" {
				w.Header().Set("Allow", meth)
				writeErr(w, http.StatusMethodNotAllowed, "", fmt.Sprintf("method %s is not allowed on %s (use %s)", r.Method, r.URL.Path, meth))
				return
			}
		}
		writeErr(w, http.StatusNotFound, "", fmt.Sprintf("no such route: %s %s (see /v1/tasks, /v1/inputs, /v1/blocks, /v1/nodes, /v1/accounts)", r.Method, r.URL.Path))
		return
	}
	m.mux.ServeHTTP(w, r)
}

// apiError is every error body.
type apiError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(apiError{Error: "encode response: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeErr(w http.ResponseWriter, status int, field, msg string) {
	writeJSON(w, status, apiError{Error: msg, Field: field})
}

// fieldErr is a client error naming its field.
type fieldErr struct {
	status int
	field  string
	msg    string
}

func (e *fieldErr) Error() string { return e.msg }

func badField(field, format string, args ...any) *fieldErr {
	return &fieldErr{http.StatusBadRequest, field, fmt.Sprintf(format, args...)}
}

// PostTask is the body of POST /v1/tasks.
type PostTask struct {
	MatrixSize *int                    `json:"matrix_size"`
	FracBits   *int                    `json:"frac_bits"`
	Reward     *string                 `json:"reward"` // decimal CPC, at most 18 decimals
	Deadline   *int64                  `json:"deadline"`
	DeadlineIn *int64                  `json:"deadline_in"`
	Poster     string                  `json:"poster"`
	Inputs     *network.SuppliedInputs `json:"inputs"`
}

// Task is the body of GET /v1/tasks/{id} and of a 201 from POST /v1/tasks:
// the coordinator's record, with the offered reward and the reward paid
// also as CPC decimal strings.
type Task struct {
	network.TaskRecord
	Reward     string `json:"reward"`      // the offered reward, CPC
	RewardWei  string `json:"reward_wei"`  // the offered reward, wei
	RewardPaid string `json:"reward_paid"` // reward_paid_wei in CPC
}

func taskView(rec network.TaskRecord) Task {
	t := Task{TaskRecord: rec, RewardWei: rec.Task.Reward}
	if rec.RewardPaidWei == "" {
		t.RewardPaidWei = "0"
	}
	t.RewardPaid, _ = workload.FormatCPC(t.RewardPaidWei)
	t.Reward, _ = workload.FormatCPC(rec.Task.Reward)
	if t.Jobs == nil {
		t.Jobs = []network.JobRecord{}
	}
	return t
}

var objectName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// decodeBody reads at most limit bytes of a strict JSON body into v.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any) *fieldErr {
	body := http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, e2 := dec.Token(); e2 != io.EOF {
			var mbe *http.MaxBytesError
			if errors.As(e2, &mbe) {
				err = e2
			} else {
				return badField("", "trailing data after the JSON object")
			}
		}
	}
	if err == nil {
		return nil
	}
	var mbe *http.MaxBytesError
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &mbe):
		return &fieldErr{http.StatusRequestEntityTooLarge, "", fmt.Sprintf("request body over %d bytes", limit)}
	case errors.As(err, &ute):
		f := ute.Field
		return badField(f, "%s: want a JSON %s, have %s", f, ute.Type, ute.Value)
	case errors.As(err, &se):
		return badField("", "not valid JSON: %v", err)
	case errors.Is(err, io.EOF):
		return badField("", "empty body: want a JSON object")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return badField(f, "unknown field %q", f)
	default:
		return badField("", "not valid JSON: %v", err)
	}
}

// intake checks a posted task and builds the intake request.
func (m *market) intake(p PostTask) (network.IntakeRequest, *fieldErr) {
	var req network.IntakeRequest
	switch {
	case p.MatrixSize == nil:
		return req, badField("matrix_size", "matrix_size is required")
	case *p.MatrixSize < 1 || *p.MatrixSize > network.MaxNetworkN:
		return req, badField("matrix_size", "matrix_size %d is out of range [1, %d]", *p.MatrixSize, network.MaxNetworkN)
	}
	req.MatrixSize = *p.MatrixSize
	req.FracBits = DefaultFracBits
	if p.FracBits != nil {
		if f := *p.FracBits; f < 0 || f > workload.MaxFracBits {
			return req, badField("frac_bits", "frac_bits %d is out of range [0, %d]", f, workload.MaxFracBits)
		}
		req.FracBits = *p.FracBits
	}
	if p.Reward == nil {
		return req, badField("reward", `reward is required: a decimal CPC amount such as "10.0"`)
	}
	wei, err := workload.ParseCPC(*p.Reward)
	if err != nil {
		return req, badField("reward", "reward: %v", err)
	}
	req.RewardWei = wei
	now := m.cfg.Now().Unix()
	switch {
	case p.Deadline != nil && p.DeadlineIn != nil:
		return req, badField("deadline", "give deadline (unix seconds) or deadline_in (seconds from now), not both")
	case p.Deadline != nil:
		d := *p.Deadline
		if d < 0 || d > workload.MaxDeadline {
			return req, badField("deadline", "deadline %d is out of range [0, %d]", d, int64(workload.MaxDeadline))
		}
		if d <= now {
			return req, badField("deadline", "deadline %d is not in the future (now %d)", d, now)
		}
		req.Deadline = d
	case p.DeadlineIn != nil:
		d := *p.DeadlineIn
		if d < 1 || d > MaxDeadlineIn {
			return req, badField("deadline_in", "deadline_in %d is out of range [1, %d] seconds", d, MaxDeadlineIn)
		}
		req.Deadline = now + d
	default:
		return req, badField("deadline", "deadline (unix seconds) or deadline_in (seconds from now) is required")
	}
	if p.Poster != "" {
		if err := workload.CheckWorkerAddress("poster", p.Poster); err != nil {
			return req, badField("poster", "%v", err)
		}
		req.Poster = p.Poster
	}
	if p.Inputs != nil {
		for _, x := range []struct{ field, name string }{{"inputs.a", p.Inputs.A}, {"inputs.b", p.Inputs.B}} {
			if !objectName.MatchString(x.name) {
				return req, badField(x.field, "%s: %.80q is not an input name (POST /v1/inputs returns one)", x.field, x.name)
			}
		}
		in := *p.Inputs
		req.Inputs = &in
	}
	return req, nil
}

func (m *market) postTask(w http.ResponseWriter, r *http.Request) {
	var p PostTask
	if fe := decodeBody(w, r, m.cfg.MaxBodyBytes, &p); fe != nil {
		writeErr(w, fe.status, fe.field, fe.msg)
		return
	}
	req, fe := m.intake(p)
	if fe == nil && req.Inputs != nil {
		fe = m.checkInputs(r.Context(), *req.Inputs, req.MatrixSize)
	}
	if fe != nil {
		writeErr(w, fe.status, fe.field, fe.msg)
		return
	}
	data, err := json.Marshal(req)
	if err != nil {
		writeErr(w, http.StatusInternalServerError, "", err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), m.cfg.IntakeTimeout)
	defer cancel()
	msg, err := m.nc.RequestWithContext(ctx, network.SubjectIntake, data)
	if err != nil {
		if errors.Is(err, nats.ErrNoResponders) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) {
			writeErr(w, http.StatusServiceUnavailable, "", fmt.Sprintf("no coordinator answered the intake request within %s: try again later", m.cfg.IntakeTimeout))
			return
		}
		writeErr(w, http.StatusServiceUnavailable, "", "intake request: "+err.Error())
		return
	}
	var rep network.IntakeReply
	if err := json.Unmarshal(msg.Data, &rep); err != nil {
		writeErr(w, http.StatusBadGateway, "", "the coordinator's intake reply: "+err.Error())
		return
	}
	if rep.Error != "" || rep.Task == nil {
		e := rep.Error
		if e == "" {
			e = "the coordinator accepted nothing and said nothing"
		}
		status := http.StatusBadRequest
		if rep.Field == "" {
			status = http.StatusUnprocessableEntity
		}
		writeErr(w, status, rep.Field, e)
		return
	}
	w.Header().Set("Location", "/v1/tasks/"+rep.Task.TaskID)
	writeJSON(w, http.StatusCreated, taskView(*rep.Task))
}

// checkInputs checks that both named inputs exist in the object store.
func (m *market) checkInputs(ctx context.Context, in network.SuppliedInputs, n int) *fieldErr {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.ReadTimeout)
	defer cancel()
	obs, err := m.js.ObjectStore(ctx, network.InputsObjects)
	if err != nil {
		return &fieldErr{http.StatusServiceUnavailable, "", "object store " + network.InputsObjects + ": " + err.Error()}
	}
	for _, x := range []struct{ field, name string }{{"inputs.a", in.A}, {"inputs.b", in.B}} {
		info, err := obs.GetInfo(ctx, x.name)
		if errors.Is(err, jetstream.ErrObjectNotFound) {
			return badField(x.field, "%s: no input named %q (POST /v1/inputs first)", x.field, x.name)
		}
		if err != nil {
			return &fieldErr{http.StatusServiceUnavailable, "", "object store: " + err.Error()}
		}
		if s, ok := info.Headers[inputSizeHeader]; ok && len(s) == 1 && s[0] != strconv.Itoa(n) {
			return badField(x.field, "%s: input %q is %s×%s, the task's matrix_size is %d", x.field, x.name, s[0], s[0], n)
		}
	}
	return nil
}

const inputSizeHeader = "Zkpoc-Matrix-Size"

// Input is the body of a 201 from POST /v1/inputs.
type Input struct {
	Name       string `json:"name"`        // the name to give in a task's inputs
	MatrixSize int    `json:"matrix_size"` // n of the n×n matrix
	Bytes      uint64 `json:"bytes"`       // the stored .npy's size
	SHA256     string `json:"sha256"`      // hex SHA-256 of the stored .npy
}

// postInput stores a supplied matrix, .npy or CSV (by its magic bytes),
// re-encoded as .npy and named by the SHA-256 of that encoding; one
// stored already is left as it is.
func (m *market) postInput(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, m.cfg.MaxInputBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeErr(w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("matrix over %d bytes", m.cfg.MaxInputBytes))
			return
		}
		writeErr(w, http.StatusBadRequest, "", "read body: "+err.Error())
		return
	}
	var mat workload.Matrix
	if bytes.HasPrefix(body, []byte("\x93NUMPY")) {
		mat, err = workload.DecodeNPY(bytes.NewReader(body))
	} else {
		mat, err = workload.DecodeCSV(bytes.NewReader(body))
	}
	if err != nil {
		writeErr(w, http.StatusBadRequest, "", "matrix (.npy or comma-separated integers): "+err.Error())
		return
	}
	if mat.N > network.MaxNetworkN {
		writeErr(w, http.StatusBadRequest, "", fmt.Sprintf("matrix is %d×%d, over the network's limit n ≤ %d", mat.N, mat.N, network.MaxNetworkN))
		return
	}
	var npy bytes.Buffer
	if err := workload.EncodeNPY(&npy, mat); err != nil {
		writeErr(w, http.StatusBadRequest, "", "matrix: "+err.Error())
		return
	}
	sum := sha256.Sum256(npy.Bytes())
	name := hex.EncodeToString(sum[:]) + ".npy"
	ctx, cancel := context.WithTimeout(r.Context(), 2*m.cfg.ReadTimeout)
	defer cancel()
	obs, err := m.js.ObjectStore(ctx, network.InputsObjects)
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, "", "object store "+network.InputsObjects+": "+err.Error())
		return
	}
	// Stored already (the name is the content's digest): kept as it is.
	// Rewriting it would purge the chunks a reader of the object (the
	// coordinator verifying a receipt of a task naming it) may be
	// reading, and a task whose inputs cannot be read as committed is
	// expired.
	digest := "SHA-256=" + base64.URLEncoding.EncodeToString(sum[:])
	if info, err := obs.GetInfo(ctx, name); err == nil && !info.Deleted && info.Size == uint64(npy.Len()) && info.Digest == digest {
		writeJSON(w, http.StatusCreated, Input{Name: name, MatrixSize: mat.N, Bytes: info.Size, SHA256: hex.EncodeToString(sum[:])})
		return
	}
	meta := jetstream.ObjectMeta{Name: name, Description: "zkpoc supplied matrix (.npy, int16)",
		Headers: nats.Header{inputSizeHeader: []string{strconv.Itoa(mat.N)}}}
	info, err := obs.Put(ctx, meta, bytes.NewReader(npy.Bytes()))
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, "", "store input: "+err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, Input{Name: name, MatrixSize: mat.N, Bytes: info.Size, SHA256: hex.EncodeToString(sum[:])})
}

// What the coordinator wrote is decoded leniently (encoding/json, unknown
// fields ignored): a coordinator newer than the market may add fields. Its
// size is bounded by the buckets' and streams' MaxMessageBytes.

// kvGet reads key from bucket into v: 404 when absent, 503 when the
// bucket is (the coordinator has not provisioned the network).
func (m *market) kvGet(ctx context.Context, bucket, key, what string, v any) *fieldErr {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.ReadTimeout)
	defer cancel()
	kv, err := m.js.KeyValue(ctx, bucket)
	if err != nil {
		return unavailable(bucket, err)
	}
	e, err := kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return &fieldErr{http.StatusNotFound, "", fmt.Sprintf("no %s %s", what, key)}
	}
	if err != nil {
		return unavailable(bucket, err)
	}
	if err := json.Unmarshal(e.Value(), v); err != nil {
		return &fieldErr{http.StatusBadGateway, "", fmt.Sprintf("the stored %s %s: %v", what, key, err)}
	}
	return nil
}

func unavailable(name string, err error) *fieldErr {
	if errors.Is(err, jetstream.ErrBucketNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) {
		return &fieldErr{http.StatusServiceUnavailable, "", fmt.Sprintf("%s does not exist: the coordinator has not provisioned the network yet", name)}
	}
	return &fieldErr{http.StatusServiceUnavailable, "", fmt.Sprintf("%s: %v", name, err)}
}

func (m *market) getTask(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !workload.IsUUID(id) {
		writeErr(w, http.StatusBadRequest, "task_id", fmt.Sprintf("task_id %.80q is not a lowercase RFC 4122 UUID", id))
		return
	}
	var rec network.TaskRecord
	if fe := m.kvGet(r.Context(), network.TasksBucket, id, "task", &rec); fe != nil {
		writeErr(w, fe.status, fe.field, fe.msg)
		return
	}
	writeJSON(w, http.StatusOK, taskView(rec))
}

// Node is the body of GET /v1/nodes/{node_id}.
type Node struct {
	NodeID string `json:"node_id"`
	network.NodeRecord
}

func (m *market) getNode(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("node_id")
	if err := network.CheckID("node_id", id); err != nil {
		writeErr(w, http.StatusBadRequest, "node_id", err.Error())
		return
	}
	var rec network.NodeRecord
	if fe := m.kvGet(r.Context(), network.NodesBucket, id, "node", &rec); fe != nil {
		writeErr(w, fe.status, fe.field, fe.msg)
		return
	}
	if rec.Strikes == nil {
		rec.Strikes = []network.Strike{}
	}
	writeJSON(w, http.StatusOK, Node{NodeID: id, NodeRecord: rec})
}

// Account is the body of GET /v1/accounts/{address}.
type Account struct {
	Address string `json:"address"`
	// BalanceWei sums the entries the ledger owes: credits settled on a
	// ComputeRegistry (settlement "chain") were paid by its escrow, and
	// OnChainWei sums them instead.
	BalanceWei string                `json:"balance_wei"`
	Balance    string                `json:"balance"` // CPC
	OnChainWei string                `json:"on_chain_wei,omitempty"`
	Entries    []network.LedgerEntry `json:"entries"`
}

// MaxLedgerScan bounds the ledger entries one account query reads.
const MaxLedgerScan = 100000

func (m *market) getAccount(w http.ResponseWriter, r *http.Request) {
	addr := r.PathValue("address")
	if err := workload.CheckWorkerAddress("address", addr); err != nil {
		writeErr(w, http.StatusBadRequest, "address", err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 4*m.cfg.ReadTimeout)
	defer cancel()
	// The ledger's stream is scanned with message gets, not listed through
	// a consumer: the market may not create consumers (their deliver
	// subject is not checked against its permissions).
	s, err := m.js.Stream(ctx, "KV_"+network.LedgerBucket)
	if err != nil {
		fe := unavailable(network.LedgerBucket, err)
		writeErr(w, fe.status, "", fe.msg)
		return
	}
	acct := Account{Address: addr, Entries: []network.LedgerEntry{}}
	sum, onChain := new(big.Int), new(big.Int)
	scanned := 0
	var bad *fieldErr
	err = network.EachMsg(ctx, s, "$KV."+network.LedgerBucket+".>", func(msg *jetstream.RawStreamMsg) (bool, error) {
		if scanned++; scanned > MaxLedgerScan {
			bad = &fieldErr{http.StatusServiceUnavailable, "", fmt.Sprintf("the ledger has over %d entries: too many to sum here", MaxLedgerScan)}
			return false, nil
		}
		if op := msg.Header.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
			return true, nil
		}
		k := strings.TrimPrefix(msg.Subject, "$KV."+network.LedgerBucket+".")
		var le network.LedgerEntry
		if err := json.Unmarshal(msg.Data, &le); err != nil {
			bad = &fieldErr{http.StatusBadGateway, "", fmt.Sprintf("ledger entry %s: %v", k, err)}
			return false, nil
		}
		if le.Account != addr {
			return true, nil
		}
		v, ok := new(big.Int).SetString(le.Wei, 10)
		if !ok || v.Sign() < 0 {
			bad = &fieldErr{http.StatusBadGateway, "", fmt.Sprintf("ledger entry %s: wei %.80q is not a non-negative integer", k, le.Wei)}
			return false, nil
		}
		if le.Settlement == network.SettleChain {
			onChain.Add(onChain, v)
		} else {
			sum.Add(sum, v)
		}
		acct.Entries = append(acct.Entries, le)
		return true, nil
	})
	if err != nil {
		bad = unavailable(network.LedgerBucket, err)
	}
	if bad != nil {
		writeErr(w, bad.status, bad.field, bad.msg)
		return
	}
	if len(acct.Entries) == 0 {
		writeErr(w, http.StatusNotFound, "", fmt.Sprintf("no ledger entries for account %s", addr))
		return
	}
	acct.BalanceWei = sum.String()
	if onChain.Sign() > 0 {
		acct.OnChainWei = onChain.String()
	}
	acct.Balance, _ = workload.FormatCPC(acct.BalanceWei)
	writeJSON(w, http.StatusOK, acct)
}

func (m *market) blocks(ctx context.Context) (jetstream.Stream, *fieldErr) {
	s, err := m.js.Stream(ctx, network.BlocksStream)
	if err != nil {
		return nil, unavailable(network.BlocksStream, err)
	}
	return s, nil
}

func decodeBlock(raw *jetstream.RawStreamMsg) (network.Block, *fieldErr) {
	var b network.Block
	if err := json.Unmarshal(raw.Data, &b); err != nil {
		return b, &fieldErr{http.StatusBadGateway, "", fmt.Sprintf("block at stream sequence %d: %v", raw.Sequence, err)}
	}
	if b.Transactions == nil {
		b.Transactions = []chain.SubmitResult{}
	}
	return b, nil
}

func (m *market) getLatestBlock(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), m.cfg.ReadTimeout)
	defer cancel()
	s, fe := m.blocks(ctx)
	if fe != nil {
		writeErr(w, fe.status, fe.field, fe.msg)
		return
	}
	raw, err := s.GetLastMsgForSubject(ctx, network.SubjectBlocks)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		writeErr(w, http.StatusNotFound, "", "no blocks yet")
		return
	}
	if err != nil {
		fe := unavailable(network.BlocksStream, err)
		writeErr(w, fe.status, "", fe.msg)
		return
	}
	b, fe := decodeBlock(raw)
	if fe != nil {
		writeErr(w, fe.status, fe.field, fe.msg)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (m *market) getBlock(w http.ResponseWriter, r *http.Request) {
	hs := r.PathValue("height")
	h, err := strconv.ParseUint(hs, 10, 64)
	if err != nil || h == 0 || hs[0] == '0' || hs[0] == '+' {
		writeErr(w, http.StatusBadRequest, "height", fmt.Sprintf("height %.80q is not a block height (1, 2, …) or \"latest\"", hs))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*m.cfg.ReadTimeout)
	defer cancel()
	s, fe := m.blocks(ctx)
	if fe != nil {
		writeErr(w, fe.status, fe.field, fe.msg)
		return
	}
	b, fe := findBlock(ctx, s, h)
	if fe != nil {
		writeErr(w, fe.status, fe.field, fe.msg)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// findBlock finds the block at height h. Heights grow with the stream
// sequence but need not equal it, so it tries sequence h first, then
// binary-searches the stream, stepping past deleted sequences.
func findBlock(ctx context.Context, s jetstream.Stream, h uint64) (network.Block, *fieldErr) {
	notFound := &fieldErr{http.StatusNotFound, "", fmt.Sprintf("no block at height %d", h)}
	// at returns the first block at sequence ≥ seq and ≤ hi, or ok=false.
	at := func(seq, hi uint64) (network.Block, uint64, bool, *fieldErr) {
		for ; seq <= hi; seq++ {
			raw, err := s.GetMsg(ctx, seq)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				continue
			}
			if err != nil {
				return network.Block{}, 0, false, unavailable(network.BlocksStream, err)
			}
			b, fe := decodeBlock(raw)
			return b, seq, fe == nil, fe
		}
		return network.Block{}, 0, false, nil
	}
	info, err := s.Info(ctx)
	if err != nil {
		return network.Block{}, unavailable(network.BlocksStream, err)
	}
	lo, hi := info.State.FirstSeq, info.State.LastSeq
	if info.State.Msgs == 0 {
		return network.Block{}, notFound
	}
	if h >= lo && h <= hi {
		b, _, ok, fe := at(h, h)
		if fe != nil {
			return b, fe
		}
		if ok && b.Height == h {
			return b, nil
		}
	}
	for lo <= hi {
		mid := lo + (hi-lo)/2
		b, seq, ok, fe := at(mid, hi)
		if fe != nil {
			return b, fe
		}
		switch {
		case !ok || b.Height > h:
			if mid == 0 {
				return network.Block{}, notFound
			}
			hi = mid - 1
		case b.Height < h:
			lo = seq + 1
		default:
			return b, nil
		}
	}
	return network.Block{}, notFound
}
