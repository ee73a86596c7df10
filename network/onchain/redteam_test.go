package onchain_test

// Red-team tests of settling on the registry, on a simulated chain with a
// real coordinator and worker: a poster working its own tasks, a third
// party taking task ids, a worker submitting by itself, late.

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/zkpoc/zkpoc/chain/registry"
	"github.com/zkpoc/zkpoc/chain/registry/simchain"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/onchain"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

func (n *net) receipt(key string) *receipt.Envelope {
	n.t.Helper()
	kv, err := n.js.KeyValue(n.ctx, network.ReceiptsBucket)
	if err != nil {
		n.t.Fatal(err)
	}
	e, err := kv.Get(n.ctx, key)
	if err != nil {
		n.t.Fatal(err)
	}
	env, err := receipt.Decode(e.Value())
	if err != nil {
		n.t.Fatal(err)
	}
	return env
}

func (n *net) final(task network.TaskRecord) network.ChainSettlement {
	n.t.Helper()
	var s network.ChainSettlement
	waitFor(n.t, n.ctx, "a final settlement", func() bool {
		var ok bool
		s, ok = get[network.ChainSettlement](n, network.ChainBucket, task.TaskID)
		return ok && s.Final()
	})
	return s
}

// TestRedteamDrainToFloor: the market is unauthenticated and rewards are
// not funded, so a poster that works its own tasks (its worker's receipts
// are genuine) is paid MaxReward per task out of the coordinator's
// account. MinBalance is the only bound on the total: with the floor 2.5
// MaxRewards under the account's balance, two of three tasks at the cap
// are paid on chain and the third is credited on the ledger (an off-chain
// debt, itself unbounded). Without a floor (--chain-min-balance defaults
// to 0) the whole balance goes, MaxReward at a time.
func TestRedteamDrainToFloor(t *testing.T) {
	const maxReward = 10 * reward
	coord := registry.Address(simchain.DevKey(1))
	start0 := new(big.Int).Mul(big.NewInt(1000), big.NewInt(1e18)) // a dev account's balance
	floor := new(big.Int).Sub(start0, big.NewInt(maxReward*5/2))
	n := start(t, setup{maxReward: maxReward, minBalance: floor})
	if b := n.balance(coord); b.Cmp(start0) != 0 {
		t.Fatalf("coordinator's account starts with %s wei", b)
	}
	attacker := registry.Address(n.worker)
	before := n.balance(attacker)
	var paid, ledger int
	for i := 0; i < 3; i++ {
		task := n.post(maxReward)
		s := n.final(task)
		le, _ := get[network.LedgerEntry](n, network.LedgerBucket, network.Credit+"."+task.RequestID)
		switch {
		case s.State == network.ChainPaid && le.Settlement == network.SettleChain:
			paid++
		case s.State == network.ChainFailed && le.Settlement == "" && strings.Contains(s.Error, "under its floor"):
			ledger++
		default:
			t.Fatalf("task %d: settlement %+v, credit %+v", i, s, le)
		}
	}
	loss := new(big.Int).Sub(start0, n.balance(coord))
	gain := new(big.Int).Sub(n.balance(attacker), before)
	t.Logf("3 self-posted tasks at MaxReward %d wei: %d paid on chain, %d on the ledger; the coordinator's account lost %s wei (%d MaxRewards + gas), the attacker gained %s wei",
		int64(maxReward), paid, ledger, loss, paid, gain)
	if paid != 2 || ledger != 1 {
		t.Fatalf("%d paid on chain, %d on the ledger; want 2 and 1", paid, ledger)
	}
	// The bound: the escrows never take the account under the floor; gas
	// for the posts comes on top (the floor check counts the reward only).
	if left := n.balance(coord); left.Cmp(new(big.Int).Sub(floor, big.NewInt(1e15))) < 0 {
		t.Fatalf("the account holds %s wei, its floor is %s", left, floor)
	}
}

// TestRedteamFrontRunTaskID: a third party with its own account reads a
// task at intake (task ids are public) and posts it on the registry first,
// for 1 wei: naming the accepted worker, naming itself, or open. The
// coordinator finds the id taken and credits the worker on the ledger; its
// account escrows nothing. When the third party named the worker, the
// worker may also collect the third party's escrow with its own receipt:
// that is the third party's money, not a second payment by the
// coordinator (and costs the third party the escrow plus gas: griefing,
// which forces every task off chain for 1 wei + gas each).
func TestRedteamFrontRunTaskID(t *testing.T) {
	third := simchain.DevKey(3)
	for _, tc := range []struct {
		name  string
		named func(n *net) common.Address
	}{
		{"naming the worker", func(n *net) common.Address { return registry.Address(n.worker) }},
		{"naming itself", func(n *net) common.Address { return registry.Address(third) }},
		{"open", func(n *net) common.Address { return common.Address{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := start(t, setup{})
			coord := registry.Address(simchain.DevKey(1))
			before := n.balance(coord)
			task := n.post(reward)
			spec, _, err := registry.NewTaskSpec(task.Task, protocol.Freivalds.Name(), tc.named(n))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := n.reg.Post(n.ctx, third, spec, big.NewInt(1)); err != nil {
				if registry.ErrorName(err) == "TaskExists" {
					t.Skip("the coordinator posted first")
				}
				t.Fatal(err)
			}
			s := n.final(task)
			if s.State != network.ChainFailed || !strings.Contains(s.Error, "taken") {
				t.Fatalf("settlement %+v", s)
			}
			waitFor(t, n.ctx, "the ledger credit", func() bool {
				le, _ := get[network.LedgerEntry](n, network.LedgerBucket, network.Credit+"."+task.RequestID)
				return le.Settlement == "" && le.Wei != ""
			})
			if b := n.balance(coord); b.Cmp(before) != 0 {
				t.Fatalf("the coordinator's account went from %s to %s wei", before, b)
			}
			rec, _ := get[network.TaskRecord](n, network.TasksBucket, task.TaskID)
			if rec.Accepted == nil {
				t.Fatalf("task %+v", rec)
			}
			// The worker's own submission of its receipt: paid the third
			// party's 1 wei only where the third party named it.
			sub := &onchain.Submitter{Registry: n.reg, Key: n.worker}
			_, err = sub.Submit(n.ctx, n.receipt(rec.Accepted.Receipt))
			if named := tc.named(n); named == registry.Address(n.worker) || named == (common.Address{}) {
				if err != nil {
					t.Logf("the worker's submission: %v", err)
				}
			} else if err == nil {
				t.Fatal("the worker was paid on a task that names another")
			}
		})
	}
}

// TestRedteamWorkerSubmits: a worker with no chain configured (it
// terminates its submit jobs) submits its accepted receipt itself once the
// task is posted; a third party's copy of it is refused first
// (WrongSender, or the receipt's worker_address is not the sender).
//   - in time: paid once on chain, read back by the settlement; a second
//     submission is refused as settled;
//   - after the deadline: refused (DeadlinePassed, or the task check), the
//     coordinator refunds, and a submission after the refund is refused as
//     settled: the worker forfeits (by design: it did not submit in time).
//
// Either way the ledger does not owe the worker.
func TestRedteamWorkerSubmits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		late  bool
		final string
	}{
		{"in time", false, network.ChainPaid},
		{"after the deadline", true, network.ChainRefunded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := start(t, setup{noSubmit: true})
			task := n.post(reward)
			s := n.settled(task, network.ChainPosted)
			env := n.receipt(s.Receipt)
			if _, _, err := n.reg.SubmitReceipt(n.ctx, simchain.DevKey(3), env); registry.ErrorName(err) != "WrongSender" && !errors.Is(err, registry.ErrWorker) {
				t.Fatalf("a third party's copy: %v", err)
			}
			sub := &onchain.Submitter{Registry: n.reg, Key: n.worker}
			if tc.late {
				if err := n.sim.AdjustTime(2 * time.Hour); err != nil {
					t.Fatal(err)
				}
				if _, err := sub.Submit(n.ctx, env); registry.ErrorName(err) != "DeadlinePassed" && !errors.Is(err, registry.ErrTaskMismatch) {
					t.Fatalf("late submission: %v", err)
				}
				n.skew.Store(int64(2 * time.Hour / time.Second))
			} else if _, err := sub.Submit(n.ctx, env); err != nil {
				t.Fatal(err)
			}
			n.settled(task, tc.final)
			if _, err := sub.Submit(n.ctx, env); !errors.Is(err, onchain.ErrSettled) {
				t.Fatalf("submission once settled: %v", err)
			}
			le, _ := get[network.LedgerEntry](n, network.LedgerBucket, network.Credit+"."+task.RequestID)
			if le.Settlement != network.SettleChain {
				t.Fatalf("credit %+v: owed on the ledger too", le)
			}
		})
	}
}

// TestRedteamWorkerAddressForms: only the EIP-55 form of an address is
// eligible (registry.WorkerAddress, what Outcome's Named is compared
// with); any other spelling of the same account is credited on the ledger
// (Eligible fails), never posted under a name the settlement would not
// recognise.
func TestRedteamWorkerAddressForms(t *testing.T) {
	a := registry.Address(simchain.DevKey(2))
	good := a.Hex()
	for _, tc := range []struct {
		s  string
		ok bool
	}{
		{good, true},
		{strings.ToLower(good), strings.ToLower(good) == good},
		{"0x" + strings.ToUpper(good[2:]), "0x"+strings.ToUpper(good[2:]) == good},
		{"0X" + good[2:], false},
		{good[2:], false},
		{good + "00", false},
		{good[:len(good)-1], false},
		{" " + good, false},
		{good + "\n", false},
		{"0x" + strings.Repeat("0", 40), false}, // EIP-55 trivially, but an open task on the registry (TestRedteamZeroWorkerAddress)
		{"", false},
		{strings.Repeat("f", 100000), false},
	} {
		got, err := onchain.EVMAddress(tc.s)
		if (err == nil) != tc.ok || (err == nil && got.Hex() != tc.s) {
			t.Errorf("EVMAddress(%.50q): %v, %v; want ok %v", tc.s, got, err, tc.ok)
		}
	}
}

// zeroAddressReceipt is env as the same node would sign it with
// worker_address the zero address (the registration's worker address is
// the node's word: nothing stops a node registering it).
func zeroAddressReceipt(t *testing.T, env *receipt.Envelope) *receipt.Envelope {
	t.Helper()
	st, _, err := env.Statement()
	if err != nil {
		t.Fatal(err)
	}
	r := &st.Predicate
	r.Node.WorkerAddress = common.Address{}.Hex()
	if r.ReceiptID, err = r.ComputeID(); err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, 32)) // the worker's node key (start)
	id := protocol.NodeID(key.Public().(ed25519.PublicKey))
	out := *env
	out.Payload = base64.StdEncoding.EncodeToString(payload)
	out.Signatures = []receipt.Signature{{KeyID: hex.EncodeToString(id[:]), Sig: base64.StdEncoding.EncodeToString(ed25519.Sign(key, receipt.PAE(out.PayloadType, payload)))}}
	if err := out.VerifySignature(key.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	return &out
}

// TestRedteamZeroWorkerAddress: a receipt signing worker_address
// 0x0000…0000 (EIP-55 trivially: no letters) is Eligible, and Post names
// the zero address: on the registry that is an OPEN task, paid to
// whoever submits a valid proof first — here a third party with a copy
// of the proof — not to the receipt's worker_address. Worse, Outcome
// reports an open task's Named as "", which settlePost compares with the
// settlement's WorkerAddress "0x0000…0000": were the post's answer lost
// (or the coordinator restarted before recording it), the next step
// would take the coordinator's own escrow for someone else's
// ("task id taken … for worker \"\"") and credit the ledger too, while
// the open escrow stays claimable: paid twice.
//
// The coordinator under test caps rewards under the task's (it credits
// the ledger and never posts), so the Poster here is a second one on the same account.
func TestRedteamZeroWorkerAddress(t *testing.T) {
	n := start(t, setup{maxReward: reward - 1})
	task := n.post(reward)
	var rec network.TaskRecord
	waitFor(t, n.ctx, "acceptance", func() bool {
		rec, _ = get[network.TaskRecord](n, network.TasksBucket, task.TaskID)
		return rec.Accepted != nil
	})
	orig := n.receipt(rec.Accepted.Receipt)
	env := zeroAddressReceipt(t, orig)
	p := &onchain.Poster{Registry: n.reg, Key: simchain.DevKey(1), Circuit: protocol.Freivalds.Name(), MaxReward: big.NewInt(10 * reward)}
	if busy, err := p.InFlight(n.ctx); err != nil || busy {
		t.Fatalf("the account idle, InFlight: %v, %v", busy, err)
	}
	worker, err := p.Eligible(rec.Task, env)
	if err != nil {
		t.Logf("defended: %v", err)
		return
	}
	if _, err := p.Post(n.ctx, rec.Task, env); err != nil {
		t.Fatalf("post: %v", err)
	}
	o, err := p.Outcome(n.ctx, task.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	// A third party submits the worker's proof from its own account.
	third := simchain.DevKey(3)
	a, _, err := registry.SubmitArgsFromReceipt(orig, registry.Address(n.worker))
	if err != nil {
		t.Fatal(err)
	}
	before := n.balance(registry.Address(third))
	if _, err := n.reg.Submit(n.ctx, third, a); err != nil {
		t.Fatalf("third party's submission: %v", err)
	}
	t.Errorf("DEFECT: Eligible accepted worker_address %s; posted as an open task (Outcome.Named %q, which settlePost would read as another worker's); a third party's copy of the proof was paid (its balance %s → %s wei)",
		worker, o.Named, before, n.balance(registry.Address(third)))
}

// TestRedteamForgedSubmitJobs: RoleSubmit jobs the coordinator did not
// send (a third party publishing on the worker's jobs subject — denied by
// network.WorkerPermissions in an authenticated network, open here) make
// the worker send no transaction: a receipt that is not its own (another
// node key's signature), one for another task, one naming another
// registry, and its own genuine job replayed after it was paid (the
// registry's state is read first: ErrSettled).
func TestRedteamForgedSubmitJobs(t *testing.T) {
	n := start(t, setup{})
	task := n.post(reward)
	s := n.settled(task, network.ChainPaid)
	me := registry.Address(n.worker)
	nonce := func() uint64 {
		v, err := n.sim.Client().NonceAt(n.ctx, me, nil)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := nonce()
	kv, err := n.js.KeyValue(n.ctx, network.ReceiptsBucket)
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(n.ctx, s.Receipt)
	if err != nil {
		t.Fatal(err)
	}
	own := e.Value()
	rec, _ := get[network.TaskRecord](n, network.TasksBucket, task.TaskID)
	other := zeroAddressReceipt(t, n.receipt(s.Receipt)) // another worker_address, its signature then broken
	other.Signatures[0].Sig = other.Signatures[0].Sig[:len(other.Signatures[0].Sig)-4] + "AAA="
	otherRaw, _ := json.Marshal(other)
	ref := s.Chain
	wrongRef := ref
	wrongRef.ChainID++
	for _, tc := range []struct {
		name   string
		taskID string
		raw    []byte
		ref    *network.ChainRef
	}{
		{"a receipt naming another worker_address, its signature broken", task.TaskID, otherRaw, &ref},
		{"its receipt for another task id", "00000000-0000-4000-8000-000000000000", own, &ref},
		{"another registry", task.TaskID, own, &wrongRef},
		{"no registry", task.TaskID, own, nil},
		{"its own job replayed after the payment", task.TaskID, own, &ref},
	} {
		job := network.Job{TaskID: tc.taskID, RequestID: s.RequestID, Task: rec.Task, Role: network.RoleSubmit, Attempt: 1,
			Node: s.Node, Receipt: tc.raw, Chain: tc.ref}
		b, _ := json.Marshal(job)
		if _, err := n.js.Publish(n.ctx, network.SubjectJobsNodePfx+s.Node, b); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	waitFor(t, n.ctx, "the forged jobs taken", func() bool {
		c, err := n.js.Consumer(n.ctx, network.JobsStream, network.NodeConsumer(s.Node))
		if err != nil {
			return false
		}
		info, err := c.Info(n.ctx)
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0
	})
	if after := nonce(); after != before {
		t.Fatalf("the worker sent %d transactions for forged submit jobs", after-before)
	}
}
