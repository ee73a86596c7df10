package chain

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/witness"

	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
)

// maxProofB64 bounds the base64 text of a zk_compute_proof before decoding.
var maxProofB64 = base64.StdEncoding.EncodedLen(maxComputeProofSz)

// ParseProofField decodes a ComputeResult's or BlockHeader's base64
// zk_compute_proof field.
func ParseProofField(s string) (*ComputeProof, error) {
	if len(s) > maxProofB64 {
		return nil, fmt.Errorf("%w: base64 text of %d characters, more than %d", ErrComputeProof, len(s), maxProofB64)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64: %v", ErrComputeProof, err)
	}
	return DecodeComputeProof(b)
}

// Verify checks the proof for the task and node of b against vk: the public
// inputs are bound to them (CheckBinding), the fingerprint the encoding names
// is vk's, and the Groth16 proof verifies for those public inputs (with the
// Solidity-compatible hash-to-field zkpoc's prover uses).
func (cp *ComputeProof) Verify(vk proofsystem.VerifyingKey, b Binding) (err error) {
	if err := cp.CheckBinding(b); err != nil {
		return fmt.Errorf("verify zk_compute_proof: %w", err)
	}
	switch {
	case b.KeyCircuit == "":
		return fmt.Errorf("verify zk_compute_proof: %w: the binding names no key circuit (Binding.KeyCircuit: the circuit the verifying key was established for)", ErrBinding)
	case cp.Circuit != b.KeyCircuit:
		return fmt.Errorf("verify zk_compute_proof: %w: the proof names circuit %q, the verifying key is for %q", ErrBinding, truncate(cp.Circuit, 80), b.KeyCircuit)
	}
	return cp.verifyPairing(vk)
}

// verifyPairing is Verify without the binding: the proof verifies under vk
// for whatever public inputs it carries.
func (cp *ComputeProof) verifyPairing(vk proofsystem.VerifyingKey) error {
	if vk == nil || vk.System() != protocol.Groth16 || vk.Curve() != protocol.BN254 {
		return fmt.Errorf("verify zk_compute_proof: not a BN254 Groth16 verifying key (%v)", describeKey(vk))
	}
	if fp := vk.Fingerprint(); fp != cp.VKFingerprint {
		return fmt.Errorf("verify zk_compute_proof: key fingerprint %x is not the one the proof names (%s)", fp, cp.FingerprintHex())
	}
	proof, err := cp.GnarkProof()
	if err != nil {
		return fmt.Errorf("verify zk_compute_proof: %w", err)
	}
	// The key's K includes one wire per commitment, which the verifier
	// derives: NbPublic counts the inputs only.
	if want := vk.NbPublic(); want != len(cp.PublicInputs) {
		return fmt.Errorf("verify zk_compute_proof: %d public inputs, the key takes %d", len(cp.PublicInputs), want)
	}
	w, err := witness.New(ecc.BN254.ScalarField())
	if err != nil {
		return fmt.Errorf("verify zk_compute_proof: %w", err)
	}
	ch := make(chan any, len(cp.PublicInputs))
	for _, x := range cp.PublicInputs {
		ch <- new(big.Int).SetBytes(x[:])
	}
	close(ch)
	if err := w.Fill(len(cp.PublicInputs), 0, ch); err != nil {
		return fmt.Errorf("verify zk_compute_proof: public witness: %w", err)
	}
	// With the Solidity-compatible hash-to-field zkpoc's prover uses
	// (proofsystem.VerifierOptions); a gnark panic is an error.
	if err := vk.Verify(proof, w); err != nil {
		return fmt.Errorf("verify zk_compute_proof: %w", err)
	}
	return nil
}

// describeKey names a verifying key's system and curve in errors.
func describeKey(vk proofsystem.VerifyingKey) string {
	if vk == nil {
		return "none"
	}
	return string(vk.System()) + " on " + string(vk.Curve())
}

// VerifyComputeResult is a light client's check of one ComputeResult for
// the task the chain issued and the node_id of the worker's key (b): the
// result names the task, its worker_address is the worker's as far as b
// knows it (Binding.CheckWorker: b.WorkerAddress, the seed's derivation at
// b.BlockHash), its proof field decodes, its result_hash is the PoE the
// proof's public inputs carry, those public inputs are bound to the task and
// node (the task's input commitment; SHA-256(request_id ‖ output_digest ‖
// node_id)), and the proof verifies under vk.
//
// It cannot check the worker's signature (that needs the receipt), so it
// cannot read the node.worker_address a receipt signs: with neither
// b.WorkerAddress nor b.BlockHash set, nothing ties worker_address to the
// worker, and a result copied under another address verifies.
func VerifyComputeResult(c ComputeResult, b Binding, vk proofsystem.VerifyingKey) (*ComputeProof, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.TaskID != b.Task.TaskID {
		return nil, fmt.Errorf("%w: task_id %s is not the task's %s", ErrInvalidResult, truncate(c.TaskID, 80), b.Task.TaskID)
	}
	if err := b.CheckWorker(c.WorkerAddress); err != nil {
		return nil, err
	}
	if c.Proof == nil {
		return nil, fmt.Errorf("%w: task %s: no proof", ErrInvalidResult, c.TaskID)
	}
	cp, err := ParseProofField(*c.Proof)
	if err != nil {
		return nil, fmt.Errorf("task %s: %w", c.TaskID, err)
	}
	poe, err := cp.PoE()
	if err != nil {
		return nil, fmt.Errorf("task %s: %w", c.TaskID, err)
	}
	if c.ResultHash != hex.EncodeToString(poe[:]) {
		return nil, fmt.Errorf("%w: task %s: result_hash %s is not the proof's PoE %x", ErrInvalidResult, c.TaskID, truncate(c.ResultHash, 80), poe)
	}
	if err := cp.Verify(vk, b); err != nil {
		return nil, fmt.Errorf("task %s: %w", c.TaskID, err)
	}
	return cp, nil
}
