package onchain_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/chain/registry"
	"github.com/zkpoc/zkpoc/chain/registry/simchain"
	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/internal/verifiercontract"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
	"github.com/zkpoc/zkpoc/network/embedded/embeddedtest"
	"github.com/zkpoc/zkpoc/network/onchain"
	"github.com/zkpoc/zkpoc/network/worker"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testfixture.Cleanup()
	os.Exit(code)
}

var (
	_ coordinator.Chain = (*onchain.Poster)(nil)
	_ worker.Submitter  = (*onchain.Submitter)(nil)
)

const reward = 1_000_000_000_000_000 // wei

type logw struct {
	mu sync.Mutex
	t  *testing.T
}

func (l *logw) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// net is a simulated chain with the registry (and, unless noVerifier, the
// n = 4 key's verifier registered), a NATS server, a coordinator settling
// on the registry from dev account 1, and a Groth16 worker.
type net struct {
	t      *testing.T
	ctx    context.Context
	sim    *simchain.Chain
	reg    *registry.Registry
	nc     *nats.Conn
	js     jetstream.JetStream
	worker *ecdsa.PrivateKey
	skew   atomic.Int64 // seconds added to the coordinator's clock
}

type setup struct {
	noVerifier bool
	maxReward  int64
	minBalance *big.Int
	noSubmit   bool // the worker has an EVM address but no chain
}

func start(t *testing.T, s setup) *net {
	t.Helper()
	fix := testfixture.Groth16N4(t) // the key set up first (skips with -short)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	n := &net{t: t, ctx: ctx, worker: simchain.DevKey(2)}
	var err error
	if n.sim, err = simchain.Open(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.sim.Close() })
	owner := simchain.DevKey(0)
	if n.reg, _, err = registry.Deploy(ctx, n.sim.Client(), owner, n.sim.Mine); err != nil {
		t.Fatal(err)
	}
	if !s.noVerifier {
		v, _, err := registry.DeployCode(ctx, n.sim.Client(), n.sim.Mine, owner, verifiercontract.Init(t, fix.VK))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.reg.SetVerifier(ctx, owner, protocol.Freivalds.Name(), 4, 8, v, fix.VK.Fingerprint()); err != nil {
			t.Fatal(err)
		}
	}
	srv, nc, js := embeddedtest.Start(t)
	n.nc, n.js = nc, js
	maxReward := s.maxReward
	if maxReward == 0 {
		maxReward = 10 * reward
	}
	poster := &onchain.Poster{Registry: n.reg, Key: simchain.DevKey(1), Circuit: protocol.Freivalds.Name(), MaxReward: big.NewInt(maxReward), MinBalance: s.minBalance}
	if err := poster.Check(); err != nil {
		t.Fatal(err)
	}
	log := &logw{t: t}
	c, err := coordinator.New(n.nc, coordinator.Config{Address: "cpc1coordinator", KeyDir: fix.Cache.Dir, BlockInterval: 300 * time.Millisecond,
		ChainEvery: 200 * time.Millisecond, Chain: poster, Log: log,
		Now: func() time.Time { return time.Now().Add(time.Duration(n.skew.Load()) * time.Second) }})
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, c.Run)
	waitFor(t, ctx, "provisioning", func() bool {
		_, err := n.js.Consumer(ctx, network.ResultsStream, network.ConsumerCoordinator)
		return err == nil
	})
	wnc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wnc.Close)
	wc := worker.Config{NodeKey: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, 32)), KeyDir: fix.Cache.Dir, Mode: protocol.ModeGroth16,
		HeartbeatEvery: 200 * time.Millisecond, Log: log}
	if s.noSubmit {
		wc.WorkerAddress = registry.WorkerAddress(registry.Address(n.worker))
	} else {
		wc.Chain = &onchain.Submitter{Registry: n.reg, Key: n.worker}
	}
	w, err := worker.New(wnc, wc)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, w.Run)
	return n
}

// run runs f until the test ends.
func run(t *testing.T, ctx context.Context, f func(context.Context) error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
}

func waitFor(t *testing.T, ctx context.Context, what string, f func() bool) {
	t.Helper()
	for !f() {
		if ctx.Err() != nil {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func get[T any](n *net, bucket, key string) (T, bool) {
	var v T
	kv, err := n.js.KeyValue(n.ctx, bucket)
	if err != nil {
		n.t.Fatal(err)
	}
	e, err := kv.Get(n.ctx, key)
	if err != nil {
		return v, false
	}
	if err := json.Unmarshal(e.Value(), &v); err != nil {
		n.t.Fatal(err)
	}
	return v, true
}

func (n *net) post(rewardWei int64) network.TaskRecord {
	n.t.Helper()
	req := network.IntakeRequest{MatrixSize: 4, FracBits: 8, RewardWei: big.NewInt(rewardWei).String(), Deadline: time.Now().Add(time.Hour).Unix()}
	b, _ := json.Marshal(req)
	var m *nats.Msg
	var err error
	for try := 0; try < 50; try++ { // the coordinator provisions before it subscribes
		if m, err = n.nc.Request(network.SubjectIntake, b, 10*time.Second); !errors.Is(err, nats.ErrNoResponders) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		n.t.Fatal(err)
	}
	var rep network.IntakeReply
	if err := json.Unmarshal(m.Data, &rep); err != nil || rep.Task == nil {
		n.t.Fatalf("intake: %s", m.Data)
	}
	return *rep.Task
}

func (n *net) settled(task network.TaskRecord, state string) network.ChainSettlement {
	n.t.Helper()
	var s network.ChainSettlement
	waitFor(n.t, n.ctx, "settlement "+state, func() bool {
		var ok bool
		s, ok = get[network.ChainSettlement](n, network.ChainBucket, task.TaskID)
		return ok && s.State == state
	})
	return s
}

func (n *net) balance(a common.Address) *big.Int {
	b, err := n.sim.Client().BalanceAt(n.ctx, a, nil)
	if err != nil {
		n.t.Fatal(err)
	}
	return b
}

// TestAcceptedPaidOnChain: an accepted Groth16 result is posted on the
// registry naming its worker, the worker submits it and the registry pays
// it exactly the reward; the ledger records the credit as settled on chain
// (not owed), and the chain block's compute_root is the receipt's, as in
// the coordinator's own block.
func TestAcceptedPaidOnChain(t *testing.T) {
	n := start(t, setup{})
	before := n.balance(registry.Address(n.worker))
	task := n.post(reward)
	s := n.settled(task, network.ChainPaid)
	if s.PostTx == "" || s.PaidTx == "" || s.PaidBlock <= s.PostBlock || s.WorkerAddress != registry.WorkerAddress(registry.Address(n.worker)) {
		t.Fatalf("settlement %+v", s)
	}
	// Gas is paid by the worker: the gain is the reward less the submit's fee.
	rc, err := n.sim.Client().TransactionReceipt(n.ctx, common.HexToHash(s.PaidTx))
	if err != nil {
		t.Fatal(err)
	}
	fee := new(big.Int).Mul(new(big.Int).SetUint64(rc.GasUsed), rc.EffectiveGasPrice)
	gain := new(big.Int).Sub(n.balance(registry.Address(n.worker)), before)
	if want := new(big.Int).Sub(big.NewInt(reward), fee); gain.Cmp(want) != 0 {
		t.Fatalf("worker gained %s wei, want the reward less the fee, %s", gain, want)
	}
	t.Logf("submitResult through the network: %d gas", rc.GasUsed)
	var rec network.TaskRecord
	waitFor(t, n.ctx, "the coordinator's block", func() bool {
		rec, _ = get[network.TaskRecord](n, network.TasksBucket, task.TaskID)
		return rec.Accepted != nil && rec.Accepted.Block > 0
	})
	le, ok := get[network.LedgerEntry](n, network.LedgerBucket, network.Credit+"."+task.RequestID)
	if !ok || le.Settlement != network.SettleChain || rec.Settlement != network.SettleChain {
		t.Fatalf("ledger %+v, task settlement %q", le, rec.Settlement)
	}
	// compute_root: the chain block's, rebuilt from the registry's events,
	// is the root over the accepted receipt's ComputeResult.
	blk, err := n.sim.Client().HeaderByNumber(n.ctx, new(big.Int).SetUint64(s.PaidBlock))
	if err != nil {
		t.Fatal(err)
	}
	root, results, err := n.reg.BlockRoot(n.ctx, blk.Hash())
	if err != nil || len(results) != 1 {
		t.Fatalf("block root: %v, %d results", err, len(results))
	}
	kv, _ := n.js.KeyValue(n.ctx, network.ReceiptsBucket)
	e, err := kv.Get(n.ctx, rec.Accepted.Receipt)
	if err != nil {
		t.Fatal(err)
	}
	env, err := receipt.Decode(e.Value())
	if err != nil {
		t.Fatal(err)
	}
	cr, err := chain.FromReceipt(env, "")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := chain.ComputeRoot([]chain.ComputeResult{cr})
	if root != want {
		t.Fatalf("chain compute_root %s, the receipt's %s", root, want)
	}
}

// TestNotPayableOnChain: results the registry cannot pay are credited on
// the ledger (owed), once.
func TestNotPayableOnChain(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  setup
		state  string // "": never a settlement
		errSub string
	}{
		{"reward over the cap", setup{maxReward: reward - 1}, "", ""},
		{"no verifier for the shape", setup{noVerifier: true}, network.ChainFailed, "no verifier registered"},
		// dev accounts hold 1,000 ether: a floor of 1,000 ether leaves no room
		{"the account at its floor", setup{minBalance: new(big.Int).Exp(big.NewInt(10), big.NewInt(21), nil)}, network.ChainFailed, "under its floor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := start(t, tc.setup)
			task := n.post(reward)
			if tc.state != "" {
				s := n.settled(task, tc.state)
				if !strings.Contains(s.Error, tc.errSub) {
					t.Fatalf("settlement %+v", s)
				}
			}
			var le network.LedgerEntry
			waitFor(t, n.ctx, "the credit", func() bool {
				var ok bool
				le, ok = get[network.LedgerEntry](n, network.LedgerBucket, network.Credit+"."+task.RequestID)
				return ok && le.Settlement == ""
			})
			var rec network.TaskRecord
			waitFor(t, n.ctx, "the task's settlement", func() bool {
				rec, _ = get[network.TaskRecord](n, network.TasksBucket, task.TaskID)
				return rec.Settlement == network.SettleLedger && rec.Accepted != nil && rec.Accepted.Block > 0
			})
			if _, ok := get[network.ChainSettlement](n, network.ChainBucket, task.TaskID); ok != (tc.state != "") {
				t.Fatalf("settlement record present: %v", ok)
			}
			if o, err := n.reg.Outcome(n.ctx, mustID(t, task.TaskID)); err != nil || o.State != registry.StateNone {
				t.Fatalf("on chain: %+v %v", o, err)
			}
		})
	}
}

// TestUnsubmittedRefunded: a worker that never submits (it has no chain)
// loses the escrow: after the deadline the coordinator refunds it to its
// own account, and the ledger does not owe the worker either.
func TestUnsubmittedRefunded(t *testing.T) {
	n := start(t, setup{noSubmit: true})
	task := n.post(reward)
	n.settled(task, network.ChainPosted)
	// Past the deadline, on chain and on the coordinator's clock.
	if err := n.sim.AdjustTime(2 * time.Hour); err != nil {
		t.Fatal(err)
	}
	n.skew.Store(int64(2 * time.Hour / time.Second))
	s := n.settled(task, network.ChainRefunded)
	if s.RefundTx == "" || s.PaidTx != "" {
		t.Fatalf("settlement %+v", s)
	}
	o, err := n.reg.Outcome(n.ctx, mustID(t, task.TaskID))
	if err != nil || o.State != registry.StateSettled || o.Paid {
		t.Fatalf("on chain: %+v %v", o, err)
	}
	if le, _ := get[network.LedgerEntry](n, network.LedgerBucket, network.Credit+"."+task.RequestID); le.Settlement != network.SettleChain {
		t.Fatalf("ledger %+v: the worker would be paid off chain too", le)
	}
}

func mustID(t *testing.T, id string) [16]byte {
	t.Helper()
	b, err := registry.TaskID(id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
