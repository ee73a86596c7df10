// Package keys is the on-disk cache of Groth16 and PLONK key sets for zkpoc
// circuits on BN254 and BLS12-381, so that the expensive setup (package
// setup; a multi-party ceremony on BN254) is never run twice for the same
// circuit shape: key ids, metadata and what this machine checked about a
// key (Origin), imported verifying keys, and the file lock. Keys are read
// through package proofsystem's bounded readers.
//
// Cache layout, under Cache.Dir:
//
//	<id>/ccs.bin    constraint system (WriteTo / ReadFrom)
//	<id>/pk.bin     proving key, raw (WriteRawTo / UnsafeReadFrom)
//	<id>/vk.bin     verifying key, compressed (WriteTo / checked ReadFrom)
//	<id>/srs.bin    PLONK: the SRS the keys were set up over, trimmed to the circuit
//	<id>/meta.json  Meta, written last: its presence marks a complete entry
//	<id>.lock       flock(2) lock file serializing setup and stores
//	imported/<fingerprint>/  verifying keys imported from key bundles (imported.go)
//
// where <id> is ID.String(). The proving key and constraint system are read
// without subgroup checks: that is acceptable only because the cache holds
// files this package wrote itself on the local machine. Verifying keys, which
// may come from elsewhere, are always read through proofsystem's readers
// (bounded size, subgroup-checked, structurally validated).
package keys

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime/debug"
	"strings"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint"
	gnarkio "github.com/consensys/gnark/io"

	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
)

// gnarkVersionFallback is reported when build info is unavailable.
const gnarkVersionFallback = "v0.16.1"

// ErrNotFound is returned (wrapped) when a key is not in the cache.
var ErrNotFound = errors.New("key not found")

// ID identifies one circuit shape; it is the cache key.
type ID struct {
	Circuit  string          `json:"circuit"`   // e.g. "freivalds-v1"
	N        int             `json:"n"`         // matrix dimension
	FracBits int             `json:"frac_bits"` // fixed-point fractional bits
	Curve    protocol.Curve  `json:"curve"`     // "bn254" or "bls12-381"
	System   protocol.System `json:"system"`    // "groth16" or "plonk"
}

// IDFor is the cache identity of the keys of method's circuit at matrix
// dimension n and fracBits fractional bits, for system on curve.
func IDFor(curve protocol.Curve, system protocol.System, m protocol.Method, n, fracBits int) ID {
	return ID{Circuit: m.Name(), N: n, FracBits: fracBits, Curve: curve, System: system}
}

// SyntheticIDFor is the cache identity of the freivalds-s2 keys
// (protocol.SyntheticCircuitID) at matrix dimension n and fracBits
// fractional bits: Groth16 on BN254, the only system and curve the
// statement is proved with. freivalds-s2 is not a protocol.Method, so the
// ids IDFor gives are unchanged.
func SyntheticIDFor(n, fracBits int) ID {
	return ID{Circuit: protocol.SyntheticCircuitID, N: n, FracBits: fracBits, Curve: protocol.BN254, System: protocol.Groth16}
}

// String returns the canonical form, e.g. "freivalds-v1_n16_f8_bn254_groth16",
// also used as the cache directory name. Call Validate before using it as a
// path component.
func (id ID) String() string {
	return fmt.Sprintf("%s_n%d_f%d_%s_%s", id.Circuit, id.N, id.FracBits, id.Curve, id.System)
}

// Validate checks that the ID is well formed: Circuit is 1-64 characters of
// [a-z0-9.-] starting with a letter or digit, N > 0, FracBits >= 0, Curve is
// "bn254", and System is "groth16" or "plonk".
func (id ID) Validate() error {
	if err := CheckName(id.Circuit, "-."); err != nil {
		return fmt.Errorf("invalid key id %q: circuit: %w", id.String(), err)
	}
	if id.N <= 0 {
		return fmt.Errorf("invalid key id %q: n must be positive, got %d", id.String(), id.N)
	}
	if id.FracBits < 0 {
		return fmt.Errorf("invalid key id %q: frac bits must be non-negative, got %d", id.String(), id.FracBits)
	}
	if err := CheckName(string(id.Curve), "-"); err != nil {
		return fmt.Errorf("invalid key id %q: curve: %w", id.String(), err)
	}
	if _, err := id.CurveID(); err != nil {
		return fmt.Errorf("invalid key id %q: %w", id.String(), err)
	}
	if err := proofsystem.CheckSystem(id.System); err != nil {
		return fmt.Errorf("invalid key id %q: %w", id.String(), err)
	}
	return nil
}

// CheckName checks a name (a circuit, curve or SRS name) is 1-64
// characters of [a-z0-9] and extra, starting with a letter or digit.
func CheckName(s, extra string) error {
	if s == "" {
		return errors.New("empty")
	}
	if len(s) > 64 {
		return fmt.Errorf("%q longer than 64 characters", s)
	}
	for i, r := range s {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || (i > 0 && strings.ContainsRune(extra, r))
		if !ok {
			return fmt.Errorf("%q: invalid character %q at %d (allowed: a-z 0-9 %s, starting with a-z 0-9)", s, r, i, extra)
		}
	}
	return nil
}

// CurveID maps the Curve field to gnark-crypto's ecc.ID. Both curves carry
// Groth16 and PLONK keys (on BLS12-381, PLONK over a dev SRS only).
func (id ID) CurveID() (ecc.ID, error) {
	c, err := protocol.ParseCurve(string(id.Curve))
	if err != nil {
		return ecc.UNKNOWN, fmt.Errorf("unsupported curve %q (supported: bn254, bls12-381)", id.Curve)
	}
	return c.ID(), nil
}

// Meta describes a key set; it is stored as meta.json beside the keys.
type Meta struct {
	ID           ID      `json:"id"`
	Fingerprint  string  `json:"fingerprint"` // hex SHA-256 of the VK's compressed vk.WriteTo bytes
	Provenance   string  `json:"provenance"`
	Constraints  int     `json:"constraints"`
	SetupSeconds float64 `json:"setup_seconds"`
	CreatedAt    string  `json:"created_at"`    // RFC 3339 UTC
	GnarkVersion string  `json:"gnark_version"` // e.g. "v0.16.1"
	// Origin says where the key came from and what this machine checked
	// about it; nil in entries written before it was recorded (a local
	// setup or ceremony: there was no other way into the cache).
	Origin *Origin `json:"origin,omitempty"`
}

// Set is a complete key set for one circuit shape, of either proof system
// (Meta.ID.System says which). Make one with NewSet, which checks the keys
// are of that system and curve.
type Set struct {
	Meta Meta
	// PK is the proving key: gnark's groth16.ProvingKey or plonk.ProvingKey
	// (assert to the gnark type where it is needed, or prove with package
	// setup's Prove).
	PK ProvingKey
	// VK is the verifying key (VK.Gnark() is gnark's).
	VK  proofsystem.VerifyingKey
	CCS constraint.ConstraintSystem
	// PlonkSRS is the canonical SRS a PLONK setup used, trimmed to the
	// circuit (gnark-crypto's kzg.SRS WriteTo form): stored as srs.bin so
	// the key can be re-derived elsewhere (keytrust). Optional.
	PlonkSRS []byte
}

// ProvingKey is a proving key as the cache stores it (raw, read back
// without checks): gnark's groth16.ProvingKey or plonk.ProvingKey.
type ProvingKey interface {
	io.WriterTo
	gnarkio.WriterRawTo
	gnarkio.UnsafeReaderFrom
}

// NewSet is the key set of a setup's keys: pk is a groth16.ProvingKey or a
// plonk.ProvingKey and vk a verifying key, of the system and on the curve
// meta.ID names; ccs may be nil.
func NewSet(meta Meta, pk ProvingKey, vk proofsystem.VerifyingKey, ccs constraint.ConstraintSystem) (*Set, error) {
	id := meta.ID
	if pk == nil || vk == nil {
		return nil, fmt.Errorf("key set %s: missing proving or verifying key", id)
	}
	if !keysOf(id, pk, vk) {
		return nil, fmt.Errorf("key set %s: a %T and a %s key on %s are not %s keys on %s", id, pk, vk.System(), vk.Curve(), id.System, id.Curve)
	}
	return &Set{Meta: meta, PK: pk, VK: vk, CCS: ccs}, nil
}

// FingerprintHex is the lower-case hex SHA-256 of a gnark verifying key's
// canonical (compressed, WriteTo) encoding, the form stored in Meta and
// carried by receipts (proofsystem.VerifyingKey.FingerprintHex for a key
// behind the interface).
func FingerprintHex(vk io.WriterTo) (string, error) {
	fp, err := proofsystem.Fingerprint(vk)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(fp[:]), nil
}

// GnarkVersion returns the gnark module version linked into this binary.
func GnarkVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "github.com/consensys/gnark" {
				if m.Replace != nil && m.Replace.Version != "" {
					return m.Replace.Version
				}
				if m.Version != "" && m.Version != "(devel)" {
					return m.Version
				}
			}
		}
	}
	return gnarkVersionFallback
}

// keysOf reports whether pk and vk are keys of the system and on the curve
// id names (a BLS12-381 Groth16 proving key is a groth16.ProvingKey too:
// the concrete type is compared).
func keysOf(id ID, pk ProvingKey, vk proofsystem.VerifyingKey) bool {
	curve, err := id.CurveID()
	if err != nil || (id.System != protocol.Groth16 && id.System != protocol.Plonk) {
		return false
	}
	return reflect.TypeOf(pk) == reflect.TypeOf(newProvingKey(id.System, curve)) &&
		vk.System() == id.System && vk.Curve() == id.Curve
}
