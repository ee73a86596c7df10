package protocol

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/zkpoc/zkpoc/workload"
)

// ErrTaskCurve is returned for a proof on a curve other than the one of the
// input commitment the task carries.
var ErrTaskCurve = errors.New("wrong curve for the task")

// CommitmentAlgorithm names the input commitment over curve, as a task's
// payload.input_commitment_algorithm carries it.
func CommitmentAlgorithm(curve Curve) string {
	if curve == BLS12381 {
		return workload.CommitPoseidon2BLS12381
	}
	return workload.CommitPoseidon2BN254
}

// OutputDigestAlgorithm names the output digest of a SNARK receipt on
// curve: the Poseidon2 sponge of the curve's statement, the same one as the
// input commitment's (sampled and binding receipts use the receipt
// package's Merkle-rows digest instead).
func OutputDigestAlgorithm(curve Curve) string { return CommitmentAlgorithm(curve) }

// TaskCurve is the curve of the input commitment a task carries; bound is
// false for a task that carries none (a v1 synthetic task, which binds its
// inputs through its seed alone).
func TaskCurve(t workload.ComputeTask) (curve Curve, bound bool, err error) {
	if !t.BindsInputs() {
		return "", false, nil
	}
	alg := t.CommitmentAlgorithm()
	name, ok := workload.CommitmentAlgorithmCurve(alg)
	if !ok {
		return "", true, &workload.FieldError{Field: "payload.input_commitment_algorithm", Msg: fmt.Sprintf("%q is unknown", alg)}
	}
	if curve, err = ParseCurve(name); err != nil {
		return "", true, fmt.Errorf("payload.input_commitment_algorithm: %w", err)
	}
	return curve, true, nil
}

// NewSyntheticTask builds a synthetic matrix_mul task that binds its input
// matrices: workload.NewSyntheticTask, then BindInputs on curve. This is the
// form chain export requires.
func NewSyntheticTask(curve Curve, taskID string, seed [32]byte, n, fracBits int, rewardWei string, deadline int64) (workload.ComputeTask, error) {
	t, err := workload.NewSyntheticTask(taskID, seed, n, fracBits, rewardWei, deadline)
	if err != nil {
		return t, err
	}
	return BindInputs(t, curve)
}

// BindInputs returns the synthetic task t carrying the input commitment of
// the matrices its seed derives, over curve (payload.input_commitment and
// payload.input_commitment_algorithm), so that request_id covers it and a
// chain-side check can compare a proof's input_commitment with the task's.
// Anyone can recompute it from the seed; the task must then be proved on curve.
func BindInputs(t workload.ComputeTask, curve Curve) (workload.ComputeTask, error) {
	if _, err := ParseCurve(string(curve)); err != nil {
		return t, fmt.Errorf("bind task inputs: %w", err)
	}
	if t.BindsInputs() {
		return t, errors.New("bind task inputs: the payload already carries input_commitment")
	}
	a, b, err := Inputs(t, nil, nil)
	if err != nil {
		return t, fmt.Errorf("bind task inputs: %w", err)
	}
	n, f := t.Payload.MatrixSize, t.Payload.FracBits
	ic, err := InputCommitmentOn(curve, a, b, n, f)
	if err != nil {
		return t, fmt.Errorf("bind task inputs: %w", err)
	}
	t.Payload.InputCommitment, t.Payload.InputCommitmentAlg = hex.EncodeToString(ic[:]), CommitmentAlgorithm(curve)
	if err := t.Validate(); err != nil {
		return t, fmt.Errorf("bind task inputs: %w", err)
	}
	return t, nil
}

// checkCommitment compares the input commitment of a and b, over the task's
// commitment curve, with the one its payload carries, and returns it with
// that curve.
func checkCommitment(t workload.ComputeTask, a, b []int16) (Commitment, error) {
	curve, _, err := TaskCurve(t)
	if err != nil {
		return Commitment{}, err
	}
	ic, err := InputCommitmentOn(curve, a, b, t.Payload.MatrixSize, t.Payload.FracBits)
	if err != nil {
		return Commitment{}, err
	}
	switch {
	case hex.EncodeToString(ic[:]) == t.Payload.InputCommitment:
		return Commitment{Curve: curve, Digest: ic}, nil
	case t.Supplied():
		return Commitment{}, fmt.Errorf("%w: A and B commit to %x, the task names %s", ErrInputsMismatch, ic, t.Payload.InputCommitment)
	}
	return Commitment{}, &workload.FieldError{Field: "payload.input_commitment", Msg: fmt.Sprintf(
		"%s is not the %s commitment %x of the matrices the seed derives", t.Payload.InputCommitment, t.CommitmentAlgorithm(), ic)}
}

// Commitment is an input commitment InputsCommitted computed and checked
// against the task: Digest = InputCommitmentOn(Curve, A, B, n, f). Its zero
// value (no Curve) means the task carries none (a v1 synthetic task).
type Commitment struct {
	Curve  Curve
	Digest [32]byte
}

// On returns the input commitment of a and b over curve: c's digest when c
// was computed over that curve (the work InputsCommitted already did, about
// 3 s at n = 4096), else InputCommitmentOn. a and b must be the matrices
// InputsCommitted returned with c.
func (c Commitment) On(curve Curve, a, b []int16, n, fracBits int) ([32]byte, error) {
	if c.Curve != "" && c.Curve == curve {
		return c.Digest, nil
	}
	return InputCommitmentOn(curve, a, b, n, fracBits)
}

// ErrInputsMismatch is returned when supplied matrices do not have the
// input commitment their task names.
var ErrInputsMismatch = errors.New("supplied matrices do not match the task's input_commitment")

// Inputs returns the task's matrices A and B: derived from the seed for a
// synthetic task (a and b must be nil), or a and b themselves for a supplied
// task, after checking their size; when the task carries an input commitment
// (every supplied task, a bound synthetic one), after checking that theirs is
// payload.input_commitment (over its payload.input_commitment_algorithm).
func Inputs(t workload.ComputeTask, a, b []int16) ([]int16, []int16, error) {
	a, b, _, err := InputsCommitted(t, a, b)
	return a, b, err
}

// InputsCommitted is Inputs, and also returns the input commitment it
// checked (zero when the task carries none), so that a caller needing the
// commitment over the same curve does not hash A and B a second time. It is
// Matrices, then CheckInputs.
func InputsCommitted(t workload.ComputeTask, a, b []int16) ([]int16, []int16, Commitment, error) {
	a, b, err := Matrices(t, a, b)
	if err != nil {
		return nil, nil, Commitment{}, err
	}
	c, err := CheckInputs(t, a, b)
	if err != nil {
		return nil, nil, Commitment{}, err
	}
	return a, b, c, nil
}

// Matrices is the first half of Inputs: the matrices derived from the seed,
// or a and b after checking their size, not yet checked against the task's
// input commitment (CheckInputs does that). A caller may start work on them
// that the check does not depend on (the verifier re-executes sampled rows
// while the commitment is hashed) but must not use them, nor anything
// computed from them, unless CheckInputs passes.
func Matrices(t workload.ComputeTask, a, b []int16) ([]int16, []int16, error) {
	n := t.Payload.MatrixSize
	if !t.Supplied() {
		if a != nil || b != nil {
			return nil, nil, errors.New("the task is synthetic (payload.seed): its matrices come from the seed, not from files")
		}
		seed, err := t.SeedBytes()
		if err != nil {
			return nil, nil, err
		}
		if a, b, err = workload.Generate(seed, n); err != nil {
			return nil, nil, fmt.Errorf("generate matrices: %w", err)
		}
		return a, b, nil
	}
	if a == nil || b == nil {
		return nil, nil, fmt.Errorf("the task's matrices are supplied (input_commitment %s): give the A and B files", t.Payload.InputCommitment)
	}
	if len(a) != n*n || len(b) != n*n {
		return nil, nil, fmt.Errorf("the task is for %d×%d matrices; A has %d entries and B %d (want %d each)", n, n, len(a), len(b), n*n)
	}
	return a, b, nil
}

// CheckInputs is the second half of Inputs: when the task carries an input
// commitment (every supplied task, a bound synthetic one), it checks that a
// and b (from Matrices) have it, and returns it; a v1 synthetic task carries
// none (zero Commitment, nil error).
func CheckInputs(t workload.ComputeTask, a, b []int16) (Commitment, error) {
	if !t.Supplied() && !t.BindsInputs() {
		return Commitment{}, nil
	}
	return checkCommitment(t, a, b)
}
