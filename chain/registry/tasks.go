package registry

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// TaskSpec is what postTask records of a task.
type TaskSpec = ComputeRegistryTaskSpec

// Task is a task as the registry stores it, and its state.
type Task struct {
	ComputeRegistryTask
	State uint8
}

// TaskID is a task_id UUID as the registry's bytes16.
func TaskID(uuid string) ([16]byte, error) {
	var out [16]byte
	if !workload.IsUUID(uuid) {
		return out, fmt.Errorf("task id %q is not a lowercase RFC 4122 UUID", uuid)
	}
	b, err := hex.DecodeString(strings.ReplaceAll(uuid, "-", ""))
	if err != nil || len(b) != 16 {
		return out, fmt.Errorf("task id %q: not 16 bytes of hex", uuid)
	}
	copy(out[:], b)
	return out, nil
}

// UUID is a registry task id in the task_id form (lowercase RFC 4122 text).
func UUID(id [16]byte) string {
	h := hex.EncodeToString(id[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Circuit is a circuit id as the registry's bytes32: ASCII, left-aligned,
// zero-padded; at most 32 bytes (zk_compute_proof allows 64, the registry 32).
func Circuit(id string) ([32]byte, error) {
	var out [32]byte
	if len(id) == 0 || len(id) > 32 {
		return out, fmt.Errorf("circuit id %q: the registry takes 1..32 bytes", id)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || (i > 0 && (c == '-' || c == '.'))) {
			return out, fmt.Errorf("circuit id %q: byte %d is 0x%02x (allowed: a-z 0-9, then also - .)", id, i, c)
		}
	}
	if protocol.IsSynthetic(id) {
		// Its proofs carry no input commitment and its s comes from the A
		// and B an offline verifier regenerates: no contract can check them.
		return out, fmt.Errorf("circuit id %q: %w", id, chain.ErrNotExportable)
	}
	copy(out[:], id)
	return out, nil
}

// CircuitName is Circuit's inverse; it refuses a value Circuit would not give.
func CircuitName(b [32]byte) (string, error) {
	s := string(bytes.TrimRight(b[:], "\x00"))
	if c, err := Circuit(s); err != nil || c != b {
		return "", fmt.Errorf("circuit %x is not a zero-padded circuit id", b)
	}
	return s, nil
}

// WorkerAddress is the worker_address of a ComputeResult an account
// submits: its EIP-55 checksummed hex (common.Address.Hex). A receipt for
// the registry signs it (zkpoc prove --worker).
func WorkerAddress(a common.Address) string { return a.Hex() }

// NewTaskSpec is the postTask record of task for circuit (the circuit id
// of the verifier the owner registered, e.g. protocol.Freivalds.Name()),
// paid to worker (zero: open, see ComputeRegistry.sol), and the reward to
// escrow. The task must bind its inputs with the BN254 input
// commitment (chain.ErrUnboundTask otherwise).
func NewTaskSpec(task workload.ComputeTask, circuit string, worker common.Address) (TaskSpec, *big.Int, error) {
	if err := task.Validate(); err != nil {
		return TaskSpec{}, nil, fmt.Errorf("task spec: %w", err)
	}
	if !task.BindsInputs() {
		return TaskSpec{}, nil, fmt.Errorf("task spec: task %s: %w", task.TaskID, chain.ErrUnboundTask)
	}
	if alg := task.CommitmentAlgorithm(); alg != workload.CommitPoseidon2BN254 {
		return TaskSpec{}, nil, fmt.Errorf("task spec: task %s: input commitment %s: the EVM verifies BN254 proofs, whose commitment is %s", task.TaskID, alg, workload.CommitPoseidon2BN254)
	}
	id, err := TaskID(task.TaskID)
	if err != nil {
		return TaskSpec{}, nil, fmt.Errorf("task spec: %w", err)
	}
	c, err := Circuit(circuit)
	if err != nil {
		return TaskSpec{}, nil, fmt.Errorf("task spec: %w", err)
	}
	req, err := task.RequestID()
	if err != nil {
		return TaskSpec{}, nil, fmt.Errorf("task spec: %w", err)
	}
	ic, err := task.InputCommitmentBytes()
	if err != nil {
		return TaskSpec{}, nil, fmt.Errorf("task spec: %w", err)
	}
	reward, ok := new(big.Int).SetString(task.Reward, 10)
	if !ok || reward.Sign() <= 0 {
		return TaskSpec{}, nil, fmt.Errorf("task spec: task %s: reward %q wei: the registry escrows a positive reward", task.TaskID, task.Reward)
	}
	if task.Deadline <= 0 {
		return TaskSpec{}, nil, fmt.Errorf("task spec: task %s: deadline %d", task.TaskID, task.Deadline)
	}
	return TaskSpec{
		TaskId:          id,
		RequestId:       req,
		InputCommitment: ic,
		Circuit:         c,
		N:               uint16(task.Payload.MatrixSize),
		F:               uint8(task.Payload.FracBits),
		Deadline:        uint64(task.Deadline),
		Worker:          worker,
	}, reward, nil
}

// ErrTaskMismatch is wrapped by CheckTask's errors.
var ErrTaskMismatch = errors.New("the registry's task is not the task's JSON")

// CheckTask is what a worker checks before working on an on-chain task:
// the registry stores the poster's word for request_id, the input
// commitment, the shape, the deadline and (while open) the reward, and pays
// only for a proof bound to the stored values, so they must be the task's
// own (request_id = SHA-256 of its canonical JSON).
func CheckTask(t Task, task workload.ComputeTask, circuit string) error {
	spec, reward, err := NewTaskSpec(task, circuit, t.Worker)
	if err != nil {
		return err
	}
	var bad []string
	switch t.State {
	case StateNone:
		return fmt.Errorf("%w: task %s was never posted", ErrTaskMismatch, task.TaskID)
	case StateOpen:
		if t.Escrow.Reward == nil || t.Escrow.Reward.Cmp(reward) != 0 {
			bad = append(bad, fmt.Sprintf("reward %v wei, the JSON's %s", t.Escrow.Reward, reward))
		}
	}
	if t.RequestId != spec.RequestId {
		bad = append(bad, fmt.Sprintf("request_id %x, the JSON's %x", t.RequestId, spec.RequestId))
	}
	if t.InputCommitment != spec.InputCommitment {
		bad = append(bad, fmt.Sprintf("input_commitment %x, the JSON's %x", t.InputCommitment, spec.InputCommitment))
	}
	if t.Circuit != spec.Circuit || t.N != spec.N || t.F != spec.F {
		bad = append(bad, fmt.Sprintf("shape (%x, %d, %d), the JSON's (%s, %d, %d)", t.Circuit, t.N, t.F, circuit, spec.N, spec.F))
	}
	if t.Deadline != spec.Deadline {
		bad = append(bad, fmt.Sprintf("deadline %d, the JSON's %d", t.Deadline, spec.Deadline))
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: task %s: %s", ErrTaskMismatch, task.TaskID, strings.Join(bad, "; "))
	}
	return nil
}

// SubmitArgs are submitResult's arguments.
type SubmitArgs struct {
	TaskID     [16]byte
	ResultHash [32]byte
	NodeID     [32]byte
	Signature  []byte
	Proof      []byte // the verifier's uncompressed layout (chain.SolidityProof)
	Input      [4]*big.Int
}

// Calldata ABI-encodes submitResult(args).
func (a SubmitArgs) Calldata() []byte {
	return binding.PackSubmitResult(a.TaskID, a.ResultHash, a.NodeID, a.Signature, a.Proof, a.Input)
}

// ErrWorker is wrapped by SubmitArgsFromReceipt's error for a receipt that
// does not sign the sender's address.
var ErrWorker = errors.New("the receipt does not sign the sender's address")

// SubmitArgsFromReceipt builds the SUBMIT_RESULT of a Groth16 receipt
// envelope sent from `sender`, and the ComputeResult it puts in the block's
// compute_root (chain.FromReceipt: the envelope's signature checks under
// its node key, and the proof is bound to its task and node). The receipt
// must sign sender's address as its node.worker_address (WorkerAddress):
// the registry pays msg.sender and names it as the worker_address, and
// nothing on chain ties the proof's node to an address; a receipt that
// names another worker is refused (ErrWorker) so that nobody submits
// another worker's receipt by mistake. It does not verify the proof: the
// caller verifies the receipt first (verifier.Verify), and the registry
// verifies the proof.
func SubmitArgsFromReceipt(env *receipt.Envelope, sender common.Address) (SubmitArgs, chain.ComputeResult, error) {
	cr, err := chain.FromReceipt(env, "")
	if err != nil {
		return SubmitArgs{}, chain.ComputeResult{}, fmt.Errorf("submit: %w", err)
	}
	if want := WorkerAddress(sender); cr.WorkerAddress != want {
		return SubmitArgs{}, chain.ComputeResult{}, fmt.Errorf("submit: %w: it signs worker_address %q, the sender is %s (prove with --worker %s)", ErrWorker, cr.WorkerAddress, want, want)
	}
	st, _, err := env.Statement()
	if err != nil {
		return SubmitArgs{}, chain.ComputeResult{}, fmt.Errorf("submit: %w", err)
	}
	r := &st.Predicate
	cp, err := chain.ComputeProofFromReceipt(r)
	if err != nil {
		return SubmitArgs{}, chain.ComputeResult{}, fmt.Errorf("submit: %w", err)
	}
	if len(cp.PublicInputs) != 4 {
		return SubmitArgs{}, chain.ComputeResult{}, fmt.Errorf("submit: %d public inputs: the registry's verifiers take 4", len(cp.PublicInputs))
	}
	sol, err := chain.SolidityProof(cp.Proof)
	if err != nil {
		return SubmitArgs{}, chain.ComputeResult{}, fmt.Errorf("submit: %w", err)
	}
	id, err := TaskID(r.Task.TaskID)
	if err != nil {
		return SubmitArgs{}, chain.ComputeResult{}, fmt.Errorf("submit: %w", err)
	}
	poe, err := receipt.DecodeHex32("poe", r.PoE)
	if err != nil {
		return SubmitArgs{}, chain.ComputeResult{}, fmt.Errorf("submit: %w", err)
	}
	pub, _ := hex.DecodeString(r.Node.PublicKey) // chain.FromReceipt checked it
	sig, err := signatureBytes(cr.Signature)
	if err != nil {
		return SubmitArgs{}, chain.ComputeResult{}, fmt.Errorf("submit: %w", err)
	}
	a := SubmitArgs{TaskID: id, ResultHash: poe, NodeID: protocol.NodeID(ed25519.PublicKey(pub)), Signature: sig, Proof: sol}
	for i, x := range cp.PublicInputs {
		a.Input[i] = new(big.Int).SetBytes(x[:])
	}
	return a, cr, nil
}

// signatureBytes is the raw signature a ComputeResult's base64 signature
// stands for, refusing one that would not encode back to the same text (the
// registry logs the bytes; the leaf has their standard base64).
func signatureBytes(s *string) ([]byte, error) {
	if s == nil {
		return nil, nil
	}
	b, err := base64.StdEncoding.Strict().DecodeString(*s)
	if err != nil || base64.StdEncoding.EncodeToString(b) != *s || len(b) == 0 {
		return nil, fmt.Errorf("signature %q is not canonical base64 of a non-empty signature", *s)
	}
	return b, nil
}

// ComputeResultFromEvents is the ComputeResult an accepted result puts in
// its block's compute_root, rebuilt from its ResultAccepted event and its
// task's TaskPosted event: worker_address is the sender (EIP-55),
// result_hash the PoE, proof the zk_compute_proof encoding (the circuit, n,
// f and key fingerprint the task was posted with; the proof compressed from
// the logged layout; the public inputs: the task's input commitment, the
// logged output digest, the halves of the PoE), signature the logged bytes
// in base64 (none: null), nonce null.
func ComputeResultFromEvents(posted *ComputeRegistryTaskPosted, acc *ComputeRegistryResultAccepted) (chain.ComputeResult, error) {
	if posted.TaskId != acc.TaskId || posted.Spec.TaskId != acc.TaskId {
		return chain.ComputeResult{}, fmt.Errorf("compute result of task %s: TaskPosted is for task %s", UUID(acc.TaskId), UUID(posted.TaskId))
	}
	circuit, err := CircuitName(posted.Spec.Circuit)
	if err != nil {
		return chain.ComputeResult{}, fmt.Errorf("compute result of task %s: %w", UUID(acc.TaskId), err)
	}
	compressed, err := chain.CompressSolidityProof(acc.Proof)
	if err != nil {
		return chain.ComputeResult{}, fmt.Errorf("compute result of task %s: %w", UUID(acc.TaskId), err)
	}
	if acc.OutputDigest == nil || acc.OutputDigest.Sign() < 0 || acc.OutputDigest.BitLen() > 256 {
		return chain.ComputeResult{}, fmt.Errorf("compute result of task %s: output digest out of range", UUID(acc.TaskId))
	}
	var digest, hi, lo [32]byte
	acc.OutputDigest.FillBytes(digest[:])
	copy(hi[16:], acc.ResultHash[:16])
	copy(lo[16:], acc.ResultHash[16:])
	cp := &chain.ComputeProof{
		Version:       chain.ComputeProofVersion,
		System:        chain.SystemCodeGroth16,
		Curve:         chain.CurveCodeBN254,
		Circuit:       circuit,
		N:             int(posted.Spec.N),
		FracBits:      int(posted.Spec.F),
		VKFingerprint: posted.VkFingerprint,
		Proof:         compressed,
		PublicInputs:  [][32]byte{posted.Spec.InputCommitment, digest, hi, lo},
	}
	enc, err := cp.Encode()
	if err != nil {
		return chain.ComputeResult{}, fmt.Errorf("compute result of task %s: %w", UUID(acc.TaskId), err)
	}
	proof := base64.StdEncoding.EncodeToString(enc)
	cr := chain.ComputeResult{
		TaskID:        UUID(acc.TaskId),
		WorkerAddress: WorkerAddress(acc.Worker),
		ResultHash:    hex.EncodeToString(acc.ResultHash[:]),
		Proof:         &proof,
	}
	if len(acc.Signature) > 0 {
		s := base64.StdEncoding.EncodeToString(acc.Signature)
		cr.Signature = &s
	}
	if err := cr.Validate(); err != nil {
		return chain.ComputeResult{}, fmt.Errorf("compute result of task %s: %w", UUID(acc.TaskId), err)
	}
	return cr, nil
}

// SetVerifier registers verifier (with the fingerprint of the key it
// embeds) for tasks of shape (circuit, n, f); key must be the owner's.
func (r *Registry) SetVerifier(ctx context.Context, key *ecdsa.PrivateKey, circuit string, n, f int, verifier common.Address, fingerprint [32]byte) (*types.Receipt, error) {
	c, err := Circuit(circuit)
	if err != nil {
		return nil, fmt.Errorf("set verifier: %w", err)
	}
	if n < 1 || n > workload.MaxMatrixSize || f < 0 || f > workload.MaxFracBits {
		return nil, fmt.Errorf("set verifier: shape n = %d, f = %d out of range", n, f)
	}
	rc, err := r.send(ctx, key, nil, binding.PackSetVerifier(c, uint16(n), uint8(f), verifier, fingerprint))
	if err != nil {
		return nil, fmt.Errorf("set verifier for (%s, %d, %d): %w", circuit, n, f, err)
	}
	return rc, nil
}

// RevokeVerifier stops a verifier; key must be the owner's.
func (r *Registry) RevokeVerifier(ctx context.Context, key *ecdsa.PrivateKey, verifier common.Address) (*types.Receipt, error) {
	rc, err := r.send(ctx, key, nil, binding.PackRevokeVerifier(verifier))
	if err != nil {
		return nil, fmt.Errorf("revoke verifier %s: %w", verifier, err)
	}
	return rc, nil
}

// Post posts a task, escrowing reward from key's account.
func (r *Registry) Post(ctx context.Context, key *ecdsa.PrivateKey, spec TaskSpec, reward *big.Int) (*types.Receipt, error) {
	rc, err := r.send(ctx, key, reward, binding.PackPostTask(spec))
	if err != nil {
		return nil, fmt.Errorf("post task %s: %w", UUID(spec.TaskId), err)
	}
	return rc, nil
}

// Submit sends SUBMIT_RESULT from key's account.
func (r *Registry) Submit(ctx context.Context, key *ecdsa.PrivateKey, a SubmitArgs) (*types.Receipt, error) {
	rc, err := r.send(ctx, key, nil, a.Calldata())
	if err != nil {
		return nil, fmt.Errorf("submit result for task %s: %w", UUID(a.TaskID), err)
	}
	return rc, nil
}

// Refund refunds a task whose deadline has passed (to its poster).
func (r *Registry) Refund(ctx context.Context, key *ecdsa.PrivateKey, id [16]byte) (*types.Receipt, error) {
	rc, err := r.send(ctx, key, nil, binding.PackRefund(id))
	if err != nil {
		return nil, fmt.Errorf("refund task %s: %w", UUID(id), err)
	}
	return rc, nil
}

// Task reads a task (state StateNone: never posted).
func (r *Registry) Task(ctx context.Context, id [16]byte) (Task, error) {
	out, err := Call(ctx, r.backend, common.Address{}, r.Address, binding.PackGetTask(id))
	if err != nil {
		return Task{}, fmt.Errorf("read task %s: %w", UUID(id), err)
	}
	t, err := binding.UnpackGetTask(out)
	if err != nil {
		return Task{}, fmt.Errorf("read task %s: %w", UUID(id), err)
	}
	return Task{ComputeRegistryTask: t.Task, State: t.State}, nil
}

// Owner reads the registry's owner.
func (r *Registry) Owner(ctx context.Context) (common.Address, error) {
	out, err := Call(ctx, r.backend, common.Address{}, r.Address, binding.PackOwner())
	if err != nil {
		return common.Address{}, fmt.Errorf("read owner: %w", err)
	}
	return binding.UnpackOwner(out)
}

// VerifierFor reads the verifier registered for a shape (zero: none).
func (r *Registry) VerifierFor(ctx context.Context, circuit string, n, f int) (common.Address, [32]byte, error) {
	c, err := Circuit(circuit)
	if err != nil {
		return common.Address{}, [32]byte{}, err
	}
	out, err := Call(ctx, r.backend, common.Address{}, r.Address, binding.PackVerifierFor(c, uint16(n), uint8(f)))
	if err != nil {
		return common.Address{}, [32]byte{}, fmt.Errorf("read verifier for (%s, %d, %d): %w", circuit, n, f, err)
	}
	v, err := binding.UnpackVerifierFor(out)
	if err != nil {
		return common.Address{}, [32]byte{}, err
	}
	return v.Arg0, v.Arg1, nil
}

func topic(id [16]byte) common.Hash {
	var h common.Hash
	copy(h[:], id[:])
	return h
}

// TaskPosted finds a task's TaskPosted event, in blocks up to toBlock
// (nil: the latest). There is exactly one: postTask refuses a task id twice.
func (r *Registry) TaskPosted(ctx context.Context, id [16]byte, toBlock *big.Int) (*ComputeRegistryTaskPosted, error) {
	logs, err := r.backend.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: big.NewInt(0),
		ToBlock:   toBlock,
		Addresses: []common.Address{r.Address},
		Topics:    [][]common.Hash{{registryABI.Events["TaskPosted"].ID}, {topic(id)}},
	})
	if err != nil {
		return nil, fmt.Errorf("TaskPosted of task %s: %w", UUID(id), err)
	}
	if len(logs) != 1 {
		return nil, fmt.Errorf("TaskPosted of task %s: %d events (want 1)", UUID(id), len(logs))
	}
	return binding.UnpackTaskPostedEvent(&logs[0])
}

// BlockResults rebuilds the ComputeResults the registry accepted in the
// block with hash blockHash, in log order (the block's transaction order):
// the leaves of that block's compute_root.
func (r *Registry) BlockResults(ctx context.Context, blockHash common.Hash) ([]chain.ComputeResult, error) {
	logs, err := r.backend.FilterLogs(ctx, ethereum.FilterQuery{
		BlockHash: &blockHash,
		Addresses: []common.Address{r.Address},
		Topics:    [][]common.Hash{{registryABI.Events["ResultAccepted"].ID}},
	})
	if err != nil {
		return nil, fmt.Errorf("results of block %s: %w", blockHash, err)
	}
	var out []chain.ComputeResult
	for i := range logs {
		l := &logs[i]
		if l.Removed || l.BlockHash != blockHash {
			return nil, fmt.Errorf("results of block %s: log %d is from block %s (removed %v)", blockHash, l.Index, l.BlockHash, l.Removed)
		}
		if i > 0 && l.Index <= logs[i-1].Index {
			return nil, fmt.Errorf("results of block %s: logs out of order", blockHash)
		}
		acc, err := binding.UnpackResultAcceptedEvent(l)
		if err != nil {
			return nil, fmt.Errorf("results of block %s: log %d: %w", blockHash, l.Index, err)
		}
		posted, err := r.TaskPosted(ctx, acc.TaskId, new(big.Int).SetUint64(l.BlockNumber))
		if err != nil {
			return nil, fmt.Errorf("results of block %s: %w", blockHash, err)
		}
		cr, err := ComputeResultFromEvents(posted, acc)
		if err != nil {
			return nil, fmt.Errorf("results of block %s: %w", blockHash, err)
		}
		out = append(out, cr)
	}
	return out, nil
}

// BlockRoot is the compute_root of the block with hash blockHash over the
// registry's accepted results ("" when there are none), and those results:
// chain.ComputeRoot over BlockResults.
func (r *Registry) BlockRoot(ctx context.Context, blockHash common.Hash) (string, []chain.ComputeResult, error) {
	results, err := r.BlockResults(ctx, blockHash)
	if err != nil {
		return "", nil, err
	}
	root, err := chain.ComputeRoot(results)
	if err != nil {
		return "", nil, fmt.Errorf("compute_root of block %s: %w", blockHash, err)
	}
	return root, results, nil
}

// Address is key's account address.
func Address(key *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(key.PublicKey) }

// SubmitReceipt is SubmitArgsFromReceipt and Submit: what a submitter — a
// worker, or the network's coordinator as the tasks' named worker — does
// for each accepted receipt (verified first: the registry re-checks the
// proof, nothing else of the receipt). It returns the transaction's receipt
// and the ComputeResult it put in that block's compute_root.
func (r *Registry) SubmitReceipt(ctx context.Context, key *ecdsa.PrivateKey, env *receipt.Envelope) (*types.Receipt, chain.ComputeResult, error) {
	a, cr, err := SubmitArgsFromReceipt(env, Address(key))
	if err != nil {
		return nil, chain.ComputeResult{}, err
	}
	rc, err := r.Submit(ctx, key, a)
	if err != nil {
		return nil, chain.ComputeResult{}, err
	}
	return rc, cr, nil
}

// Outcome is how a task ended on the registry, from its events.
type Outcome struct {
	State uint8 // StateNone, StateOpen or StateSettled
	// Paid: a ResultAccepted paid Worker; otherwise a settled task was
	// refunded (TaskRefunded).
	Paid   bool
	Worker common.Address
	// Tx and Block are the settling transaction's hash and block number.
	Tx    common.Hash
	Block uint64
	// Deadline is the task's deadline on chain (unix seconds, 0: none);
	// Poster and Named are its poster and named worker (zero: open) while
	// it is open.
	Deadline      uint64
	Poster, Named common.Address
}

// Outcome reads a task's state and, once settled, the event that settled
// it: ResultAccepted (paid) or TaskRefunded.
func (r *Registry) Outcome(ctx context.Context, id [16]byte) (Outcome, error) {
	t, err := r.Task(ctx, id)
	if err != nil {
		return Outcome{}, err
	}
	o := Outcome{State: t.State, Deadline: t.Deadline, Poster: t.Poster, Named: t.Worker}
	if t.State != StateSettled {
		return o, nil
	}
	logs, err := r.backend.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: big.NewInt(0),
		Addresses: []common.Address{r.Address},
		Topics:    [][]common.Hash{{registryABI.Events["ResultAccepted"].ID, registryABI.Events["TaskRefunded"].ID}, {topic(id)}},
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("settlement of task %s: %w", UUID(id), err)
	}
	if len(logs) != 1 {
		return Outcome{}, fmt.Errorf("settlement of task %s: %d settling events (want 1)", UUID(id), len(logs))
	}
	l := &logs[0]
	o.Tx, o.Block = l.TxHash, l.BlockNumber
	if l.Topics[0] == registryABI.Events["ResultAccepted"].ID {
		acc, err := binding.UnpackResultAcceptedEvent(l)
		if err != nil {
			return Outcome{}, fmt.Errorf("settlement of task %s: %w", UUID(id), err)
		}
		o.Paid, o.Worker = true, acc.Worker
	}
	return o, nil
}
