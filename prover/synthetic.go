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

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/setup"
	"github.com/zkpoc/zkpoc/workload"
)

// SyntheticProof is a freivalds-s2 proof of a synthetic task and what a
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
// supplied: freivalds-s2 needs a verifier that regenerates A and B.
var ErrNotSynthetic = errors.New("freivalds-s2 proves synthetic tasks only")

// CompileSynthetic returns a function compiling the freivalds-s2 shape for
// (n, f) to a BN254 R1CS, for keys.Cache.LoadOrSetup: Compile(protocol.Synthetic, n, f).
func CompileSynthetic(n, fracBits int) func() (constraint.ConstraintSystem, error) {
	return Compile(protocol.Synthetic, n, fracBits)
}

// ProveSynthetic proves the freivalds-s2 statement for the synthetic task t
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
	assignment, err := syntheticAssignment(n, f, a, b, c, pub) // a wrong c is refused before any key setup
	if err != nil {
		return nil, err
	}
	id := keys.SyntheticIDFor(n, f)
	set, cached, err := setup.LoadOrSetup(cache, id, CompileSynthetic(n, f), progress)
	if err != nil {
		return nil, fmt.Errorf("prove %s: keys %s: %w", protocol.SyntheticCircuitID, id, err)
	}
	proof, s, err := proveSyntheticAssigned(set, assignment, a, b)
	if err != nil {
		return nil, err
	}
	return &SyntheticProof{Proof: proof, Public: pub, S: s, PublicInputs: protocol.SyntheticPublicInputStrings(pub, s), KeyID: id, Key: set.Meta, Cached: cached}, nil
}

// SyntheticPublic is the public part of a freivalds-s2 statement: request_id
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

// ProveSyntheticWith proves the freivalds-s2 statement of the public part
// pub (SyntheticPublic) for the matrices a, b and their product c with the
// key set (keys.SyntheticIDFor(n, f), its constraint system loaded) and
// returns the proof and s. It refuses a c that is not floor(a·b/2^f)
// (circuits.AssignSynthetic), learns r by the pre-solve with a fixed
// commitment mask, sets s = protocol.SyntheticCheck(r, a, b) as the verifier
// will, proves with gnark's default BSB22 hash (protocol.SyntheticChallenge;
// not the EVM target: a chain verifier cannot regenerate A and B, so these
// proofs never go on chain) and checks that the proof carries the r it
// pre-computed.
func ProveSyntheticWith(set *keys.Set, n, f int, a, b []int16, c []int64, pub protocol.Public) (proofsystem.Proof, *big.Int, error) {
	assignment, err := syntheticAssignment(n, f, a, b, c, pub)
	if err != nil {
		return nil, nil, err
	}
	return proveSyntheticAssigned(set, assignment, a, b)
}

// syntheticAssignment is the assignment of the pre-solve: everything but s,
// which depends on r.
func syntheticAssignment(n, f int, a, b []int16, c []int64, pub protocol.Public) (*circuits.SyntheticMatMul, error) {
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
	return assignment, nil
}

// proveSyntheticAssigned learns r, sets s and proves (ProveSyntheticWith).
func proveSyntheticAssigned(set *keys.Set, assignment *circuits.SyntheticMatMul, a, b []int16) (proofsystem.Proof, *big.Int, error) {
	n, f := assignment.N, assignment.FracBits
	fail := func(format string, args ...any) (proofsystem.Proof, *big.Int, error) {
		return nil, nil, fmt.Errorf("prove %s: "+format, append([]any{protocol.SyntheticCircuitID}, args...)...)
	}
	if set == nil || set.CCS == nil || set.Meta.ID != keys.SyntheticIDFor(n, f) {
		return fail("want the key set %s with its constraint system", keys.SyntheticIDFor(n, f))
	}
	pk, ok := set.PK.(groth16.ProvingKey)
	if !ok {
		return fail("keys %s: a %T is not a Groth16 proving key", set.Meta.ID, set.PK)
	}
	mask, err := circuits.NewSyntheticMask()
	if err != nil {
		return fail("%w", err)
	}
	r, err := circuits.SyntheticChallengeGroth16(set.CCS, pk, assignment, mask)
	if err != nil {
		return fail("%w", err)
	}
	s, err := protocol.SyntheticCheck(protocol.BN254, r, a, b, n)
	if err != nil {
		return fail("%w", err)
	}
	assignment.S = s
	w, err := frontend.NewWitness(assignment, protocol.BN254.ScalarField())
	if err != nil {
		return fail("witness: %w", err)
	}
	p, err := groth16.Prove(set.CCS, pk, w, mask.ProverOptions()...)
	if err != nil {
		return fail("groth16: %w", err)
	}
	bp, ok := p.(*groth16bn254.Proof)
	if !ok || len(bp.Commitments) != 1 {
		return fail("gnark returned a %T, not a BN254 proof with one commitment", p)
	}
	if got, err := protocol.SyntheticChallenge(protocol.BN254, bp.Commitments[0].Marshal()); err != nil || got.Cmp(r) != 0 {
		return fail("the proof's commitment does not yield the pre-computed challenge (gnark's commitment or mask handling changed?)")
	}
	proof, err := proofsystem.NewProof(p)
	if err != nil {
		return fail("%w", err)
	}
	return proof, s, nil
}
