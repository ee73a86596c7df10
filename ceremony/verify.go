package ceremony

// Verify: anyone re-checks the whole transcript, contribution by
// contribution, and with the final beacon derives the keys it yields; the
// Report, and the keys.TranscriptRecord a verified Report gives.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"
	cs "github.com/consensys/gnark/constraint/bn254"

	"github.com/zkpoc/zkpoc/keys"
)

// ContributionInfo is one verified contribution.
type ContributionInfo struct {
	Phase int    `json:"phase"`
	Index int    `json:"index"`
	Hash  string `json:"hash"` // hex SHA-256 of the payload, as published by the participant
}

// Report is what Verify established.
type Report struct {
	ID           keys.ID            `json:"id"`
	Constraints  int                `json:"constraints"`
	DomainSize   uint64             `json:"domain_size"`
	CCSSHA256    string             `json:"ccs_sha256"`
	Phase1       []ContributionInfo `json:"phase1"`
	Phase1Sealed bool               `json:"phase1_sealed"`
	Phase1Beacon string             `json:"phase1_beacon,omitempty"`
	Phase2Base   string             `json:"phase2_base,omitempty"` // hash of the phase-2 base (phase2/000.bin), once sealed
	Phase2       []ContributionInfo `json:"phase2"`
	Beacon       string             `json:"beacon,omitempty"`      // final beacon, hex, if given
	Fingerprint  string             `json:"fingerprint,omitempty"` // VK fingerprint the transcript and beacon yield
	Provenance   string             `json:"provenance,omitempty"`
	Finalized    bool               `json:"finalized"` // final.json present and matching
}

// Transcript returns the record of a report made with the final beacon
// (Verify with a beacon); without one there are no keys to record.
func (r Report) Transcript() (*keys.TranscriptRecord, error) {
	if r.Fingerprint == "" {
		return nil, errors.New("transcript record: the report has no keys (verify with the final beacon)")
	}
	t := &keys.TranscriptRecord{ID: r.ID, CCSSHA256: r.CCSSHA256, Phase1Beacon: r.Phase1Beacon, Phase2Base: r.Phase2Base,
		Beacon: r.Beacon, Fingerprint: r.Fingerprint, Phase1: []string{}, Phase2: []string{}}
	for _, c := range r.Phase1 {
		t.Phase1 = append(t.Phase1, c.Hash)
	}
	for _, c := range r.Phase2 {
		t.Phase2 = append(t.Phase2, c.Hash)
	}
	return t, t.Validate()
}

type verified struct {
	report   Report
	pk       groth16.ProvingKey
	vk       groth16.VerifyingKey
	r1cs     *cs.R1CS
	manifest *Manifest
}

func verifyAll(dir string, beacon []byte, o config) (*verified, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	v := &verified{manifest: m, report: Report{
		ID: m.ID, Constraints: m.Constraints, DomainSize: m.DomainSize, CCSSHA256: m.CCSSHA256,
		Phase1: []ContributionInfo{}, Phase2: []ContributionInfo{},
	}}
	if beacon != nil {
		if err := keys.CheckBeacon(beacon); err != nil {
			return nil, err
		}
		v.report.Beacon = hex.EncodeToString(beacon)
	}
	if v.r1cs, err = readCCS(dir, m); err != nil {
		return nil, err
	}
	k1, err := listContributions(dir, 1)
	if err != nil {
		return nil, err
	}
	seal, err := readSeal(dir)
	if err != nil {
		return nil, err
	}
	if seal != nil && k1 != seal.Contributions {
		return nil, badContrib(1, min(k1, seal.Contributions)+1, "phase 1 was sealed after %d contributions, the directory holds %d", seal.Contributions, k1)
	}
	last, infos, err := verifyPhase1(dir, m, k1, o)
	if err != nil {
		return nil, err
	}
	v.report.Phase1 = infos
	if seal == nil {
		k2, err := listContributions(dir, 2)
		if err != nil {
			return nil, err
		}
		if k2 > 0 {
			return nil, badContrib(2, 1, "phase-2 contribution without a phase-1 seal record")
		}
		if beacon != nil {
			return nil, errors.New("phase 1 is not sealed yet: nothing to apply the final beacon to")
		}
		return v, nil
	}
	v.report.Phase1Sealed = true
	v.report.Phase1Beacon = seal.Beacon
	beacon1, err := hex.DecodeString(seal.Beacon)
	if err != nil || keys.CheckBeacon(beacon1) != nil {
		return nil, fmt.Errorf("phase-1 seal record: bad beacon %q", seal.Beacon)
	}
	if k1 > 0 && infos[k1-1].Hash != seal.LastHash {
		return nil, badContrib(1, k1, "hash %s differs from the one phase 1 was sealed with (%s)", infos[k1-1].Hash, seal.LastHash)
	}
	if k1 == 0 {
		return nil, errors.New("phase 1 sealed without contributions")
	}
	var commons mpcsetup.SrsCommons
	var evals mpcsetup.Phase2Evaluations
	base := new(mpcsetup.Phase2)
	if err := o.step(fmt.Sprintf("recompute phase-1 seal and phase-2 base (%d constraints, domain %d)", m.Constraints, m.DomainSize), func() error {
		commons = last.Seal(beacon1)
		evals = base.Initialize(v.r1cs, &commons)
		return nil
	}); err != nil {
		return nil, err
	}
	baseHash, _, err := payloadHash(base)
	if err != nil {
		return nil, err
	}
	if baseHash != seal.BaseHash {
		return nil, badContrib(2, 0, "the phase-2 base recomputed from phase 1 and beacon %s has hash %s, the seal record says %s", seal.Beacon, baseHash, seal.BaseHash)
	}
	basePayload, err := readPhaseFile(dir, 2, 0, phase2MaxPayload(m))
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(basePayload); hex.EncodeToString(sum[:]) != baseHash {
		return nil, badContrib(2, 0, "does not match the base recomputed from phase 1")
	}
	v.report.Phase2Base = baseHash
	k2, err := listContributions(dir, 2)
	if err != nil {
		return nil, err
	}
	prev := base
	for i := 1; i <= k2; i++ {
		err := o.step(fmt.Sprintf("verify phase 2 contribution %d/%d", i, k2), func() error {
			payload, err := readPhaseFile(dir, 2, i, phase2MaxPayload(m))
			if err != nil {
				return err
			}
			next, err := decodePhase2(payload, m, 2, i)
			if err != nil {
				return err
			}
			if len(next.Challenge) != sha256.Size {
				return badContrib(2, i, "challenge of %d bytes, want %d", len(next.Challenge), sha256.Size)
			}
			if len(next.Sigmas) != len(prev.Sigmas) {
				return badContrib(2, i, "%d commitment proofs, want %d", len(next.Sigmas), len(prev.Sigmas))
			}
			if err := prev.Verify(next); err != nil {
				return badContrib(2, i, "%v", err)
			}
			sum := sha256.Sum256(payload)
			v.report.Phase2 = append(v.report.Phase2, ContributionInfo{Phase: 2, Index: i, Hash: hex.EncodeToString(sum[:])})
			prev = next
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if beacon == nil {
		return v, nil
	}
	if k2 == 0 {
		return nil, errors.New("no phase-2 contribution: keys from the beacon alone would be public knowledge")
	}
	if err := o.step("apply the final beacon and extract the keys", func() error {
		v.pk, v.vk = prev.Seal(&commons, &evals, beacon)
		return nil
	}); err != nil {
		return nil, err
	}
	fp, err := keys.FingerprintHex(v.vk)
	if err != nil {
		return nil, err
	}
	v.report.Fingerprint = fp
	v.report.Provenance = keys.MPCProvenance(k1, k2, beacon)
	return v, nil
}

// Verify checks the whole transcript in dir: the manifest and
// constraint system, every phase-1 contribution in order (proofs of
// knowledge, chaining, well-formed powers of tau), the phase-1 seal with its
// recorded beacon and the phase-2 base, and every phase-2 contribution in
// order. With a beacon (the final, public random beacon) it also derives the
// keys, reports their fingerprint and provenance, and, if the ceremony was
// finalized, checks final.json matches. A nil beacon checks the
// contributions so far only. A rejected file yields an error wrapping
// ErrBadContribution (errors.As: *ContributionError names phase and index).
func Verify(dir string, beacon []byte, opts ...Option) (Report, error) {
	o := options(opts)
	v, err := verifyAll(dir, beacon, o)
	if err != nil {
		return Report{}, fmt.Errorf("ceremony verify %s: %w", dir, err)
	}
	if beacon != nil {
		var f finalRecord
		err := readJSONFile(filepath.Join(dir, finalFile), &f)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return v.report, fmt.Errorf("ceremony verify %s: %w", dir, err)
		case f.Fingerprint != v.report.Fingerprint || f.Beacon != v.report.Beacon:
			return v.report, fmt.Errorf("ceremony verify %s: final.json records key %s with beacon %s, the transcript and beacon %s yield %s",
				dir, f.Fingerprint, f.Beacon, v.report.Beacon, v.report.Fingerprint)
		default:
			v.report.Finalized = true
		}
	}
	return v.report, nil
}

// verifyPhase1 checks phase-1 contributions 1..k and returns the last
// Phase1 (the initial one if k == 0) and the contribution list.
func verifyPhase1(dir string, m *Manifest, k int, o config) (*mpcsetup.Phase1, []ContributionInfo, error) {
	N := m.DomainSize
	prev := mpcsetup.NewPhase1(N)
	var infos []ContributionInfo
	for i := 1; i <= k; i++ {
		err := o.step(fmt.Sprintf("verify phase 1 contribution %d/%d", i, k), func() error {
			payload, err := readPhaseFile(dir, 1, i, phase1PayloadSize(N, sha256.Size))
			if err != nil {
				return err
			}
			if err := checkPhase1Layout(payload, N); err != nil {
				return &ContributionError{Phase: 1, Index: i, Err: err}
			}
			next := new(mpcsetup.Phase1)
			if n, err := next.ReadFrom(bytes.NewReader(payload)); err != nil || n != int64(len(payload)) {
				return badContrib(1, i, "decode: %d of %d bytes: %v", n, len(payload), err)
			}
			if len(next.Challenge) != sha256.Size {
				return badContrib(1, i, "challenge of %d bytes, want %d", len(next.Challenge), sha256.Size)
			}
			if err := prev.Verify(next); err != nil {
				return badContrib(1, i, "%v", err)
			}
			sum := sha256.Sum256(payload)
			infos = append(infos, ContributionInfo{Phase: 1, Index: i, Hash: hex.EncodeToString(sum[:])})
			prev = next
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return prev, infos, nil
}
