package zkpoc

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

type (
	// Task is a compute task (seed 002's ComputeTask).
	Task = workload.ComputeTask
	// Matrix is an n×n int16 matrix, row-major.
	Matrix = workload.Matrix
	// Envelope is a signed receipt (a DSSE envelope around the receipt JSON).
	Envelope = receipt.Envelope
	// Result is what a proving run returns: the envelope, the receipt it
	// signs, the output C' and the phase timings.
	Result = prover.Result
	// Verdict is a verifier's decision on a receipt and the claim it allows.
	Verdict = verifier.Verdict
	// VerifyingKey is a Groth16 or PLONK verifying key.
	VerifyingKey = proofsystem.VerifyingKey
	// Mode is a receipt's proof mode.
	Mode = protocol.Mode
	// System is a SNARK proof system.
	System = protocol.System
	// Curve is the elliptic curve a SNARK is over.
	Curve = protocol.Curve
)

// The proof modes Prove may be asked for.
const (
	ModeAuto    = prover.ModeAuto      // prove when the cost estimate fits the budget, sample otherwise
	ModeSNARK   = protocol.ModeGroth16 // a zero-knowledge proof, with the system WithSystem names
	ModeSampled = protocol.ModeSampled // sampled re-execution: a Merkle root of the rows and opened rows
	ModeBinding = protocol.ModeBinding // the signed output digest only: no evidence of correctness
)

// The proof systems and curves.
const (
	Groth16  = protocol.Groth16
	PLONK    = protocol.Plonk
	BN254    = protocol.BN254
	BLS12381 = protocol.BLS12381
)

// The verdict statuses.
const (
	Pass   = verifier.Pass
	Reject = verifier.Reject
	Hold   = verifier.Hold
)

// DefaultKeyDir is the key cache the command-line tool also uses:
// $ZKPOC_HOME/keys, else zkpoc/keys in the user's cache directory.
func DefaultKeyDir() (string, error) {
	if h := os.Getenv("ZKPOC_HOME"); h != "" {
		return filepath.Join(h, "keys"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("zkpoc: no ZKPOC_HOME and no user cache directory: %w", err)
	}
	return filepath.Join(d, "zkpoc", "keys"), nil
}

// Prove runs task natively, then proves, samples or binds its output (as
// the options and the budget decide: see WithCircuit for the statement
// proved), and returns the receipt signed by nodeKey. ctx is checked between phases; a gnark setup or proof already
// running finishes first.
func Prove(ctx context.Context, task Task, nodeKey ed25519.PrivateKey, opts ...ProveOption) (*Result, error) {
	o := prover.Options{Task: task, NodeKey: nodeKey, AutoSynthetic: true} // WithCircuit turns it off
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("zkpoc: prove: %w", err)
		}
	}
	if o.Cache.Dir == "" {
		dir, err := DefaultKeyDir()
		if err != nil {
			return nil, err
		}
		o.Cache = keys.Cache{Dir: dir}
	}
	return prover.Run(ctx, o)
}

// ErrOption is wrapped by the errors of options that are not valid.
var ErrOption = errors.New("invalid option")

// Verify checks env offline and returns the verdict. The error is for
// options that are not valid (an unknown policy); a receipt that fails is
// a Reject verdict, not an error.
func Verify(env *Envelope, opts ...VerifyOption) (*Verdict, error) {
	var o verifier.Options
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("zkpoc: verify: %w", err)
		}
	}
	return verifier.Verify(env, o), nil
}

// DecodeEnvelope reads a signed receipt, refusing anything that is not
// exactly one canonical envelope (receipt.Decode).
func DecodeEnvelope(data []byte) (*Envelope, error) { return receipt.Decode(data) }

// ReadVerifyingKey reads a verifying key of system over curve, as gnark
// writes it (WriteTo), refusing a key larger than any zkpoc circuit's.
func ReadVerifyingKey(r io.Reader, system System, curve Curve) (VerifyingKey, error) {
	if _, err := protocol.ParseCurve(string(curve)); err != nil {
		return nil, fmt.Errorf("zkpoc: read verifying key: %w", err)
	}
	return proofsystem.ReadVerifyingKey(r, system, curve)
}

// NewSyntheticTask is a task whose matrices derive from blockHash and the
// worker's address (seed = SHA-256(block_hash ‖ worker_address)), carrying
// the input commitment on BN254 unless WithTaskCurve says otherwise.
func NewSyntheticTask(blockHash [32]byte, worker string, n int, opts ...TaskOption) (Task, error) {
	if err := workload.CheckWorkerAddress("worker", worker); err != nil {
		return Task{}, fmt.Errorf("zkpoc: new synthetic task: %w", err)
	}
	to, err := taskOptions(opts)
	if err != nil {
		return Task{}, fmt.Errorf("zkpoc: new synthetic task: %w", err)
	}
	seed := workload.DeriveSeed(blockHash, worker)
	return protocol.NewSyntheticTask(to.curve, to.id, seed, n, to.fracBits, to.rewardWei, to.deadline)
}

// NewSuppliedTask is a task over the caller's matrices a and b (n×n, the
// same n), identified by their input commitment. Prove and Verify then need
// the same matrices (WithMatrices, VerifyWithMatrices).
func NewSuppliedTask(a, b Matrix, opts ...TaskOption) (Task, error) {
	to, err := taskOptions(opts)
	if err != nil {
		return Task{}, fmt.Errorf("zkpoc: new supplied task: %w", err)
	}
	if to.curve != protocol.BN254 {
		return Task{}, fmt.Errorf("zkpoc: new supplied task: %w: a supplied task's commitment is on BN254", ErrOption)
	}
	return protocol.NewSuppliedTask(to.id, a, b, to.fracBits, to.rewardWei, to.deadline)
}
