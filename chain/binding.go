package chain

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// Public input layout of zkpoc's circuit: input_commitment; output_digest;
// PoE hi, lo (PoEInputIndex).
const (
	InputCommitmentIndex = 0
	OutputDigestIndex    = 1
	NumPublicInputs      = PoEInputIndex + 2
)

// ErrUnboundTask is returned by the chain-side checks for a task whose
// payload carries no input commitment (a v1 synthetic task): a verifier that
// sees only the proof could not tell which matrices it is about. Such a
// task's receipts still verify offline (the verifier regenerates A and B from
// the seed); for the chain, issue the task with its commitment
// (protocol.NewSyntheticTask, `zkpoc challenge new`).
var ErrUnboundTask = errors.New("the task does not bind its input matrices (its payload has no input_commitment), so a chain verifier could not tell which matrices the proof is about: issue the task with payload.input_commitment (zkpoc challenge new) to export it")

// ErrBinding is wrapped by every error of Binding.Check other than ErrUnboundTask.
var ErrBinding = errors.New("proof is not bound to the task and node")

// ErrWorkerAddress is wrapped by the errors of a worker_address that nothing
// ties to the receipt's node or the task's worker (Binding.CheckWorker,
// FromReceipt): whoever submits first could otherwise claim another
// worker's result under its own address.
var ErrWorkerAddress = errors.New("worker_address is not bound to the worker")

// Binding is what a chain-side check compares a proof's public inputs with:
// the task the chain issued (its payload names the input commitment; its
// canonical JSON gives request_id) and the node_id of the worker that
// answered it. A proof's public inputs are chosen by the prover: without
// this comparison a valid proof only says that some matrices have some
// product, for some request.
//
// The task is trusted as given: it must be the one the chain issued. A task
// a worker derived itself (seed 002's synthetic flow) must be checked first,
// or its payload could name any commitment: its seed is
// workload.DeriveSeed(block_hash, worker_address), and protocol.Inputs(task,
// nil, nil) recomputes its input commitment from that seed and refuses one
// that differs (O(n²) hashing, seconds at n = 4096).
//
// WorkerAddress and BlockHash, optional, are what ties a ComputeResult's
// worker_address to the worker (CheckWorker, run by VerifyComputeResult);
// the proof itself names the node (its key's node_id, in the PoE), never an
// address.
type Binding struct {
	Task   workload.ComputeTask
	NodeID [32]byte
	// WorkerAddress, when set, is the worker_address a ComputeResult must
	// name: the node.worker_address the receipt's node signed
	// (ReceiptBinding), or the address the chain issued the task to.
	WorkerAddress string
	// BlockHash, when set, is the hash of the block a synthetic task was
	// derived at: a ComputeResult's worker_address must then be the one the
	// seed was derived for, payload.seed = SHA-256(block_hash ‖
	// worker_address) (a supplied task has no seed, and is refused).
	BlockHash *[32]byte
	// KeyCircuit is the circuit the verifying key was established for (the
	// chain's verifier registry entry, or a key the light client set up or
	// established itself): ComputeProof.Verify and VerifyComputeResult refuse
	// a proof that names another circuit, and refuse to verify when it is
	// empty. A proof verifies under any key whose fingerprint it names, so
	// without it the light client could not say what was proved: a key of
	// another circuit (freivalds-v4, whose lookup layouts admitted forgeries,
	// or one that proves nothing about the same four public inputs) would do.
	// n and f are bound through the task and the digests' domain tags.
	KeyCircuit string
}

// ReceiptBinding is the binding a receipt claims: its task, the node_id of
// the public key that signs it, and the worker address it signs (if any).
func ReceiptBinding(r *receipt.Receipt) (Binding, error) {
	pub, err := hex.DecodeString(r.Node.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return Binding{}, fmt.Errorf("%w: receipt %s: node.public_key is not 32 bytes of hex", ErrBinding, r.ReceiptID)
	}
	return Binding{Task: r.Task, NodeID: protocol.NodeID(ed25519.PublicKey(pub)), WorkerAddress: r.Node.WorkerAddress}, nil
}

// CheckWorker checks a ComputeResult's worker_address against what the
// binding knows of the worker: a well-formed address
// (workload.CheckWorkerAddress), equal to b.WorkerAddress when that is set,
// and the one the task's seed was derived for at b.BlockHash when that is
// set. With neither set it checks the form only: nothing then ties the
// address to the worker, and the caller must know it otherwise.
func (b Binding) CheckWorker(workerAddress string) error {
	if err := workload.CheckWorkerAddress("worker_address", workerAddress); err != nil {
		return fmt.Errorf("%w: task %s: %w", ErrWorkerAddress, b.Task.TaskID, err)
	}
	if b.WorkerAddress != "" && workerAddress != b.WorkerAddress {
		return fmt.Errorf("%w: task %s: worker_address %s is not %s, the address the node signed (node.worker_address) or the task was issued to",
			ErrWorkerAddress, b.Task.TaskID, strconv.Quote(workerAddress), strconv.Quote(truncate(b.WorkerAddress, workload.MaxWorkerAddressLen)))
	}
	if b.BlockHash != nil {
		if err := b.Task.IssuedTo(*b.BlockHash, workerAddress); err != nil {
			return fmt.Errorf("%w: task %s: worker_address: %w", ErrWorkerAddress, b.Task.TaskID, err)
		}
	}
	return nil
}

// Check compares the public inputs of a BN254 proof (big-endian field
// elements, circuit order) with the binding: the task is valid and binds its
// inputs with the BN254 commitment, public input 0 is its
// payload.input_commitment, and the PoE halves are SHA-256(request_id ‖
// output_digest ‖ node_id) for the task's request_id, the proof's
// output_digest and this node.
func (b Binding) Check(pub [][32]byte) error {
	t := b.Task
	if err := t.Validate(); err != nil {
		return fmt.Errorf("%w: task: %w", ErrBinding, err)
	}
	if !t.BindsInputs() {
		return fmt.Errorf("task %s: %w", t.TaskID, ErrUnboundTask)
	}
	if alg := t.CommitmentAlgorithm(); alg != workload.CommitPoseidon2BN254 {
		return fmt.Errorf("%w: task %s: payload.input_commitment_algorithm is %s, but chain proofs are over BN254, whose input commitment is %s",
			ErrBinding, t.TaskID, alg, workload.CommitPoseidon2BN254)
	}
	if len(pub) != NumPublicInputs {
		return fmt.Errorf("%w: task %s: %d public inputs, want %d (input_commitment; output_digest; PoE hi, lo)", ErrBinding, t.TaskID, len(pub), NumPublicInputs)
	}
	ic, err := t.InputCommitmentBytes()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBinding, err)
	}
	if pub[InputCommitmentIndex] != ic {
		return fmt.Errorf("%w: task %s: the proof's input_commitment (public input %d) is %x, payload.input_commitment is %x: a proof about other matrices",
			ErrBinding, t.TaskID, InputCommitmentIndex, pub[InputCommitmentIndex], ic)
	}
	reqID, err := t.RequestID()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBinding, err)
	}
	poe, err := poeOf(pub)
	if err != nil {
		return err
	}
	if want := protocol.PoE(reqID, pub[OutputDigestIndex], b.NodeID); poe != want {
		return fmt.Errorf("%w: task %s: the proof's PoE (public inputs %d, %d) is %x, SHA-256(request_id ‖ output_digest ‖ node_id) for this task and node %x is %x: a proof for another request or node",
			ErrBinding, t.TaskID, PoEInputIndex, PoEInputIndex+1, poe, b.NodeID, want)
	}
	return nil
}

// CheckReceipt is the chain-side check of a SNARK receipt before anything is
// exported from it (calldata, zk_compute_proof, a ComputeResult): the proof
// is over BN254 and its public inputs are bound to the receipt's task and
// node (Binding.Check). It does not verify the proof or the signature.
func CheckReceipt(r *receipt.Receipt) error {
	if r == nil || r.Proof == nil {
		return fmt.Errorf("%w: no proof", ErrBinding)
	}
	if r.Proof.Curve != protocol.BN254 {
		return fmt.Errorf("receipt %s: proof over %q: %w", r.ReceiptID, r.Proof.Curve, ErrNotBN254)
	}
	if err := offChain(r); err != nil {
		return err
	}
	b, err := ReceiptBinding(r)
	if err != nil {
		return err
	}
	pub, err := publicInputBytes(r.Proof.PublicInputs)
	if err != nil {
		return fmt.Errorf("%w: receipt %s: %w", ErrBinding, r.ReceiptID, err)
	}
	if err := b.Check(pub); err != nil {
		return fmt.Errorf("receipt %s: %w", r.ReceiptID, err)
	}
	return nil
}

// CheckBinding checks a decoded zk_compute_proof against the task and node
// it is submitted for: n and f are the task's, and Binding.Check holds.
func (cp *ComputeProof) CheckBinding(b Binding) error {
	if p := b.Task.Payload; cp.N != p.MatrixSize || cp.FracBits != p.FracBits {
		return fmt.Errorf("%w: task %s: the proof is for n = %d, f = %d, the task for n = %d, f = %d",
			ErrBinding, b.Task.TaskID, cp.N, cp.FracBits, p.MatrixSize, p.FracBits)
	}
	return b.Check(cp.PublicInputs)
}

// publicInputBytes parses decimal public inputs (receipt proof.public_inputs)
// into canonical BN254 field elements, 32 bytes big-endian.
func publicInputBytes(inputs []string) ([][32]byte, error) {
	if len(inputs) > MaxPublicInputs {
		return nil, fmt.Errorf("%d public inputs, more than %d", len(inputs), MaxPublicInputs)
	}
	out := make([][32]byte, len(inputs))
	for i, s := range inputs {
		x, err := ParseFieldElement(s)
		if err != nil {
			return nil, fmt.Errorf("public input %d: %w", i, err)
		}
		x.FillBytes(out[i][:])
	}
	return out, nil
}

// poeOf joins the PoE's two 128-bit public-input halves.
func poeOf(pub [][32]byte) ([32]byte, error) {
	var out [32]byte
	if len(pub) < PoEInputIndex+2 {
		return out, fmt.Errorf("%w: %d public inputs, the PoE needs %d", ErrComputeProof, len(pub), PoEInputIndex+2)
	}
	hi, lo := pub[PoEInputIndex], pub[PoEInputIndex+1]
	for _, h := range [][32]byte{hi, lo} {
		if !bytes.Equal(h[:16], make([]byte, 16)) {
			return out, fmt.Errorf("%w: a PoE half is wider than 128 bits", ErrComputeProof)
		}
	}
	copy(out[:16], hi[16:])
	copy(out[16:], lo[16:])
	return out, nil
}
