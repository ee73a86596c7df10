package verifier

import (
	"errors"
	"fmt"

	"github.com/consensys/gnark/backend/plonk"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

// checkPlonkProof is the PLONK half of checkProof: key, provenance, proof.
func (r *run) checkPlonkProof(v *Verdict, o Options, rc *receipt.Receipt, curve protocol.Curve, pubv protocol.Public) {
	proof, perr := keys.ParsePlonkProofFor(curve.ID(), rc.Proof.Bytes)
	vk, known, err := resolvePlonkKey(rc.Proof.KeyFingerprint, o)
	if !r.keyFound(v, o, rc, known, err, perr) {
		return
	}
	r.add("proof.verify", verifyPlonkProof(vk, proof, curve, pubv))
}

// resolvePlonkKey is resolveKey for PLONK keys.
func resolvePlonkKey(fp string, o Options) (plonk.VerifyingKey, *KeyEstablished, error) {
	if o.PlonkVK == nil && o.VK != nil {
		return nil, nil, errors.New("the proof is a PLONK proof but the verifying key given is a Groth16 key")
	}
	return findKey(fp, "PLONK ", o.PlonkVK, o, keys.FingerprintHexPlonk, keys.Cache.FindPlonkByFingerprint)
}

// verifyPlonkProof verifies proof, decoded by keys.ParsePlonkProofFor,
// under vk.
func verifyPlonkProof(vk plonk.VerifyingKey, proof plonk.Proof, curve protocol.Curve, p protocol.Public) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PLONK proof verification panicked: %v", r)
		}
	}()
	if err := keys.CheckPlonkProofShape(proof, vk); err != nil {
		return err
	}
	w, err := PublicWitness(curve, p)
	if err != nil {
		return err
	}
	if err := plonk.Verify(proof, vk, w, keys.VerifierOptions(protocol.Plonk)...); err != nil {
		return fmt.Errorf("plonk: %w", err)
	}
	return nil
}
