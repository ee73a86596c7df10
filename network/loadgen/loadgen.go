// Package loadgen runs the zkpoc network in one process under load and
// measures it: an embedded nats-server on 127.0.0.1 (JetStream on file
// storage), the coordinator, Workers workers (package network/worker, each
// on its own connection, proving Groth16), and Tasks synthetic tasks posted
// at intake with at most InFlight outstanding at a time. The figures come
// from what the network itself recorded: latency from the coordinator's
// task records (created_at_ms to accepted_at_ms), prove time from the
// accepted receipts (benchmark_result.prove_seconds), the coordinator's
// own cost from coordinator.Stats.
package loadgen

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
	"github.com/zkpoc/zkpoc/network/embedded"
	"github.com/zkpoc/zkpoc/network/worker"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/setup"
)

// Options configure a run.
type Options struct {
	Tasks   int // tasks to post (at least 1)
	Workers int // in-process workers (at least 1)
	N       int // matrix size of every task (1..protocol.MaxN)
	// InFlight bounds the tasks posted and not yet accepted (default
	// 2×Workers: each worker proving one job with one waiting); Tasks
	// posts them all at once.
	InFlight int
	// Redispatch is the coordinator's RedispatchFraction.
	Redispatch float64
	// Mode is how workers answer: protocol.ModeGroth16 (the default) or
	// protocol.ModeBinding (no proof: every task is then checked by a
	// second worker, and the run measures the coordinator and the server
	// rather than the provers).
	Mode protocol.Mode
	// KeyDir is the Groth16 key cache workers prove and the coordinator
	// verifies with; the keys for N are set up there first when missing.
	KeyDir string
	// Dir holds the JetStream store (a fresh directory).
	Dir string
	// Log receives progress lines, Trace the coordinator's and the
	// workers' logs (nil: none).
	Log, Trace io.Writer
}

// Report are a run's figures and the checks on what it left behind.
type Report struct {
	Tasks, Workers, N, InFlight int
	Redispatch                  float64
	Mode                        protocol.Mode
	CPUs                        int // runtime.NumCPU: the workers, the coordinator and nats-server share them
	// Wall is from the first intake to the last acceptance.
	Wall           time.Duration
	TasksPerSecond float64
	// FirstHalf and SecondHalf are the rates of the first and the last
	// half of the acceptances (a rate that falls with the run shows state
	// that grows).
	FirstHalf, SecondHalf float64
	// Latency is intake (created_at_ms) to acceptance (accepted_at_ms).
	LatencyP50, LatencyP99, LatencyMax time.Duration
	// Jobs are the executions returned (primaries and checks).
	Jobs int
	// ProveMean is the mean Groth16 prove time of the returned receipts
	// (their benchmark_result.prove_seconds; 0 in binding mode).
	ProveMean time.Duration
	// Coordinator is its handler cost for the run.
	Coordinator coordinator.Stats
	// Checks on the stored state after the run: tasks accepted and in a
	// block, ledger credits, blocks and their transactions, and whether
	// the blocks chain from genesis by parent hash.
	Accepted, InBlock, Credits, Blocks, BlockTxs int
	Chained                                      bool
}

// Check says whether the stored state adds up: every task accepted,
// credited once and in a block, as many block transactions as tasks, and
// the blocks chained from genesis.
func (r Report) Check() error {
	if r.Accepted != r.Tasks || r.InBlock != r.Tasks || r.Credits != r.Tasks || r.BlockTxs != r.Tasks || !r.Chained {
		return fmt.Errorf("loadgen: the state after %d tasks does not add up: %d accepted, %d in a block, %d credits, %d block transactions, chained %v",
			r.Tasks, r.Accepted, r.InBlock, r.Credits, r.BlockTxs, r.Chained)
	}
	return nil
}

// CoordinatorPerTask is the coordinator's handler time per task: intake,
// result processing and block appends.
func (r Report) CoordinatorPerTask() time.Duration {
	if r.Tasks == 0 {
		return 0
	}
	s := r.Coordinator
	return (s.IntakeTime + s.ResultTime + s.BlockTime) / time.Duration(r.Tasks)
}

// String is the report in a few lines.
func (r Report) String() string {
	var b strings.Builder
	s := r.Coordinator
	per := func(d time.Duration, n int64) time.Duration {
		if n == 0 {
			return 0
		}
		return d / time.Duration(n)
	}
	fmt.Fprintf(&b, "%d tasks at n = %d, %d workers in one process (%s), %d in flight, redispatch %g, %d CPUs\n",
		r.Tasks, r.N, r.Workers, r.Mode, r.InFlight, r.Redispatch, r.CPUs)
	fmt.Fprintf(&b, "  %.1f s, %.2f tasks/s (first half %.2f, second half %.2f); intake to acceptance p50 %s, p99 %s, max %s\n",
		r.Wall.Seconds(), r.TasksPerSecond, r.FirstHalf, r.SecondHalf, ms(r.LatencyP50), ms(r.LatencyP99), ms(r.LatencyMax))
	if r.Mode.SNARK() {
		fmt.Fprintf(&b, "  workers: %d jobs, prove %s mean per job (Groth16, from the receipts)\n", r.Jobs, ms(r.ProveMean))
	} else {
		fmt.Fprintf(&b, "  workers: %d jobs, no proofs (%s receipts)\n", r.Jobs, r.Mode)
	}
	fmt.Fprintf(&b, "  coordinator: %s per task in its handlers: intake %s, result %s (verify %s, lock wait %s) per result, block %s per block (%d blocks); housekeeping %s in all\n",
		ms(r.CoordinatorPerTask()), ms(per(s.IntakeTime, s.Intakes)), ms(per(s.ResultTime, s.Results)),
		ms(per(s.VerifyTime, s.Results)), ms(per(s.LockWait, s.Results)), ms(per(s.BlockTime, s.Blocks)), s.Blocks, ms(s.Housekeeping))
	fmt.Fprintf(&b, "  state: %d accepted, %d in a block, %d credits, %d blocks with %d transactions, chained %v\n",
		r.Accepted, r.InBlock, r.Credits, r.Blocks, r.BlockTxs, r.Chained)
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// Run runs the network until every task is accepted and in a block, or
// ctx is done (an error saying how far it got).
func Run(ctx context.Context, o Options) (Report, error) {
	if o.InFlight <= 0 {
		o.InFlight = 2 * o.Workers
	}
	if o.Mode == "" {
		o.Mode = protocol.ModeGroth16
	}
	rep := Report{Tasks: o.Tasks, Workers: o.Workers, N: o.N, InFlight: o.InFlight, Redispatch: o.Redispatch, Mode: o.Mode, CPUs: runtime.NumCPU()}
	switch {
	case o.Tasks < 1 || o.Workers < 1:
		return rep, fmt.Errorf("loadgen: %d tasks, %d workers: at least one of each", o.Tasks, o.Workers)
	case o.N < 1 || o.N > protocol.MaxN:
		return rep, fmt.Errorf("loadgen: n = %d is outside 1..%d", o.N, protocol.MaxN)
	case o.Mode != protocol.ModeGroth16 && o.Mode != protocol.ModeBinding:
		return rep, fmt.Errorf("loadgen: mode %q: groth16 or binding", o.Mode)
	case o.Mode == protocol.ModeBinding && o.Workers < 2:
		return rep, errors.New("loadgen: binding receipts are always checked by a second worker: at least 2 workers")
	case o.Redispatch < 0 || o.Redispatch > 1 || (o.Redispatch > 0 && o.Workers < 2):
		return rep, fmt.Errorf("loadgen: redispatch %g with %d workers: a check needs a second worker", o.Redispatch, o.Workers)
	case o.KeyDir == "" || o.Dir == "":
		return rep, errors.New("loadgen: KeyDir and Dir are required")
	}
	logw := o.Log
	if logw == nil {
		logw = io.Discard
	}
	logf := func(format string, args ...any) { fmt.Fprintf(logw, "loadgen: "+format+"\n", args...) }
	trace := o.Trace
	if trace == nil {
		trace = io.Discard
	}
	const fracBits = 8
	id := keys.IDFor(protocol.BN254, protocol.Groth16, protocol.Freivalds, o.N, fracBits)
	if _, cached, err := setup.LoadOrSetup(keys.Cache{Dir: o.KeyDir}, id, prover.Compile(protocol.Freivalds, o.N, fracBits), io.Discard); err != nil {
		return rep, fmt.Errorf("loadgen: keys %s: %w", id, err)
	} else if !cached {
		logf("set up keys %s", id)
	}

	srv, err := embedded.Start(embedded.Options{Dir: filepath.Join(o.Dir, "jetstream")})
	if err != nil {
		return rep, fmt.Errorf("loadgen: %w", err)
	}
	defer srv.Stop()
	connect := func(name string) (*nats.Conn, error) {
		nc, err := nats.Connect(srv.URL(), nats.Name(name))
		if err != nil {
			return nil, fmt.Errorf("loadgen: connect %s: %w", name, err)
		}
		return nc, nil
	}
	nc, err := connect("loadgen")
	if err != nil {
		return rep, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return rep, fmt.Errorf("loadgen: %w", err)
	}

	// The components stop (in reverse) when Run returns.
	runCtx, stopAll := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { stopAll(); wg.Wait() }()
	var runErrs []error
	var errMu sync.Mutex
	goRun := func(name string, run func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(runCtx); err != nil {
				errMu.Lock()
				runErrs = append(runErrs, fmt.Errorf("%s: %w", name, err))
				errMu.Unlock()
			}
		}()
	}
	coord, err := coordinator.New(nc, coordinator.Config{Address: "cpc1zkpocloadcoordinator", RedispatchFraction: o.Redispatch,
		JobTimeout: 2 * time.Minute, HeartbeatTimeout: 10 * time.Second, BlockInterval: 500 * time.Millisecond,
		KeyDir: o.KeyDir, Log: trace})
	if err != nil {
		return rep, fmt.Errorf("loadgen: %w", err)
	}
	goRun("coordinator", coord.Run)
	for i := 1; i <= o.Workers; i++ {
		wnc, err := connect(fmt.Sprintf("worker %d", i))
		if err != nil {
			return rep, err
		}
		defer wnc.Close()
		seed := make([]byte, ed25519.SeedSize)
		copy(seed, fmt.Sprintf("zkpoc loadgen worker %d", i))
		w, err := worker.New(wnc, worker.Config{NodeKey: ed25519.NewKeyFromSeed(seed), WorkerAddress: fmt.Sprintf("cpc1zkpocloadworker%d", i),
			KeyDir: o.KeyDir, Mode: o.Mode, HeartbeatEvery: time.Second, Log: trace})
		if err != nil {
			return rep, fmt.Errorf("loadgen: %w", err)
		}
		goRun(fmt.Sprintf("worker %d", i), w.Run)
	}
	if err := waitRegistered(ctx, js, o.Workers); err != nil {
		return rep, err
	}
	logf("%d workers registered; posting %d tasks at n = %d, %d in flight", o.Workers, o.Tasks, o.N, o.InFlight)

	tasksKV, err := js.KeyValue(ctx, network.TasksBucket)
	if err != nil {
		return rep, fmt.Errorf("loadgen: %w", err)
	}
	watch, err := tasksKV.WatchAll(ctx)
	if err != nil {
		return rep, fmt.Errorf("loadgen: watch tasks: %w", err)
	}
	defer watch.Stop()
	statsBefore := coord.Stats()
	recs, err := post(ctx, nc, watch, o, logf)
	if err != nil {
		return rep, err
	}
	stats := coord.Stats()
	rep.Coordinator = coordinator.Stats{Intakes: stats.Intakes - statsBefore.Intakes, IntakeTime: stats.IntakeTime - statsBefore.IntakeTime,
		Results: stats.Results - statsBefore.Results, ResultTime: stats.ResultTime - statsBefore.ResultTime,
		VerifyTime: stats.VerifyTime - statsBefore.VerifyTime, LockWait: stats.LockWait - statsBefore.LockWait,
		Blocks: stats.Blocks - statsBefore.Blocks, BlockTime: stats.BlockTime - statsBefore.BlockTime,
		Housekeeping: stats.Housekeeping - statsBefore.Housekeeping}
	if err := rep.measure(ctx, js, recs); err != nil {
		return rep, err
	}
	stopAll()
	wg.Wait()
	if err := errors.Join(runErrs...); err != nil {
		return rep, fmt.Errorf("loadgen: %w", err)
	}
	return rep, nil
}

// waitRegistered waits until want nodes are in the nodes bucket.
func waitRegistered(ctx context.Context, js jetstream.JetStream, want int) error {
	have := 0
	for {
		if kv, err := js.KeyValue(ctx, network.NodesBucket); err == nil { // the coordinator creates it
			ks, _ := kv.Keys(ctx)
			have = len(ks)
		}
		if have >= want {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("loadgen: %d of %d workers registered: %w", have, want, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// post posts the tasks, keeping at most o.InFlight unaccepted, and returns
// every task's record once all are accepted and in a block.
func post(ctx context.Context, nc *nats.Conn, watch jetstream.KeyWatcher, o Options, logf func(string, ...any)) (map[string]network.TaskRecord, error) {
	recs := map[string]network.TaskRecord{}
	posted, accepted, inBlock := 0, 0, 0
	seen := map[string]bool{} // accepted
	next := time.Now()
	for inBlock < o.Tasks {
		for posted < o.Tasks && posted-accepted < o.InFlight {
			rec, err := intake(ctx, nc, o.N)
			if err != nil {
				return nil, fmt.Errorf("loadgen: task %d: %w", posted+1, err)
			}
			recs[rec.TaskID] = rec
			posted++
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("loadgen: %d posted, %d accepted, %d in a block of %d: %w", posted, accepted, inBlock, o.Tasks, ctx.Err())
		case e := <-watch.Updates():
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			var r network.TaskRecord
			if err := json.Unmarshal(e.Value(), &r); err != nil {
				return nil, fmt.Errorf("loadgen: task record %s: %w", e.Key(), err)
			}
			old, ours := recs[r.TaskID]
			if !ours {
				continue
			}
			if r.Status == network.StatusExpired {
				return nil, fmt.Errorf("loadgen: task %s expired", r.TaskID)
			}
			if r.Accepted != nil && !seen[r.TaskID] {
				seen[r.TaskID] = true
				accepted++
			}
			if r.Accepted != nil && r.Accepted.Block > 0 && (old.Accepted == nil || old.Accepted.Block == 0) {
				inBlock++
			}
			recs[r.TaskID] = r
		}
		if time.Now().After(next) {
			logf("%d posted, %d accepted, %d in a block", posted, accepted, inBlock)
			next = time.Now().Add(10 * time.Second)
		}
	}
	return recs, nil
}

func intake(ctx context.Context, nc *nats.Conn, n int) (network.TaskRecord, error) {
	req, err := json.Marshal(network.IntakeRequest{MatrixSize: n, FracBits: 8, RewardWei: "1000", Deadline: time.Now().Add(time.Hour).Unix()})
	if err != nil {
		return network.TaskRecord{}, err
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	m, err := nc.RequestWithContext(rctx, network.SubjectIntake, req)
	if err != nil {
		return network.TaskRecord{}, fmt.Errorf("intake: %w", err)
	}
	var rep network.IntakeReply
	if err := json.Unmarshal(m.Data, &rep); err != nil {
		return network.TaskRecord{}, fmt.Errorf("intake reply: %w", err)
	}
	if rep.Task == nil {
		return network.TaskRecord{}, fmt.Errorf("intake refused: %s", rep.Error)
	}
	return *rep.Task, nil
}

// measure fills the figures from the task records, and the checks from the
// stored receipts, ledger and blocks.
func (r *Report) measure(ctx context.Context, js jetstream.JetStream, recs map[string]network.TaskRecord) error {
	receipts, err := js.KeyValue(ctx, network.ReceiptsBucket)
	if err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	ledger, err := js.KeyValue(ctx, network.LedgerBucket)
	if err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	var lat []time.Duration
	var at []int64 // acceptance times
	first, last := int64(math.MaxInt64), int64(0)
	var prove float64
	for _, rec := range recs {
		first = min(first, rec.CreatedAt)
		if rec.Accepted == nil {
			continue
		}
		r.Accepted++
		if rec.Accepted.Block > 0 {
			r.InBlock++
		}
		last = max(last, rec.Accepted.AcceptedAt)
		at = append(at, rec.Accepted.AcceptedAt)
		lat = append(lat, time.Duration(rec.Accepted.AcceptedAt-rec.CreatedAt)*time.Millisecond)
		for _, j := range rec.Jobs {
			if j.Receipt == "" {
				continue
			}
			e, err := receipts.Get(ctx, j.Receipt)
			if err != nil {
				return fmt.Errorf("loadgen: receipt %s: %w", j.Receipt, err)
			}
			env, err := receipt.Decode(e.Value())
			if err != nil {
				return fmt.Errorf("loadgen: receipt %s: %w", j.Receipt, err)
			}
			st, _, err := env.Statement()
			if err != nil {
				return fmt.Errorf("loadgen: receipt %s: %w", j.Receipt, err)
			}
			if br := st.Predicate.BenchmarkResult; br != nil && st.Predicate.Mode.SNARK() {
				prove += br.ProveSeconds
			}
			r.Jobs++
		}
		if _, err := ledger.Get(ctx, network.Credit+"."+rec.RequestID); err == nil {
			r.Credits++
		} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("loadgen: ledger: %w", err)
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		r.LatencyP50, r.LatencyP99, r.LatencyMax = percentile(lat, 0.50), percentile(lat, 0.99), lat[len(lat)-1]
		r.Wall = time.Duration(last-first) * time.Millisecond
		r.TasksPerSecond = float64(r.Accepted) / r.Wall.Seconds()
		sort.Slice(at, func(i, j int) bool { return at[i] < at[j] })
		rate := func(n int, from, to int64) float64 {
			if to <= from {
				return 0
			}
			return float64(n) / (float64(to-from) / 1000)
		}
		h := len(at) / 2
		r.FirstHalf, r.SecondHalf = rate(h, first, at[max(h-1, 0)]), rate(len(at)-h, at[max(h-1, 0)], at[len(at)-1])
	}
	if r.Jobs > 0 {
		r.ProveMean = time.Duration(prove / float64(r.Jobs) * float64(time.Second))
	}
	return r.checkBlocks(ctx, js)
}

// percentile is the nearest-rank percentile of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// checkBlocks counts the blocks and their transactions and checks that
// each names the previous one's hash (its own recomputed) as parent.
func (r *Report) checkBlocks(ctx context.Context, js jetstream.JetStream) error {
	s, err := js.Stream(ctx, network.BlocksStream)
	if err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	r.Chained = true
	parent := fmt.Sprintf("%x", network.GenesisHash)
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			return fmt.Errorf("loadgen: block message %d: %w", seq, err)
		}
		var b network.Block
		if err := json.Unmarshal(m.Data, &b); err != nil {
			return fmt.Errorf("loadgen: block message %d: %w", seq, err)
		}
		h, err := b.ComputeHash()
		if err != nil || h != b.Hash || b.Parent != parent || b.Height != uint64(r.Blocks+1) {
			r.Chained = false
		}
		parent = b.Hash
		r.Blocks++
		r.BlockTxs += len(b.Transactions)
	}
	return nil
}
