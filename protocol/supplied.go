package protocol

import (
	"fmt"

	"github.com/zkpoc/zkpoc/workload"
)

// NewSuppliedTask builds a matrix_mul task over supplied matrices a and b
// (n×n, n read from them): its payload carries their input commitment
// (Poseidon2 over A then B on BN254, as the circuit proves it) instead of a
// seed, so request_id binds the matrices. The prover and verifier then need
// the same matrices (Options.A, Options.B).
func NewSuppliedTask(taskID string, a, b workload.Matrix, fracBits int, rewardWei string, deadline int64) (workload.ComputeTask, error) {
	if a.N != b.N {
		return workload.ComputeTask{}, fmt.Errorf("supplied task: A is %d×%d and B is %d×%d: zkpoc multiplies square matrices of one size", a.N, a.N, b.N, b.N)
	}
	ic, err := InputCommitment(a.Data, b.Data, a.N, fracBits)
	if err != nil {
		return workload.ComputeTask{}, fmt.Errorf("supplied task: %w", err)
	}
	return workload.NewSuppliedTask(taskID, ic, a.N, fracBits, rewardWei, deadline)
}
