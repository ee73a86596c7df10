// Package worker is a worker node of the zkpoc network: it registers its
// signed identity with the coordinator, sends heartbeats, pulls the jobs
// addressed to it from its own JetStream consumer one at a time, runs each
// in auto mode (a SNARK within its budget, else sampled re-execution with a
// challenge the coordinator draws after the row commitment), and publishes
// the signed receipt on the results stream before it acks the job.
//
// The wire protocol is package network's.
package worker

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/hardware"
	"github.com/zkpoc/zkpoc/hardware/probe"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/workload"
)

// Config configures a worker.
type Config struct {
	// NodeKey is the node's Ed25519 key: it signs the registration and
	// every receipt; the node id is SHA-256 of its public key.
	NodeKey ed25519.PrivateKey
	// WorkerAddress is the chain address results are submitted under
	// (signed into every receipt as node.worker_address). Required,
	// except with Chain, whose account it is by default (and must be).
	WorkerAddress string
	// Chain, when set, is the ComputeRegistry this worker submits its
	// accepted receipts to when the coordinator sends a RoleSubmit job
	// (network/onchain.Submitter): the registry verifies the proof and
	// pays this account. Without it such jobs are refused, and the
	// coordinator refunds the escrow after the deadline.
	Chain Submitter
	// KeyDir is the proving-key cache (required for SNARK proofs).
	KeyDir string
	// Budget bounds one proof (prover.DefaultBudget when zero): in auto
	// mode a task whose estimate is over it is sampled instead.
	Budget prover.Budget
	// Coeffs are the cost-model coefficients (prover.DefaultCoefficients when nil).
	Coeffs *prover.Coefficients
	// Mode is prover.ModeAuto (the default), protocol.ModeGroth16,
	// protocol.ModeSampled or protocol.ModeBinding.
	Mode protocol.Mode
	// Sampling sets how sampled receipts open rows (zero: the defaults);
	// its Challenge must be unset (the coordinator issues it).
	Sampling sampling.Params
	// Executor names the native executor ("": the fastest available).
	Executor string
	// Hardware is announced in the registration (probe.Host() when zero).
	Hardware hardware.Hardware
	// HeartbeatEvery is the heartbeat interval (default 5 s).
	HeartbeatEvery time.Duration
	// RegisterTimeout bounds one registration request (default 5 s);
	// a failed attempt is retried with backoff until ctx is done.
	RegisterTimeout time.Duration
	// Log receives one line per event (nil: none).
	Log io.Writer
	// Dishonest, for network demos only: every answer carries a WRONG
	// product (one output entry changed) with a valid PoE and signature.
	// No SNARK exists for a wrong product, so such a worker answers in
	// sampled (or, when asked, binding) mode.
	Dishonest bool

	executor native.Executor // tests: the executor the product runs on
}

// Submitter submits accepted receipts to a ComputeRegistry
// (network/onchain.Submitter).
type Submitter interface {
	// Address is the account (EIP-55) it sends from: the registry pays it.
	Address() string
	Ref(ctx context.Context) (network.ChainRef, error)
	// Submit sends env's SUBMIT_RESULT; an error wrapping
	// onchain.ErrSettled means the task is settled already.
	Submit(ctx context.Context, env *receipt.Envelope) (network.ChainTx, error)
}

// ErrRefused is wrapped by Run's error when the coordinator refuses the
// registration.
var ErrRefused = errors.New("registration refused")

// Worker is a running worker node.
type Worker struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	cfg    Config
	nodeID string

	mu       sync.Mutex
	busy     bool
	answered map[string]stored // request_id → the result already published
	order    []string          // request ids in answered, oldest first
}

// maxAnswered bounds the receipts kept for redeliveries.
const maxAnswered = 256

type stored struct {
	receipt      json.RawMessage
	proveSeconds float64
}

// New checks cfg and returns a worker on nc; Run starts it.
func New(nc *nats.Conn, cfg Config) (*Worker, error) {
	if nc == nil {
		return nil, errors.New("worker: no NATS connection")
	}
	if len(cfg.NodeKey) != ed25519.PrivateKeySize {
		return nil, errors.New("worker: a node key (Ed25519) is required")
	}
	if cfg.Chain != nil {
		switch a := cfg.Chain.Address(); {
		case cfg.WorkerAddress == "":
			cfg.WorkerAddress = a
		case cfg.WorkerAddress != a:
			return nil, fmt.Errorf("worker: worker address %s is not the chain account %s: the registry pays only the address the receipts sign, as the sender", cfg.WorkerAddress, a)
		}
	}
	if err := workload.CheckWorkerAddress("worker address", cfg.WorkerAddress); err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	if cfg.Mode == "" {
		cfg.Mode = prover.ModeAuto
	}
	mode, _, err := prover.ResolveMode(cfg.Mode, "")
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	if mode == protocol.ModeGroth16 && cfg.Dishonest {
		return nil, errors.New("worker: a dishonest worker cannot prove a SNARK of a wrong product; use auto, sampled or binding")
	}
	cfg.Mode = mode
	if cfg.Sampling.Challenge != nil {
		return nil, errors.New("worker: Sampling.Challenge must be unset: the coordinator issues the challenge")
	}
	if err := cfg.Sampling.Validate(); err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	if cfg.Budget == (prover.Budget{}) {
		cfg.Budget = prover.DefaultBudget()
	}
	if cfg.Hardware.LogicalCores == 0 {
		cfg.Hardware = probe.Host()
	}
	if cfg.HeartbeatEvery <= 0 {
		cfg.HeartbeatEvery = 5 * time.Second
	}
	if cfg.RegisterTimeout <= 0 {
		cfg.RegisterTimeout = 5 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	w := &Worker{nc: nc, js: js, cfg: cfg, answered: map[string]stored{}}
	w.nodeID = hex.EncodeToString(func() []byte { id := protocol.NodeID(cfg.NodeKey.Public().(ed25519.PublicKey)); return id[:] }())
	return w, nil
}

// NodeID is the worker's node id (hex SHA-256 of its public key).
func (w *Worker) NodeID() string { return w.nodeID }

func (w *Worker) logf(format string, args ...any) {
	fmt.Fprintf(w.cfg.Log, "worker %s: "+format+"\n", append([]any{w.nodeID[:12]}, args...)...)
}

// Run registers, then heartbeats and answers jobs until ctx is done; it
// returns nil then. A refused registration is an error wrapping ErrRefused.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.register(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); w.heartbeats(ctx) }()
	err := w.jobs(ctx)
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// register sends the signed registration until it is acked.
func (w *Worker) register(ctx context.Context) error {
	budget := network.Budget{Seconds: w.cfg.Budget.Time.Seconds(), MemoryBytes: w.cfg.Budget.Memory}
	backoff := 250 * time.Millisecond
	for {
		reg := network.Registration{WorkerAddress: w.cfg.WorkerAddress, Hardware: w.cfg.Hardware, Budget: budget, Time: time.Now().Unix()}
		if err := reg.Sign(w.cfg.NodeKey); err != nil {
			return fmt.Errorf("worker: %w", err)
		}
		data, err := json.Marshal(reg)
		if err != nil {
			return fmt.Errorf("worker: %w", err)
		}
		rctx, cancel := context.WithTimeout(ctx, w.cfg.RegisterTimeout)
		msg, err := w.nc.RequestWithContext(rctx, network.SubjectRegisterPfx+w.nodeID, data)
		cancel()
		if err == nil {
			var ack network.Ack
			if err := network.Decode(msg.Data, 64<<10, &ack); err != nil {
				w.logf("register: bad reply: %v", err)
			} else if ack.OK {
				w.logf("registered as %s (worker address %s)", w.nodeID, w.cfg.WorkerAddress)
				return nil
			} else {
				return fmt.Errorf("worker: %w by the coordinator: %s", ErrRefused, ack.Error)
			}
		} else {
			w.logf("register: %v; retrying in %s", err, backoff)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

func (w *Worker) heartbeats(ctx context.Context) {
	t := time.NewTicker(w.cfg.HeartbeatEvery)
	defer t.Stop()
	for {
		w.mu.Lock()
		hb := network.Heartbeat{NodeID: w.nodeID, Busy: w.busy}
		w.mu.Unlock()
		if data, err := json.Marshal(hb); err == nil {
			_ = w.nc.Publish(network.SubjectHeartbeatPfx+w.nodeID, data)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// jobs pulls and answers the node's jobs, one at a time.
func (w *Worker) jobs(ctx context.Context) error {
	var cons jetstream.Consumer
	backoff := 250 * time.Millisecond
	for {
		var err error
		cons, err = w.js.Consumer(ctx, network.JobsStream, network.NodeConsumer(w.nodeID))
		if err == nil {
			break
		}
		// The coordinator creates the consumer when it accepts the
		// registration; it may not be visible yet.
		w.logf("job consumer: %v; retrying in %s", err, backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	ackWait := 30 * time.Second
	if info := cons.CachedInfo(); info != nil && info.Config.AckWait > 0 {
		ackWait = info.Config.AckWait
	}
	for ctx.Err() == nil {
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			w.logf("fetch: %v", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		for msg := range batch.Messages() {
			w.handle(ctx, msg, ackWait)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && ctx.Err() == nil {
			w.logf("fetch: %v", err)
		}
	}
	return nil
}

// handle answers one job message. A job that cannot be answered (it does
// not decode, or is not addressed to this node) is terminated; a run that
// fails or is cancelled is left unacked, so JetStream redelivers it.
func (w *Worker) handle(ctx context.Context, msg jetstream.Msg, ackWait time.Duration) {
	var job network.Job
	if err := network.Decode(msg.Data(), network.MaxMessageBytes, &job); err != nil {
		w.logf("job: %v; terminated", err)
		_ = msg.Term()
		return
	}
	if err := network.CheckID("request_id", job.RequestID); err != nil || (job.Node != "" && job.Node != w.nodeID) {
		w.logf("job for request %.16s: not a valid job for this node (%v); terminated", job.RequestID, err)
		_ = msg.Term()
		return
	}
	if job.Role == network.RoleSubmit {
		w.submit(ctx, msg, job)
		return
	}
	w.setBusy(true)
	defer w.setBusy(false)

	// In-progress acks every AckWait/3 while the job runs.
	jobCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		t := time.NewTicker(max(ackWait/3, 100*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-jobCtx.Done():
				return
			case <-t.C:
				_ = msg.InProgress()
			}
		}
	}()

	w.mu.Lock()
	st, seen := w.answered[job.RequestID]
	w.mu.Unlock()
	if seen {
		w.logf("job %s attempt %d: request already answered; resending the stored receipt", job.RequestID[:16], job.Attempt)
	} else {
		w.logf("job %s attempt %d (%s): running", job.RequestID[:16], job.Attempt, job.Role)
		start := time.Now()
		env, err := w.execute(jobCtx, job)
		if err != nil && permanent(err) {
			w.logf("job %s attempt %d: %v; terminated (a redelivery would fail the same way)", job.RequestID[:16], job.Attempt, err)
			_ = msg.Term()
			return
		}
		if err != nil {
			w.logf("job %s attempt %d: %v; left for redelivery", job.RequestID[:16], job.Attempt, err)
			if ctx.Err() == nil {
				_ = msg.NakWithDelay(5 * time.Second)
			}
			return
		}
		raw, err := json.Marshal(env)
		if err != nil {
			w.logf("job %s: encode receipt: %v", job.RequestID[:16], err)
			return
		}
		st = stored{receipt: raw, proveSeconds: time.Since(start).Seconds()}
		w.remember(job.RequestID, st)
	}
	res := network.Result{RequestID: job.RequestID, NodeID: w.nodeID, Role: job.Role, Attempt: job.Attempt,
		Receipt: st.receipt, ProveSeconds: st.proveSeconds}
	data, err := json.Marshal(res)
	if err != nil {
		w.logf("job %s: encode result: %v", job.RequestID[:16], err)
		return
	}
	msgID := fmt.Sprintf("%s/%s/%d", job.RequestID, w.nodeID, job.Attempt)
	ack, err := w.js.Publish(ctx, network.SubjectResultsPfx+w.nodeID, data, jetstream.WithMsgID(msgID))
	if err == nil && ack.Duplicate {
		// Deduplication is stream-wide and any worker may set any
		// Nats-Msg-Id on its own subject: the message holding this id
		// may be another node's, which would swallow this result. Publish
		// again under an id no one can predict (the coordinator ignores
		// a result it has already judged).
		var nonce [8]byte
		_, _ = rand.Read(nonce[:])
		_, err = w.js.Publish(ctx, network.SubjectResultsPfx+w.nodeID, data, jetstream.WithMsgID(msgID+"/"+hex.EncodeToString(nonce[:])))
	}
	if err != nil {
		w.logf("job %s: publish result: %v; left for redelivery", job.RequestID[:16], err)
		return
	}
	if err := msg.Ack(); err != nil {
		w.logf("job %s: ack: %v", job.RequestID[:16], err)
		return
	}
	w.logf("job %s attempt %d (%s) answered in %.3f s", job.RequestID[:16], job.Attempt, job.Role, st.proveSeconds)
}

// remember keeps the receipt answering a request, forgetting the oldest
// beyond maxAnswered.
func (w *Worker) remember(requestID string, st stored) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.answered[requestID]; !ok {
		w.order = append(w.order, requestID)
	}
	w.answered[requestID] = st
	for len(w.order) > maxAnswered {
		delete(w.answered, w.order[0])
		w.order = w.order[1:]
	}
}

// permanent reports an error that the job itself causes: its task, its
// inputs or their object.
func permanent(err error) bool {
	return errors.Is(err, workload.ErrInvalidTask) || errors.Is(err, workload.ErrMatrixFile) ||
		errors.Is(err, protocol.ErrInputsMismatch) || errors.Is(err, protocol.ErrTaskCurve) ||
		errors.Is(err, jetstream.ErrObjectNotFound) || errors.Is(err, errInputs)
}

var errInputs = errors.New("supplied inputs do not fit the task")

func (w *Worker) setBusy(b bool) {
	w.mu.Lock()
	w.busy = b
	w.mu.Unlock()
}

// options are the prover options for one job.
func (w *Worker) options(job network.Job) (prover.Options, error) {
	o := prover.Options{Task: job.Task, NodeKey: w.cfg.NodeKey, Cache: keys.Cache{Dir: w.cfg.KeyDir},
		Budget: w.cfg.Budget, Coeffs: w.cfg.Coeffs, Executor: w.cfg.Executor, Sampling: w.cfg.Sampling,
		WorkerAddress: w.cfg.WorkerAddress, Progress: progress{w, job.RequestID[:16]}}
	o.ExecutorImpl = w.cfg.executor
	if w.cfg.Dishonest {
		ex := o.ExecutorImpl
		if ex == nil {
			var err error
			if ex, err = native.SelectExecutor(probe.Host(), w.cfg.Executor); err != nil {
				return o, err
			}
		}
		o.ExecutorImpl = tampered{ex}
	}
	return o, nil
}

// progress logs the prover's progress lines (keys loaded, proving, proved
// in) as the worker's, for job request id rid.
type progress struct {
	w   *Worker
	rid string
}

func (p progress) Write(b []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		p.w.logf("job %s: %s", p.rid, l)
	}
	return len(b), nil
}

// Mode is the mode the worker answers job's task in: cfg.Mode, or for auto
// what prover.Run would pick (a SNARK when its cost estimate fits the
// budget, else sampled). A dishonest worker samples instead of proving.
func (w *Worker) Mode(task workload.ComputeTask) (protocol.Mode, error) {
	mode := w.cfg.Mode
	if mode == prover.ModeAuto {
		mode = protocol.ModeSampled
		n, f := task.Payload.MatrixSize, task.Payload.FracBits
		curve, _, err := protocol.TaskCurve(task)
		if err != nil {
			return "", err
		}
		if n <= protocol.MaxN {
			coeffs := prover.DefaultCoefficients
			if w.cfg.Coeffs != nil {
				coeffs = *w.cfg.Coeffs
			}
			var m protocol.Method // the prover's default circuit
			cached := keys.Cache{Dir: w.cfg.KeyDir}.Has(keys.IDFor(curve, protocol.Groth16, m, n, f))
			if fits, _ := prover.EstimateCostOn(curve, m, n, f, cached, coeffs).Fits(w.cfg.Budget); fits {
				mode = protocol.ModeGroth16
			}
		}
	}
	if w.cfg.Dishonest && mode.SNARK() {
		mode = protocol.ModeSampled
	}
	return mode, nil
}

// execute runs the job's task and returns the signed receipt.
func (w *Worker) execute(ctx context.Context, job network.Job) (*receipt.Envelope, error) {
	o, err := w.options(job)
	if err != nil {
		return nil, err
	}
	if job.Inputs != nil {
		if o.A, o.B, err = w.inputs(ctx, job); err != nil {
			return nil, err
		}
	}
	mode, err := w.Mode(job.Task)
	if err != nil {
		return nil, err
	}
	if mode != protocol.ModeSampled {
		o.Mode = mode
		res, err := prover.Run(ctx, o)
		if err != nil {
			return nil, err
		}
		return res.Envelope, nil
	}
	// Sampled: commit to the rows, have the coordinator draw the challenge
	// after it recorded the root, then open the rows it selects.
	com, err := prover.Commit(o)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	root := com.Root()
	req := network.CommitRequest{RequestID: job.RequestID, NodeID: w.nodeID, Attempt: job.Attempt, Root: hex.EncodeToString(root[:])}
	data, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	reply, err := w.nc.RequestWithContext(rctx, network.SubjectCommitPfx+w.nodeID, data)
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	var cr network.CommitReply
	if err := network.Decode(reply.Data, 64<<10, &cr); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	if cr.Error != "" {
		return nil, fmt.Errorf("commit refused: %s", cr.Error)
	}
	ch, err := hex.DecodeString(cr.Challenge)
	if err != nil || len(ch) != 32 {
		return nil, fmt.Errorf("commit: the challenge %.80q is not 32 bytes of hex", cr.Challenge)
	}
	res, err := com.Open(ch)
	if err != nil {
		return nil, err
	}
	return res.Envelope, nil
}

// maxInputBytes bounds a supplied matrix object: a CSV file of
// network.MaxNetworkN² entries of up to 7 characters each.
const maxInputBytes = network.MaxNetworkN * network.MaxNetworkN * 8

// inputs reads a supplied task's matrices from the inputs object store
// (.npy by its name's extension, else CSV).
func (w *Worker) inputs(ctx context.Context, job network.Job) ([]int16, []int16, error) {
	if job.Task.Payload.MatrixSize > network.MaxNetworkN {
		return nil, nil, fmt.Errorf("%w: n = %d is over the network's %d", errInputs, job.Task.Payload.MatrixSize, network.MaxNetworkN)
	}
	read := func(name string) ([]int16, error) {
		// Message gets only: a worker may not create consumers (see
		// network.GetObject).
		data, err := network.GetObject(ctx, w.js, network.InputsObjects, name, maxInputBytes)
		if errors.Is(err, network.ErrBadObject) {
			return nil, fmt.Errorf("%w: %w", errInputs, err)
		}
		if err != nil {
			return nil, fmt.Errorf("supplied input: %w", err)
		}
		decode := workload.DecodeCSV
		if strings.HasSuffix(strings.ToLower(name), ".npy") {
			decode = workload.DecodeNPY
		}
		m, err := decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("supplied input %.80q: %w", name, err)
		}
		if m.N != job.Task.Payload.MatrixSize {
			return nil, fmt.Errorf("%w: %.80q: %d×%d, the task is for n = %d", errInputs, name, m.N, m.N, job.Task.Payload.MatrixSize)
		}
		return m.Data, nil
	}
	a, err := read(job.Inputs.A)
	if err != nil {
		return nil, nil, err
	}
	b, err := read(job.Inputs.B)
	if err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// tampered is the dishonest worker's executor: the real product with one
// entry changed.
type tampered struct{ native.Executor }

func (t tampered) Multiply(a, b []int16, n, fracBits int) ([]int64, error) {
	c, err := t.Executor.Multiply(a, b, n, fracBits)
	if err == nil && len(c) > 0 {
		c[len(c)-1]++
	}
	return c, err
}
