package keys

// Multi-party Groth16 trusted-setup ceremony (BGM17, as implemented by
// gnark's backend/groth16/bn254/mpcsetup).
//
// Flow, all state in one ceremony directory:
//
//	CeremonyInit            coordinator: manifest.json, ccs.bin
//	CeremonyContribute(1)   each phase-1 participant, in turn: phase1/NNN.bin
//	CeremonySealPhase1      coordinator, with public beacon 1: phase1-seal.json, phase2/000.bin
//	CeremonyContribute(2)   each phase-2 participant, in turn: phase2/NNN.bin
//	CeremonyVerify          anyone: checks every contribution and the beacons
//	CeremonyFinalize        coordinator, with public beacon 2: keys into a Cache, final.json
//
// Phase 2 can only start from a sealed phase 1 (gnark derives the phase-2
// base from the sealed powers of tau), so the phase-1 beacon is fixed by
// CeremonySealPhase1 and recorded in phase1-seal.json; the beacon given to
// CeremonyVerify and CeremonyFinalize is the final (phase-2) beacon.
//
// Every phase file is "ZKPOC-CEREMONY" header + payload, where the payload is
// gnark's canonical (compressed) serialization of the Phase1/Phase2 object.
// The header carries version, phase, index, payload length and SHA-256; the
// payload's SHA-256 is the contribution hash the participant publishes, and
// it is also the challenge the next contribution is bound to.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	cmpc "github.com/consensys/gnark-crypto/ecc/bn254/mpcsetup"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"
	"github.com/consensys/gnark/constraint"
	cs "github.com/consensys/gnark/constraint/bn254"
	gio "github.com/consensys/gnark/io"

	"github.com/zkpoc/zkpoc/atomicfile"
)

// ProvenanceMPCPrefix starts the provenance of keys from a multi-party
// ceremony: "mpc(P1+P2 contributions, beacon HEX)".
const ProvenanceMPCPrefix = "mpc("

// CeremonyMagic starts every ceremony file and is the manifest's magic.
const CeremonyMagic = "ZKPOC-CEREMONY"

// CeremonyVersion is the ceremony directory format version.
const CeremonyVersion = 1

// Beacon size bounds (bytes). A block hash is 32 bytes.
const (
	MinBeaconBytes = 16
	MaxBeaconBytes = 128
)

// Ceremony limits: a manifest outside them is rejected before anything is
// allocated from its numbers.
const (
	maxCeremonyDomain      = 1 << 26
	maxCeremonyWires       = 1 << 28
	maxCeremonyCommitments = 32
	maxCeremonyCCSBytes    = 4 << 30
	maxCeremonyJSONBytes   = 64 << 10
)

// ceremonyProgressInterval is how often long ceremony steps print an
// elapsed-time line.
var ceremonyProgressInterval = 30 * time.Second

// ErrBadContribution is wrapped by every error that blames a ceremony file:
// errors.As(err, *ContributionError) names its phase and index.
var ErrBadContribution = errors.New("bad ceremony contribution")

// ContributionError names the phase and index of a rejected ceremony file.
// Index 0 of phase 2 is the coordinator's phase-2 base (phase2/000.bin).
type ContributionError struct {
	Phase, Index int
	Err          error
}

func (e *ContributionError) Error() string {
	if e.Phase == 2 && e.Index == 0 {
		return fmt.Sprintf("%v: phase 2 base (phase2/000.bin): %v", ErrBadContribution, e.Err)
	}
	return fmt.Sprintf("%v: phase %d contribution %d (phase%d/%03d.bin): %v", ErrBadContribution, e.Phase, e.Index, e.Phase, e.Index, e.Err)
}

// Unwrap makes errors.Is(err, ErrBadContribution) hold and exposes the cause.
func (e *ContributionError) Unwrap() []error { return []error{ErrBadContribution, e.Err} }

func badContrib(phase, index int, format string, args ...any) error {
	return &ContributionError{Phase: phase, Index: index, Err: fmt.Errorf(format, args...)}
}

// CeremonyManifest is manifest.json: what the ceremony sets up keys for.
type CeremonyManifest struct {
	Magic        string `json:"magic"`
	Version      int    `json:"version"`
	ID           ID     `json:"id"`
	Constraints  int    `json:"constraints"`
	DomainSize   uint64 `json:"domain_size"`
	Wires        int    `json:"wires"`
	Public       int    `json:"public"`
	Commitments  int    `json:"commitments"`
	CCSSHA256    string `json:"ccs_sha256"` // SHA-256 of ccs.bin (constraint system WriteTo)
	CCSBytes     int64  `json:"ccs_bytes"`
	CreatedAt    string `json:"created_at"`
	GnarkVersion string `json:"gnark_version"`
}

// phase1Seal is phase1-seal.json, written when phase 1 is closed.
type phase1Seal struct {
	Beacon        string `json:"beacon"`
	Contributions int    `json:"phase1_contributions"`
	LastHash      string `json:"phase1_last_hash"`
	BaseHash      string `json:"phase2_base_hash"`
	SealedAt      string `json:"sealed_at"`
}

// ceremonyFinal is final.json, written by CeremonyFinalize.
type ceremonyFinal struct {
	Beacon        string  `json:"beacon"`
	Phase1        int     `json:"phase1_contributions"`
	Phase2        int     `json:"phase2_contributions"`
	Fingerprint   string  `json:"fingerprint"`
	Provenance    string  `json:"provenance"`
	FinalizedAt   string  `json:"finalized_at"`
	VerifySeconds float64 `json:"verify_seconds"`
}

// ContributionInfo is one verified contribution.
type ContributionInfo struct {
	Phase int    `json:"phase"`
	Index int    `json:"index"`
	Hash  string `json:"hash"` // hex SHA-256 of the payload, as published by the participant
}

// Report is what CeremonyVerify established.
type Report struct {
	ID           ID                 `json:"id"`
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

// CeremonyOption configures the long-running ceremony calls.
type CeremonyOption func(*ceremonyOpts)

type ceremonyOpts struct {
	progress   io.Writer
	circuitCCS string // CCSDigest of the circuit compiled for the manifest's id, "" if not checked
}

// WithCompiledCCS tells CeremonyFinalize the constraint-system digest of the
// circuit the caller compiled for the manifest's key id: a transcript for
// another constraint system is refused, and the stored keys record that
// their circuit was established by the transcript.
func WithCompiledCCS(digest string) CeremonyOption {
	return func(o *ceremonyOpts) { o.circuitCCS = digest }
}

// WithProgress sends progress lines (step names, elapsed time) to w.
func WithProgress(w io.Writer) CeremonyOption {
	return func(o *ceremonyOpts) { o.progress = w }
}

func options(opts []CeremonyOption) ceremonyOpts {
	o := ceremonyOpts{progress: io.Discard}
	for _, f := range opts {
		f(&o)
	}
	if o.progress == nil {
		o.progress = io.Discard
	}
	return o
}

// step runs fn, printing its name, "still running" lines and its duration.
func (o ceremonyOpts) step(name string, fn func() error) error {
	fmt.Fprintf(o.progress, "%s ...\n", name)
	elapsed, err := whileTicking(o.progress, ceremonyProgressInterval, func(d time.Duration) string {
		return fmt.Sprintf("  ... %s: %.0f s elapsed\n", name, d.Seconds())
	}, func() error { return noPanic(fn) })
	if err == nil {
		fmt.Fprintf(o.progress, "%s: done in %.1f s\n", name, elapsed.Seconds())
	}
	return err
}

// noPanic turns a panic inside gnark into an error.
func noPanic(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return fn()
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

func mpcProvenance(p1, p2 int, beacon []byte) string {
	return fmt.Sprintf("mpc(%d+%d contributions, beacon %x)", p1, p2, beacon)
}

// ---- directory layout ----

const (
	ceremonyManifestFile = "manifest.json"
	ceremonyCCSFile      = "ccs.bin"
	ceremonySealFile     = "phase1-seal.json"
	ceremonyFinalFile    = "final.json"
	ceremonyLockFile     = ".lock"
)

func phaseDir(dir string, phase int) string { return filepath.Join(dir, fmt.Sprintf("phase%d", phase)) }

func contribPath(dir string, phase, index int) string {
	return filepath.Join(phaseDir(dir, phase), fmt.Sprintf("%03d.bin", index))
}

var contribNameRE = regexp.MustCompile(`^([0-9]{3,6})\.bin$`)

// listContributions returns the number k of contributions of phase, after
// checking the files are exactly 001..k (base 000 excluded).
func listContributions(dir string, phase int) (int, error) {
	ents, err := os.ReadDir(phaseDir(dir, phase))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("list phase %d contributions: %w", phase, err)
	}
	var idx []int
	for _, e := range ents {
		m := contribNameRE.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		if i == 0 {
			continue
		}
		if fmt.Sprintf("%03d.bin", i) != e.Name() {
			return 0, badContrib(phase, i, "unexpected file name %s", e.Name())
		}
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for k, i := range idx {
		if i != k+1 {
			return 0, badContrib(phase, k+1, "missing: the directory holds contribution %d but not %d", i, k+1)
		}
	}
	return len(idx), nil
}

// ---- file header ----

const headerSize = len(CeremonyMagic) + 2 + 1 + 4 + 8 + sha256.Size

func writePhaseFile(path string, phase, index int, payload []byte) error {
	var h [headerSize]byte
	o := copy(h[:], CeremonyMagic)
	binary.BigEndian.PutUint16(h[o:], CeremonyVersion)
	o += 2
	h[o] = byte(phase)
	o++
	binary.BigEndian.PutUint32(h[o:], uint32(index))
	o += 4
	binary.BigEndian.PutUint64(h[o:], uint64(len(payload)))
	o += 8
	sum := sha256.Sum256(payload)
	copy(h[o:], sum[:])
	return atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
		if _, err := w.Write(h[:]); err != nil {
			return err
		}
		_, err := w.Write(payload)
		return err
	})
}

// readPhaseFile reads and checks a phase file, returning its payload. The
// read is bounded by maxPayload; errors blame (phase, index).
func readPhaseFile(dir string, phase, index int, maxPayload int64) ([]byte, error) {
	path := contribPath(dir, phase, index)
	data, err := atomicfile.ReadLimited(path, int64(headerSize)+maxPayload)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, badContrib(phase, index, "missing")
		}
		return nil, &ContributionError{Phase: phase, Index: index, Err: err}
	}
	if len(data) < headerSize {
		return nil, badContrib(phase, index, "truncated: %d bytes, shorter than the %d-byte header", len(data), headerSize)
	}
	h := data[:headerSize]
	o := len(CeremonyMagic)
	if string(h[:o]) != CeremonyMagic {
		return nil, badContrib(phase, index, "not a ceremony file (bad magic)")
	}
	if v := binary.BigEndian.Uint16(h[o:]); v != CeremonyVersion {
		return nil, badContrib(phase, index, "unsupported version %d (want %d)", v, CeremonyVersion)
	}
	o += 2
	if p := int(h[o]); p != phase {
		return nil, badContrib(phase, index, "header says phase %d (file moved?)", p)
	}
	o++
	if i := binary.BigEndian.Uint32(h[o:]); int64(i) != int64(index) {
		return nil, badContrib(phase, index, "header says index %d (files reordered or renamed?)", i)
	}
	o += 4
	n := binary.BigEndian.Uint64(h[o:])
	o += 8
	payload := data[headerSize:]
	if n != uint64(len(payload)) {
		return nil, badContrib(phase, index, "truncated or extended: header says %d payload bytes, file has %d", n, len(payload))
	}
	if sum := sha256.Sum256(payload); !bytes.Equal(sum[:], h[o:o+sha256.Size]) {
		return nil, badContrib(phase, index, "payload digest mismatch (file altered)")
	}
	return payload, nil
}

// ---- sizes ----

const (
	g1Size    = curve.SizeOfG1AffineCompressed
	g2Size    = curve.SizeOfG2AffineCompressed
	proofSize = g1Size + g2Size
)

// phase1PayloadSize is the exact size of a serialized Phase1 of domain N
// whose challenge has challengeLen bytes.
func phase1PayloadSize(N uint64, challengeLen int) int64 {
	n := int64(N)
	return 3*proofSize + 8 + g2Size + (2*n-2)*g1Size + (n-1)*g2Size + 2*n*g1Size + 1 + int64(challengeLen)
}

// phase2MaxPayload bounds a serialized Phase2 for the manifest's circuit.
func phase2MaxPayload(m *CeremonyManifest) int64 {
	w, n, c := int64(m.Wires), int64(m.DomainSize), int64(m.Commitments)
	return 2 + g1Size + 4 + w*g1Size + 4 + n*g1Size + g2Size + c*(4+w*g1Size+g2Size+proofSize) + proofSize + 1 + 255
}

// checkPhase1Layout checks the payload is a Phase1 of domain N before
// gnark's ReadFrom allocates from the N inside it.
func checkPhase1Layout(payload []byte, N uint64) error {
	if len(payload) < 3*proofSize+8 {
		return errors.New("truncated phase-1 payload")
	}
	if got := binary.BigEndian.Uint64(payload[3*proofSize:]); got != N {
		return fmt.Errorf("domain size %d, want %d", got, N)
	}
	want := phase1PayloadSize(N, sha256.Size)
	if int64(len(payload)) != want {
		return fmt.Errorf("phase-1 payload is %d bytes, want %d", len(payload), want)
	}
	return nil
}

// checkPhase2Layout walks the length prefixes of a serialized Phase2 and
// checks them against the manifest and the bytes present, so that gnark's
// ReadFrom never allocates from an unchecked length.
func checkPhase2Layout(p []byte, m *CeremonyManifest) error {
	off := 0
	need := func(n int64) error {
		if n < 0 || int64(len(p)-off) < n {
			return fmt.Errorf("truncated phase-2 payload at byte %d", off)
		}
		return nil
	}
	u32 := func() (int64, error) {
		if err := need(4); err != nil {
			return 0, err
		}
		v := binary.BigEndian.Uint32(p[off:])
		off += 4
		return int64(v), nil
	}
	skip := func(n int64) error {
		if err := need(n); err != nil {
			return err
		}
		off += int(n)
		return nil
	}
	if err := need(2); err != nil {
		return err
	}
	nc := int(binary.BigEndian.Uint16(p))
	off += 2
	if nc != m.Commitments {
		return fmt.Errorf("%d commitments, want %d", nc, m.Commitments)
	}
	if err := skip(g1Size); err != nil {
		return err
	}
	pkk, err := u32()
	if err != nil {
		return err
	}
	if pkk > int64(m.Wires) {
		return fmt.Errorf("%d private-key elements exceed %d wires", pkk, m.Wires)
	}
	if err := skip(pkk * g1Size); err != nil {
		return err
	}
	z, err := u32()
	if err != nil {
		return err
	}
	if z != int64(m.DomainSize)-1 {
		return fmt.Errorf("%d Z elements, want %d", z, m.DomainSize-1)
	}
	if err := skip(z*g1Size + g2Size); err != nil {
		return err
	}
	for i := 0; i < nc; i++ {
		l, err := u32()
		if err != nil {
			return err
		}
		if l > int64(m.Wires) {
			return fmt.Errorf("commitment %d: %d elements exceed %d wires", i, l, m.Wires)
		}
		if err := skip(l * g1Size); err != nil {
			return err
		}
	}
	if err := skip(int64(nc)*g2Size + int64(1+nc)*proofSize); err != nil {
		return err
	}
	if err := need(1); err != nil {
		return err
	}
	cl := int64(p[off])
	off++
	if err := skip(cl); err != nil {
		return err
	}
	if off != len(p) {
		return fmt.Errorf("%d trailing bytes after the phase-2 payload", len(p)-off)
	}
	return nil
}

// ---- manifest, ccs ----

// ReadCeremonyManifest reads and validates dir/manifest.json.
func ReadCeremonyManifest(dir string) (*CeremonyManifest, error) {
	path := filepath.Join(dir, ceremonyManifestFile)
	data, err := atomicfile.ReadLimited(path, maxCeremonyJSONBytes)
	if err != nil {
		return nil, fmt.Errorf("ceremony manifest: %w", err)
	}
	var m CeremonyManifest
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

func (m *CeremonyManifest) validate() error {
	if m.Magic != CeremonyMagic {
		return fmt.Errorf("magic %q, want %q", m.Magic, CeremonyMagic)
	}
	if m.Version != CeremonyVersion {
		return fmt.Errorf("unsupported version %d (want %d)", m.Version, CeremonyVersion)
	}
	if err := m.ID.Validate(); err != nil {
		return err
	}
	if m.ID.System != "groth16" {
		return fmt.Errorf("key id %s: the ceremony sets up groth16 keys, not %s", m.ID, m.ID.System)
	}
	if m.Constraints <= 0 || m.DomainSize < 2 || m.DomainSize > maxCeremonyDomain ||
		ecc.NextPowerOfTwo(m.DomainSize) != m.DomainSize || uint64(m.Constraints) > m.DomainSize {
		return fmt.Errorf("constraints %d / domain size %d out of range (domain: power of two >= constraints, <= %d)", m.Constraints, m.DomainSize, maxCeremonyDomain)
	}
	if m.Wires <= 0 || m.Wires > maxCeremonyWires || m.Public < 1 || m.Public > m.Wires {
		return fmt.Errorf("wires %d / public %d out of range", m.Wires, m.Public)
	}
	if m.Commitments < 0 || m.Commitments > maxCeremonyCommitments {
		return fmt.Errorf("commitments %d out of range", m.Commitments)
	}
	if b, err := hex.DecodeString(m.CCSSHA256); err != nil || len(b) != sha256.Size {
		return fmt.Errorf("ccs_sha256 %q: want 64 hex digits", m.CCSSHA256)
	}
	if m.CCSBytes <= 0 || m.CCSBytes > maxCeremonyCCSBytes {
		return fmt.Errorf("ccs_bytes %d out of range", m.CCSBytes)
	}
	return nil
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

func readCeremonyCCS(dir string, m *CeremonyManifest) (*cs.R1CS, error) {
	path := filepath.Join(dir, ceremonyCCSFile)
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

// ---- lock ----

func lockCeremony(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ceremonyLockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock ceremony %s: %w", dir, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock ceremony %s: %w", dir, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// ---- init ----

// CeremonyInit creates a ceremony directory for the circuit ccs (a BN254
// R1CS) with key identity id: manifest.json (magic, version, id, constraint
// count, domain size, ccs digest) and ccs.bin. Phase 1 is sized to the
// circuit's domain (the next power of two >= the constraint count). It
// refuses a directory that already holds a manifest.
func CeremonyInit(dir string, id ID, ccs constraint.ConstraintSystem) error {
	if dir == "" {
		return errors.New("ceremony init: empty directory")
	}
	if err := id.Validate(); err != nil {
		return fmt.Errorf("ceremony init: %w", err)
	}
	if id.System != "groth16" {
		return fmt.Errorf("ceremony init %s: the ceremony sets up groth16 keys, not %s", id, id.System)
	}
	r1cs, ok := ccs.(*cs.R1CS)
	if !ok || r1cs == nil {
		return fmt.Errorf("ceremony init %s: need a BN254 R1CS constraint system, have %T", id, ccs)
	}
	if _, err := os.Stat(filepath.Join(dir, ceremonyManifestFile)); err == nil {
		return fmt.Errorf("ceremony init %s: %s already holds a ceremony (manifest.json)", id, dir)
	}
	nc := r1cs.GetNbConstraints()
	internal, secret, public := r1cs.GetNbVariables()
	commitments := len(r1cs.CommitmentInfo.(constraint.Groth16Commitments))
	digest, size, err := CCSDigest(r1cs)
	if err != nil {
		return fmt.Errorf("ceremony init %s: %w", id, err)
	}
	m := CeremonyManifest{
		Magic:        CeremonyMagic,
		Version:      CeremonyVersion,
		ID:           id,
		Constraints:  nc,
		DomainSize:   ecc.NextPowerOfTwo(uint64(nc)),
		Wires:        internal + secret + public,
		Public:       public,
		Commitments:  commitments,
		CCSSHA256:    digest,
		CCSBytes:     size,
		CreatedAt:    time.Now().UTC().Format(time.RFC3339),
		GnarkVersion: GnarkVersion(),
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
	unlock, err := lockCeremony(dir)
	if err != nil {
		return err
	}
	defer unlock()
	if err := atomicfile.WriteFunc(filepath.Join(dir, ceremonyCCSFile), 0o644, func(w io.Writer) error {
		_, err := r1cs.WriteTo(w)
		return err
	}); err != nil {
		return fmt.Errorf("ceremony init %s: %w", id, err)
	}
	if err := writeJSONFile(filepath.Join(dir, ceremonyManifestFile), m); err != nil {
		return fmt.Errorf("ceremony init %s: %w", id, err)
	}
	return nil
}

func writeJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'), 0o644)
}

func readJSONFile(path string, v any) error {
	data, err := atomicfile.ReadLimited(path, maxCeremonyJSONBytes)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

func readSeal(dir string) (*phase1Seal, error) {
	var s phase1Seal
	err := readJSONFile(filepath.Join(dir, ceremonySealFile), &s)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("phase-1 seal record: %w", err)
	}
	return &s, nil
}

// ---- contribute ----

// randomScalar draws a uniform non-zero scalar from rng (64 bytes reduced
// mod r: bias < 2^-250).
func randomScalar(rng io.Reader) (fr.Element, error) {
	var buf [64]byte
	for {
		if _, err := io.ReadFull(rng, buf[:]); err != nil {
			return fr.Element{}, fmt.Errorf("read randomness: %w", err)
		}
		var e fr.Element
		e.SetBigInt(new(big.Int).SetBytes(buf[:]))
		if !e.IsZero() {
			return e, nil
		}
	}
}

// CeremonyContribute adds one contribution to phase (1 or 2): it reads the
// latest state, mixes in fresh secret randomness from rng (crypto/rand if
// nil), writes phaseP/NNN.bin and returns its index and hash (SHA-256 of the
// payload), which the participant should publish. The secret scalars are
// dropped when it returns. Phase 1 must still be open; phase 2 needs
// CeremonySealPhase1 first. It checks the file it builds on (header, digest,
// structure, points on the curve) but not the whole transcript: run
// CeremonyVerify for that.
func CeremonyContribute(dir string, phase int, rng io.Reader, opts ...CeremonyOption) (index int, hash []byte, err error) {
	o := options(opts)
	if phase != 1 && phase != 2 {
		return 0, nil, fmt.Errorf("ceremony contribute: phase must be 1 or 2, have %d", phase)
	}
	if rng == nil {
		rng = rand.Reader
	}
	m, err := ReadCeremonyManifest(dir)
	if err != nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %w", err)
	}
	unlock, err := lockCeremony(dir)
	if err != nil {
		return 0, nil, err
	}
	defer unlock()
	seal, err := readSeal(dir)
	if err != nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ceremonyFinalFile)); err == nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %s is already finalized", dir)
	}
	switch {
	case phase == 1 && seal != nil:
		return 0, nil, fmt.Errorf("ceremony contribute: phase 1 of %s is sealed; contribute to phase 2", dir)
	case phase == 2 && seal == nil:
		return 0, nil, fmt.Errorf("ceremony contribute: phase 1 of %s is not sealed yet (coordinator: zkpoc ceremony seal-phase1)", dir)
	}
	k, err := listContributions(dir, phase)
	if err != nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %w", err)
	}
	var payload []byte
	name := fmt.Sprintf("phase %d contribution %d (domain %d)", phase, k+1, m.DomainSize)
	err = o.step(name, func() error {
		var err error
		if phase == 1 {
			payload, err = contributePhase1(dir, m, k, rng)
		} else {
			payload, err = contributePhase2(dir, m, k, rng)
		}
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %w", err)
	}
	path := contribPath(dir, phase, k+1)
	if _, err := os.Stat(path); err == nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %s appeared while contributing", path)
	}
	if err := writePhaseFile(path, phase, k+1, payload); err != nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %w", err)
	}
	sum := sha256.Sum256(payload)
	return k + 1, sum[:], nil
}

func contributePhase1(dir string, m *CeremonyManifest, k int, rng io.Reader) ([]byte, error) {
	N := m.DomainSize
	var prev []byte
	if k == 0 {
		var b bytes.Buffer
		if _, err := mpcsetup.NewPhase1(N).WriteTo(&b); err != nil {
			return nil, err
		}
		prev = b.Bytes()
	} else {
		var err error
		if prev, err = readPhaseFile(dir, 1, k, phase1PayloadSize(N, sha256.Size)); err != nil {
			return nil, err
		}
		if err := checkPhase1Layout(prev, N); err != nil {
			return nil, &ContributionError{Phase: 1, Index: k, Err: err}
		}
	}
	challenge := sha256.Sum256(prev)
	var commons mpcsetup.SrsCommons
	if _, err := commons.ReadFrom(bytes.NewReader(prev[3*proofSize:])); err != nil {
		return nil, &ContributionError{Phase: 1, Index: k, Err: fmt.Errorf("decode: %w", err)}
	}
	tau, err := randomScalar(rng)
	if err != nil {
		return nil, err
	}
	alpha, err := randomScalar(rng)
	if err != nil {
		return nil, err
	}
	beta, err := randomScalar(rng)
	if err != nil {
		return nil, err
	}
	// UpdateValues with a non-zero value uses it as is: the proofs of
	// knowledge for our own scalars.
	proofs := [3]cmpc.UpdateProof{
		cmpc.UpdateValues(&tau, challenge[:], mpcsetup.DST_TAU),
		cmpc.UpdateValues(&alpha, challenge[:], mpcsetup.DST_ALPHA),
		cmpc.UpdateValues(&beta, challenge[:], mpcsetup.DST_BETA),
	}
	updatePhase1(&commons, &tau, &alpha, &beta)
	var b bytes.Buffer
	b.Grow(int(phase1PayloadSize(N, sha256.Size)))
	for i := range proofs {
		if _, err := proofs[i].WriteTo(&b); err != nil {
			return nil, err
		}
	}
	if _, err := commons.WriteTo(&b); err != nil {
		return nil, err
	}
	if _, err := gio.WriteBytesShort(challenge[:], &b); err != nil {
		return nil, err
	}
	tau.SetZero()
	alpha.SetZero()
	beta.SetZero()
	return b.Bytes(), nil
}

// parallel runs fn over [0, n) in chunks on all cores.
func parallel(n int, fn func(start, end int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		fn(0, n)
		return
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for s := 0; s < n; s += chunk {
		e := min(s+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(s, e)
		}()
	}
	wg.Wait()
}

// updatePhase1 is gnark's SrsCommons.update, parallelized: τⁱ-scaling of
// every power, α and β folded into the α/β vectors.
func updatePhase1(c *mpcsetup.SrsCommons, tau, alpha, beta *fr.Element) {
	var coeff big.Int
	alpha.BigInt(&coeff)
	c.G1.AlphaTau[0].ScalarMultiplication(&c.G1.AlphaTau[0], &coeff)
	beta.BigInt(&coeff)
	c.G1.BetaTau[0].ScalarMultiplication(&c.G1.BetaTau[0], &coeff)
	c.G2.Beta.ScalarMultiplication(&c.G2.Beta, &coeff)
	nG2 := len(c.G2.Tau)
	parallel(len(c.G1.Tau)-1, func(start, end int) {
		var tp, scaled fr.Element
		var k big.Int
		tp.Exp(*tau, big.NewInt(int64(start+1)))
		for i := start + 1; i <= end; i++ {
			tp.BigInt(&k)
			c.G1.Tau[i].ScalarMultiplication(&c.G1.Tau[i], &k)
			if i < nG2 {
				c.G2.Tau[i].ScalarMultiplication(&c.G2.Tau[i], &k)
				scaled.Mul(&tp, alpha)
				scaled.BigInt(&k)
				c.G1.AlphaTau[i].ScalarMultiplication(&c.G1.AlphaTau[i], &k)
				scaled.Mul(&tp, beta)
				scaled.BigInt(&k)
				c.G1.BetaTau[i].ScalarMultiplication(&c.G1.BetaTau[i], &k)
			}
			tp.Mul(&tp, tau)
		}
	})
}

func decodePhase2(payload []byte, m *CeremonyManifest, phase, index int) (*mpcsetup.Phase2, error) {
	if err := checkPhase2Layout(payload, m); err != nil {
		return nil, &ContributionError{Phase: phase, Index: index, Err: err}
	}
	p := new(mpcsetup.Phase2)
	var n int64
	if err := noPanic(func() error {
		var err error
		n, err = p.ReadFrom(bytes.NewReader(payload))
		return err
	}); err != nil {
		return nil, badContrib(phase, index, "decode: %v", err)
	}
	if n != int64(len(payload)) {
		return nil, badContrib(phase, index, "decoded %d of %d bytes", n, len(payload))
	}
	return p, nil
}

func contributePhase2(dir string, m *CeremonyManifest, k int, rng io.Reader) ([]byte, error) {
	prevPayload, err := readPhaseFile(dir, 2, k, phase2MaxPayload(m))
	if err != nil {
		return nil, err
	}
	p, err := decodePhase2(prevPayload, m, 2, k)
	if err != nil {
		return nil, err
	}
	challenge := sha256.Sum256(prevPayload)
	p.Challenge = challenge[:]
	delta, err := randomScalar(rng)
	if err != nil {
		return nil, err
	}
	sigma := make([]fr.Element, len(p.Parameters.G1.SigmaCKK))
	for i := range sigma {
		if sigma[i], err = randomScalar(rng); err != nil {
			return nil, err
		}
	}
	p.Delta = cmpc.UpdateValues(&delta, p.Challenge, mpcsetup.DST_DELTA)
	for i := range sigma {
		p.Sigmas[i] = cmpc.UpdateValues(&sigma[i], p.Challenge, mpcsetup.DST_SIGMA+byte(i))
	}
	// gnark's Phase2.update.
	scale := func(s []curve.G1Affine, e *fr.Element) {
		var k big.Int
		e.BigInt(&k)
		parallel(len(s), func(start, end int) {
			for i := start; i < end; i++ {
				s[i].ScalarMultiplication(&s[i], &k)
			}
		})
	}
	var I big.Int
	for i := range sigma {
		sigma[i].BigInt(&I)
		p.Parameters.G2.Sigma[i].ScalarMultiplication(&p.Parameters.G2.Sigma[i], &I)
		scale(p.Parameters.G1.SigmaCKK[i], &sigma[i])
		sigma[i].SetZero()
	}
	delta.BigInt(&I)
	p.Parameters.G2.Delta.ScalarMultiplication(&p.Parameters.G2.Delta, &I)
	p.Parameters.G1.Delta.ScalarMultiplication(&p.Parameters.G1.Delta, &I)
	var inv fr.Element
	inv.Inverse(&delta)
	scale(p.Parameters.G1.Z, &inv)
	scale(p.Parameters.G1.PKK, &inv)
	delta.SetZero()
	inv.SetZero()
	var b bytes.Buffer
	if _, err := p.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ---- seal phase 1 ----

func checkBeacon(beacon []byte) error {
	if len(beacon) < MinBeaconBytes || len(beacon) > MaxBeaconBytes {
		return fmt.Errorf("beacon must be %d to %d bytes, have %d", MinBeaconBytes, MaxBeaconBytes, len(beacon))
	}
	return nil
}

// verifyPhase1 checks phase-1 contributions 1..k and returns the last
// Phase1 (the initial one if k == 0) and the contribution list.
func verifyPhase1(dir string, m *CeremonyManifest, k int, o ceremonyOpts) (*mpcsetup.Phase1, []ContributionInfo, error) {
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

func payloadHash(w io.WriterTo) (string, []byte, error) {
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:]), b.Bytes(), nil
}

// CeremonySealPhase1 closes phase 1 (coordinator): it verifies every
// phase-1 contribution, applies the public random beacon (which must be
// fixed only after the last phase-1 contribution, e.g. a future block hash)
// and writes the phase-2 base phase2/000.bin and phase1-seal.json. At least
// one phase-1 contribution is required.
func CeremonySealPhase1(dir string, beacon []byte, opts ...CeremonyOption) error {
	o := options(opts)
	if err := checkBeacon(beacon); err != nil {
		return fmt.Errorf("ceremony seal phase 1: %w", err)
	}
	m, err := ReadCeremonyManifest(dir)
	if err != nil {
		return fmt.Errorf("ceremony seal phase 1: %w", err)
	}
	unlock, err := lockCeremony(dir)
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
	r1cs, err := readCeremonyCCS(dir, m)
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
	return writeJSONFile(filepath.Join(dir, ceremonySealFile), phase1Seal{
		Beacon:        hex.EncodeToString(beacon),
		Contributions: k,
		LastHash:      infos[k-1].Hash,
		BaseHash:      baseHash,
		SealedAt:      time.Now().UTC().Format(time.RFC3339),
	})
}

// ---- verify, finalize ----

type verified struct {
	report   Report
	pk       groth16.ProvingKey
	vk       groth16.VerifyingKey
	r1cs     *cs.R1CS
	manifest *CeremonyManifest
}

func verifyAll(dir string, beacon []byte, o ceremonyOpts) (*verified, error) {
	m, err := ReadCeremonyManifest(dir)
	if err != nil {
		return nil, err
	}
	v := &verified{manifest: m, report: Report{
		ID: m.ID, Constraints: m.Constraints, DomainSize: m.DomainSize, CCSSHA256: m.CCSSHA256,
		Phase1: []ContributionInfo{}, Phase2: []ContributionInfo{},
	}}
	if beacon != nil {
		if err := checkBeacon(beacon); err != nil {
			return nil, err
		}
		v.report.Beacon = hex.EncodeToString(beacon)
	}
	if v.r1cs, err = readCeremonyCCS(dir, m); err != nil {
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
	if err != nil || checkBeacon(beacon1) != nil {
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
	fp, err := FingerprintHex(v.vk)
	if err != nil {
		return nil, err
	}
	v.report.Fingerprint = fp
	v.report.Provenance = mpcProvenance(k1, k2, beacon)
	return v, nil
}

// CeremonyVerify checks the whole transcript in dir: the manifest and
// constraint system, every phase-1 contribution in order (proofs of
// knowledge, chaining, well-formed powers of tau), the phase-1 seal with its
// recorded beacon and the phase-2 base, and every phase-2 contribution in
// order. With a beacon (the final, public random beacon) it also derives the
// keys, reports their fingerprint and provenance, and, if the ceremony was
// finalized, checks final.json matches. A nil beacon checks the
// contributions so far only. A rejected file yields an error wrapping
// ErrBadContribution (errors.As: *ContributionError names phase and index).
func CeremonyVerify(dir string, beacon []byte, opts ...CeremonyOption) (Report, error) {
	o := options(opts)
	v, err := verifyAll(dir, beacon, o)
	if err != nil {
		return Report{}, fmt.Errorf("ceremony verify %s: %w", dir, err)
	}
	if beacon != nil {
		var f ceremonyFinal
		err := readJSONFile(filepath.Join(dir, ceremonyFinalFile), &f)
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

// CeremonyFinalize verifies the transcript (as CeremonyVerify), applies the
// final public random beacon, extracts the proving and verifying keys and
// stores them in cache with Meta.Provenance "mpc(P1+P2 contributions,
// beacon HEX)". It records final.json in dir. Phase 1 must be sealed and
// phase 2 must have at least one contribution.
func CeremonyFinalize(dir string, beacon []byte, cache Cache, opts ...CeremonyOption) (*Set, error) {
	o := options(opts)
	if beacon == nil {
		return nil, fmt.Errorf("ceremony finalize %s: a beacon is required", dir)
	}
	if _, err := ReadCeremonyManifest(dir); err != nil {
		return nil, fmt.Errorf("ceremony finalize: %w", err)
	}
	unlock, err := lockCeremony(dir)
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
	origin := &Origin{Source: OriginCeremony, Setup: EstablishedTranscript, CCSSHA256: v.manifest.CCSSHA256, Transcript: rec, At: Now()}
	if o.circuitCCS != "" {
		if o.circuitCCS != v.manifest.CCSSHA256 {
			return nil, fmt.Errorf("ceremony finalize %s: the transcript is for constraint system %s, the circuit %s compiles to %s", dir, v.manifest.CCSSHA256, v.manifest.ID, o.circuitCCS)
		}
		origin.Circuit = EstablishedTranscript
	}
	elapsed := time.Since(start)
	set := &Set{
		Meta: Meta{
			ID:           v.manifest.ID,
			Fingerprint:  v.report.Fingerprint,
			Provenance:   v.report.Provenance,
			Constraints:  v.manifest.Constraints,
			SetupSeconds: elapsed.Seconds(),
			CreatedAt:    start.UTC().Format(time.RFC3339),
			GnarkVersion: GnarkVersion(),
			Origin:       origin,
		},
		PK:  v.pk,
		VK:  v.vk,
		CCS: v.r1cs,
	}
	if err := o.step("store keys in "+cache.Dir, func() error { return cache.Store(set) }); err != nil {
		return nil, fmt.Errorf("ceremony finalize %s: %w", dir, err)
	}
	if err := writeJSONFile(filepath.Join(dir, ceremonyFinalFile), ceremonyFinal{
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
