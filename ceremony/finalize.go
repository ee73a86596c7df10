package ceremony

// Finalize: the coordinator applies the final beacon, extracts the proving
// and verifying keys and stores them in a key cache with their transcript
// record.

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
)

// finalRecord is final.json, written by Finalize.
type finalRecord struct {
	Beacon        string  `json:"beacon"`
	Phase1        int     `json:"phase1_contributions"`
	Phase2        int     `json:"phase2_contributions"`
	Fingerprint   string  `json:"fingerprint"`
	Provenance    string  `json:"provenance"`
	FinalizedAt   string  `json:"finalized_at"`
	VerifySeconds float64 `json:"verify_seconds"`
}

// Finalize verifies the transcript (as Verify), applies the
// final public random beacon, extracts the proving and verifying keys and
// stores them in cache with Meta.Provenance "mpc(P1+P2 contributions,
// beacon HEX)". It records final.json in dir. Phase 1 must be sealed and
// phase 2 must have at least one contribution.
func Finalize(dir string, beacon []byte, cache keys.Cache, opts ...Option) (*keys.Set, error) {
	o := options(opts)
	if beacon == nil {
		return nil, fmt.Errorf("ceremony finalize %s: a beacon is required", dir)
	}
	if _, err := ReadManifest(dir); err != nil {
		return nil, fmt.Errorf("ceremony finalize: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	start := time.Now()
	v, err := verifyAll(dir, beacon, o)
	if err != nil {
		return nil, fmt.Errorf("ceremony finalize %s: %w", dir, err)
	}
	if v.vk == nil {
		return nil, fmt.Errorf("ceremony finalize %s: phase 1 is not sealed", dir)
	}
	rec, err := v.report.Transcript()
	if err != nil {
		return nil, fmt.Errorf("ceremony finalize %s: %w", dir, err)
	}
	origin := &keys.Origin{Source: keys.OriginCeremony, Setup: keys.EstablishedTranscript, CCSSHA256: v.manifest.CCSSHA256, Transcript: rec, At: keys.Now()}
	if o.circuitCCS != "" {
		if o.circuitCCS != v.manifest.CCSSHA256 {
			return nil, fmt.Errorf("ceremony finalize %s: the transcript is for constraint system %s, the circuit %s compiles to %s", dir, v.manifest.CCSSHA256, v.manifest.ID, o.circuitCCS)
		}
		origin.Circuit = keys.EstablishedTranscript
	}
	elapsed := time.Since(start)
	vk, err := proofsystem.NewVerifyingKey(v.vk)
	if err != nil {
		return nil, fmt.Errorf("ceremony finalize %s: %w", dir, err)
	}
	set, err := keys.NewSet(keys.Meta{
		ID:           v.manifest.ID,
		Fingerprint:  v.report.Fingerprint,
		Provenance:   v.report.Provenance,
		Constraints:  v.manifest.Constraints,
		SetupSeconds: elapsed.Seconds(),
		CreatedAt:    start.UTC().Format(time.RFC3339),
		GnarkVersion: keys.GnarkVersion(),
		Origin:       origin,
	}, v.pk, vk, v.r1cs)
	if err != nil {
		return nil, fmt.Errorf("ceremony finalize %s: %w", dir, err)
	}
	if err := o.step("store keys in "+cache.Dir, func() error { return cache.Store(set) }); err != nil {
		return nil, fmt.Errorf("ceremony finalize %s: %w", dir, err)
	}
	if err := writeJSONFile(filepath.Join(dir, finalFile), finalRecord{
		Beacon:        v.report.Beacon,
		Phase1:        len(v.report.Phase1),
		Phase2:        len(v.report.Phase2),
		Fingerprint:   v.report.Fingerprint,
		Provenance:    v.report.Provenance,
		FinalizedAt:   time.Now().UTC().Format(time.RFC3339),
		VerifySeconds: elapsed.Seconds(),
	}); err != nil {
		return nil, fmt.Errorf("ceremony finalize %s: keys stored, but final.json: %w", dir, err)
	}
	return set, nil
}
