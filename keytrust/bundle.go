// Package keytrust lets a stranger obtain a verifying key and establish
// that it belongs to the circuit a receipt names. A node exports its key as
// a bundle (one JSON file: the key, the circuit identity, the
// constraint-system digest, the setup provenance, and the ceremony
// transcript record or the SRS digest); a verifier imports it, checking
// everything it can: the key parses and has the bundle's fingerprint, and
//
//   - PLONK: given the SRS, the key is re-derived from it and the circuit
//     this machine compiles (plonk.Setup is deterministic for an SRS and a
//     constraint system) and must have the same fingerprint;
//   - Groth16 from a ceremony: given the transcript directory and its final
//     beacon, the transcript is verified, its constraint system must be
//     that of the compiled circuit, and it must yield the bundle's key;
//   - a Groth16 dev key cannot be tied to a circuit by anyone but whoever
//     ran its setup: it is imported with its circuit not established (a
//     policy may still pin it).
//
// This package compiles circuits and runs setups, so it is kept out of
// package verifier: the CLI runs it and hands the verifier its result as
// verifier.Options.KeyEstablished (a bundle given to verify --key), or
// stores it in the key cache's record of the imported key (keys import).
package keytrust

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/zkpoc/zkpoc/internal/strictjson"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
)

// BundleType is a key bundle's "type".
const BundleType = "zkpoc-key-bundle/v1"

// MaxBundleBytes bounds a bundle file (a PLONK key is about 50 KiB as
// base64; the transcript record about 130 bytes per contribution).
const MaxBundleBytes = 2 << 20

// Setup kinds a bundle names (Bundle.Setup).
const (
	SetupDev      = "dev"      // a single-party setup: dev Groth16, or PLONK over an unsafe dev SRS
	SetupCeremony = "ceremony" // Groth16 from a multi-party ceremony (the transcript record is included)
	SetupSRS      = "srs"      // PLONK over an imported SRS file
)

// ErrBundle is wrapped by every error about a bundle's content.
var ErrBundle = errors.New("invalid key bundle")

// Bundle is a verifying key with what its exporter says about it. Decode
// checks it is self-consistent; Establish checks it against this machine's
// compile of the circuit, an SRS or a transcript.
type Bundle struct {
	Type         string  `json:"type"`
	ID           keys.ID `json:"id"`          // circuit, n, f, curve, system
	Fingerprint  string  `json:"fingerprint"` // hex SHA-256 of VerifyingKey
	VerifyingKey []byte  `json:"verifying_key"`
	CCSSHA256    string  `json:"ccs_sha256"` // keys.CCSDigest of the circuit the key is for
	Constraints  int     `json:"constraints"`
	Setup        string  `json:"setup"` // SetupDev, SetupCeremony or SetupSRS
	Provenance   string  `json:"provenance"`
	// Transcript is a ceremony key's transcript record, TranscriptSHA256
	// its digest (what a policy's trusted_transcripts pins).
	Transcript       *keys.TranscriptRecord `json:"transcript,omitempty"`
	TranscriptSHA256 string                 `json:"transcript_sha256,omitempty"`
	// SRSSHA256 is, for PLONK, the SHA-256 of the SRS file exported with
	// the bundle (keys export --srs-out), which re-derives the key.
	SRSSHA256    string `json:"srs_sha256,omitempty"`
	GnarkVersion string `json:"gnark_version"`
	CreatedAt    string `json:"created_at"`
}

// Decode reads a bundle from untrusted bytes (at most MaxBundleBytes):
// strict JSON (no unknown fields, nothing after the object, no duplicate
// or case-variant keys: strictjson.Unmarshal), then Validate.
func Decode(data []byte) (*Bundle, error) {
	if len(data) > MaxBundleBytes {
		return nil, fmt.Errorf("%w: %d bytes exceeds the limit of %d", ErrBundle, len(data), MaxBundleBytes)
	}
	var b Bundle
	if err := strictjson.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBundle, err)
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return &b, nil
}

// Validate checks a bundle is self-consistent, reporting every problem: a
// valid key id, a verifying key that parses (bounded, subgroup-checked)
// with the bundle's fingerprint, digests of the right form, and a setup
// that agrees with the provenance and the system — a ceremony bundle's
// transcript record names this key, circuit and constraint system, and has
// the stated digest and provenance.
func (b *Bundle) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	hex32 := func(name, s string, required bool) {
		if s == "" && !required {
			return
		}
		if d, err := hex.DecodeString(s); err != nil || len(d) != 32 || hex.EncodeToString(d) != s {
			bad("%s: want 64 lower-case hex digits, have %q", name, short(s))
		}
	}
	if b.Type != BundleType {
		bad("type %q, want %q", short(b.Type), BundleType)
	}
	idOK := b.ID.Validate() == nil
	if !idOK {
		bad("id: %v", b.ID.Validate())
	}
	hex32("fingerprint", b.Fingerprint, true)
	switch {
	case len(b.VerifyingKey) == 0:
		bad("verifying_key: missing")
	case len(b.VerifyingKey) > proofsystem.MaxVKBytes:
		bad("verifying_key: %d bytes exceeds the limit of %d", len(b.VerifyingKey), proofsystem.MaxVKBytes)
	case idOK:
		if fp, err := keys.VKFingerprintHex(b.ID, b.VerifyingKey); err != nil {
			bad("verifying_key: not a %s %s key: %v", b.ID.Curve, b.ID.System, err)
		} else if fp != b.Fingerprint {
			bad("verifying_key: its fingerprint is %s, the bundle says %s", fp, short(b.Fingerprint))
		}
	}
	hex32("ccs_sha256", b.CCSSHA256, true)
	if b.Constraints < 1 {
		bad("constraints: %d, want a positive count", b.Constraints)
	}
	plonk := b.ID.System == protocol.Plonk
	hex32("srs_sha256", b.SRSSHA256, false)
	if b.SRSSHA256 != "" && !plonk {
		bad("srs_sha256: a %s key has no SRS", b.ID.System)
	}
	if b.Setup != SetupCeremony && (b.Transcript != nil || b.TranscriptSHA256 != "") {
		bad("transcript: only a ceremony bundle carries one (setup is %q)", short(b.Setup))
	}
	switch b.Setup {
	case SetupDev:
		want := keys.ProvenanceDevSingleParty
		if plonk {
			want = keys.ProvenanceDevSRS
		}
		if b.Provenance != want {
			bad("provenance %q: a dev %s setup's is %q", short(b.Provenance), b.ID.System, want)
		}
	case SetupSRS:
		if !plonk {
			bad("setup srs: only PLONK keys are set up over an SRS")
		}
		if keys.SRSProvenanceDigest(b.Provenance) == "" {
			bad("provenance %q: want srs(NAME, sha256:HEX)", short(b.Provenance))
		}
	case SetupCeremony:
		errs = append(errs, b.checkTranscript(idOK)...)
	default:
		bad("setup %q, want %s, %s or %s", short(b.Setup), SetupDev, SetupCeremony, SetupSRS)
	}
	for name, s := range map[string]string{"gnark_version": b.GnarkVersion, "created_at": b.CreatedAt} {
		if len(s) > 64 {
			bad("%s: longer than 64 characters", name)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrBundle, errors.Join(errs...))
	}
	return nil
}

// checkTranscript is Validate's part for a ceremony bundle.
func (b *Bundle) checkTranscript(idOK bool) []error {
	t := b.Transcript
	if b.ID.System != protocol.Groth16 {
		return []error{fmt.Errorf("setup ceremony: the ceremony sets up groth16 keys, not %s", b.ID.System)}
	}
	if err := t.Validate(); err != nil {
		return []error{err}
	}
	var errs []error
	if idOK && t.ID != b.ID {
		errs = append(errs, fmt.Errorf("transcript: its key id is %s, the bundle's %s", t.ID, b.ID))
	}
	if t.Fingerprint != b.Fingerprint {
		errs = append(errs, fmt.Errorf("transcript: it yields key %s, the bundle's is %s", t.Fingerprint, short(b.Fingerprint)))
	}
	if t.CCSSHA256 != b.CCSSHA256 {
		errs = append(errs, fmt.Errorf("transcript: its constraint system is %s, the bundle's %s", t.CCSSHA256, short(b.CCSSHA256)))
	}
	if p := t.Provenance(); p != b.Provenance {
		errs = append(errs, fmt.Errorf("provenance %q: the transcript gives %q", short(b.Provenance), p))
	}
	if d, err := t.Digest(); err != nil || d != b.TranscriptSHA256 {
		errs = append(errs, fmt.Errorf("transcript_sha256 %q: the record's digest is %s", short(b.TranscriptSHA256), d))
	}
	return errs
}

// Encode is the bundle's file form: indented JSON, newline-terminated.
func (b *Bundle) Encode() ([]byte, error) {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode key bundle: %w", err)
	}
	return append(data, '\n'), nil
}

func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
