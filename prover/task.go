package prover

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/workload"
)

// ErrTaskCurve is returned by Run for a curve other than the one of the
// input commitment the task carries.
var ErrTaskCurve = errors.New("wrong curve for the task")

// CommitmentAlgorithm names the input commitment over curve, as a task's
// payload.input_commitment_algorithm carries it.
func CommitmentAlgorithm(curve circuits.Curve) string {
	if curve == circuits.BLS12381 {
		return workload.CommitPoseidon2BLS12381
	}
	return workload.CommitPoseidon2BN254
}

// TaskCurve is the curve of the input commitment a task carries; bound is
// false for a task that carries none (a v1 synthetic task, which binds its
// inputs through its seed alone).
func TaskCurve(t workload.ComputeTask) (curve circuits.Curve, bound bool, err error) {
	if !t.BindsInputs() {
		return "", false, nil
	}
	alg := t.CommitmentAlgorithm()
	name, ok := workload.CommitmentAlgorithmCurve(alg)
	if !ok {
		return "", true, &workload.FieldError{Field: "payload.input_commitment_algorithm", Msg: fmt.Sprintf("%q is unknown", alg)}
	}
	if curve, err = circuits.ParseCurve(name); err != nil {
		return "", true, fmt.Errorf("payload.input_commitment_algorithm: %w", err)
	}
	return curve, true, nil
}

// NewSyntheticTask builds a synthetic matrix_mul task that binds its input
// matrices: workload.NewSyntheticTask, then BindInputs on curve. This is the
// form chain export requires.
func NewSyntheticTask(curve circuits.Curve, taskID string, seed [32]byte, n, fracBits int, rewardWei string, deadline int64) (workload.ComputeTask, error) {
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
func BindInputs(t workload.ComputeTask, curve circuits.Curve) (workload.ComputeTask, error) {
	if _, err := circuits.ParseCurve(string(curve)); err != nil {
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
	ic, err := circuits.InputCommitmentOn(curve, a, b, n, f)
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
// commitment curve, with the one its payload carries.
func checkCommitment(t workload.ComputeTask, a, b []int16) error {
	curve, _, err := TaskCurve(t)
	if err != nil {
		return err
	}
	ic, err := circuits.InputCommitmentOn(curve, a, b, t.Payload.MatrixSize, t.Payload.FracBits)
	if err != nil {
		return err
	}
	switch {
	case hex.EncodeToString(ic[:]) == t.Payload.InputCommitment:
		return nil
	case t.Supplied():
		return fmt.Errorf("%w: A and B commit to %x, the task names %s", ErrInputsMismatch, ic, t.Payload.InputCommitment)
	}
	return &workload.FieldError{Field: "payload.input_commitment", Msg: fmt.Sprintf(
		"%s is not the %s commitment %x of the matrices the seed derives", t.Payload.InputCommitment, t.CommitmentAlgorithm(), ic)}
}
