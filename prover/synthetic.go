package prover

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/setup"
	"github.com/zkpoc/zkpoc/workload"
)

// SyntheticProof is a freivalds-s1 proof of a synthetic task and what a
// verifier needs besides the task and the verifying key
// (verifier.VerifySynthetic): the output digest and PoE it is bound to.
// S and PublicInputs are the prover's view, for logs and cross-checks; a
// verifier computes s itself and never reads them.
type SyntheticProof struct {
	Proof        proofsystem.Proof // BN254 Groth16, one BSB22 commitment
	Public       protocol.Public   // request_id, node_id, output digest, PoE (no input commitment)
	S            *big.Int
	PublicInputs []string // decimal, protocol.SyntheticPublicInputs order
	KeyID        keys.ID
	Key          keys.Meta // the key set's metadata (fingerprint, provenance)
	Cached       bool      // the keys came from the cache
}

// ErrNotSynthetic is returned (wrapped) for a task whose matrices are
// supplied: freivalds-s1 needs a verifier that regenerates A and B.
var ErrNotSynthetic = errors.New("freivalds-s1 proves synthetic tasks only")

// CompileSynthetic returns a function compiling the freivalds-s1 shape for
// (n, f) to a BN254 R1CS, for keys.Cache.LoadOrSetup.
func CompileSynthetic(n, fracBits int) func() (constraint.ConstraintSystem, error) {
	return func() (constraint.ConstraintSystem, error) {
		shape, err := circuits.NewSynthetic(n, fracBits)
		if err != nil {
			return nil, err
		}
		ccs, err := frontend.Compile(protocol.BN254.ScalarField(), r1cs.NewBuilder, shape)
		if err != nil {
			return nil, fmt.Errorf("compile %s n=%d f=%d on %s: %w", protocol.SyntheticCircuitID, n, fracBits, protocol.BN254, err)
		}
		return ccs, nil
	}
}

// ProveSynthetic proves the freivalds-s1 statement for the synthetic task t
// and its native product c (C' = floor(A·B/2^f), row-major, from any
// executor) by the node with key nodeKey: Groth16 on BN254 with the keys
// keys.SyntheticIDFor(n, f) from cache (a dev single-party setup the first
// time, as for freivalds-v5). It regenerates A and B from the task's seed,
// refuses a c that is not their product (circuits.AssignSynthetic), learns r
// by the pre-solve with a fixed commitment mask, sets s =
// protocol.SyntheticCheck(r, A, B) as the verifier will, proves with gnark's
// default BSB22 hash (protocol.SyntheticChallenge; not the EVM target:
// a chain verifier cannot regenerate A and B, so these proofs never go on
// chain) and checks that the proof carries the r it pre-computed.
func ProveSynthetic(t workload.ComputeTask, nodeKey ed25519.PrivateKey, cache keys.Cache, c []int64, progress io.Writer) (*SyntheticProof, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("prove %s: %w", protocol.SyntheticCircuitID, err)
	}
	if t.Supplied() {
		return nil, fmt.Errorf("prove %s: %w", protocol.SyntheticCircuitID, ErrNotSynthetic)
	}
	if len(nodeKey) != ed25519.PrivateKeySize { // before Public, which slices it
		return nil, fmt.Errorf("prove %s: a node key of %d bytes is not an Ed25519 private key", protocol.SyntheticCircuitID, len(nodeKey))
	}
	pubKey := nodeKey.Public().(ed25519.PublicKey)
	n, f := t.Payload.MatrixSize, t.Payload.FracBits
	a, b, err := protocol.Matrices(t, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("prove %s: %w", protocol.SyntheticCircuitID, err)
	}
	pub, err := SyntheticPublic(t, pubKey, c)
	if err != nil {
		return nil, fmt.Errorf("prove %s: %w", protocol.SyntheticCircuitID, err)
	}
	// The placeholder s of the pre-solve is s at r = 0: any value serves at
	// n ≥ 2 (the identity involves r, so the solve stops at the commitment
	// before checking it), but at n = 1 u = v = (1) and the identity
	// 2^f·C' + R = s is r-independent, so the solver may check it before the
	// commitment: s must already be right, and it is a·b, s at any r.
	s0, err := protocol.SyntheticCheck(protocol.BN254, big.NewInt(0), a, b, n)
	if err != nil {
		return nil, fmt.Errorf("prove %s: %w", protocol.SyntheticCircuitID, err)
	}
	assignment, err := circuits.AssignSynthetic(n, f, a, b, c, pub, s0)
	if err != nil {
		return nil, fmt.Errorf("prove %s: witness: %w", protocol.SyntheticCircuitID, err)
	}

	id := keys.SyntheticIDFor(n, f)
	set, cached, err := setup.LoadOrSetup(cache, id, CompileSynthetic(n, f), progress)
	if err != nil {
		return nil, fmt.Errorf("prove %s: keys %s: %w", protocol.SyntheticCircuitID, id, err)
	}
	pk, ok := set.PK.(groth16.ProvingKey)
	if !ok || set.CCS == nil {
		return nil, fmt.Errorf("prove %s: keys %s: not a Groth16 key set with its constraint system", protocol.SyntheticCircuitID, id)
	}

	mask, err := circuits.NewSyntheticMask()
	if err != nil {
		return nil, fmt.Errorf("prove %s: %w", protocol.SyntheticCircuitID, err)
	}
	r, err := circuits.SyntheticChallengeGroth16(set.CCS, pk, assignment, mask)
	if err != nil {
		return nil, fmt.Errorf("prove %s: %w", protocol.SyntheticCircuitID, err)
	}
	s, err := protocol.SyntheticCheck(protocol.BN254, r, a, b, n)
	if err != nil {
		return nil, fmt.Errorf("prove %s: %w", protocol.SyntheticCircuitID, err)
	}
	assignment.S = s
	w, err := frontend.NewWitness(assignment, protocol.BN254.ScalarField())
	if err != nil {
		return nil, fmt.Errorf("prove %s: witness: %w", protocol.SyntheticCircuitID, err)
	}
	p, err := groth16.Prove(set.CCS, pk, w, mask.ProverOptions()...)
	if err != nil {
		return nil, fmt.Errorf("prove %s: groth16: %w", protocol.SyntheticCircuitID, err)
	}
	bp, ok := p.(*groth16bn254.Proof)
	if !ok || len(bp.Commitments) != 1 {
		return nil, fmt.Errorf("prove %s: gnark returned a %T, not a BN254 proof with one commitment", protocol.SyntheticCircuitID, p)
	}
	if got, err := protocol.SyntheticChallenge(protocol.BN254, bp.Commitments[0].Marshal()); err != nil || got.Cmp(r) != 0 {
		return nil, fmt.Errorf("prove %s: the proof's commitment does not yield the pre-computed challenge (gnark's commitment or mask handling changed?)", protocol.SyntheticCircuitID)
	}
	proof, err := proofsystem.NewProof(p)
	if err != nil {
		return nil, fmt.Errorf("prove %s: %w", protocol.SyntheticCircuitID, err)
	}
	in := protocol.SyntheticPublicInputs(pub, s)
	strs := make([]string, len(in))
	for i, x := range in {
		strs[i] = x.String()
	}
	return &SyntheticProof{Proof: proof, Public: pub, S: s, PublicInputs: strs, KeyID: id, Key: set.Meta, Cached: cached}, nil
}

// SyntheticPublic is the public part of a freivalds-s1 statement: request_id
// of t, node_id of nodePub, the BN254 output digest of c and the PoE over
// them. It has no input commitment (the statement has none).
func SyntheticPublic(t workload.ComputeTask, nodePub ed25519.PublicKey, c []int64) (protocol.Public, error) {
	var p protocol.Public
	var err error
	if p.RequestID, err = t.RequestID(); err != nil {
		return p, err
	}
	p.NodeID = protocol.NodeID(nodePub)
	if p.OutputDigest, err = protocol.OutputDigestOn(protocol.BN254, c, t.Payload.MatrixSize, t.Payload.FracBits); err != nil {
		return p, err
	}
	p.PoE = protocol.PoE(p.RequestID, p.OutputDigest, p.NodeID)
	return p, nil
}
