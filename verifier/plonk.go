package verifier

import (
	"errors"
	"fmt"
	"strings"

	"github.com/consensys/gnark/backend/plonk"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
)

// checkPlonkProof is the PLONK half of checkProof: key, provenance, proof.
func (r *run) checkPlonkProof(v *Verdict, o Options, rc *receipt.Receipt, method circuits.Method, n, f int, curve circuits.Curve, pubv circuits.Public) {
	vk, provenance, err := resolvePlonkKey(rc.Proof.KeyFingerprint, o)
	if errors.Is(err, keys.ErrNotFound) {
		r.missingKey(v, rc.Proof.KeyFingerprint, err)
		return
	}
	if !r.add("proof.key", err) {
		r.skip("proof.verify", "no verifying key")
		return
	}
	if provenance != "" {
		r.add("proof.setup_provenance", expect("proof.setup_provenance", rc.Proof.SetupProvenance, provenance))
		v.provenance = provenance
	} else {
		r.skip("proof.setup_provenance", "key given as a file: its SRS provenance is unknown, so the claim assumes a dev SRS")
	}
	r.add("proof.verify", verifyPlonkProof(vk, rc.Proof.Bytes, curve, method, n, f, pubv))
}

// resolvePlonkKey is resolveKey for PLONK keys.
func resolvePlonkKey(fp string, o Options) (plonk.VerifyingKey, string, error) {
	if o.PlonkVK == nil && o.VK != nil {
		return nil, "", errors.New("the proof is a PLONK proof but the verifying key given is a Groth16 key")
	}
	return findKey(fp, "PLONK ", o.PlonkVK, o.Cache, keys.FingerprintHexPlonk, keys.Cache.FindPlonkByFingerprint)
}

func verifyPlonkProof(vk plonk.VerifyingKey, raw []byte, curve circuits.Curve, m circuits.Method, n, f int, p circuits.Public) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PLONK proof verification panicked: %v", r)
		}
	}()
	proof, err := keys.ParsePlonkProofFor(curve.ID(), raw)
	if err != nil {
		return err
	}
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

// plonkClaim is claim's PLONK wording: it names PLONK and the SRS the key was
// set up over, and says who could forge proofs.
func plonkClaim(rc *receipt.Receipt, provenance, inputs string, blocked []string) (string, []string) {
	n, f := rc.Task.Payload.MatrixSize, rc.Task.Payload.FracBits
	s := fmt.Sprintf("Output digest %s is the correct fixed-point product floor(A·B / 2^%d) of the %d×%d int16 matrices committed as %s (%s), returned by node %s for request %s — under PLONK (KZG, %s) key %s",
		rc.OutputDigest, f, n, n, rc.InputCommitment, inputs, rc.Node.NodeID, rc.RequestID, strings.ToUpper(string(ProofCurve(rc))), rc.Proof.KeyFingerprint)
	switch {
	case provenance == "":
		s += fmt.Sprintf(", whose SRS provenance is unverified (the receipt states %q); treat it as a dev SRS: whoever made that SRS could forge proofs.", short(rc.Proof.SetupProvenance))
		blocked = append(blocked, "This proof holds against whoever made the SRS.")
	case keys.IsDevSRS(provenance):
		s += ", set up over an unsafe dev SRS: whoever made that SRS (the process that ran the setup) knows its toxic waste and could forge proofs."
		blocked = append(blocked, "This proof holds against whoever made the SRS.")
	case strings.HasPrefix(provenance, "srs("):
		s += fmt.Sprintf(", set up over the imported SRS %s: sound only if nobody knows that SRS's toxic waste τ; its name is as stated by whoever imported it, and the digest identifies the file to compare with the ceremony's published one.", provenance)
		blocked = append(blocked, "The SRS came from the ceremony its name claims.")
	default:
		s += fmt.Sprintf(", whose setup provenance %q is not an SRS this verifier knows; treat it as a dev SRS: whoever made it could forge proofs.", short(provenance))
		blocked = append(blocked, "This proof holds against whoever made the SRS.")
	}
	blocked = append(blocked,
		"This proof shows which hardware ran the job or how fast.",
		"The node's public key identifies a real-world operator.")
	return s, blocked
}
