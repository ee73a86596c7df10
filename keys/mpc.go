package keys

// What the cache, its verifiers and key bundles need to know about a
// multi-party ceremony without running one: the provenance string a
// ceremony key carries, the beacon bounds, and the constraint-system digest
// a manifest and an Origin record. The ceremony itself (gnark's MPC setup)
// is package ceremony; nothing here imports it.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/consensys/gnark/constraint"
)

// ProvenanceMPCPrefix starts the provenance of keys from a multi-party
// ceremony: "mpc(P1+P2 contributions, beacon HEX)".
const ProvenanceMPCPrefix = "mpc("

// Beacon size bounds (bytes). A block hash is 32 bytes.
const (
	MinBeaconBytes = 16
	MaxBeaconBytes = 128
)

// CheckBeacon checks a ceremony beacon is MinBeaconBytes to MaxBeaconBytes
// long.
func CheckBeacon(beacon []byte) error {
	if len(beacon) < MinBeaconBytes || len(beacon) > MaxBeaconBytes {
		return fmt.Errorf("beacon must be %d to %d bytes, have %d", MinBeaconBytes, MaxBeaconBytes, len(beacon))
	}
	return nil
}

// IsDevSetup reports whether keys of this provenance must be treated as a
// dev setup (whoever ran it could forge proofs): true for everything except
// a ceremony provenance "mpc(P1+P2 contributions, beacon HEX)" with at least
// one contribution in each phase.
func IsDevSetup(provenance string) bool {
	p1, p2, _, ok := parseMPCProvenance(provenance)
	return !ok || p1 < 1 || p2 < 1
}

var mpcProvenanceRE = regexp.MustCompile(`^mpc\(([0-9]{1,6})\+([0-9]{1,6}) contributions, beacon ([0-9a-f]+)\)$`)

func parseMPCProvenance(s string) (p1, p2 int, beacon string, ok bool) {
	m := mpcProvenanceRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, "", false
	}
	p1, _ = strconv.Atoi(m[1])
	p2, _ = strconv.Atoi(m[2])
	return p1, p2, m[3], true
}

// MPCProvenance is the provenance of keys from a ceremony with p1 phase-1
// and p2 phase-2 contributions and final beacon beacon:
// "mpc(P1+P2 contributions, beacon HEX)".
func MPCProvenance(p1, p2 int, beacon []byte) string {
	return fmt.Sprintf("mpc(%d+%d contributions, beacon %x)", p1, p2, beacon)
}

// CCSDigest returns the hex SHA-256 of ccs.WriteTo, as in the manifest.
func CCSDigest(ccs constraint.ConstraintSystem) (string, int64, error) {
	if ccs == nil {
		return "", 0, errors.New("ccs digest: nil constraint system")
	}
	h := sha256.New()
	n, err := ccs.WriteTo(h)
	if err != nil {
		return "", 0, fmt.Errorf("ccs digest: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
