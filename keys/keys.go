// Package keys handles Groth16 and PLONK key material for zkpoc circuits on
// BN254 and BLS12-381: setup (with progress reporting; the multi-party
// ceremony on BN254 is package ceremony), serialization, bounded readers,
// verifying-key fingerprints and an on-disk cache so that the expensive setup
// is never run twice for the same circuit shape.
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
// may come from elsewhere, are always read through ReadVK (bounded size,
// subgroup-checked, structurally validated).
package keys

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/constraint"
	cs "github.com/consensys/gnark/constraint/bn254"

	"github.com/zkpoc/zkpoc/protocol"
)

// ProvenanceDevSingleParty marks keys produced by a single-party setup on
// this machine: whoever ran it knows the toxic waste and could forge proofs.
// Fine for development, not for adversarial deployments.
const ProvenanceDevSingleParty = "dev-single-party"

// MaxVKBytes bounds the size of a serialized verifying key accepted by
// ReadVK. A BN254 verifying key is a few hundred bytes plus 32-64 bytes per
// public input.
const MaxVKBytes = 1 << 20

// SecondsPerConstraint is the measured single-party Groth16 setup cost per
// constraint on the reference machine, used for the estimate Setup prints.
const SecondsPerConstraint = 30e-6 // 2-core Xeon, idle: 25 µs at n = 16 and 64 (bench calibrate), 33 µs at n = 512 (166.5 s for 5,040,094)

// gnarkVersionFallback is reported when build info is unavailable.
const gnarkVersionFallback = "v0.16.1"

// ErrNotFound is returned (wrapped) when a key is not in the cache.
var ErrNotFound = errors.New("key not found")

// progressInterval is how often Setup prints an elapsed-time line.
var progressInterval = 5 * time.Second

// ID identifies one circuit shape; it is the cache key.
type ID struct {
	Circuit  string          `json:"circuit"`   // e.g. "freivalds-v1"
	N        int             `json:"n"`         // matrix dimension
	FracBits int             `json:"frac_bits"` // fixed-point fractional bits
	Curve    protocol.Curve  `json:"curve"`     // "bn254" or "bls12-381"
	System   protocol.System `json:"system"`    // "groth16" or "plonk"
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
	if err := checkName(id.Circuit, "-."); err != nil {
		return fmt.Errorf("invalid key id %q: circuit: %w", id.String(), err)
	}
	if id.N <= 0 {
		return fmt.Errorf("invalid key id %q: n must be positive, got %d", id.String(), id.N)
	}
	if id.FracBits < 0 {
		return fmt.Errorf("invalid key id %q: frac bits must be non-negative, got %d", id.String(), id.FracBits)
	}
	if err := checkName(string(id.Curve), "-"); err != nil {
		return fmt.Errorf("invalid key id %q: curve: %w", id.String(), err)
	}
	if _, err := id.curveID(); err != nil {
		return fmt.Errorf("invalid key id %q: %w", id.String(), err)
	}
	if id.System != protocol.Groth16 && id.System != protocol.Plonk {
		return fmt.Errorf("invalid key id %q: unsupported proof system %q (want groth16 or plonk)", id.String(), id.System)
	}
	return nil
}

func checkName(s, extra string) error {
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

// curveID maps the Curve field to gnark-crypto's ecc.ID. Both curves carry
// Groth16 and PLONK keys (on BLS12-381, PLONK over a dev SRS only).
func (id ID) curveID() (ecc.ID, error) {
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

// Set is a complete key set for one circuit shape: PK and VK for Groth16,
// PlonkPK and PlonkVK for PLONK (Meta.ID.System says which).
type Set struct {
	Meta Meta
	PK   groth16.ProvingKey
	VK   groth16.VerifyingKey
	CCS  constraint.ConstraintSystem

	PlonkPK plonk.ProvingKey
	PlonkVK plonk.VerifyingKey
	// PlonkSRS is the canonical SRS a PLONK setup used, trimmed to the
	// circuit (gnark-crypto's kzg.SRS WriteTo form): stored as srs.bin so
	// the key can be re-derived elsewhere (keytrust). Optional.
	PlonkSRS []byte
}

// Fingerprint returns the SHA-256 of the verifying key's canonical
// (compressed, vk.WriteTo) serialization.
func Fingerprint(vk groth16.VerifyingKey) ([32]byte, error) {
	if vk == nil {
		return [32]byte{}, errors.New("fingerprint: nil verifying key")
	}
	return fingerprintOf(vk, "verifying key")
}

// FingerprintHex is Fingerprint as lower-case hex, the form stored in Meta
// and carried by receipts.
func FingerprintHex(vk groth16.VerifyingKey) (string, error) {
	fp, err := Fingerprint(vk)
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

// EstimateSetup returns the expected single-party setup time for a circuit
// of the given number of constraints on the reference machine.
func EstimateSetup(constraints int) time.Duration {
	return time.Duration(float64(constraints) * SecondsPerConstraint * float64(time.Second))
}

// Setup runs a (single-party, development) Groth16 setup for ccs. Progress
// lines go to progress (nil means none): the constraint count and estimate
// before, the elapsed time every ~5 s while running, the measured time after.
func Setup(id ID, ccs constraint.ConstraintSystem, progress io.Writer) (*Set, error) {
	if err := id.Validate(); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	if ccs == nil {
		return nil, fmt.Errorf("setup %s: nil constraint system", id)
	}
	curve, _ := id.curveID()
	if ccs.Field().Cmp(curve.ScalarField()) != 0 {
		return nil, fmt.Errorf("setup %s: constraint system is not over the %s scalar field", id, id.Curve)
	}
	if progress == nil {
		progress = io.Discard
	}
	nc := ccs.GetNbConstraints()
	fmt.Fprintf(progress, "setting up Groth16 keys for %s: %s constraints, estimated %s (dev single-party setup)\n",
		id, groupThousands(nc), formatEstimate(EstimateSetup(nc)))

	start := time.Now()
	var pk groth16.ProvingKey
	var vk groth16.VerifyingKey
	elapsed, err := whileTicking(progress, progressInterval, stillSettingUp(id), func() (err error) {
		pk, vk, err = groth16Setup(ccs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("groth16 setup %s: %w", id, err)
	}
	fmt.Fprintf(progress, "Groth16 setup for %s done in %.1f s\n", id, elapsed.Seconds())

	fp, err := FingerprintHex(vk)
	if err != nil {
		return nil, fmt.Errorf("setup %s: %w", id, err)
	}
	return &Set{
		Meta: Meta{
			ID:           id,
			Fingerprint:  fp,
			Provenance:   ProvenanceDevSingleParty,
			Constraints:  nc,
			SetupSeconds: elapsed.Seconds(),
			CreatedAt:    start.UTC().Format(time.RFC3339),
			GnarkVersion: GnarkVersion(),
			Origin:       &Origin{Source: OriginSetup, Circuit: EstablishedGenerated, Setup: EstablishedGenerated, At: Now()},
		},
		PK:  pk,
		VK:  vk,
		CCS: ccs,
	}, nil
}

// groth16Setup is groth16.Setup, with zkpoc's faster setup for BN254 R1CS
// (setupGroth16BN254: same keys, same layout, fixed-base comb multiplications).
func groth16Setup(ccs constraint.ConstraintSystem) (groth16.ProvingKey, groth16.VerifyingKey, error) {
	if r1cs, ok := ccs.(*cs.R1CS); ok {
		return setupGroth16BN254(r1cs)
	}
	return groth16.Setup(ccs)
}

func formatEstimate(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s < 1:
		return "<1 s"
	case s < 120:
		return fmt.Sprintf("~%.0f s", s)
	default:
		return fmt.Sprintf("~%.1f min", s/60)
	}
}

// groupThousands formats n with comma separators: 251203 -> "251,203".
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b bytes.Buffer
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
