package ceremony

// Init: the coordinator opens a ceremony for one circuit.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint"
	cs "github.com/consensys/gnark/constraint/bn254"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
)

// Init creates a ceremony directory for the circuit ccs (a BN254
// R1CS) with key identity id: manifest.json (magic, version, id, constraint
// count, domain size, ccs digest) and ccs.bin. Phase 1 is sized to the
// circuit's domain (the next power of two >= the constraint count). It
// refuses a directory that already holds a manifest.
func Init(dir string, id keys.ID, ccs constraint.ConstraintSystem) error {
	if dir == "" {
		return errors.New("ceremony init: empty directory")
	}
	if err := id.Validate(); err != nil {
		return fmt.Errorf("ceremony init: %w", err)
	}
	if id.System != protocol.Groth16 {
		return fmt.Errorf("ceremony init %s: the ceremony sets up groth16 keys, not %s", id, id.System)
	}
	r1cs, ok := ccs.(*cs.R1CS)
	if !ok || r1cs == nil {
		return fmt.Errorf("ceremony init %s: need a BN254 R1CS constraint system, have %T", id, ccs)
	}
	if _, err := os.Stat(filepath.Join(dir, manifestFile)); err == nil {
		return fmt.Errorf("ceremony init %s: %s already holds a ceremony (manifest.json)", id, dir)
	}
	nc := r1cs.GetNbConstraints()
	internal, secret, public := r1cs.GetNbVariables()
	commitments := len(r1cs.CommitmentInfo.(constraint.Groth16Commitments))
	digest, size, err := keys.CCSDigest(r1cs)
	if err != nil {
		return fmt.Errorf("ceremony init %s: %w", id, err)
	}
	m := Manifest{
		Magic:        Magic,
		Version:      Version,
		ID:           id,
		Constraints:  nc,
		DomainSize:   ecc.NextPowerOfTwo(uint64(nc)),
		Wires:        internal + secret + public,
		Public:       public,
		Commitments:  commitments,
		CCSSHA256:    digest,
		CCSBytes:     size,
		CreatedAt:    time.Now().UTC().Format(time.RFC3339),
		GnarkVersion: keys.GnarkVersion(),
	}
	if m.DomainSize < 2 {
		m.DomainSize = 2
	}
	if err := m.validate(); err != nil {
		return fmt.Errorf("ceremony init %s: %w", id, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("ceremony init %s: %w", id, err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	if err := atomicfile.WriteFunc(filepath.Join(dir, ccsFile), 0o644, func(w io.Writer) error {
		_, err := r1cs.WriteTo(w)
		return err
	}); err != nil {
		return fmt.Errorf("ceremony init %s: %w", id, err)
	}
	if err := writeJSONFile(filepath.Join(dir, manifestFile), m); err != nil {
		return fmt.Errorf("ceremony init %s: %w", id, err)
	}
	return nil
}
