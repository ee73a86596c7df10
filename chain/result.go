package chain

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/gowebpki/jcs"

	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// TxTypeSubmitResult is the transaction type of seed 002 that carries a
// ComputeResult; SubmitResultGas is its fixed gas cost there.
const (
	TxTypeSubmitResult = "SUBMIT_RESULT"
	SubmitResultGas    = 80000
)

// MaxSafeNonce bounds ComputeResult.Nonce: canonical JSON (RFC 8785) numbers
// are IEEE doubles, exact only up to 2^53−1.
const MaxSafeNonce = 1<<53 - 1

// ErrInvalidResult is wrapped by ComputeResult and SubmitResult validation errors.
var ErrInvalidResult = errors.New("invalid compute result")

// ComputeResult is seed 002's task execution result, the payload of a
// SUBMIT_RESULT transaction and a compute_root leaf (as its Canonical bytes).
//
// For a zkpoc receipt (FromReceipt): result_hash is the receipt's PoE,
// SHA-256(request_id ‖ output_digest ‖ node_id), in lowercase hex — it names
// the request, the output and the node at once, and it is a public input of the
// proof, so a light client can match result_hash against the SNARK without the
// receipt. proof is base64 of the zk_compute_proof encoding; signature is the
// node's DSSE Ed25519 signature over the receipt envelope (base64), checkable
// only with the receipt itself; nonce is unused (null).
type ComputeResult struct {
	TaskID        string  `json:"task_id"`
	WorkerAddress string  `json:"worker_address"`
	ResultHash    string  `json:"result_hash"`
	Proof         *string `json:"proof"`
	Nonce         *int64  `json:"nonce"`
	Signature     *string `json:"signature"`
}

// SubmitResult is a SUBMIT_RESULT transaction as far as seed 002 describes
// it: the sender and the ComputeResult payload.
type SubmitResult struct {
	TxType      string        `json:"tx_type"` // TxTypeSubmitResult
	FromAddress string        `json:"from_address"`
	Payload     ComputeResult `json:"payload"`
}

// BlockHeader is the excerpt of seed 002's block header this package fills.
// ComputeRoot is "" for a block without SUBMIT_RESULT transactions. The two
// optional proofs are JSON null when absent; ZkComputeProof, when set, is the
// base64 zk_compute_proof encoding (DecodeComputeProof).
type BlockHeader struct {
	ComputeRoot    string  `json:"compute_root"`
	ZkStateProof   *string `json:"zk_state_proof"`
	ZkComputeProof *string `json:"zk_compute_proof"`
}

// FromReceipt builds the ComputeResult a worker submits for a Groth16
// receipt envelope. It checks that the envelope's one signature verifies
// under the receipt's own node key (self-consistency; full verification is
// the verifier package's job).
//
// worker_address is the node.worker_address the node signed in the
// receipt: workerAddress may be "" (take it) or must equal it. A receipt
// that signs none is refused: nothing in it ties any address to the node,
// so whoever submits first could claim the result; use FromReceiptForBlock.
func FromReceipt(env *receipt.Envelope, workerAddress string) (ComputeResult, error) {
	return fromReceipt(env, workerAddress, nil)
}

// FromReceiptForBlock is FromReceipt for a synthetic task derived at the
// block with hash blockHash: the worker address (workerAddress, or the
// receipt's signed node.worker_address when workerAddress is "") must be
// the one the task's seed was derived for, payload.seed = SHA-256(blockHash
// ‖ worker_address). That is what binds the address for a receipt that
// signs none; for one that does, it also checks the node signed the task's
// own worker. A supplied task has no seed and is refused.
func FromReceiptForBlock(env *receipt.Envelope, workerAddress string, blockHash [32]byte) (ComputeResult, error) {
	return fromReceipt(env, workerAddress, &blockHash)
}

func fromReceipt(env *receipt.Envelope, workerAddress string, blockHash *[32]byte) (ComputeResult, error) {
	if env == nil {
		return ComputeResult{}, errors.New("compute result from receipt: nil envelope")
	}
	st, _, err := env.Statement()
	if err != nil {
		return ComputeResult{}, fmt.Errorf("compute result from receipt: %w", err)
	}
	r := &st.Predicate
	pub, err := hex.DecodeString(r.Node.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return ComputeResult{}, fmt.Errorf("compute result from receipt %s: node public key is not 32 bytes of hex", r.ReceiptID)
	}
	if err := env.VerifySignature(ed25519.PublicKey(pub)); err != nil {
		return ComputeResult{}, fmt.Errorf("compute result from receipt %s: %w", r.ReceiptID, err)
	}
	if _, err := receipt.DecodeHex32("poe", r.PoE); err != nil {
		return ComputeResult{}, fmt.Errorf("compute result from receipt %s: %w", r.ReceiptID, err)
	}
	enc, err := EncodeComputeProof(r)
	if err != nil {
		return ComputeResult{}, fmt.Errorf("compute result from receipt %s: %w", r.ReceiptID, err)
	}
	worker, err := resultWorker(r, workerAddress, blockHash)
	if err != nil {
		return ComputeResult{}, fmt.Errorf("compute result from receipt %s: %w", r.ReceiptID, err)
	}
	proof := base64.StdEncoding.EncodeToString(enc)
	sig := env.Signatures[0].Sig
	cr := ComputeResult{
		TaskID:        r.Task.TaskID,
		WorkerAddress: worker,
		ResultHash:    r.PoE,
		Proof:         &proof,
		Signature:     &sig,
	}
	if err := cr.Validate(); err != nil {
		return ComputeResult{}, fmt.Errorf("compute result from receipt %s: %w", r.ReceiptID, err)
	}
	return cr, nil
}

// resultWorker is the worker_address of the ComputeResult for receipt r:
// the node's signed node.worker_address (given, unless "", must equal it),
// or for a receipt that signs none, given, for a synthetic task whose seed
// was derived for it at blockHash. With blockHash the seed is checked
// either way (Binding.CheckWorker).
func resultWorker(r *receipt.Receipt, given string, blockHash *[32]byte) (string, error) {
	signed := r.Node.WorkerAddress
	if signed != "" {
		if err := workload.CheckWorkerAddress("node.worker_address", signed); err != nil {
			return "", fmt.Errorf("%w: %w", ErrWorkerAddress, err)
		}
		if given == "" {
			given = signed
		}
	} else {
		const unsigned = "the receipt signs no node.worker_address"
		switch {
		case given == "":
			return "", fmt.Errorf("%w: %s: give the worker address and the hash of the block its task was derived at, or prove with the worker address signed", ErrWorkerAddress, unsigned)
		case r.Task.Supplied():
			return "", fmt.Errorf("%w: %s, and its task is over supplied matrices (no seed derived from a worker address): nothing ties worker_address %s to it; prove with the worker address signed",
				ErrWorkerAddress, unsigned, strconv.Quote(truncate(given, workload.MaxWorkerAddressLen)))
		case blockHash == nil:
			return "", fmt.Errorf("%w: %s: without the hash of the block its task was derived at, nothing ties worker_address %s to it",
				ErrWorkerAddress, unsigned, strconv.Quote(truncate(given, workload.MaxWorkerAddressLen)))
		}
	}
	b := Binding{Task: r.Task, WorkerAddress: signed, BlockHash: blockHash}
	if err := b.CheckWorker(given); err != nil {
		return "", err
	}
	return given, nil
}

// Validate checks the fields seed 002 requires and the nonce's JSON range.
func (c ComputeResult) Validate() error {
	var missing []string
	if c.TaskID == "" {
		missing = append(missing, "task_id")
	}
	if c.WorkerAddress == "" {
		missing = append(missing, "worker_address")
	}
	if c.ResultHash == "" {
		missing = append(missing, "result_hash")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %v", ErrInvalidResult, missing)
	}
	if c.Nonce != nil && (*c.Nonce > MaxSafeNonce || *c.Nonce < -MaxSafeNonce) {
		return fmt.Errorf("%w: nonce %d is outside ±(2^53−1), not exact in canonical JSON", ErrInvalidResult, *c.Nonce)
	}
	return nil
}

// Canonical returns the RFC 8785 (JCS) encoding of the result: the leaf data
// of compute_root. Absent optional fields are encoded as null.
func (c ComputeResult) Canonical() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("canonical compute result: %w", err)
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("canonical compute result %s: %w", c.TaskID, err)
	}
	out, err := jcs.Transform(raw)
	if err != nil {
		return nil, fmt.Errorf("canonical compute result %s: %w", c.TaskID, err)
	}
	return out, nil
}

// NewSubmitResult wraps a result in a SUBMIT_RESULT transaction sent by its worker.
func NewSubmitResult(c ComputeResult) SubmitResult {
	return SubmitResult{TxType: TxTypeSubmitResult, FromAddress: c.WorkerAddress, Payload: c}
}

// Validate applies seed 002's SUBMIT_RESULT rules: the type, a valid
// ComputeResult, and worker_address equal to the sender. (The proof itself is
// checked by VerifyComputeResult.)
func (s SubmitResult) Validate() error {
	if s.TxType != TxTypeSubmitResult {
		return fmt.Errorf("%w: tx_type %q (want %q)", ErrInvalidResult, s.TxType, TxTypeSubmitResult)
	}
	if err := s.Payload.Validate(); err != nil {
		return err
	}
	if s.Payload.WorkerAddress != s.FromAddress {
		return fmt.Errorf("%w: worker_address %q does not match from_address %q", ErrInvalidResult, s.Payload.WorkerAddress, s.FromAddress)
	}
	return nil
}

// Leaves returns the canonical encodings of results, the compute_root leaf data.
func Leaves(results []ComputeResult) ([][]byte, error) {
	out := make([][]byte, len(results))
	for i, c := range results {
		b, err := c.Canonical()
		if err != nil {
			return nil, fmt.Errorf("compute_root leaf %d: %w", i, err)
		}
		out[i] = b
	}
	return out, nil
}

// ComputeRoot returns compute_root over the block's results, in block order
// ("" when there are none).
func ComputeRoot(results []ComputeResult) (string, error) {
	leaves, err := Leaves(results)
	if err != nil {
		return "", err
	}
	return merkle.Root(leaves), nil
}

// NewBlockHeader fills the header excerpt for a block's results. zkCompute,
// when non-nil, is a zk_compute_proof encoding to carry (base64) in the header.
func NewBlockHeader(results []ComputeResult, zkCompute []byte) (BlockHeader, error) {
	root, err := ComputeRoot(results)
	if err != nil {
		return BlockHeader{}, fmt.Errorf("block header: %w", err)
	}
	h := BlockHeader{ComputeRoot: root}
	if zkCompute != nil {
		if _, err := DecodeComputeProof(zkCompute); err != nil {
			return BlockHeader{}, fmt.Errorf("block header: zk_compute_proof: %w", err)
		}
		s := base64.StdEncoding.EncodeToString(zkCompute)
		h.ZkComputeProof = &s
	}
	return h, nil
}
