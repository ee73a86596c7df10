package verifier

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/big"

	h2f "github.com/consensys/gnark-crypto/ecc/bn254/fr/hash_to_field"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/witness"

	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/workload"
)

// The errors of VerifySynthetic, one per thing that can fail; each is
// returned wrapped with the detail.
var (
	// ErrSyntheticTask: the task is invalid, supplies its matrices (the
	// statement needs a verifier that regenerates them) or is too large.
	ErrSyntheticTask = errors.New("freivalds-s2: task")
	// ErrSyntheticKey: the verifying key is not of freivalds-s2's shape
	// (BN254 Groth16, 4 public inputs, one BSB22 commitment over no public
	// wire).
	ErrSyntheticKey = errors.New("freivalds-s2: verifying key")
	// ErrSyntheticProof: the bytes are not a BN254 Groth16 proof with one
	// commitment.
	ErrSyntheticProof = errors.New("freivalds-s2: proof bytes")
	// ErrSyntheticClaim: the claimed output digest is not a canonical
	// BN254 scalar, the node key is not an Ed25519 key, or the claimed PoE
	// is not SHA-256(request_id ‖ output_digest ‖ node_id) of this task and
	// node.
	ErrSyntheticClaim = errors.New("freivalds-s2: claim")
	// ErrSyntheticRejected: the proof does not verify for the public
	// inputs the verifier computed.
	ErrSyntheticRejected = errors.New("freivalds-s2: proof rejected")
)

// SyntheticClaim is what a freivalds-s2 proof is claimed to bind: the
// output digest of C' (protocol.OutputDigestOn, BN254), the PoE and the key
// of the node that made it.
type SyntheticClaim struct {
	OutputDigest [32]byte
	PoE          [32]byte
	NodeKey      ed25519.PublicKey
}

// syntheticPublicInputs is the number of public inputs of freivalds-s2
// (protocol.SyntheticPublicInputs: output digest, s, PoE hi, lo).
const syntheticPublicInputs = 4

// VerifySynthetic verifies a freivalds-s2 proof (proofBytes, gnark's
// encoding, untrusted) of the synthetic task t under vk for claim. It
// returns nil or an error wrapping one of ErrSyntheticTask, ErrSyntheticKey,
// ErrSyntheticProof, ErrSyntheticClaim and ErrSyntheticRejected; it never
// takes s, r or the matrices from the prover.
//
// What it does: it checks t is a synthetic task (payload.seed) with
// n ≤ protocol.MaxN and vk has freivalds-s2's shape; decodes the proof
// (bounded, subgroup-checked, exactly one BSB22 commitment point π.D);
// recomputes request_id from t and node_id from claim.NodeKey and requires
// claim.PoE = SHA-256(request_id ‖ output_digest ‖ node_id); regenerates A
// and B from t's seed (workload.Generate); derives
// r = hash_to_field("bsb22-commitment", Marshal(π.D))
// (protocol.SyntheticChallenge, the derivation gnark's Groth16 verifier
// applies to the commitment wire, pinned by circuits' TestSyntheticGroth16);
// computes s = uᵀ·A·B·v natively (protocol.SyntheticCheck); and verifies the
// proof against the public witness (output_digest, s, PoE hi, lo)
// (protocol.SyntheticPublicInputs), with gnark's default BSB22 hash named
// explicitly so that the verifier's r is the circuit's.
//
// What it establishes, if vk is trusted (below): the node with claim.NodeKey
// knows C' = floor(A·B/2^f) for the A, B of this task's seed, and
// claim.OutputDigest is the digest of that C'. The argument is the one of
// circuits/doc.go, "Statement freivalds-s2": the proof shows
// s ≡ Σ_ij r^(n·i+j)·(2^f·C'_ij + R_ij) with C' and R range-checked, the
// digest over C' and the PoE over (request_id, digest, node_id) for the
// committed request_id; the PoE check here makes that request_id this
// task's, so A and B were fixed (by the seed) before r; r is the hash of the
// commitment to C' and R, so C' and R were fixed before r; s is the
// verifier's own uᵀ·A·B·v at that r, so P(r) = 0 for
// P(X) = Σ_ij E_ij·X^(n·i+j), E = 2^f·C' + R − A·B, and with |E_ij| < 2^63 ≪ p
// a non-zero P vanishes at a random-oracle r with probability
// ≤ (n² − 1)/p per commitment (2^(t−229) for 2^t tries at n = 1024). A
// prover that chooses s (or r, or the matrices) could prove any C' — which is
// why each is recomputed here and never read from the prover.
//
// What it trusts: that vk is the freivalds-s2 verifying key for this task's
// (n, f) (keys.SyntheticIDFor) from a setup whose toxic waste nobody knows —
// today a dev single-party setup (keys.ProvenanceDevSingleParty), so the
// party that ran it, usually the prover, could forge proofs; the shape
// checks here do not tell a key for another (n, f) or another circuit of
// the same shape, which the caller must rule out by the key's identity
// (fingerprint). It also trusts Groth16's knowledge soundness with BSB22
// commitments on BN254 and hash_to_field as a random oracle. It says
// nothing about when or on what hardware C' was computed, and nothing about
// a payload.input_commitment the task may carry (the statement has no input
// commitment; protocol.CheckInputs relates it to the seed).
func VerifySynthetic(t workload.ComputeTask, proofBytes []byte, vk proofsystem.VerifyingKey, claim SyntheticClaim) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrSyntheticTask, err)
	}
	if t.Supplied() {
		return fmt.Errorf("%w: its matrices are supplied (input_commitment), not generated from a seed: freivalds-s2 needs a verifier that regenerates A and B", ErrSyntheticTask)
	}
	n := t.Payload.MatrixSize
	if n > protocol.MaxN {
		return fmt.Errorf("%w: n = %d exceeds the circuit limit %d", ErrSyntheticTask, n, protocol.MaxN)
	}
	gvk, err := syntheticKey(vk)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSyntheticKey, err)
	}
	proof, err := syntheticProof(proofBytes)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSyntheticProof, err)
	}
	pub, err := syntheticPublic(t, claim)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSyntheticClaim, err)
	}
	a, b, err := protocol.Matrices(t, nil, nil)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSyntheticTask, err)
	}
	r, err := protocol.SyntheticChallenge(protocol.BN254, proof.Commitments[0].Marshal())
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSyntheticProof, err)
	}
	s, err := protocol.SyntheticCheck(protocol.BN254, r, a, b, n)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSyntheticTask, err)
	}
	w, err := publicWitnessOf(protocol.BN254, protocol.SyntheticPublicInputs(pub, s))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSyntheticClaim, err)
	}
	if err := verifyGroth16(proof, gvk, w); err != nil {
		return fmt.Errorf("%w: %w", ErrSyntheticRejected, err)
	}
	return nil
}

// syntheticKey checks vk has freivalds-s2's shape and returns gnark's key.
func syntheticKey(vk proofsystem.VerifyingKey) (*groth16bn254.VerifyingKey, error) {
	if vk == nil {
		return nil, errors.New("none given")
	}
	if vk.System() != protocol.Groth16 || vk.Curve() != protocol.BN254 {
		return nil, fmt.Errorf("a %s key on %s, not a Groth16 key on bn254", vk.System(), vk.Curve())
	}
	gvk, ok := vk.Gnark().(*groth16bn254.VerifyingKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not a BN254 Groth16 key", vk.Gnark())
	}
	if got := vk.NbPublic(); got != syntheticPublicInputs {
		return nil, fmt.Errorf("%d public inputs, not %d", got, syntheticPublicInputs)
	}
	// One commitment over no public wire: else gnark would hash public
	// wires into the commitment wire and r would not be protocol's.
	if len(gvk.CommitmentKeys) != 1 || len(gvk.PublicAndCommitmentCommitted) != 1 || len(gvk.PublicAndCommitmentCommitted[0]) != 0 {
		return nil, fmt.Errorf("%d commitments (%d public-committed lists), not one commitment over no public wire", len(gvk.CommitmentKeys), len(gvk.PublicAndCommitmentCommitted))
	}
	return gvk, nil
}

// syntheticProof decodes untrusted bytes as a BN254 Groth16 proof with one
// commitment point.
func syntheticProof(data []byte) (*groth16bn254.Proof, error) {
	p, err := proofsystem.ParseProof(data, protocol.Groth16, protocol.BN254)
	if err != nil {
		return nil, err
	}
	bp, ok := p.Gnark().(*groth16bn254.Proof)
	if !ok {
		return nil, fmt.Errorf("decoded a %T, not a BN254 Groth16 proof", p.Gnark())
	}
	if len(bp.Commitments) != 1 {
		return nil, fmt.Errorf("%d commitment points, not 1", len(bp.Commitments))
	}
	return bp, nil
}

// syntheticPublic is the statement's public part recomputed from the task
// and the claim: the PoE must bind this task's request_id and the node.
func syntheticPublic(t workload.ComputeTask, claim SyntheticClaim) (protocol.Public, error) {
	var p protocol.Public
	if len(claim.NodeKey) != ed25519.PublicKeySize {
		return p, fmt.Errorf("node key of %d bytes, not an Ed25519 public key", len(claim.NodeKey))
	}
	if new(big.Int).SetBytes(claim.OutputDigest[:]).Cmp(protocol.BN254.ScalarField()) >= 0 {
		return p, errors.New("output digest is not a canonical bn254 scalar")
	}
	reqID, err := t.RequestID()
	if err != nil {
		return p, err
	}
	p.RequestID, p.NodeID, p.OutputDigest = reqID, protocol.NodeID(claim.NodeKey), claim.OutputDigest
	if p.PoE = protocol.PoE(p.RequestID, p.OutputDigest, p.NodeID); p.PoE != claim.PoE {
		return p, errors.New("the PoE is not SHA-256(request_id ‖ output_digest ‖ node_id) of this task, this output digest and this node")
	}
	return p, nil
}

// verifyGroth16 is gnark's Groth16 verification with the BSB22 hash that
// protocol.SyntheticChallenge applies (gnark's default, named here so that
// a change of default cannot separate the two), a panic in gnark returned
// as an error.
func verifyGroth16(proof *groth16bn254.Proof, vk *groth16bn254.VerifyingKey, w witness.Witness) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("groth16 verification panicked: %v", r)
		}
	}()
	return groth16.Verify(proof, vk, w, backend.WithVerifierHashToFieldFunction(h2f.New([]byte(protocol.CommitmentDst))))
}
