package ceremony

// SealPhase1: the coordinator closes phase 1 with a public beacon and
// derives the phase-2 base from the sealed powers of tau.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"

	"github.com/zkpoc/zkpoc/keys"
)

func payloadHash(w io.WriterTo) (string, []byte, error) {
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:]), b.Bytes(), nil
}

// SealPhase1 closes phase 1 (coordinator): it verifies every
// phase-1 contribution, applies the public random beacon (which must be
// fixed only after the last phase-1 contribution, e.g. a future block hash)
// and writes the phase-2 base phase2/000.bin and phase1-seal.json. At least
// one phase-1 contribution is required.
func SealPhase1(dir string, beacon []byte, opts ...Option) error {
	o := options(opts)
	if err := keys.CheckBeacon(beacon); err != nil {
		return fmt.Errorf("ceremony seal phase 1: %w", err)
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return fmt.Errorf("ceremony seal phase 1: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	if s, err := readSeal(dir); err != nil {
		return fmt.Errorf("ceremony seal phase 1: %w", err)
	} else if s != nil {
		return fmt.Errorf("ceremony seal phase 1: %s is already sealed (beacon %s)", dir, s.Beacon)
	}
	k, err := listContributions(dir, 1)
	if err != nil {
		return fmt.Errorf("ceremony seal phase 1: %w", err)
	}
	if k == 0 {
		return fmt.Errorf("ceremony seal phase 1: %s has no phase-1 contribution", dir)
	}
	r1cs, err := readCCS(dir, m)
	if err != nil {
		return fmt.Errorf("ceremony seal phase 1: %w", err)
	}
	last, infos, err := verifyPhase1(dir, m, k, o)
	if err != nil {
		return fmt.Errorf("ceremony seal phase 1: %w", err)
	}
	var base mpcsetup.Phase2
	if err := o.step(fmt.Sprintf("seal phase 1 and compute the phase-2 base (%d constraints, domain %d)", m.Constraints, m.DomainSize), func() error {
		commons := last.Seal(beacon)
		base.Initialize(r1cs, &commons)
		return nil
	}); err != nil {
		return fmt.Errorf("ceremony seal phase 1: %w", err)
	}
	baseHash, payload, err := payloadHash(&base)
	if err != nil {
		return fmt.Errorf("ceremony seal phase 1: %w", err)
	}
	if err := writePhaseFile(contribPath(dir, 2, 0), 2, 0, payload); err != nil {
		return fmt.Errorf("ceremony seal phase 1: %w", err)
	}
	return writeJSONFile(filepath.Join(dir, sealFile), phase1Seal{
		Beacon:        hex.EncodeToString(beacon),
		Contributions: k,
		LastHash:      infos[k-1].Hash,
		BaseHash:      baseHash,
		SealedAt:      time.Now().UTC().Format(time.RFC3339),
	})
}
