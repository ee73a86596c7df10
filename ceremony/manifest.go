package ceremony

// manifest.json and ccs.bin: what the ceremony sets up keys for, checked
// against the limits below before anything is allocated from its numbers.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/consensys/gnark-crypto/ecc"
	cs "github.com/consensys/gnark/constraint/bn254"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
)

// Magic starts every ceremony file and is the manifest's magic.
const Magic = "ZKPOC-CEREMONY"

// Version is the ceremony directory format version.
const Version = 1

// Ceremony limits: a manifest outside them is rejected before anything is
// allocated from its numbers.
const (
	maxDomain      = 1 << 26
	maxWires       = 1 << 28
	maxCommitments = 32
	maxCCSBytes    = 4 << 30
	maxJSONBytes   = 64 << 10
)

// Manifest is manifest.json: what the ceremony sets up keys for.
type Manifest struct {
	Magic        string  `json:"magic"`
	Version      int     `json:"version"`
	ID           keys.ID `json:"id"`
	Constraints  int     `json:"constraints"`
	DomainSize   uint64  `json:"domain_size"`
	Wires        int     `json:"wires"`
	Public       int     `json:"public"`
	Commitments  int     `json:"commitments"`
	CCSSHA256    string  `json:"ccs_sha256"` // SHA-256 of ccs.bin (constraint system WriteTo)
	CCSBytes     int64   `json:"ccs_bytes"`
	CreatedAt    string  `json:"created_at"`
	GnarkVersion string  `json:"gnark_version"`
}

// ReadManifest reads and validates dir/manifest.json.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, manifestFile)
	data, err := atomicfile.ReadLimited(path, maxJSONBytes)
	if err != nil {
		return nil, fmt.Errorf("ceremony manifest: %w", err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("ceremony manifest %s: %w", path, err)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("ceremony manifest %s: %w", path, err)
	}
	return &m, nil
}

func (m *Manifest) validate() error {
	if m.Magic != Magic {
		return fmt.Errorf("magic %q, want %q", m.Magic, Magic)
	}
	if m.Version != Version {
		return fmt.Errorf("unsupported version %d (want %d)", m.Version, Version)
	}
	if err := m.ID.Validate(); err != nil {
		return err
	}
	if m.ID.System != protocol.Groth16 {
		return fmt.Errorf("key id %s: the ceremony sets up groth16 keys, not %s", m.ID, m.ID.System)
	}
	if m.Constraints <= 0 || m.DomainSize < 2 || m.DomainSize > maxDomain ||
		ecc.NextPowerOfTwo(m.DomainSize) != m.DomainSize || uint64(m.Constraints) > m.DomainSize {
		return fmt.Errorf("constraints %d / domain size %d out of range (domain: power of two >= constraints, <= %d)", m.Constraints, m.DomainSize, maxDomain)
	}
	if m.Wires <= 0 || m.Wires > maxWires || m.Public < 1 || m.Public > m.Wires {
		return fmt.Errorf("wires %d / public %d out of range", m.Wires, m.Public)
	}
	if m.Commitments < 0 || m.Commitments > maxCommitments {
		return fmt.Errorf("commitments %d out of range", m.Commitments)
	}
	if b, err := hex.DecodeString(m.CCSSHA256); err != nil || len(b) != sha256.Size {
		return fmt.Errorf("ccs_sha256 %q: want 64 hex digits", m.CCSSHA256)
	}
	if m.CCSBytes <= 0 || m.CCSBytes > maxCCSBytes {
		return fmt.Errorf("ccs_bytes %d out of range", m.CCSBytes)
	}
	return nil
}

func readCCS(dir string, m *Manifest) (*cs.R1CS, error) {
	path := filepath.Join(dir, ccsFile)
	data, err := atomicfile.ReadLimited(path, m.CCSBytes)
	if err != nil {
		return nil, fmt.Errorf("ceremony constraint system: %w", err)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != m.CCSSHA256 {
		return nil, fmt.Errorf("ceremony constraint system %s: SHA-256 %x does not match the manifest's %s", path, sum, m.CCSSHA256)
	}
	r := new(cs.R1CS)
	if err := noPanic(func() error {
		_, err := r.ReadFrom(bytes.NewReader(data))
		return err
	}); err != nil {
		return nil, fmt.Errorf("ceremony constraint system %s: %w", path, err)
	}
	if r.GetNbConstraints() != m.Constraints {
		return nil, fmt.Errorf("ceremony constraint system %s: %d constraints, manifest says %d", path, r.GetNbConstraints(), m.Constraints)
	}
	return r, nil
}
