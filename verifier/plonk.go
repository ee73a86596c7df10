package verifier

import (
	"errors"
	"fmt"

	"github.com/consensys/gnark/backend/plonk"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
)

// checkPlonkProof is the PLONK half of checkProof: key, provenance, proof.
func (r *run) checkPlonkProof(v *Verdict, o Options, rc *receipt.Receipt, method circuits.Method, n, f int, curve circuits.Curve, pubv circuits.Public) {
	proof, perr := keys.ParsePlonkProofFor(curve.ID(), rc.Proof.Bytes)
	vk, known, err := resolvePlonkKey(rc.Proof.KeyFingerprint, o)
	if !r.keyFound(v, o, rc, known, err, perr) {
		return
	}
	r.add("proof.verify", verifyPlonkProof(vk, proof, curve, method, n, f, pubv))
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
func verifyPlonkProof(vk plonk.VerifyingKey, proof plonk.Proof, curve circuits.Curve, m circuits.Method, n, f int, p circuits.Public) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PLONK proof verification panicked: %v", r)
		}
	}()
	if err := keys.CheckPlonkProofShape(proof, vk); err != nil {
		return err
	}
	w, err := publicWitness(curve, m, n, f, p)
	if err != nil {
		return err
	}
	if err := plonk.Verify(proof, vk, w, prover.PlonkVerifierOptions()...); err != nil {
		return fmt.Errorf("plonk: %w", err)
	}
	return nil
}
