package verifier

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

// KeyEstablished is what is known about the verifying key a proof is
// checked under: whether it was shown to belong to a circuit, and how, and
// what its setup is known to be. A key in a verifier's own cache gets it
// from the cache's record; for a key the caller passes (Options.VK,
// PlonkVK), the caller may establish it first (package keytrust re-derives
// a PLONK key from an SRS and the compiled circuit, or checks a ceremony
// transcript against it) and pass the result as Options.KeyEstablished, so
// this package never compiles a circuit. Without it a given key's circuit
// is not established: any key whose fingerprint the receipt names verifies
// its proof, including a key for a circuit that proves nothing about the
// same public inputs. A policy may pin keys and transcripts too
// (trusted_keys, trusted_transcripts).
type KeyEstablished struct {
	Fingerprint string // the key's, hex ("sha256:" optional)
	// Circuit is the circuit shape the key was shown to belong to; the zero
	// ID when nothing showed it.
	Circuit keys.ID
	// How says how Circuit was established, or why it was not, as the
	// claim states it.
	How string
	// Provenance is the setup provenance the key's source states, "" if
	// none; SetupHow says how it was verified, "" when it was not (then
	// only a dev provenance, which lowers the claim, is used).
	Provenance, SetupHow string
	// Transcript is a ceremony key's transcript record, verified or not:
	// a policy that pins its digest vouches for it.
	Transcript *keys.TranscriptRecord
	// SRSDigest is, for PLONK, the hex SHA-256 of the SRS file the key was
	// set up over or re-derived from by whoever established it.
	SRSDigest string
}

func (k *KeyEstablished) established() bool { return k.Circuit != keys.ID{} }

// givenKeyHow is why a key given as a bare file is not established.
const givenKeyHow = "given as a file, which does not show which circuit it was made for"

// fromCache is what a verifier's own key cache entry establishes: the
// circuit when this machine generated, re-derived or checked the key for
// it, and the provenance when this machine verified it. The record is
// meta.json, which nothing authenticates, so the claim says it is the
// cache's record.
func fromCache(m keys.Meta) *KeyEstablished {
	k := &KeyEstablished{Fingerprint: m.Fingerprint, Provenance: m.Provenance}
	const rec = " (this machine's key cache record)"
	o := m.Origin
	if o == nil {
		// Written before origins were recorded, when this machine's own
		// setup or ceremony was the only way in. Only a dev provenance is
		// used: a ceremony's is unbacked by a transcript record.
		k.Circuit = m.ID
		k.How = "generated locally by this machine's own setup" + rec
		if keys.IsDevSRS(m.Provenance) || m.Provenance == keys.ProvenanceDevSingleParty || keys.SRSProvenanceDigest(m.Provenance) != "" {
			k.SetupHow = "this machine's own setup" + rec
			k.SRSDigest = keys.SRSProvenanceDigest(m.Provenance)
		}
		return k
	}
	k.Transcript, k.SRSDigest = o.Transcript, o.SRSSHA256
	srs, transcript := "", "a ceremony transcript"
	if o.SRSSHA256 != "" {
		srs = " from SRS sha256:" + o.SRSSHA256
	}
	if o.Transcript != nil {
		if d, err := o.Transcript.Digest(); err == nil {
			transcript += " " + d
		}
	}
	switch o.Source {
	case keys.OriginSetup:
		if o.Circuit != "" {
			k.Circuit = m.ID
		}
		k.How = "generated locally by this machine's own setup of the compiled circuit" + srs + rec
		if o.Setup != "" {
			k.SetupHow = "this machine's own setup" + srs + rec
		}
	case keys.OriginCeremony:
		k.How = "finalized locally from " + transcript + " whose constraint system was not checked against the compiled circuit" + rec
		if o.Circuit == keys.EstablishedTranscript {
			k.Circuit = m.ID
			k.How = "finalized locally from " + transcript + " this machine verified against the compiled circuit" + rec
		}
		if t := o.Transcript; o.Setup == keys.EstablishedTranscript && t != nil && t.ID == m.ID && t.Fingerprint == m.Fingerprint && t.Provenance() == m.Provenance {
			k.SetupHow = transcript + " verified by this machine when it finalized the keys" + rec
		}
	case keys.OriginImport:
		k.How = "imported from a key bundle whose circuit this machine could not check" + rec
		switch o.Circuit {
		case keys.EstablishedRederived:
			k.Circuit, k.How = m.ID, "re-derived on import from SRS sha256:"+o.SRSSHA256+" and the compiled circuit"+rec
		case keys.EstablishedTranscript:
			k.Circuit, k.How = m.ID, "imported with "+transcript+", verified against the compiled circuit"+rec
		}
		switch o.Setup {
		case keys.EstablishedRederived:
			k.SetupHow = "re-derived on import from the SRS file sha256:" + o.SRSSHA256 + " its provenance names" + rec
		case keys.EstablishedTranscript:
			k.SetupHow = transcript + " verified by this machine on import" + rec
		}
	default:
		k.How = fmt.Sprintf("a key cache entry of unknown origin %q", short(o.Source))
	}
	return k
}

// receiptKeyID is the circuit shape a SNARK receipt says its key is for.
func receiptKeyID(rc *receipt.Receipt) keys.ID {
	return keys.ID{Circuit: rc.Proof.Circuit, N: rc.Task.Payload.MatrixSize, FracBits: rc.Task.Payload.FracBits,
		Curve: ProofCurve(rc), System: rc.Proof.System}
}

// describe names a circuit shape for a claim.
func describe(id keys.ID) string {
	return fmt.Sprintf("%s, n = %d, f = %d, %s %s", id.Circuit, id.N, id.FracBits, strings.ToUpper(string(id.Curve)), id.System)
}

// useKey applies what is known about the key (k) and the policy's pins to
// the verdict: the key must be established for the receipt's circuit if it
// is established at all (proof.key_circuit), the receipt's provenance must
// be the one the key's source states (proof.setup_provenance), and the
// claim and policy use the provenance only if it was verified or pinned,
// or if it is a dev setup's (which only lowers the claim).
func (r *run) useKey(v *Verdict, p Policy, rc *receipt.Receipt, k *KeyEstablished) {
	fp := strings.ToLower(strings.TrimPrefix(rc.Proof.KeyFingerprint, "sha256:"))
	var errs []error
	pin := func(id keys.ID, how string) {
		switch {
		case !k.established():
			k.Circuit, k.How = id, how
		case k.Circuit != id:
			errs = append(errs, fmt.Errorf("key sha256:%s is established for %s (%s), but %s says %s", fp, describe(k.Circuit), k.How, how, describe(id)))
		}
	}
	if tk := p.trustedKey(fp); tk != nil {
		pin(tk.id(), "pinned by policy "+p.ID)
		if tk.Provenance != "" {
			k.Provenance, k.SetupHow = tk.Provenance, "pinned by policy "+p.ID
		}
	}
	if t := k.Transcript; t != nil {
		if d, err := t.Digest(); err == nil && p.trustsTranscript(d) && t.Validate() == nil {
			if strings.ToLower(t.Fingerprint) != fp {
				errs = append(errs, fmt.Errorf("policy %s pins transcript %s, which yields key sha256:%s, not sha256:%s", p.ID, d, t.Fingerprint, fp))
			} else {
				pin(t.ID, "ceremony transcript "+d+" pinned by policy "+p.ID)
				k.Provenance, k.SetupHow = t.Provenance(), "ceremony transcript "+d+" pinned by policy "+p.ID
			}
		}
	}
	want := receiptKeyID(rc)
	switch {
	case len(errs) > 0:
		r.add("proof.key_circuit", errors.Join(errs...))
	case k.established():
		if k.Circuit != want {
			r.add("proof.key_circuit", fmt.Errorf("key sha256:%s belongs to %s (%s), the receipt names %s", fp, describe(k.Circuit), k.How, describe(want)))
		} else {
			r.add("proof.key_circuit", nil)
		}
	default:
		r.skip("proof.key_circuit", "not established: the key was "+k.How)
	}
	if k.Provenance != "" {
		r.add("proof.setup_provenance", expect("proof.setup_provenance", rc.Proof.SetupProvenance, k.Provenance))
	} else {
		r.skip("proof.setup_provenance", "the key's source states no setup provenance, so the claim assumes a dev setup")
	}
	if k.SetupHow != "" || k.Provenance == keys.ProvenanceDevSingleParty || keys.IsDevSRS(k.Provenance) {
		v.provenance = k.Provenance
	}
	r.key = k
}

// setupClause is the part of a SNARK claim about the setup, with the
// claims it blocks: a dev setup's runner could forge proofs; a ceremony is
// sound if one contributor per phase was honest; an SRS if its τ is
// unknown to everyone.
func (r *run) setupClause(p Policy, rc *receipt.Receipt, provenance string, blocked []string) (string, []string) {
	k := r.key
	forge := "This proof holds against whoever ran the key setup."
	p1, p2, mpc := keys.MPCContributions(provenance)
	switch {
	case rc.Mode == protocol.ModePlonk && trustedSRS(p, k, provenance) != "":
		return fmt.Sprintf(", set up over SRS sha256:%s, which policy %s trusts (trusted_srs; the key's source calls it %q): sound only if nobody knows that SRS's toxic waste τ.", trustedSRS(p, k, provenance), p.ID, short(k.Provenance)),
			append(blocked, "Nobody knows the SRS's toxic waste.")
	case provenance == "":
		if k.Provenance != "" {
			return fmt.Sprintf(", whose setup provenance %q is unverified (stated by the key's source, verified by nothing this verifier checked or its policy pins); treat it as a dev setup: whoever ran that setup could forge proofs.", short(k.Provenance)), append(blocked, forge)
		}
		return fmt.Sprintf(", whose setup provenance is unverified (the receipt states %q); treat it as a dev setup: whoever ran that setup could forge proofs.", short(rc.Proof.SetupProvenance)), append(blocked, forge)
	case mpc && p1 > 0 && p2 > 0:
		return fmt.Sprintf(", from the multi-party setup %s (%s): sound if at least one of its %d phase-1 and one of its %d phase-2 contributors was honest and destroyed their randomness; nothing checked here shows the contributors were different parties.", provenance, k.SetupHow, p1, p2),
			append(blocked, "The ceremony's contributors were independent parties.")
	case keys.IsDevSRS(provenance):
		return ", set up over an unsafe dev SRS: whoever made that SRS (the process that ran the setup) knows its toxic waste and could forge proofs.", append(blocked, "This proof holds against whoever made the SRS.")
	case strings.HasPrefix(provenance, "srs("):
		return fmt.Sprintf(", set up over the imported SRS %s (%s): sound only if nobody knows that SRS's toxic waste τ; its name is as stated by whoever imported it, and the digest identifies the file to compare with the ceremony's published one.", provenance, k.SetupHow),
			append(blocked, "The SRS came from the ceremony its name claims.")
	case keys.IsDevSetup(provenance):
		return ", whose single-party dev setup means whoever ran that setup could forge proofs.", append(blocked, forge)
	}
	return fmt.Sprintf(", whose setup provenance %q is not one this verifier knows; treat it as a dev setup: whoever ran it could forge proofs.", short(provenance)), append(blocked, forge)
}

// unestablishedClaim is a SNARK claim under a key whose circuit was not
// established: the proof verifies, but under a key that could be for any
// circuit with the same public inputs, so nothing about the output.
func (r *run) unestablishedClaim(rc *receipt.Receipt, system string, blocked []string) (string, []string) {
	s := fmt.Sprintf("Node %s returned output digest %s for request %s with a %s proof that verifies under key %s — a key whose circuit was not established (it was %s): a key for another circuit with the same public inputs accepts proofs of anything, so nothing is claimed about the output's correctness.",
		rc.Node.NodeID, rc.OutputDigest, rc.RequestID, system, rc.Proof.KeyFingerprint, r.key.How)
	return s, append(blocked,
		fmt.Sprintf("Output digest %s is the correct fixed-point product of the committed inputs (the key's circuit was not established).", rc.OutputDigest),
		"This proof shows which hardware ran the job or how fast.",
		"The node's public key identifies a real-world operator.")
}

// trustedSetupGap says why a verified SNARK's setup does not satisfy a
// policy that requires a trusted one, "" when it does: Groth16 needs a
// multi-party provenance this verifier verified or the policy pins, with
// at least the policy's contributions per phase; PLONK needs an SRS the
// policy trusts (trusted_srs) that the key was set up over or re-derived
// from.
func (r *run) trustedSetupGap(p Policy, rc *receipt.Receipt, provenance string) string {
	k := r.key
	if rc.Mode == protocol.ModePlonk {
		if trustedSRS(p, k, provenance) != "" && k.established() {
			return ""
		}
		switch {
		case keys.IsDevSRS(provenance):
			return "these come from an unsafe dev KZG SRS"
		case k.SRSDigest != "":
			return fmt.Sprintf("they come from SRS sha256:%s, which the policy does not list in trusted_srs", k.SRSDigest)
		}
		return "no SRS the policy trusts (trusted_srs) is known to have made this key (re-derive the key from the SRS when importing it)"
	}
	p1, p2, mpc := keys.MPCContributions(provenance)
	min := max(1, p.MinContributions)
	switch {
	case mpc && p1 >= min && p2 >= min:
		return ""
	case mpc:
		return fmt.Sprintf("the ceremony had %d phase-1 and %d phase-2 contributions; the policy requires at least %d per phase", p1, p2, min)
	case provenance == "" && k.Provenance != "":
		return fmt.Sprintf("their provenance %q is only stated, not verified: verify the ceremony transcript and its beacon when importing the key, or pin it in the policy (trusted_transcripts, trusted_keys)", short(k.Provenance))
	case provenance == "":
		return "their setup provenance is unknown"
	}
	return "these come from a single-party dev setup"
}

// trustedSRS is the digest of the SRS a PLONK key is known to come from —
// the one its establishment used, or the file its verified or pinned
// provenance names — when the policy trusts it, else "".
func trustedSRS(p Policy, k *KeyEstablished, provenance string) string {
	for _, d := range []string{k.SRSDigest, keys.SRSProvenanceDigest(provenance)} {
		if d != "" && p.trustsSRS(d) {
			return d
		}
	}
	return ""
}
