package circuits

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	fcs "github.com/consensys/gnark/frontend/cs"

	"github.com/zkpoc/zkpoc/protocol"
)

// errChallengeSeen stops the pre-solve once the commitment is known.
var errChallengeSeen = errors.New("challenge seen")

// randomizeHint is the name of the hint with which gnark's R1CS builder
// adds a random mask wire to every BSB22 commitment (hiding).
const randomizeHint = "github.com/consensys/gnark/internal/hints.Randomize"

// SyntheticMask is the commitment mask of one freivalds-s2 Groth16 proof:
// gnark draws the mask of a BSB22 commitment afresh in every solve, so the
// prover draws it once and fixes it in both the pre-solve that yields r
// (SyntheticChallengeGroth16) and the proof (ProverOptions). The mask only
// hides the committed wires; soundness does not depend on it.
type SyntheticMask struct {
	value *big.Int
	id    solver.HintID
}

// NewSyntheticMask draws a mask uniformly in the BN254 scalar field.
func NewSyntheticMask() (*SyntheticMask, error) {
	var id solver.HintID
	found := false
	for _, h := range solver.GetRegisteredHints() {
		if solver.GetHintName(h) == randomizeHint {
			id, found = solver.GetHintID(h), true
		}
	}
	if !found {
		return nil, fmt.Errorf("synthetic mask: gnark's commitment mask hint %s is not registered (gnark changed?)", randomizeHint)
	}
	v, err := rand.Int(rand.Reader, protocol.BN254.ScalarField())
	if err != nil {
		return nil, fmt.Errorf("synthetic mask: %w", err)
	}
	return &SyntheticMask{value: v, id: id}, nil
}

func (m *SyntheticMask) solverOption() solver.Option {
	return solver.OverrideHint(m.id, func(_ *big.Int, in, out []*big.Int) error {
		if len(in) != 0 || len(out) != 1 {
			return fmt.Errorf("commitment mask: %d inputs, %d outputs (want 0, 1)", len(in), len(out))
		}
		out[0].Set(m.value)
		return nil
	})
}

// ProverOptions fixes the mask in groth16.Prove.
func (m *SyntheticMask) ProverOptions() []backend.ProverOption {
	return []backend.ProverOption{backend.WithSolverOptions(m.solverOption(), solver.WithHints(GetHints()...))}
}

// SyntheticChallengeGroth16 returns the challenge r a BN254 Groth16 proof of
// the freivalds-s2 assignment will carry when proved with mask's
// ProverOptions, before proving: s is a public input and depends on r, so
// the prover solves the system up to the BSB22 commitment (which does not
// depend on s: s is not committed), computes the commitment with pk's
// Pedersen key exactly as gnark's prover does, and stops. The caller then
// sets S = protocol.SyntheticCheck(r, A, B) and proves. The verifier
// derives the same r from the proof (protocol.SyntheticChallenge).
// TestSyntheticGroth16 pins this against gnark.
func SyntheticChallengeGroth16(ccs constraint.ConstraintSystem, pk groth16.ProvingKey, assignment *SyntheticMatMul, mask *SyntheticMask) (*big.Int, error) {
	bpk, ok := pk.(*groth16bn254.ProvingKey)
	if !ok {
		return nil, fmt.Errorf("synthetic challenge: want a BN254 Groth16 proving key, have %T", pk)
	}
	info, ok := ccs.GetCommitments().(constraint.Groth16Commitments)
	if !ok || len(info) != 1 || len(bpk.CommitmentKeys) != 1 {
		return nil, fmt.Errorf("synthetic challenge: the statement must have exactly one commitment")
	}
	if len(info[0].PublicAndCommitmentCommitted) != 0 {
		return nil, errors.New("synthetic challenge: the commitment hashes public wires; s would depend on itself")
	}
	if assignment.S == nil {
		// any value at n ≥ 2: s is not committed, and the identity involves
		// r, so the solve stops before checking it. At n = 1 the identity is
		// r-independent and may be checked before the commitment: the caller
		// must pass the true s (s at any r; ProveSynthetic does).
		assignment.S = 0
	}
	w, err := frontend.NewWitness(assignment, protocol.BN254.ScalarField())
	if err != nil {
		return nil, fmt.Errorf("synthetic challenge: witness: %w", err)
	}
	var r *big.Int
	hook := solver.OverrideHint(solver.GetHintID(fcs.Bsb22CommitmentComputePlaceholder), func(_ *big.Int, in, _ []*big.Int) error {
		in = in[1:] // the commitment index, then the (no) hashed public wires, then the committed ones
		vals := make([]fr.Element, len(in))
		for i, x := range in {
			vals[i].SetBigInt(x)
		}
		cmt, err := bpk.CommitmentKeys[0].Commit(vals)
		if err != nil {
			return err
		}
		b := cmt.Marshal()
		if r, err = protocol.SyntheticChallenge(protocol.BN254, b); err != nil {
			return err
		}
		return errChallengeSeen
	})
	if _, err := ccs.Solve(w, hook, mask.solverOption(), solver.WithHints(GetHints()...)); r == nil {
		return nil, fmt.Errorf("synthetic challenge: solve stopped before the commitment: %w", err)
	}
	return r, nil
}
