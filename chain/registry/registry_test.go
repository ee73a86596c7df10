package registry

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/chain/registry/simchain"
	"github.com/zkpoc/zkpoc/internal/solctest"
	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/internal/verifiercontract"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testfixture.Cleanup()
	os.Exit(code)
}

const (
	testN       = 4
	testF       = 8
	reward      = 1_000_000_000_000_000 // 0.001 ether, in wei
	testTimeout = 5 * time.Minute
)

var circuitID = protocol.Freivalds.Name()

func verifierCode(t *testing.T, vk proofsystem.VerifyingKey) []byte {
	return verifiercontract.Init(t, vk)
}

// env is a simulated chain with the registry deployed and the n = 4 key's
// verifier registered, and four funded accounts.
type env struct {
	ctx                          context.Context
	sim                          *simchain.Chain
	reg                          *Registry
	owner, poster, worker, other *ecdsa.PrivateKey
	verifier                     common.Address
	postGas                      uint64 // the last postTask's gas
	vk                           proofsystem.VerifyingKey
	cache                        keys.Cache
	node                         ed25519.PrivateKey
	nodeID                       [32]byte
}

func newEnv(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real Groth16 setup and proofs (skipped with -short)")
	}
	solctest.Path(t) // before anything costly: a missing compiler skips
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	e := &env{ctx: ctx, owner: simchain.DevKey(0), poster: simchain.DevKey(1), worker: simchain.DevKey(2), other: simchain.DevKey(3)}
	var err error
	if e.sim, err = simchain.Open(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.sim.Close() })
	if e.cache, err = testfixture.KeyCache(); err != nil {
		t.Fatal(err)
	}
	e.node = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	e.nodeID = protocol.NodeID(e.node.Public().(ed25519.PublicKey))
	e.reg, _, err = Deploy(ctx, e.sim.Client(), e.owner, mine(e.sim))
	if err != nil {
		t.Fatal(err)
	}
	// The key: set up (or found) in the cache by a first proof.
	e.prove(t, e.task(t, "00000000-0000-4000-8000-000000000000", 1, time.Hour), e.worker)
	set, err := e.cache.Load(keys.IDFor(protocol.BN254, protocol.Groth16, protocol.Freivalds, testN, testF))
	if err != nil {
		t.Fatal(err)
	}
	e.vk = set.VK
	e.verifier = e.deployVerifier(t, e.vk)
	if _, err := e.reg.SetVerifier(ctx, e.owner, circuitID, testN, testF, e.verifier, e.vk.Fingerprint()); err != nil {
		t.Fatal(err)
	}
	return e
}

func mine(sim *simchain.Chain) func() { return sim.Mine }

func (e *env) deployVerifier(t *testing.T, vk proofsystem.VerifyingKey) common.Address {
	t.Helper()
	addr, _, err := DeployCode(e.ctx, e.sim.Client(), mine(e.sim), e.owner, verifierCode(t, vk))
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// now is the latest block's timestamp.
func (e *env) now(t *testing.T) int64 {
	t.Helper()
	h, err := e.sim.Client().HeaderByNumber(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return int64(h.Time)
}

// task is an n = 4 synthetic task whose seed is derived from seedByte, with
// a deadline `in` from the chain's clock.
func (e *env) task(t *testing.T, id string, seedByte byte, in time.Duration) workload.ComputeTask {
	t.Helper()
	seed := workload.DeriveSeed([32]byte{seedByte}, "registry-test")
	task, err := protocol.NewSyntheticTask(protocol.BN254, id, seed, testN, testF, fmt.Sprint(reward), e.now(t)+int64(in/time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// prove proves task with the env's node key and cache, signing worker's
// address (an account, or a contract's).
func (e *env) prove(t *testing.T, task workload.ComputeTask, worker any) *receipt.Envelope {
	t.Helper()
	return proveWith(t, e.cache, e.node, task, worker)
}

func proveWith(t *testing.T, cache keys.Cache, node ed25519.PrivateKey, task workload.ComputeTask, worker any) *receipt.Envelope {
	t.Helper()
	res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: node, Cache: cache, WorkerAddress: WorkerAddress(addressOf(worker)), Mode: protocol.ModeGroth16})
	if err != nil {
		t.Fatal(err)
	}
	return res.Envelope
}

func addressOf(w any) common.Address {
	switch v := w.(type) {
	case *ecdsa.PrivateKey:
		return Address(v)
	case common.Address:
		return v
	}
	panic(fmt.Sprintf("addressOf(%T)", w))
}

// post posts task for worker (zero: open), naming the env's node.
func (e *env) post(t *testing.T, task workload.ComputeTask, worker common.Address) TaskSpec {
	t.Helper()
	spec, value, err := NewTaskSpec(task, circuitID, worker)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := e.reg.Post(e.ctx, e.poster, spec, value)
	if err != nil {
		t.Fatal(err)
	}
	e.postGas = rc.GasUsed
	return spec
}

func (e *env) args(t *testing.T, env *receipt.Envelope, sender common.Address) (SubmitArgs, chain.ComputeResult) {
	t.Helper()
	a, cr, err := SubmitArgsFromReceipt(env, sender)
	if err != nil {
		t.Fatal(err)
	}
	return a, cr
}

func (e *env) balance(t *testing.T, a common.Address) *big.Int {
	t.Helper()
	b, err := e.sim.Client().BalanceAt(e.ctx, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *env) state(t *testing.T, id [16]byte) uint8 {
	t.Helper()
	task, err := e.reg.Task(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return task.State
}

// mustRevert sends data from key (estimate first: the named error; then the
// same transaction with a fixed gas limit, which must revert on chain and
// change nothing) and checks the error's name.
func (e *env) mustRevert(t *testing.T, key *ecdsa.PrivateKey, to common.Address, data []byte, want string) *RevertError {
	t.Helper()
	return e.mustRevertValue(t, key, to, nil, data, want)
}

func (e *env) mustRevertValue(t *testing.T, key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte, want string) *RevertError {
	t.Helper()
	_, err := Send(e.ctx, e.sim.Client(), mine(e.sim), key, &to, value, data)
	var re *RevertError
	if !errors.As(err, &re) {
		t.Fatalf("want a revert with %s, have %v", want, err)
	}
	if re.Name != want {
		t.Fatalf("reverted with %s, want %s", re, want)
	}
	regBalance := e.balance(t, e.reg.Address)
	rc, err := SendWithGas(e.ctx, e.sim.Client(), mine(e.sim), key, &to, value, data, 2_000_000)
	if err == nil || rc == nil || rc.Status != types.ReceiptStatusFailed {
		t.Fatalf("the transaction did not revert on chain: %v", err)
	}
	if b := e.balance(t, e.reg.Address); b.Cmp(regBalance) != 0 {
		t.Fatalf("a reverted transaction moved the registry's balance from %s to %s", regBalance, b)
	}
	t.Logf("%s", re)
	return re
}

func withInput(a SubmitArgs, i int, x *big.Int) SubmitArgs {
	a.Input[i] = x
	return a
}

// TestSubmitResult is the honest flow and every check of submitResult that
// one proof reaches: each adversarial submission reverts with its named
// error, on chain, before the honest one is paid once.
func TestSubmitResult(t *testing.T) {
	e := newEnv(t)
	task := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e01", 1, time.Hour)
	spec := e.post(t, task, Address(e.worker))
	if err := CheckTask(mustTask(t, e, spec.TaskId), task, circuitID); err != nil {
		t.Fatalf("CheckTask on the posted task: %v", err)
	}
	rcpt := e.prove(t, task, e.worker)
	a, cr := e.args(t, rcpt, Address(e.worker))
	r := ecc.BN254.ScalarField()
	plusR := func(i int) *big.Int { return new(big.Int).Add(a.Input[i], r) }
	other := a
	other.NodeID[0] ^= 1 // the PoE names the node: another node_id is another PoE
	badHash := a
	badHash.ResultHash[31] ^= 1
	badProof := a
	badProof.Proof = append([]byte(nil), a.Proof...)
	badProof.Proof[63] ^= 1 // Ar.Y: off the curve
	swapped := a
	swapped.Proof = append(append([]byte(nil), a.Proof[:256]...), append(append([]byte(nil), a.Proof[320:384]...), a.Proof[256:320]...)...)

	for _, tc := range []struct {
		name string
		key  *ecdsa.PrivateKey
		args SubmitArgs
		want string
	}{
		{"wrong sender", e.other, a, "WrongSender"},
		{"input_commitment + r (not canonical)", e.worker, withInput(a, 0, plusR(0)), "PublicInputNotCanonical"},
		{"output_digest + r (not canonical)", e.worker, withInput(a, 1, plusR(1)), "PublicInputNotCanonical"},
		{"PoE hi + r (not canonical)", e.worker, withInput(a, 2, plusR(2)), "PublicInputNotCanonical"},
		{"PoE lo + r (not canonical)", e.worker, withInput(a, 3, plusR(3)), "PublicInputNotCanonical"},
		{"another node_id", e.worker, other, "PoEMismatch"},
		{"result_hash is not the proof's PoE", e.worker, badHash, "ResultHashMismatch"},
		{"output_digest + 1 (PoE no longer SHA-256 of it)", e.worker, withInput(a, 1, new(big.Int).Add(a.Input[1], big.NewInt(1))), "PoEMismatch"},
		{"proof point off the curve", e.worker, badProof, "ProofRejected"},
		{"commitment swapped with its proof of knowledge", e.worker, swapped, "ProofRejected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			re := e.mustRevert(t, tc.key, e.reg.Address, tc.args.Calldata(), tc.want)
			if tc.want == "ProofRejected" && (re.Inner == nil || re.Inner.Name == "") {
				t.Errorf("ProofRejected without the verifier's named error: %v", re.Inner)
			}
		})
	}
	if s := e.state(t, spec.TaskId); s != StateOpen {
		t.Fatalf("after the rejected submissions the task is %s", StateName(s))
	}

	before := e.balance(t, Address(e.worker))
	rc, err := e.reg.Submit(e.ctx, e.worker, a)
	if err != nil {
		t.Fatalf("honest submit: %v", err)
	}
	fee := new(big.Int).Mul(new(big.Int).SetUint64(rc.GasUsed), rc.EffectiveGasPrice)
	want := new(big.Int).Sub(new(big.Int).Add(before, big.NewInt(reward)), fee)
	if got := e.balance(t, Address(e.worker)); got.Cmp(want) != 0 {
		t.Errorf("worker balance %s after the payout, want %s", got, want)
	}
	if s := e.state(t, spec.TaskId); s != StateSettled {
		t.Errorf("task state %s after the payout", StateName(s))
	}
	verifyGas := e.verifyGas(t, a)
	t.Logf("postTask: %d gas per transaction", e.postGas)
	t.Logf("submitResult: %d gas per transaction (%d bytes of calldata); the verifier's verifyProof alone, as a transaction: %d gas; registry checks, storage, event and payout: %d; seed 002's SUBMIT_RESULT: %d (structure checks only)",
		rc.GasUsed, len(a.Calldata()), verifyGas, int64(rc.GasUsed)-int64(verifyGas), chain.SubmitResultGas)
	if rc.GasUsed > 400_000 {
		t.Errorf("submitResult costs %d gas, over the 400,000 goal", rc.GasUsed)
	}

	// compute_root: rebuilt from the block's events, equal to what zkpoc
	// root computes from the receipt.
	root, results, err := e.reg.BlockRoot(e.ctx, rc.BlockHash)
	if err != nil {
		t.Fatal(err)
	}
	want1, err := chain.ComputeRoot([]chain.ComputeResult{cr})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0] != cr && !sameResult(results[0], cr) {
		t.Errorf("the block's ComputeResults %+v, want [%+v]", results, cr)
	}
	if root != want1 {
		t.Errorf("compute_root from the events %s, from the receipt %s", root, want1)
	}
	t.Logf("block %d compute_root %s", rc.BlockNumber, root)

	t.Run("second submit", func(t *testing.T) {
		e.mustRevert(t, e.worker, e.reg.Address, a.Calldata(), "TaskSettled")
	})
	t.Run("refund of a paid task", func(t *testing.T) {
		e.mustRevert(t, e.poster, e.reg.Address, binding.PackRefund(spec.TaskId), "TaskSettled")
	})
}

func sameResult(a, b chain.ComputeResult) bool {
	ca, err1 := a.Canonical()
	cb, err2 := b.Canonical()
	return err1 == nil && err2 == nil && bytes.Equal(ca, cb)
}

func mustTask(t *testing.T, e *env, id [16]byte) Task {
	t.Helper()
	task, err := e.reg.Task(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// verifyGas is what the verifier's verifyProof costs as a transaction of
// its own.
func (e *env) verifyGas(t *testing.T, a SubmitArgs) uint64 {
	t.Helper()
	g, err := e.verifyGasAt(t, e.verifier, a)
	if err != nil {
		t.Fatalf("verifyProof alone: %v", err)
	}
	return g
}

// TestReplayAndOtherInputs: a valid proof for one task, submitted for
// another over the same matrices (same input commitment, another request)
// and for one over other matrices.
func TestReplayAndOtherInputs(t *testing.T) {
	e := newEnv(t)
	t1 := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e11", 1, time.Hour)
	same := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e12", 1, time.Hour) // same seed: same matrices
	otherM := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e13", 2, time.Hour)
	if same.Payload.InputCommitment != t1.Payload.InputCommitment || otherM.Payload.InputCommitment == t1.Payload.InputCommitment {
		t.Fatal("test tasks: want the same input commitment for t1 and same, another for otherM")
	}
	for _, task := range []workload.ComputeTask{t1, same, otherM} {
		e.post(t, task, Address(e.worker))
	}
	a, _ := e.args(t, e.prove(t, t1, e.worker), Address(e.worker))
	replay := a
	replay.TaskID, _ = TaskID(same.TaskID)
	e.mustRevert(t, e.worker, e.reg.Address, replay.Calldata(), "PoEMismatch")
	cross := a
	cross.TaskID, _ = TaskID(otherM.TaskID)
	e.mustRevert(t, e.worker, e.reg.Address, cross.Calldata(), "InputCommitmentMismatch")
	if _, err := e.reg.Submit(e.ctx, e.worker, a); err != nil {
		t.Fatalf("the proof for its own task: %v", err)
	}
}

// TestVerifierRegistry: a task needs a registered verifier for its shape; a
// proof made under another key (here a second dev setup of the same
// circuit and shape, whose own verifier accepts it) is rejected by the
// registered one; only the owner registers; a revoked verifier pays no one.
func TestVerifierRegistry(t *testing.T) {
	e := newEnv(t)
	// No verifier for n = 8 (nothing is proved: the spec is the JSON's).
	t8, err := protocol.NewSyntheticTask(protocol.BN254, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e21", [32]byte{1}, 8, testF, fmt.Sprint(reward), e.now(t)+3600)
	if err != nil {
		t.Fatal(err)
	}
	spec8, value, err := NewTaskSpec(t8, circuitID, Address(e.worker))
	if err != nil {
		t.Fatal(err)
	}
	e.mustRevertValue(t, e.poster, e.reg.Address, value, binding.PackPostTask(spec8), "NoVerifier")

	// A second key for the same shape: its proof verifies under its own
	// verifier, not under the registered one.
	otherCache := keys.Cache{Dir: t.TempDir()}
	start := time.Now()
	task := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e22", 3, time.Hour)
	forged := proveWith(t, otherCache, e.node, task, e.worker)
	t.Logf("second dev setup and proof at n = %d: %s", testN, time.Since(start).Round(time.Millisecond))
	set, err := otherCache.Load(keys.IDFor(protocol.BN254, protocol.Groth16, protocol.Freivalds, testN, testF))
	if err != nil {
		t.Fatal(err)
	}
	if set.VK.Fingerprint() == e.vk.Fingerprint() {
		t.Fatal("the second setup gave the same key")
	}
	otherVerifier := e.deployVerifier(t, set.VK)
	spec := e.post(t, task, Address(e.worker))
	a, _ := e.args(t, forged, Address(e.worker))
	if _, err := e.verifyGasAt(t, otherVerifier, a); err != nil {
		t.Fatalf("the second key's proof does not verify under its own verifier: %v", err)
	}
	re := e.mustRevert(t, e.worker, e.reg.Address, a.Calldata(), "ProofRejected")
	t.Logf("under the registered verifier: %v", re.Inner)

	// Only the owner registers verifiers.
	c, _ := Circuit(circuitID)
	e.mustRevert(t, e.worker, e.reg.Address, binding.PackSetVerifier(c, testN, testF, otherVerifier, set.VK.Fingerprint()), "NotOwner")
	e.mustRevert(t, e.worker, e.reg.Address, binding.PackRevokeVerifier(e.verifier), "NotOwner")
	e.mustRevert(t, e.owner, e.reg.Address, binding.PackSetVerifier(c, testN, testF, Address(e.other), set.VK.Fingerprint()), "NotAContract")
	e.mustRevert(t, e.owner, e.reg.Address, binding.PackSetVerifier(c, 0, testF, otherVerifier, set.VK.Fingerprint()), "InvalidShape")

	// Revoked: the open task is not paid, even for an honest proof, and no
	// task is posted for the shape until a verifier is registered again.
	honest := e.prove(t, task, e.worker)
	ha, _ := e.args(t, honest, Address(e.worker))
	if _, err := e.reg.RevokeVerifier(e.ctx, e.owner, e.verifier); err != nil {
		t.Fatal(err)
	}
	e.mustRevert(t, e.worker, e.reg.Address, ha.Calldata(), "VerifierNotRegistered")
	later := e.task(t, "6a1f3e0c-2b4d-4c8e-9f10-1a2b3c4d5e23", 4, time.Hour)
	ls, lv, err := NewTaskSpec(later, circuitID, Address(e.worker))
	if err != nil {
		t.Fatal(err)
	}
	e.mustRevertValue(t, e.poster, e.reg.Address, lv, binding.PackPostTask(ls), "NoVerifier")
	if s := e.state(t, spec.TaskId); s != StateOpen {
		t.Errorf("task %s after the rejected submissions", StateName(s))
	}
}

func (e *env) verifyGasAt(t *testing.T, verifier common.Address, a SubmitArgs) (uint64, error) {
	t.Helper()
	ins := make([]string, 4)
	for i, x := range a.Input {
		ins[i] = x.String()
	}
	compressed, err := chain.CompressSolidityProof(a.Proof)
	if err != nil {
		return 0, err
	}
	data, err := chain.Calldata(compressed, ins)
	if err != nil {
		return 0, err
	}
	rc, err := Send(e.ctx, e.sim.Client(), mine(e.sim), e.other, &verifier, nil, data)
	if err != nil {
		return 0, err
	}
	return rc.GasUsed, nil
}

func readFile(name string) (string, error) {
	b, err := os.ReadFile(name)
	return string(b), err
}

func parseABI(raw []byte) (*abi.ABI, error) {
	a, err := abi.JSON(bytes.NewReader(raw))
	return &a, err
}
