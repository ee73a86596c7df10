package verifier

import (
	"fmt"
	"slices"
	"strings"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

// groth16Label names the proof system in a Groth16 claim, with the curve
// when it is not the default.
func groth16Label(rc *receipt.Receipt) string {
	if c := ProofCurve(rc); c != protocol.BN254 {
		return "Groth16 (" + strings.ToUpper(string(c)) + ")"
	}
	return "Groth16"
}

func (r *run) finish(v *Verdict, o Options, rc *receipt.Receipt) *Verdict {
	r.settleRows()
	pol := o.policy()
	v.PolicyDecision.PolicyID = pol.ID
	v.PolicyDecision.PolicyDigest = pol.Digest()
	if rc != nil && len(r.failed()) == 0 {
		r.applyPolicy(pol, rc, v.provenance)
	}
	v.PolicyDecision.Checks = r.checks
	failed := v.Failed()
	v.BlockedClaims = append([]string(nil), receipt.ProverBlockedClaims...)
	switch {
	case len(failed) > 0:
		v.PolicyDecision.Status = Reject
		v.PolicyDecision.Reason = "failed checks: " + strings.Join(failed, ", ")
		v.AllowedClaim = fmt.Sprintf("The verifier path ran on receipt %q under policy %s and rejected it (%s). Nothing about its output may be claimed.",
			short(v.ReceiptID), pol.ID, strings.Join(failed, ", "))
		v.BlockedClaims = append(v.BlockedClaims, "This node computed this output correctly.")
	case r.hold != "":
		v.PolicyDecision.Status = Hold
		v.PolicyDecision.Reason = r.hold
		v.HoldCodes = slices.Sorted(slices.Values(r.holdCodes))
		v.AllowedClaim = fmt.Sprintf("The checks that ran on receipt %q pass, but policy %s holds it: %s. Until the hold is lifted, claim only that node %s bound output digest %s to request %s.",
			short(v.ReceiptID), pol.ID, r.hold, rc.Node.NodeID, rc.OutputDigest, rc.RequestID)
		v.BlockedClaims = append(v.BlockedClaims, "This receipt passed policy "+pol.ID+".")
	default:
		v.PolicyDecision.Status = Pass
		v.PolicyDecision.Reason = r.passReason(rc)
		v.AllowedClaim, v.BlockedClaims = r.claim(pol, rc, v.provenance, v.inputs, v.BlockedClaims)
	}
	if rc != nil {
		v.BlockedClaims = appendNew(v.BlockedClaims, rc.NodeExtraClaims())
	}
	return v
}

// appendNew appends the claims of extra that blocked lacks: claims a node
// blocked itself stay blocked, whatever the verdict.
func appendNew(blocked, extra []string) []string {
	have := make(map[string]bool, len(blocked))
	for _, c := range blocked {
		have[c] = true
	}
	for _, c := range extra {
		if !have[c] {
			have[c] = true
			blocked = append(blocked, c)
		}
	}
	return blocked
}

func (r *run) failed() []string { return r.failedAmong(nil) }

func (r *run) passReason(rc *receipt.Receipt) string {
	switch rc.Mode {
	case protocol.ModePlonk, protocol.ModeGroth16:
		s := fmt.Sprintf("signature, identities, commitments, PoE and the %s proof all verify", map[bool]string{true: "PLONK", false: "Groth16"}[rc.Mode == protocol.ModePlonk])
		if !r.key.established() {
			s += ", under a key whose circuit was not established"
		}
		return s
	case protocol.ModeSampled:
		return fmt.Sprintf("signature, identities, input commitment and PoE verify; %d sampled rows re-executed and matched", rc.Sampling.K)
	}
	return "signature, identities, input commitment and PoE verify (binding only)"
}

// claim is the strongest statement the evidence in a passing receipt
// supports, narrowed by its mode and, for a proof, by what is known about
// its key: its circuit (established or not) and its setup provenance.
func (r *run) claim(pol Policy, rc *receipt.Receipt, provenance, inputs string, blocked []string) (string, []string) {
	n, f := rc.Task.Payload.MatrixSize, rc.Task.Payload.FracBits
	switch rc.Mode {
	case protocol.ModeSampled:
		return sampledClaim(rc, r.sampled, inputs, blocked)
	case protocol.ModeBinding:
		return fmt.Sprintf("Node %s returned output digest %s (the Merkle root of its output rows) for request %s. Nothing is claimed about the output's correctness.",
				rc.Node.NodeID, rc.OutputDigest, rc.RequestID),
			append(blocked, "The output is correct.", "Any part of the output was checked.")
	}
	system := groth16Label(rc)
	if rc.Mode == protocol.ModePlonk {
		system = "PLONK (KZG, " + strings.ToUpper(string(ProofCurve(rc))) + ")"
	}
	if !r.key.established() {
		return r.unestablishedClaim(rc, system, blocked)
	}
	if rc.Proof.Circuit == protocol.Synthetic.Name() {
		// The statement has no input commitment: the A·B side is this
		// verifier's own arithmetic on the matrices it regenerated.
		inputs += "; this verifier regenerated them and computed uᵀ·A·B·v itself, the side of the " + protocol.Synthetic.Name() + " identity the proof does not carry"
		blocked = append(blocked, "A verifier that does not regenerate A and B (a chain contract) can check this proof: "+protocol.Synthetic.Name()+" has no input commitment.")
	}
	s := fmt.Sprintf("Output digest %s is the correct fixed-point product floor(A·B / 2^%d) of the %d×%d int16 matrices committed as %s (%s), returned by node %s for request %s — under %s key %s, established for circuit %s: %s",
		rc.OutputDigest, f, n, n, rc.InputCommitment, inputs, rc.Node.NodeID, rc.RequestID, system, rc.Proof.KeyFingerprint, describe(r.key.Circuit), r.key.How)
	setup, blocked := r.setupClause(pol, rc, provenance, blocked)
	return s + setup, append(blocked,
		"This proof shows which hardware ran the job or how fast.",
		"The node's public key identifies a real-world operator.")
}
