// Package coordinator is the PoC validator of the zkpoc network on NATS
// JetStream: it takes tasks at intake, dispatches jobs to registered live
// workers, verifies their results, re-dispatches a fraction (and every
// sampled or binding receipt) to a second worker, compares, settles a
// disagreement by recomputation within its budget or by a third worker's
// vote above it (vote.go), strikes the nodes proved wrong or outvoted,
// credits rewards once per request, and appends blocks. Supplied inputs
// are read, bounded, and committed at intake (inputs.go).
//
// It is verifier-side only: it never imports the prover, circuits, setup
// or srs packages.
package coordinator

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
)

// Config configures a Coordinator.
type Config struct {
	// Address is the coordinator's address; synthetic seeds are
	// SHA-256(latest block hash ‖ Address ‖ "/" ‖ task_id).
	Address string
	// RedispatchFraction in [0,1] is the probability a passing SNARK
	// receipt is re-executed by a second worker (sampled and binding
	// receipts always are).
	RedispatchFraction float64
	// RecomputeMaxN is the largest matrix_size the coordinator multiplies
	// itself to settle a disagreement between two verified receipts (n³
	// MACs, verifier.Compare). 0 is the default, network.MaxNetworkN;
	// negative: never. Above it a disagreement goes to a third, distinct
	// worker and a 2-of-3 majority decides (see vote.go).
	RecomputeMaxN int
	// JobTimeout: a job without a result after it is re-dispatched (default 2 min).
	JobTimeout time.Duration
	// HeartbeatTimeout: a worker silent that long is dead (default 15 s).
	HeartbeatTimeout time.Duration
	// BlockInterval is how often a block of waiting results is appended
	// (default 5 s). MaxBlockTxs (default and at most MaxBlockTxs) bounds
	// the transactions of one block, and one is appended as soon as that
	// many results wait; the rest go into the next blocks.
	BlockInterval time.Duration
	MaxBlockTxs   int
	// MaxOpenTasks bounds the tasks not yet final the coordinator holds
	// (in memory, each walked by housekeeping): intake refuses more until
	// some are accepted or expire. 0 is the default, DefaultMaxOpenTasks.
	// Anyone who reaches the market may post tasks, for any reward, 0 wei
	// included.
	MaxOpenTasks int
	// MaxStrikes is how many strikes (results refuted or outvoted, garbage,
	// forgeries, protocol violations) bar a node from further jobs; 0 is
	// the default, DefaultMaxStrikes; negative: never barred. An honest
	// node is never struck, so the bar costs it nothing; a dishonest one
	// stops being tried after it (a new identity needs a new registration,
	// and with --workers a new line in the operator's allowlist).
	MaxStrikes int
	// Chain, when set, is a ComputeRegistry accepted results are settled
	// on (settle.go: the coordinator posts the task naming the worker and
	// escrowing the reward, the worker submits its receipt and is paid by
	// the registry); results it cannot pay are credited on the ledger.
	// Their ComputeResults go into the coordinator's own blocks as well.
	Chain Chain
	// ChainEvery is how often settlements advance (default 2 s).
	ChainEvery time.Duration
	// KeyDir is the verifying key cache ("" : SNARK receipts are held).
	KeyDir string
	// Settings of the streams and consumers.
	Settings network.Settings
	// Rand is the randomness source (default crypto/rand).
	Rand io.Reader
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives log lines (default io.Discard).
	Log io.Writer
}

// MaxBlockTxs is the most SUBMIT_RESULT transactions one block holds: a
// block is one message on the blocks stream, so it must fit the network's
// payload limit (network.MaxMessageBytes). A transaction with 128-byte
// worker addresses and a Groth16 proof is about 900 bytes of JSON; 4,096
// of them stay under half the limit.
const MaxBlockTxs = 4096

// DefaultMaxStrikes is Config.MaxStrikes's default.
const DefaultMaxStrikes = 3

// DefaultMaxOpenTasks is Config.MaxOpenTasks's default.
const DefaultMaxOpenTasks = 100000

// Coordinator is a running PoC validator.
type Coordinator struct {
	nc  *nats.Conn
	js  jetstream.JetStream
	cfg Config

	mu sync.Mutex
	// tasks are the non-final tasks, by task id.
	tasks map[string]*network.TaskRecord
	// byRequest maps request id → task id.
	byRequest map[string]string
	// live: node id → last heartbeat.
	live map[string]time.Time
	// barred are the nodes with MaxStrikes strikes (node id → true); a
	// sync.Map, as strikes are recorded with and without mu held.
	barred sync.Map
	// nodes: registered node id → worker address.
	nodes map[string]string
	// pending results waiting for a block.
	pending []pendingResult
	// last block.
	height   uint64
	lastHash [32]byte
	// started is when Run began (the liveness grace after a restart).
	started time.Time
	// inputs is the last supplied task's matrices read and checked
	// against its input commitment (one entry: verification reads them
	// several times per result).
	inputs *taskInputs

	tasksKV, nodesKV, ledgerKV, commitsKV, receiptsKV, chainKV jetstream.KeyValue

	// settling are the task ids of the chain settlements not final
	// (settle.go), under settleMu; chainRef names Config.Chain.
	settleMu sync.Mutex
	settling map[string]bool
	chainRef network.ChainRef

	st stats // handler costs (Stats)
}

type pendingResult struct {
	taskID string
	result resultForBlock
}

// New checks cfg and returns a coordinator on nc; Run starts it.
func New(nc *nats.Conn, cfg Config) (*Coordinator, error) {
	if nc == nil {
		return nil, errors.New("coordinator: no NATS connection")
	}
	if cfg.Address == "" {
		return nil, errors.New("coordinator: config: Address is empty")
	}
	if cfg.RedispatchFraction < 0 || cfg.RedispatchFraction > 1 {
		return nil, fmt.Errorf("coordinator: config: RedispatchFraction %v is outside [0,1]", cfg.RedispatchFraction)
	}
	if cfg.RecomputeMaxN == 0 {
		cfg.RecomputeMaxN = network.MaxNetworkN
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = 2 * time.Minute
	}
	if cfg.HeartbeatTimeout <= 0 {
		cfg.HeartbeatTimeout = 15 * time.Second
	}
	if cfg.BlockInterval <= 0 {
		cfg.BlockInterval = 5 * time.Second
	}
	if cfg.MaxBlockTxs > MaxBlockTxs {
		return nil, fmt.Errorf("coordinator: config: MaxBlockTxs %d is over %d (a block must fit one message)", cfg.MaxBlockTxs, MaxBlockTxs)
	}
	if cfg.MaxStrikes == 0 {
		cfg.MaxStrikes = DefaultMaxStrikes
	}
	if cfg.MaxOpenTasks <= 0 {
		cfg.MaxOpenTasks = DefaultMaxOpenTasks
	}
	if cfg.MaxBlockTxs <= 0 {
		cfg.MaxBlockTxs = MaxBlockTxs
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.ChainEvery <= 0 {
		cfg.ChainEvery = 2 * time.Second
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("coordinator: jetstream: %w", err)
	}
	return &Coordinator{nc: nc, js: js, cfg: cfg, tasks: map[string]*network.TaskRecord{}, byRequest: map[string]string{},
		live: map[string]time.Time{}, nodes: map[string]string{}, lastHash: network.GenesisHash, settling: map[string]bool{}}, nil
}

func (c *Coordinator) logf(format string, args ...any) {
	fmt.Fprintf(c.cfg.Log, "coordinator: "+format+"\n", args...)
}

func (c *Coordinator) nowMs() int64 { return c.cfg.Now().UnixMilli() }

// randInt returns a uniform int in [0,n) from cfg.Rand.
func (c *Coordinator) randInt(n int) int {
	if n <= 1 {
		return 0
	}
	v, err := rand.Int(c.cfg.Rand, big.NewInt(int64(n)))
	if err != nil {
		return 0
	}
	return int(v.Int64())
}

// randFloat returns a float in [0,1) from cfg.Rand.
func (c *Coordinator) randFloat() float64 {
	var b [8]byte
	if _, err := io.ReadFull(c.cfg.Rand, b[:]); err != nil {
		return 0
	}
	return float64(binary.BigEndian.Uint64(b[:])>>11) / (1 << 53)
}

// Run provisions the network, serves intake, registration, heartbeats and
// commitments, processes results, and appends blocks until ctx is done.
func (c *Coordinator) Run(ctx context.Context) error {
	err := c.run(ctx)
	if ctx.Err() != nil {
		return nil // stopped: a failure from the cancellation itself is no error
	}
	return err
}

func (c *Coordinator) run(ctx context.Context) error {
	if err := network.Provision(ctx, c.js, c.cfg.Settings); err != nil {
		return fmt.Errorf("coordinator: %w", err)
	}
	var err error
	for _, b := range []struct {
		name string
		kv   *jetstream.KeyValue
	}{{network.TasksBucket, &c.tasksKV}, {network.NodesBucket, &c.nodesKV}, {network.LedgerBucket, &c.ledgerKV},
		{network.ChallengesKV, &c.commitsKV}, {network.ReceiptsBucket, &c.receiptsKV}, {network.ChainBucket, &c.chainKV}} {
		if *b.kv, err = c.js.KeyValue(ctx, b.name); err != nil {
			return fmt.Errorf("coordinator: bucket %s: %w", b.name, err)
		}
	}
	c.started = c.cfg.Now()
	if err := c.reload(ctx); err != nil {
		return fmt.Errorf("coordinator: reload: %w", err)
	}
	if c.cfg.Chain != nil {
		if c.chainRef, err = c.cfg.Chain.Ref(ctx); err != nil {
			return fmt.Errorf("coordinator: chain: %w", err)
		}
		if err := c.reloadSettlements(ctx); err != nil {
			return fmt.Errorf("coordinator: reload chain settlements: %w", err)
		}
	}
	subs := []struct {
		subj string
		h    func(context.Context, *nats.Msg)
	}{
		{network.SubjectIntake, c.handleIntake},
		{network.SubjectRegisterPfx + "*", c.handleRegister},
		{network.SubjectHeartbeatPfx + "*", c.handleHeartbeat},
		{network.SubjectCommitPfx + "*", c.handleCommit},
	}
	var ss []*nats.Subscription
	defer func() {
		for _, s := range ss {
			_ = s.Unsubscribe()
		}
	}()
	for _, s := range subs {
		h := s.h
		sub, err := c.nc.Subscribe(s.subj, func(m *nats.Msg) { h(ctx, m) })
		if err != nil {
			return fmt.Errorf("coordinator: subscribe %s: %w", s.subj, err)
		}
		ss = append(ss, sub)
	}
	cons, err := c.js.Consumer(ctx, network.ResultsStream, network.ConsumerCoordinator)
	if err != nil {
		return fmt.Errorf("coordinator: results consumer: %w", err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.resultsLoop(ctx, cons)
	}()
	if c.cfg.Chain != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.settleLoop(ctx)
		}()
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	lastBlock := c.cfg.Now()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-tick.C:
			t0 := time.Now()
			c.housekeeping(ctx)
			since(nil, &c.st.houseNs, t0)
			c.mu.Lock()
			n := len(c.pending)
			c.mu.Unlock()
			if n > 0 && (c.cfg.Now().Sub(lastBlock) >= c.cfg.BlockInterval || n >= c.cfg.MaxBlockTxs) {
				t0 := time.Now()
				if err := c.appendBlock(ctx); err != nil {
					c.logf("block: %v", err)
				} else {
					lastBlock = c.cfg.Now()
					since(&c.st.blocks, &c.st.blockNs, t0)
				}
			}
		}
	}
}

// reply answers m, at an inbox only (network.ReplyAllowed: a reply
// subject elsewhere would write there with the coordinator's rights).
func reply(m *nats.Msg, v any) {
	if m.Reply == "" || !network.ReplyAllowed(m.Subject, m.Reply) {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	_ = m.Respond(b)
}

func jobKey(requestID, node string, attempt int) string {
	return fmt.Sprintf("%s.%s.%d", requestID, node, attempt)
}

// randomChallenge draws 32 bytes from cfg.Rand.
func (c *Coordinator) randomChallenge() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(c.cfg.Rand, b); err != nil {
		return nil, err
	}
	return b, nil
}

var errNoHex = errors.New("not 32 bytes of hex")

func decodeHex32(s string) ([32]byte, error) {
	var out [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return out, errNoHex
	}
	copy(out[:], b)
	return out, nil
}
