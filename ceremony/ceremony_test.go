package ceremony

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkpoc/zkpoc/keys"
)

// commitCircuit has a Pedersen commitment (like the real statement's
// lookup argument), so phase 2 exercises the σ updates too.
type commitCircuit struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *commitCircuit) Define(api frontend.API) error {
	x3 := api.Mul(c.X, c.X, c.X)
	api.AssertIsEqual(api.Add(x3, c.X, 5), c.Y)
	cm, err := api.(frontend.Committer).Commit(c.X, c.Y)
	if err != nil {
		return err
	}
	api.AssertIsDifferent(cm, 0)
	return nil
}

var ceremonyTestID = keys.ID{Circuit: "ceremony-test", N: 1, FracBits: 0, Curve: "bn254", System: "groth16"}

func compileCommit(t testing.TB) constraint.ConstraintSystem {
	t.Helper()
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &commitCircuit{})
	if err != nil {
		t.Fatal(err)
	}
	return ccs
}

var (
	testBeacon1 = bytes.Repeat([]byte{0xb1}, 32)
	testBeacon2 = bytes.Repeat([]byte{0xb2}, 32)
)

// seededRNG is a deterministic stand-in for crypto/rand in tests.
func seededRNG(seed uint64) io.Reader { return rand.NewChaCha8([32]byte{byte(seed), 7}) }

// newCeremony runs init, p1 phase-1 and p2 phase-2 contributions (sealing
// phase 1 in between when p2 > 0 or seal is set).
func newCeremony(t *testing.T, p1, p2 int, seal bool) (dir string, ccs constraint.ConstraintSystem, hashes [][]byte) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "ceremony")
	ccs = compileCommit(t)
	if err := Init(dir, ceremonyTestID, ccs); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= p1; i++ {
		idx, h, err := Contribute(dir, 1, seededRNG(uint64(i)))
		if err != nil {
			t.Fatalf("phase 1 contribution %d: %v", i, err)
		}
		if idx != i || len(h) != sha256.Size {
			t.Fatalf("phase 1 contribution: index %d hash %x, want index %d", idx, h, i)
		}
		hashes = append(hashes, h)
	}
	if p2 > 0 || seal {
		if err := SealPhase1(dir, testBeacon1); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= p2; i++ {
		idx, h, err := Contribute(dir, 2, nil) // crypto/rand
		if err != nil {
			t.Fatalf("phase 2 contribution %d: %v", i, err)
		}
		if idx != i {
			t.Fatalf("phase 2 contribution index %d, want %d", idx, i)
		}
		hashes = append(hashes, h)
	}
	return dir, ccs, hashes
}

func proveWith(t *testing.T, ccs constraint.ConstraintSystem, pk groth16.ProvingKey, vk groth16.VerifyingKey) {
	t.Helper()
	w, err := frontend.NewWitness(&commitCircuit{X: 3, Y: 35}, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(ccs, pk, w)
	if err != nil {
		t.Fatalf("prove: %v", err)
	}
	pub, err := w.Public()
	if err != nil {
		t.Fatal(err)
	}
	if err := groth16.Verify(proof, vk, pub); err != nil {
		t.Fatalf("verify: %v", err)
	}
	bad, _ := frontend.NewWitness(&commitCircuit{X: 3, Y: 36}, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err := groth16.Verify(proof, vk, bad); err == nil {
		t.Fatal("proof verified against a wrong public input")
	}
}

func TestCeremonyFullFlow(t *testing.T) {
	dir, ccs, hashes := newCeremony(t, 3, 2, false)

	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != ceremonyTestID || m.Constraints != ccs.GetNbConstraints() || m.DomainSize != ecc.NextPowerOfTwo(uint64(ccs.GetNbConstraints())) || m.Commitments != 1 {
		t.Fatalf("manifest %+v", m)
	}
	if d, _, _ := keys.CCSDigest(ccs); d != m.CCSSHA256 {
		t.Fatalf("manifest ccs digest %s, want %s", m.CCSSHA256, d)
	}
	// Phase-1 files have the exact size the layout check expects.
	st, err := os.Stat(contribPath(dir, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(headerSize) + phase1PayloadSize(m.DomainSize, sha256.Size); st.Size() != want {
		t.Fatalf("phase-1 file is %d bytes, want %d", st.Size(), want)
	}

	// Contributions are closed to the wrong phase.
	if _, _, err := Contribute(dir, 1, nil); err == nil || !strings.Contains(err.Error(), "sealed") {
		t.Fatalf("phase-1 contribution after seal: %v", err)
	}

	// Verify without beacon: contributions only.
	rep, err := Verify(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Phase1) != 3 || len(rep.Phase2) != 2 || !rep.Phase1Sealed || rep.Fingerprint != "" {
		t.Fatalf("report %+v", rep)
	}
	for i, c := range append(rep.Phase1, rep.Phase2...) {
		if c.Hash != hex.EncodeToString(hashes[i]) {
			t.Errorf("contribution %d/%d: report hash %s, contributed %x", c.Phase, c.Index, c.Hash, hashes[i])
		}
	}

	rep, err = Verify(dir, testBeacon2)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Fingerprint == "" || rep.Finalized {
		t.Fatalf("report %+v", rep)
	}

	cache := keys.Cache{Dir: filepath.Join(t.TempDir(), "keys")}
	set, err := Finalize(dir, testBeacon2, cache)
	if err != nil {
		t.Fatal(err)
	}
	wantProv := "mpc(3+2 contributions, beacon " + hex.EncodeToString(testBeacon2) + ")"
	if set.Meta.Provenance != wantProv || !strings.HasPrefix(set.Meta.Provenance, keys.ProvenanceMPCPrefix) || keys.IsDevSetup(set.Meta.Provenance) {
		t.Fatalf("provenance %q, want %q", set.Meta.Provenance, wantProv)
	}
	if set.Meta.Fingerprint != rep.Fingerprint {
		t.Fatalf("finalized fingerprint %s, verify said %s", set.Meta.Fingerprint, rep.Fingerprint)
	}
	proveWith(t, ccs, set.PK.(groth16.ProvingKey), set.VK.Gnark().(groth16.VerifyingKey))

	// The cache entry loads and proves; FindByFingerprint finds it.
	loaded, err := cache.Load(ceremonyTestID)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Meta.Provenance != wantProv {
		t.Fatalf("cached provenance %q", loaded.Meta.Provenance)
	}
	proveWith(t, ccs, loaded.PK.(groth16.ProvingKey), loaded.VK.Gnark().(groth16.VerifyingKey))
	if _, meta, err := cache.FindByFingerprint(rep.Fingerprint); err != nil || meta.Provenance != wantProv {
		t.Fatalf("FindByFingerprint: %v %+v", err, meta)
	}

	// After finalize, verify with the beacon confirms final.json; another
	// beacon yields other keys and is flagged.
	rep, err = Verify(dir, testBeacon2)
	if err != nil || !rep.Finalized {
		t.Fatalf("verify after finalize: %v %+v", err, rep)
	}
	if _, err := Verify(dir, testBeacon1); err == nil || !strings.Contains(err.Error(), "final.json") {
		t.Fatalf("verify with another beacon: %v", err)
	}
	if _, _, err := Contribute(dir, 2, nil); err == nil {
		t.Fatal("contribution after finalize accepted")
	}
}

func TestCeremonyDeterministicWithSeededRNG(t *testing.T) {
	_, _, h1 := newCeremony(t, 2, 0, false)
	_, _, h2 := newCeremony(t, 2, 0, false)
	if !bytes.Equal(h1[1], h2[1]) {
		t.Fatal("same randomness gave different contributions")
	}
}

func TestCeremonyPreconditions(t *testing.T) {
	dir, ccs, _ := newCeremony(t, 0, 0, false)
	if err := Init(dir, ceremonyTestID, ccs); err == nil {
		t.Error("init over an existing ceremony accepted")
	}
	if _, _, err := Contribute(dir, 3, nil); err == nil {
		t.Error("phase 3 accepted")
	}
	if _, _, err := Contribute(dir, 2, nil); err == nil || !strings.Contains(err.Error(), "not sealed") {
		t.Errorf("phase 2 before seal: %v", err)
	}
	if err := SealPhase1(dir, testBeacon1); err == nil {
		t.Error("seal without phase-1 contribution accepted")
	}
	if _, _, err := Contribute(dir, 1, nil); err != nil {
		t.Fatal(err)
	}
	if err := SealPhase1(dir, []byte("short")); err == nil {
		t.Error("short beacon accepted")
	}
	if _, err := Finalize(dir, testBeacon2, keys.Cache{Dir: t.TempDir()}); err == nil {
		t.Error("finalize before phase 1 seal accepted")
	}
	if err := SealPhase1(dir, testBeacon1); err != nil {
		t.Fatal(err)
	}
	if _, err := Finalize(dir, testBeacon2, keys.Cache{Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no phase-2 contribution") {
		t.Errorf("finalize without phase-2 contributions: %v", err)
	}
	if _, err := Verify(t.TempDir(), nil); err == nil {
		t.Error("verify of an empty directory accepted")
	}
	if _, _, err := Contribute(dir, 2, bytes.NewReader(nil)); err == nil {
		t.Error("contribution with an empty rng accepted")
	}
}

// TestReportTranscript: a report made without the final beacon has no keys,
// so it gives no transcript record.
func TestReportTranscript(t *testing.T) {
	if _, err := (Report{ID: ceremonyTestID}).Transcript(); err == nil {
		t.Error("a report without keys gave a record")
	}
}

// tamper cases: each must be rejected with ErrBadContribution naming the
// phase and index.
func TestCeremonyTamper(t *testing.T) {
	type tc struct {
		name         string
		phase, index int // the contribution the error must name
		mutate       func(t *testing.T, dir string)
	}
	flip := func(phase, index, off int) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			p := contribPath(dir, phase, index)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if off < 0 {
				off = len(b) + off
			}
			b[off] ^= 0x01
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	truncate := func(phase, index int) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			p := contribPath(dir, phase, index)
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(p, st.Size()/2); err != nil {
				t.Fatal(err)
			}
		}
	}
	remove := func(phase, index int) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			if err := os.Remove(contribPath(dir, phase, index)); err != nil {
				t.Fatal(err)
			}
		}
	}
	swap := func(phase, i, j int) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			a, b := contribPath(dir, phase, i), contribPath(dir, phase, j)
			tmp := a + ".swap"
			for _, mv := range [][2]string{{a, tmp}, {b, a}, {tmp, b}} {
				if err := os.Rename(mv[0], mv[1]); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// reheader rewrites a file's header to claim another index, so the
	// swap is only caught by the transcript's hash chain.
	reheaderSwap := func(phase, i, j int) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			pi, err := readPhaseFile(dir, phase, i, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			pj, err := readPhaseFile(dir, phase, j, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			if err := writePhaseFile(contribPath(dir, phase, i), phase, i, pj); err != nil {
				t.Fatal(err)
			}
			if err := writePhaseFile(contribPath(dir, phase, j), phase, j, pi); err != nil {
				t.Fatal(err)
			}
		}
	}
	// alterPayload flips a payload byte and rewrites a consistent header:
	// only the cryptographic checks can catch it.
	alterPayload := func(phase, index, off int) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			p, err := readPhaseFile(dir, phase, index, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			p[off] ^= 0x01
			if err := writePhaseFile(contribPath(dir, phase, index), phase, index, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	// copyPoint overwrites one G1 point with another valid one: it decodes,
	// only the pairing checks catch it.
	copyPoint := func(phase, index, from, to int) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			p, err := readPhaseFile(dir, phase, index, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			copy(p[to:to+g1Size], p[from:from+g1Size])
			if err := writePhaseFile(contribPath(dir, phase, index), phase, index, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	tau1 := 3*proofSize + 8 + g2Size // offset of [τ¹]₁ in a phase-1 payload
	cases := []tc{
		{"p1 flip payload byte", 1, 2, flip(1, 2, -100)},
		{"p1 flip header index", 1, 2, flip(1, 2, len(Magic)+2+1+3)},
		{"p1 flip magic", 1, 3, flip(1, 3, 0)},
		{"p1 truncate", 1, 2, truncate(1, 2)},
		{"p1 delete middle", 1, 2, remove(1, 2)},
		{"p1 delete last after seal", 1, 3, remove(1, 3)},
		{"p1 swap files", 1, 2, swap(1, 2, 3)},
		{"p1 swap with rewritten headers", 1, 2, reheaderSwap(1, 2, 3)},
		{"p1 altered point, consistent header", 1, 2, alterPayload(1, 2, 3*proofSize+8+g2Size+5*g1Size+3)},
		{"p1 altered proof, consistent header", 1, 3, alterPayload(1, 3, 10)},
		{"p1 valid but wrong point", 1, 2, copyPoint(1, 2, tau1+g1Size, tau1+4*g1Size)},
		{"p2 valid but wrong point", 2, 2, copyPoint(2, 2, 2+g1Size+4, 2+g1Size+4+g1Size)},
		{"p2 flip payload byte", 2, 2, flip(2, 2, -50)},
		{"p2 truncate", 2, 1, truncate(2, 1)},
		{"p2 delete middle", 2, 2, remove(2, 2)},
		{"p2 swap files", 2, 2, swap(2, 2, 3)},
		{"p2 swap with rewritten headers", 2, 2, reheaderSwap(2, 2, 3)},
		{"p2 altered delta, consistent header", 2, 3, alterPayload(2, 3, 2+5)},
		{"p2 base altered", 2, 0, alterPayload(2, 0, 2+5)},
	}
	// One pristine ceremony, copied per case.
	pristine, _, _ := newCeremony(t, 3, 3, false)
	if _, err := Verify(pristine, testBeacon2); err != nil {
		t.Fatalf("pristine ceremony: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "c")
			if err := os.CopyFS(dir, os.DirFS(pristine)); err != nil {
				t.Fatal(err)
			}
			c.mutate(t, dir)
			_, err := Verify(dir, testBeacon2)
			if !errors.Is(err, ErrBadContribution) {
				t.Fatalf("verify error %v, want ErrBadContribution", err)
			}
			var ce *ContributionError
			if !errors.As(err, &ce) || ce.Phase != c.phase || ce.Index != c.index {
				t.Fatalf("error names %+v, want phase %d index %d: %v", ce, c.phase, c.index, err)
			}
			if _, err := Finalize(dir, testBeacon2, keys.Cache{Dir: t.TempDir()}); !errors.Is(err, ErrBadContribution) {
				t.Fatalf("finalize error %v, want ErrBadContribution", err)
			}
			t.Logf("rejected: %v", err)
		})
	}
}

// A phase-1 file claiming a huge domain must be refused before anything is
// allocated from it.
func TestCeremonyHostileSizes(t *testing.T) {
	dir, _, _ := newCeremony(t, 2, 1, false)
	p, err := readPhaseFile(dir, 1, 2, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	q := bytes.Clone(p)
	for i := 0; i < 8; i++ {
		q[3*proofSize+i] = 0x7f
	}
	if err := writePhaseFile(contribPath(dir, 1, 2), 1, 2, q); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Contribute(dir, 2, nil); err != nil {
		t.Fatal(err) // phase 2 builds on phase2 files only
	}
	if _, err := Verify(dir, nil); !errors.Is(err, ErrBadContribution) || !strings.Contains(err.Error(), "domain size") {
		t.Fatalf("huge domain: %v", err)
	}

	// Phase 2: a slice length prefix far beyond the file.
	dir, _, _ = newCeremony(t, 1, 1, false)
	p, err = readPhaseFile(dir, 2, 1, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	q = bytes.Clone(p)
	copy(q[2+g1Size:], []byte{0xff, 0xff, 0xff, 0xf0})
	if err := writePhaseFile(contribPath(dir, 2, 1), 2, 1, q); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(dir, nil); !errors.Is(err, ErrBadContribution) {
		t.Fatalf("huge slice length: %v", err)
	}
	if _, _, err := Contribute(dir, 2, nil); !errors.Is(err, ErrBadContribution) {
		t.Fatalf("contribute on a hostile file: %v", err)
	}

	// Oversized manifest numbers.
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	m.DomainSize = 1 << 40
	if err := writeJSONFile(filepath.Join(dir, manifestFile), m); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(dir, nil); err == nil || !strings.Contains(err.Error(), "domain") {
		t.Fatalf("huge manifest domain: %v", err)
	}
}
