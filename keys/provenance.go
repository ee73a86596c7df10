package keys

import "regexp"

// Setup provenances of the keys this machine makes without a ceremony (a
// ceremony's is "mpc(…)", see MPCContributions; an imported SRS's
// "srs(NAME, sha256:HEX)", see SRSProvenanceDigest). They live here, with
// the cache that records them, so that a verifier can read them without
// importing the packages that make the keys.
const (
	// ProvenanceDevSingleParty marks keys produced by a single-party setup
	// on this machine: whoever ran it knows the toxic waste and could forge
	// proofs. Fine for development, not for adversarial deployments.
	ProvenanceDevSingleParty = "dev-single-party"
	// ProvenanceDevSRS marks PLONK keys over an SRS whose τ was drawn by the
	// process that ran the setup: whoever ran it could forge proofs.
	ProvenanceDevSRS = "srs(unsafe-dev, toxic waste known to the process that made it)"
)

var srsProvenanceRE = regexp.MustCompile(`^srs\([a-z0-9][a-z0-9._-]{0,63}, sha256:([0-9a-f]{64})\)$`)

// SRSProvenanceDigest is the SRS file digest (hex) an imported-SRS
// provenance "srs(NAME, sha256:HEX)" names, "" for any other provenance.
func SRSProvenanceDigest(provenance string) string {
	if m := srsProvenanceRE.FindStringSubmatch(provenance); m != nil {
		return m[1]
	}
	return ""
}

// IsDevSRS reports whether a PLONK provenance is the unsafe dev SRS.
func IsDevSRS(provenance string) bool { return provenance == ProvenanceDevSRS }
