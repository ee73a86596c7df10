package registry

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/internal/solctest"
)

// TestDeadlineAndRefund: no submit after the deadline, no refund before it,
// a refund pays the poster once.
func TestDeadlineAndRefund(t *testing.T) {
	e := newEnv(t)
	task := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e31", 5, 10*time.Minute)
	spec := e.post(t, task, Address(e.worker))
	a, _ := e.args(t, e.prove(t, task, e.worker), Address(e.worker))
	e.mustRevert(t, e.poster, e.reg.Address, binding.PackRefund(spec.TaskId), "DeadlineNotPassed")
	if err := e.sim.AdjustTime(time.Hour); err != nil {
		t.Fatal(err)
	}
	e.sim.Mine()
	e.mustRevert(t, e.worker, e.reg.Address, a.Calldata(), "DeadlinePassed")

	before := e.balance(t, Address(e.poster))
	rc, err := e.reg.Refund(e.ctx, e.other, spec.TaskId) // anyone may call it; the poster is paid
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.balance(t, Address(e.poster)), new(big.Int).Add(before, big.NewInt(reward)); got.Cmp(want) != 0 {
		t.Errorf("poster balance %s after the refund, want %s", got, want)
	}
	t.Logf("refund: %d gas", rc.GasUsed)
	e.mustRevert(t, e.poster, e.reg.Address, binding.PackRefund(spec.TaskId), "TaskSettled")
	e.mustRevert(t, e.worker, e.reg.Address, a.Calldata(), "TaskSettled")
	var unknown [16]byte
	e.mustRevert(t, e.poster, e.reg.Address, binding.PackRefund(unknown), "UnknownTask")
	e.mustRevert(t, e.worker, e.reg.Address, withTask(a, unknown).Calldata(), "UnknownTask")

	// postTask's own checks.
	past := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e32", 5, -time.Minute)
	ps, pv, err := NewTaskSpec(past, circuitID, Address(e.worker))
	if err != nil {
		t.Fatal(err)
	}
	e.mustRevertValue(t, e.poster, e.reg.Address, pv, binding.PackPostTask(ps), "DeadlineInPast")
	e.mustRevertValue(t, e.poster, e.reg.Address, pv, binding.PackPostTask(spec), "TaskExists")
	fresh := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e33", 5, time.Hour)
	fs, fv, err := NewTaskSpec(fresh, circuitID, Address(e.worker))
	if err != nil {
		t.Fatal(err)
	}
	e.mustRevertValue(t, e.poster, e.reg.Address, nil, binding.PackPostTask(fs), "NoReward")
	bad := fs
	bad.InputCommitment = [32]byte{0xff}
	e.mustRevertValue(t, e.poster, e.reg.Address, fv, binding.PackPostTask(bad), "InputCommitmentNotCanonical")
}

func withTask(a SubmitArgs, id [16]byte) SubmitArgs {
	a.TaskID = id
	return a
}

// TestReentrantPayout: the worker is a contract whose receive() calls the
// registry again while its payout is in flight. Checks-effects-interactions:
// the task is already settled, so the reentrant submitResult and refund
// revert with TaskSettled and the reward is paid once; a receiver that
// bubbles that revert up makes the payout, and so the whole submit, revert
// (PayoutFailed), leaving the task open.
func TestReentrantPayout(t *testing.T) {
	e := newEnv(t)
	src, err := readFile("testdata/ReentrantWorker.sol")
	if err != nil {
		t.Fatal(err)
	}
	out := solctest.Compile(t, solctest.Path(t), map[string]string{"ReentrantWorker.sol": src}, map[string][]string{"ReentrantWorker.sol": {"ReentrantWorker"}})
	rw := out["ReentrantWorker"]
	attacker, _, err := DeployCode(e.ctx, e.sim.Client(), mine(e.sim), e.other, rw.Init)
	if err != nil {
		t.Fatal(err)
	}
	rabi, err := parseABI(rw.ABI)
	if err != nil {
		t.Fatal(err)
	}
	task := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e41", 6, time.Hour)
	spec := e.post(t, task, attacker)
	a, _ := e.args(t, e.prove(t, task, attacker), attacker)

	attack := func(reentry []byte, bubble bool) []byte {
		data, err := rabi.Pack("attack", e.reg.Address, a.Calldata(), reentry, bubble)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	view := func(name string) any {
		data, err := rabi.Pack(name)
		if err != nil {
			t.Fatal(err)
		}
		ret, err := Call(e.ctx, e.sim.Client(), common.Address{}, attacker, data)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := rabi.Unpack(name, ret)
		if err != nil {
			t.Fatal(err)
		}
		return vals[0]
	}

	// Bubbling: the reentrant call's TaskSettled fails the payout.
	re := e.mustRevert(t, e.other, attacker, attack(a.Calldata(), true), "PayoutFailed")
	if re.Inner == nil || re.Inner.Name != "TaskSettled" {
		t.Fatalf("PayoutFailed carries %v, want the reentrant call's TaskSettled", re.Inner)
	}
	if s := e.state(t, spec.TaskId); s != StateOpen {
		t.Fatalf("task %s after a failed payout", StateName(s))
	}

	for _, tc := range []struct {
		name    string
		reentry []byte
	}{
		{"reenter submitResult", a.Calldata()},
		{"reenter refund", binding.PackRefund(spec.TaskId)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "reenter refund" {
				// A fresh task for the second attack: the first one paid.
				task := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e42", 7, time.Hour)
				spec = e.post(t, task, attacker)
				a, _ = e.args(t, e.prove(t, task, attacker), attacker)
				tc.reentry = binding.PackRefund(spec.TaskId)
			}
			regBefore := e.balance(t, e.reg.Address)
			gotBefore := view("received").(*big.Int)
			if _, err := Send(e.ctx, e.sim.Client(), mine(e.sim), e.other, &attacker, nil, attack(tc.reentry, false)); err != nil {
				t.Fatalf("attack: %v", err)
			}
			if ok := view("innerOk").(bool); ok {
				t.Fatal("the reentrant call succeeded")
			}
			inner := DecodeRevert(view("innerRevert").([]byte))
			if inner.Name != "TaskSettled" {
				t.Fatalf("the reentrant call reverted with %v, want TaskSettled", inner)
			}
			paid := new(big.Int).Sub(view("received").(*big.Int), gotBefore)
			if paid.Cmp(big.NewInt(reward)) != 0 {
				t.Errorf("the receiver got %s wei, want one reward (%d)", paid, reward)
			}
			if d := new(big.Int).Sub(regBefore, e.balance(t, e.reg.Address)); d.Cmp(big.NewInt(reward)) != 0 {
				t.Errorf("the registry paid out %s wei, want one reward", d)
			}
			if s := e.state(t, spec.TaskId); s != StateSettled {
				t.Errorf("task %s", StateName(s))
			}
			t.Logf("reentrant call: %v; paid once", inner)
		})
	}
}

// TestOpenTask: a task posted with no worker pays whoever submits a valid
// proof first — here a copy of the worker's own submission sent by another
// account, as a front-runner would. The contract documents this; name the
// worker to close it.
func TestOpenTask(t *testing.T) {
	e := newEnv(t)
	task := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e51", 8, time.Hour)
	e.post(t, task, common.Address{})
	a, _ := e.args(t, e.prove(t, task, e.worker), Address(e.worker))
	rc, err := e.reg.Submit(e.ctx, e.other, a)
	if err != nil {
		t.Fatalf("an open task refused a valid proof: %v", err)
	}
	results, err := e.reg.BlockResults(e.ctx, rc.BlockHash)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].WorkerAddress != WorkerAddress(Address(e.other)) {
		t.Fatalf("results %+v: want the sender as worker_address", results)
	}
}

// TestBlockRootTwoResults: two results accepted in one block; the block's
// compute_root from its events is chain.ComputeRoot over both, in
// transaction order, and a block without results has none.
func TestBlockRootTwoResults(t *testing.T) {
	e := newEnv(t)
	var args []SubmitArgs
	var want []chain.ComputeResult
	for i, id := range []string{"6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e61", "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e62"} {
		task := e.task(t, id, byte(10+i), time.Hour)
		e.post(t, task, Address(e.worker))
		a, cr := e.args(t, e.prove(t, task, e.worker), Address(e.worker))
		args = append(args, a)
		want = append(want, cr)
	}
	chainID, err := e.sim.Client().ChainID(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Both transactions in one block: send, then mine once.
	var txs []*types.Transaction
	for _, a := range args {
		opts := bind.NewKeyedTransactor(e.worker, chainID)
		opts.Context = e.ctx
		opts.GasLimit = 500_000
		if n := len(txs); n > 0 {
			opts.Nonce = new(big.Int).SetUint64(txs[n-1].Nonce() + 1)
		}
		tx, err := bind.NewBoundContract(e.reg.Address, registryABI, e.sim.Client(), e.sim.Client(), e.sim.Client()).RawTransact(opts, a.Calldata())
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	e.sim.Mine()
	var block common.Hash
	wait, cancel := context.WithTimeout(e.ctx, time.Minute)
	defer cancel()
	for i, tx := range txs {
		rc, err := bind.WaitMined(wait, e.sim.Client(), tx.Hash())
		if err != nil {
			t.Fatalf("submit %d: not in the block Mine sealed: %v", i, err)
		}
		if rc.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("submit %d reverted (gas used %d)", i, rc.GasUsed)
		}
		if i > 0 && rc.BlockHash != block {
			t.Fatalf("the submits landed in different blocks")
		}
		block = rc.BlockHash
	}
	root, results, err := e.reg.BlockRoot(e.ctx, block)
	if err != nil {
		t.Fatal(err)
	}
	wantRoot, err := chain.ComputeRoot(want)
	if err != nil {
		t.Fatal(err)
	}
	if root != wantRoot || len(results) != 2 || !sameResult(results[0], want[0]) || !sameResult(results[1], want[1]) {
		t.Fatalf("compute_root %s over %d results, want %s", root, len(results), wantRoot)
	}
	swapped, _ := chain.ComputeRoot([]chain.ComputeResult{want[1], want[0]})
	if swapped == root {
		t.Fatal("the root does not depend on the order")
	}
	// A block with no accepted result: no compute_root.
	e.sim.Mine()
	h, err := e.sim.Client().HeaderByNumber(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if root, results, err := e.reg.BlockRoot(e.ctx, h.Hash()); err != nil || root != "" || len(results) != 0 {
		t.Fatalf("empty block: root %q, %d results, %v", root, len(results), err)
	}
}

// TestCoordinatorSubmits: the network's coordinator as the submitter. Tasks
// name the coordinator's address as their worker, two nodes prove them
// signing that address, and the coordinator submits each accepted receipt
// (SubmitReceipt); each block's compute_root is the receipts' own.
func TestCoordinatorSubmits(t *testing.T) {
	e := newEnv(t)
	coordinator := e.other
	nodes := []ed25519.PrivateKey{e.node, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{10}, 32))}
	var roots []string
	for i, node := range nodes {
		task := e.task(t, fmt.Sprintf("6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e7%d", i), byte(20+i), time.Hour)
		e.post(t, task, Address(coordinator))
		rcpt := proveWith(t, e.cache, node, task, coordinator)
		before := e.balance(t, Address(coordinator))
		rc, cr, err := e.reg.SubmitReceipt(e.ctx, coordinator, rcpt)
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		fee := new(big.Int).Mul(new(big.Int).SetUint64(rc.GasUsed), rc.EffectiveGasPrice)
		if got, want := e.balance(t, Address(coordinator)), new(big.Int).Sub(new(big.Int).Add(before, big.NewInt(reward)), fee); got.Cmp(want) != 0 {
			t.Errorf("node %d: coordinator balance %s, want %s", i, got, want)
		}
		root, _, err := e.reg.BlockRoot(e.ctx, rc.BlockHash)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := chain.ComputeRoot([]chain.ComputeResult{cr})
		if root != want {
			t.Errorf("node %d: block compute_root %s, from the receipt %s", i, root, want)
		}
		roots = append(roots, root)
	}
	if roots[0] == roots[1] {
		t.Error("two different results, one root")
	}
	// The worker itself cannot submit a receipt signed for the coordinator.
	task := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e79", 29, time.Hour)
	e.post(t, task, Address(coordinator))
	if _, _, err := e.reg.SubmitReceipt(e.ctx, e.worker, proveWith(t, e.cache, e.node, task, coordinator)); !errors.Is(err, ErrWorker) {
		t.Fatalf("a receipt signed for the coordinator, sent by another account: %v, want ErrWorker", err)
	}
}
