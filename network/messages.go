package network

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gowebpki/jcs"

	"github.com/zkpoc/zkpoc/hardware"
	"github.com/zkpoc/zkpoc/workload"
)

// Size limits. The embedded server's max_payload is MaxMessageBytes; a
// peer's message is refused before it is parsed when it is larger.
const (
	MaxMessageBytes = 8 << 20 // a Result with its receipt, the largest message
	// MaxNetworkN bounds matrix_size on the network: the coordinator
	// recomputes a product natively to settle a disagreement (n³).
	MaxNetworkN = 1024
)

// ErrTooLarge is wrapped by Decode's error for a message over its limit.
var ErrTooLarge = errors.New("message too large")

// Decode unmarshals a message of at most limit bytes into v, refusing
// unknown fields and trailing data.
func Decode(data []byte, limit int, v any) error {
	if len(data) > limit {
		return fmt.Errorf("%w: %d bytes, over %d", ErrTooLarge, len(data), limit)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode %T: %w", v, err)
	}
	if dec.More() {
		return fmt.Errorf("decode %T: trailing data after the JSON value", v)
	}
	return nil
}

// Roles of a job.
const (
	RolePrimary  = "primary"  // the request's first execution, by any worker
	RoleCheck    = "check"    // sampled re-dispatch to a second worker the coordinator picked
	RoleEscalate = "escalate" // a third worker, after a disagreement the coordinator could not settle itself
	// RoleSubmit asks the worker of an accepted result to submit it to the
	// ComputeRegistry the coordinator posted its task on (Job.Receipt is
	// the worker's own accepted receipt): the registry pays only the
	// worker_address the receipt signs, as the transaction's sender.
	RoleSubmit = "submit"
)

// SuppliedInputs names a supplied task's matrices in the InputsObjects
// object store (.npy or CSV, as zkpoc reads them).
type SuppliedInputs struct {
	A string `json:"a"`
	B string `json:"b"`
}

// IntakeRequest asks the coordinator to accept a task (the market sends it
// for POST /v1/tasks).
type IntakeRequest struct {
	MatrixSize int    `json:"matrix_size"`
	FracBits   int    `json:"frac_bits"`
	RewardWei  string `json:"reward_wei"` // integer wei, decimal
	Deadline   int64  `json:"deadline"`   // unix seconds
	// Poster is the account a refund goes to (any worker-address-shaped
	// string); empty: the refund is recorded against "market".
	Poster string          `json:"poster,omitempty"`
	Inputs *SuppliedInputs `json:"inputs,omitempty"`
}

// IntakeReply is the coordinator's answer: the task record, or an error
// naming the field at fault.
type IntakeReply struct {
	Task  *TaskRecord `json:"task,omitempty"`
	Field string      `json:"field,omitempty"`
	Error string      `json:"error,omitempty"`
}

// Job is one execution of a request by one worker.
type Job struct {
	TaskID    string               `json:"task_id"`
	RequestID string               `json:"request_id"` // hex SHA-256 of the task's canonical JSON
	Task      workload.ComputeTask `json:"task"`
	Role      string               `json:"role"`
	Attempt   int                  `json:"attempt"` // 1, 2, …: a re-dispatch after a timeout or a rejected result is a new attempt
	Inputs    *SuppliedInputs      `json:"inputs,omitempty"`
	// Node, for a job addressed to one worker, is its node id.
	Node string `json:"node,omitempty"`
	// Receipt, for a RoleSubmit job, is the accepted receipt envelope.
	Receipt json.RawMessage `json:"receipt,omitempty"`
	// Chain, for a RoleSubmit job, names the registry: chain id and address.
	Chain *ChainRef `json:"chain,omitempty"`
}

// ChainRef names a ComputeRegistry: its chain's id and its address (EIP-55).
type ChainRef struct {
	ChainID  uint64 `json:"chain_id"`
	Registry string `json:"registry"`
}

// Budget is what a worker will spend on one proof.
type Budget struct {
	Seconds     float64 `json:"seconds"`
	MemoryBytes int64   `json:"memory_bytes"`
}

// Registration is a worker's signed announcement of itself.
type Registration struct {
	NodeID        string            `json:"node_id"`    // hex SHA-256 of PublicKey
	PublicKey     string            `json:"public_key"` // hex Ed25519, 32 bytes
	WorkerAddress string            `json:"worker_address"`
	Hardware      hardware.Hardware `json:"hardware"`
	Budget        Budget            `json:"budget"`
	Time          int64             `json:"time"`      // unix seconds
	Signature     string            `json:"signature"` // hex Ed25519 over RegistrationSigningBytes
}

const registrationDomain = "zkpoc/network/registration/v1\n"

// SigningBytes is what the node signs: a domain string, then the canonical
// JSON (RFC 8785) of the registration without its signature.
func (r Registration) SigningBytes() ([]byte, error) {
	r.Signature = ""
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	c, err := jcs.Transform(raw)
	if err != nil {
		return nil, err
	}
	return append([]byte(registrationDomain), c...), nil
}

// Sign fills NodeID, PublicKey and Signature from key.
func (r *Registration) Sign(key ed25519.PrivateKey) error {
	pub := key.Public().(ed25519.PublicKey)
	id := sha256.Sum256(pub)
	r.NodeID, r.PublicKey = hex.EncodeToString(id[:]), hex.EncodeToString(pub)
	msg, err := r.SigningBytes()
	if err != nil {
		return fmt.Errorf("sign registration: %w", err)
	}
	r.Signature = hex.EncodeToString(ed25519.Sign(key, msg))
	return nil
}

// Verify checks the registration's node id, worker address and signature,
// and returns the public key.
func (r Registration) Verify() (ed25519.PublicKey, error) {
	if err := CheckID("node_id", r.NodeID); err != nil {
		return nil, err
	}
	pub, err := hex.DecodeString(r.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public_key: not 32 bytes of hex")
	}
	if id := sha256.Sum256(pub); hex.EncodeToString(id[:]) != r.NodeID {
		return nil, fmt.Errorf("node_id: not SHA-256 of public_key")
	}
	if err := workload.CheckWorkerAddress("worker_address", r.WorkerAddress); err != nil {
		return nil, err
	}
	sig, err := hex.DecodeString(r.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("signature: not 64 bytes of hex")
	}
	msg, err := r.SigningBytes()
	if err != nil {
		return nil, err
	}
	if !ed25519.Verify(pub, msg, sig) {
		return nil, fmt.Errorf("signature: does not verify under public_key")
	}
	return pub, nil
}

// Ack is a reply that carries only success or an error.
type Ack struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// CommitRequest is a worker's row commitment for a sampled run: the
// Merkle root of its output rows (the future receipt's output_digest),
// sent before it has any challenge.
type CommitRequest struct {
	RequestID string `json:"request_id"`
	NodeID    string `json:"node_id"`
	Attempt   int    `json:"attempt"`
	Root      string `json:"root"` // hex, 32 bytes
}

// CommitReply carries the coordinator's challenge (hex, 32 bytes), drawn
// after the commitment was recorded, or an error.
type CommitReply struct {
	Challenge string `json:"challenge,omitempty"`
	Error     string `json:"error,omitempty"`
}

// Result is a worker's answer to a job: its signed receipt envelope.
type Result struct {
	RequestID string          `json:"request_id"`
	NodeID    string          `json:"node_id"`
	Role      string          `json:"role"`
	Attempt   int             `json:"attempt"`
	Receipt   json.RawMessage `json:"receipt"`
	// ProveSeconds is the worker's own measurement, reported for the load
	// figures only; nothing is decided by it.
	ProveSeconds float64 `json:"prove_seconds,omitempty"`
}

// Heartbeat is a worker's liveness signal (core NATS, every few seconds):
// the coordinator picks re-dispatch targets among live workers.
type Heartbeat struct {
	NodeID string `json:"node_id"`
	Busy   bool   `json:"busy"`
}
