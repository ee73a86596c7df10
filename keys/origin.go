package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gowebpki/jcs"

	"github.com/zkpoc/zkpoc/protocol"
)

// Where a cached key came from (Origin.Source).
const (
	// OriginSetup: this machine's own setup (a dev Groth16 setup, or PLONK
	// over a dev or imported SRS) of the circuit it compiled for Meta.ID.
	OriginSetup = "setup"
	// OriginCeremony: finalized on this machine from a ceremony transcript
	// it verified.
	OriginCeremony = "ceremony"
	// OriginImport: a verifying key imported from a key bundle (package
	// keytrust), with what the import could check.
	OriginImport = "import"
)

// How a key was tied to its circuit, or its setup verified (Origin.Circuit,
// Origin.Setup).
const (
	// EstablishedGenerated: this machine made the key itself, from the
	// circuit it compiled (and, for Setup, with its own setup or SRS file).
	EstablishedGenerated = "generated"
	// EstablishedRederived: a PLONK key re-derived on this machine from an
	// SRS it checked and the circuit it compiled, with the same fingerprint.
	EstablishedRederived = "rederived"
	// EstablishedTranscript: a ceremony transcript verified on this machine
	// yields this key, for a constraint system whose digest is that of the
	// circuit this machine compiled.
	EstablishedTranscript = "transcript"
)

// Origin records in meta.json where a key came from and what this machine
// checked about it. meta.json is not authenticated: anyone who can write
// the cache can edit it. Verifiers therefore read it as this machine's own
// record and say so in their claims, and take a multi-party provenance from
// it only when Setup says this machine verified it (a transcript); a
// provenance without that is only what the key's source stated.
type Origin struct {
	Source string `json:"source"` // OriginSetup, OriginCeremony or OriginImport
	// Circuit is how this machine tied the key to Meta.ID (Established*),
	// "" when nothing did: the key may be for any circuit with the same
	// public inputs.
	Circuit string `json:"circuit,omitempty"`
	// Setup is how this machine verified Meta.Provenance (Established*),
	// "" when it did not.
	Setup string `json:"setup,omitempty"`
	// CCSSHA256 is the constraint-system digest (CCSDigest) of the circuit
	// the key was made or checked for, when known.
	CCSSHA256 string `json:"ccs_sha256,omitempty"`
	// SRSSHA256 is, for PLONK, the SHA-256 of the SRS file the key was set
	// up over or re-derived from on this machine.
	SRSSHA256 string `json:"srs_sha256,omitempty"`
	// Transcript is a ceremony key's transcript record (verified on this
	// machine when Setup is EstablishedTranscript).
	Transcript *TranscriptRecord `json:"transcript,omitempty"`
	// BundleSHA256 is the SHA-256 of the imported bundle file.
	BundleSHA256 string `json:"bundle_sha256,omitempty"`
	At           string `json:"at"` // RFC 3339 UTC
}

// Now is the current time as origins record it (RFC 3339 UTC).
func Now() string { return time.Now().UTC().Format(time.RFC3339) }

// TranscriptRecord is what a verified ceremony transcript establishes, in a
// form small enough to pin: the key identity, the constraint system, every
// contribution hash in order, both beacons and the resulting key. Its
// Digest is the transcript hash a policy pins (trusted_transcripts): since
// it covers the fingerprint, a record whose digest a policy pins names the
// key that transcript yields.
type TranscriptRecord struct {
	ID           ID       `json:"id"`
	CCSSHA256    string   `json:"ccs_sha256"`
	Phase1       []string `json:"phase1"`
	Phase1Beacon string   `json:"phase1_beacon"`
	Phase2Base   string   `json:"phase2_base"`
	Phase2       []string `json:"phase2"`
	Beacon       string   `json:"beacon"`
	Fingerprint  string   `json:"fingerprint"`
}

// maxTranscriptContributions bounds the contributions a record may list.
const maxTranscriptContributions = 1 << 12

// Validate checks the record is well formed: a Groth16 key id, 32-byte hex
// digests, at least one contribution per phase, beacons of the allowed size.
func (t *TranscriptRecord) Validate() error {
	if t == nil {
		return errors.New("transcript record: missing")
	}
	if err := t.ID.Validate(); err != nil {
		return fmt.Errorf("transcript record: %w", err)
	}
	if t.ID.System != protocol.Groth16 {
		return fmt.Errorf("transcript record: a ceremony sets up groth16 keys, not %s", t.ID.System)
	}
	var errs []error
	hex32 := func(name, s string) {
		if b, err := hex.DecodeString(s); err != nil || len(b) != sha256.Size {
			errs = append(errs, fmt.Errorf("%s: want 64 hex digits, have %q", name, short(s)))
		}
	}
	hex32("ccs_sha256", t.CCSSHA256)
	hex32("phase2_base", t.Phase2Base)
	hex32("fingerprint", t.Fingerprint)
	for phase, hs := range [][]string{t.Phase1, t.Phase2} {
		if len(hs) < 1 || len(hs) > maxTranscriptContributions {
			errs = append(errs, fmt.Errorf("phase %d: %d contributions (want 1 to %d)", phase+1, len(hs), maxTranscriptContributions))
			continue
		}
		for i, h := range hs {
			hex32(fmt.Sprintf("phase %d contribution %d", phase+1, i+1), h)
		}
	}
	for name, s := range map[string]string{"phase1_beacon": t.Phase1Beacon, "beacon": t.Beacon} {
		if b, err := hex.DecodeString(s); err != nil || CheckBeacon(b) != nil {
			errs = append(errs, fmt.Errorf("%s: want %d to %d bytes of hex, have %q", name, MinBeaconBytes, MaxBeaconBytes, short(s)))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("transcript record: %w", errors.Join(errs...))
	}
	return nil
}

// Digest is the transcript hash: "sha256:" + SHA-256 of the record's
// RFC 8785 (JCS) encoding.
func (t *TranscriptRecord) Digest() (string, error) {
	raw, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("transcript digest: %w", err)
	}
	c, err := jcs.Transform(raw)
	if err != nil {
		return "", fmt.Errorf("transcript digest: %w", err)
	}
	d := sha256.Sum256(c)
	return "sha256:" + hex.EncodeToString(d[:]), nil
}

// Provenance is the key provenance the transcript gives:
// "mpc(P1+P2 contributions, beacon HEX)".
func (t *TranscriptRecord) Provenance() string {
	b, _ := hex.DecodeString(t.Beacon)
	return MPCProvenance(len(t.Phase1), len(t.Phase2), b)
}

// MPCContributions returns the per-phase contribution counts of a ceremony
// provenance "mpc(P1+P2 contributions, beacon HEX)"; ok is false for any
// other provenance.
func MPCContributions(provenance string) (p1, p2 int, ok bool) {
	p1, p2, _, ok = parseMPCProvenance(provenance)
	return p1, p2, ok
}

func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
