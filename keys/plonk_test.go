package keys

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	kzgbn254 "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/scs"
	"github.com/consensys/gnark/test/unsafekzg"

	"github.com/zkpoc/zkpoc/protocol"
)

func compileSquareSCS() (constraint.ConstraintSystem, error) {
	return frontend.Compile(ecc.BN254.ScalarField(), scs.NewBuilder, &squareCircuit{})
}

// testSRS is an SRS of size powers for a fixed τ, as unsafekzg makes them.
func testSRS(t testing.TB, size uint64) *kzgbn254.SRS {
	t.Helper()
	srs, err := kzgbn254.NewSRS(size, big.NewInt(123456789))
	if err != nil {
		t.Fatal(err)
	}
	return srs
}

func writeSRS(t *testing.T, srs *kzgbn254.SRS) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := srs.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "srs.bin")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func cloneSRS(s *kzgbn254.SRS) *kzgbn254.SRS {
	c := *s
	c.Pk.G1 = append([]bn254.G1Affine(nil), s.Pk.G1...)
	return &c
}

func TestImportSRSValid(t *testing.T) {
	// The brief's route: an SRS made by unsafekzg for a real circuit, written
	// with WriteTo.
	ccs, err := compileSquareSCS()
	if err != nil {
		t.Fatal(err)
	}
	canonical, _, err := unsafekzg.NewSRS(ccs)
	if err != nil {
		t.Fatal(err)
	}
	path := writeSRS(t, canonical.(*kzgbn254.SRS))
	srs, err := ImportSRS(path, "test-ceremony.v1", 0)
	if err != nil {
		t.Fatalf("ImportSRS(valid): %v", err)
	}
	data, _ := os.ReadFile(path)
	d := sha256.Sum256(data)
	if want := "srs(test-ceremony.v1, sha256:" + hex.EncodeToString(d[:]) + ")"; srs.Provenance != want {
		t.Errorf("provenance %q, want %q", srs.Provenance, want)
	}
	if p, err := SRSProvenance(path, "test-ceremony.v1"); err != nil || p != srs.Provenance {
		t.Errorf("SRSProvenance = %q, %v; want %q", p, err, srs.Provenance)
	}
	if IsDevSRS(srs.Provenance) || !IsDevSetup(ProvenanceDevSRS) || !IsDevSRS(ProvenanceDevSRS) {
		t.Error("dev SRS classification")
	}
	if _, err := ImportSRS(path, "Bad Name", 0); err == nil {
		t.Error("an SRS name with spaces and capitals was accepted")
	}
}

func TestImportSRSRejects(t *testing.T) {
	base := testSRS(t, 64)
	_, _, g1, g2 := bn254.Generators()

	badTauG2 := cloneSRS(base)
	badTauG2.Vk.G2[1].Double(&badTauG2.Vk.G2[1])
	badTauG2.Vk.Lines[1] = bn254.PrecomputeLines(badTauG2.Vk.G2[1])

	staleLines := cloneSRS(base)
	staleLines.Vk.G2[1].Double(&staleLines.Vk.G2[1])

	swapEarly := cloneSRS(base)
	swapEarly.Pk.G1[3], swapEarly.Pk.G1[4] = swapEarly.Pk.G1[4], swapEarly.Pk.G1[3]

	swapLate := cloneSRS(base)
	swapLate.Pk.G1[40], swapLate.Pk.G1[41] = swapLate.Pk.G1[41], swapLate.Pk.G1[40]

	wrongGen := cloneSRS(base)
	wrongGen.Pk.G1[0].Double(&g1)

	_ = g2
	for _, tc := range []struct {
		name string
		srs  *kzgbn254.SRS
		want string
	}{
		{"altered [τ]G2", badTauG2, "e([τ]G1, G2) ≠ e(G1, [τ]G2)"},
		{"altered [τ]G2, lines not recomputed", staleLines, "pairing lines 1"},
		{"swapped powers 3 and 4", swapEarly, "G1 power 3 is not τ times power 2"},
		{"swapped powers 40 and 41", swapLate, "random linear combination"},
		{"wrong G1 generator", wrongGen, "G1 power 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportSRS(writeSRS(t, tc.srs), "x", 0)
			if err == nil || !errors.Is(err, ErrSRS) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ImportSRS: %v; want ErrSRS containing %q", err, tc.want)
			}
			t.Log(err)
		})
	}

	good := writeSRS(t, base)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("truncated", func(t *testing.T) {
		for _, cut := range []int{0, 3, 4, 100, len(data) / 2, len(data) - 1} {
			p := filepath.Join(t.TempDir(), "cut.bin")
			if err := os.WriteFile(p, data[:cut], 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := ImportSRS(p, "x", 0); err == nil || !errors.Is(err, ErrSRS) {
				t.Errorf("%d of %d bytes: %v", cut, len(data), err)
			}
		}
	})
	t.Run("trailing bytes", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "long.bin")
		if err := os.WriteFile(p, append(append([]byte(nil), data...), 0), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ImportSRS(p, "x", 0); err == nil || !strings.Contains(err.Error(), "trailing") {
			t.Errorf("trailing byte: %v", err)
		}
	})
	t.Run("huge length header", func(t *testing.T) {
		b := append([]byte(nil), data...)
		copy(b, []byte{0xff, 0xff, 0xff, 0xff})
		if _, err := ParseSRS(b); err == nil || !strings.Contains(err.Error(), "header claims") {
			t.Errorf("huge header: %v", err)
		}
	})
	t.Run("oversize", func(t *testing.T) {
		_, err := ImportSRS(good, "x", int64(len(data)-1))
		if err == nil || !strings.Contains(err.Error(), "exceeds the limit") {
			t.Errorf("oversize: %v", err)
		}
	})
}

// TestImportedSRSSetupProveVerify runs the imported-SRS path end to end on a
// small circuit: import (no Lagrange form given, so it is derived by FFT),
// setup, cache store and load, prove, verify, and the too-small refusal.
func TestImportedSRSSetupProveVerify(t *testing.T) {
	ccs, err := compileSquareSCS()
	if err != nil {
		t.Fatal(err)
	}
	size := PlonkDomainSize(ccs)
	path := writeSRS(t, testSRS(t, size+3))
	srs, err := ImportSRS(path, "test-srs", 0)
	if err != nil {
		t.Fatal(err)
	}
	id := ID{Circuit: "square-test", N: 1, FracBits: 0, Curve: "bn254", System: protocol.Plonk}
	c := Cache{Dir: t.TempDir()}
	set, cached, err := c.LoadOrSetupPlonk(id, compileSquareSCS, func(constraint.ConstraintSystem) (*SRS, error) { return srs, nil }, srs.Provenance, nil)
	if err != nil || cached {
		t.Fatalf("LoadOrSetupPlonk: cached=%v err=%v", cached, err)
	}
	if set.Meta.Provenance != srs.Provenance {
		t.Errorf("provenance %q", set.Meta.Provenance)
	}
	loaded, err := c.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.LoadOrSetupPlonk(id, compileSquareSCS, nil, "srs(other, sha256:00)", nil); err == nil || !strings.Contains(err.Error(), "cached from") {
		t.Errorf("a cached entry of another SRS: %v", err)
	}
	vk, meta, err := c.FindPlonkByFingerprint(set.Meta.Fingerprint)
	if err != nil || meta.ID != id {
		t.Fatalf("FindPlonkByFingerprint: %v", err)
	}
	if _, _, err := c.FindByFingerprint(set.Meta.Fingerprint); !errors.Is(err, ErrNotFound) {
		t.Errorf("the Groth16 finder returned a PLONK key: %v", err)
	}

	parsed, _ := proveSquare(t, ecc.BN254, loaded, vk)
	bad, _ := frontend.NewWitness(&squareCircuit{Y: 10}, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err := plonk.Verify(parsed, vk, bad); err == nil {
		t.Error("a wrong public input verified")
	}

	// An SRS too small for the circuit is refused, naming both sizes.
	small := &SRS{Canonical: testSRS(t, size+2), Provenance: "srs(small, sha256:00)"}
	_, err = SetupPlonk(id, ccs, small, nil)
	if err == nil || !strings.Contains(err.Error(), "the SRS has "+itoa(size+2)+" G1 powers") || !strings.Contains(err.Error(), "needs "+itoa(size+3)) {
		t.Fatalf("too-small SRS: %v", err)
	}
	t.Log(err)
}

func itoa(x uint64) string { return new(big.Int).SetUint64(x).String() }

// plonkSquare is a PLONK key set and proof for the square circuit over a
// test SRS, for fuzz seeds.
func plonkSquare(t testing.TB) (vk, proof, srs []byte) {
	t.Helper()
	ccs, err := compileSquareSCS()
	if err != nil {
		t.Fatal(err)
	}
	s := testSRS(t, PlonkDomainSize(ccs)+3)
	set, err := SetupPlonk(ID{Circuit: "square-test", N: 1, Curve: "bn254", System: protocol.Plonk}, ccs, &SRS{Canonical: s, Provenance: "srs(test, sha256:00)"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := frontend.NewWitness(&squareCircuit{X: 3, Y: 9}, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	p, err := plonk.Prove(ccs, set.PlonkPK, w)
	if err != nil {
		t.Fatal(err)
	}
	var vb, pb, sb bytes.Buffer
	if _, err := set.PlonkVK.WriteTo(&vb); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WriteTo(&pb); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteTo(&sb); err != nil {
		t.Fatal(err)
	}
	return vb.Bytes(), pb.Bytes(), sb.Bytes()
}

// FuzzParsePlonk feeds arbitrary bytes to the PLONK key, proof and SRS
// decoders: each returns a value or an error, never a panic or an
// allocation sized by an unbacked length field.
func FuzzParsePlonk(f *testing.F) {
	vk, proof, srs := plonkSquare(f)
	for _, b := range [][]byte{vk, proof, srs, vk[:len(vk)/2], proof[:len(proof)-1], {}} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, curve := range []ecc.ID{ecc.BN254, ecc.BLS12_381} {
			if v, err := ParsePlonkVKFor(curve, data); err == nil && v == nil {
				t.Fatal("nil key without error")
			}
			if p, err := ParsePlonkProofFor(curve, data); err == nil && p == nil {
				t.Fatal("nil proof without error")
			} else if err != nil && !errors.Is(err, ErrPlonkProof) {
				t.Fatalf("proof error does not wrap ErrPlonkProof: %v", err)
			}
		}
		if s, err := ParseSRS(data); err == nil && s == nil {
			t.Fatal("nil SRS without error")
		} else if err != nil && !errors.Is(err, ErrSRS) {
			t.Fatalf("SRS error does not wrap ErrSRS: %v", err)
		}
	})
}

// TestPlonkBLS12381 runs a PLONK key set on BLS12-381 through the cache
// (dev SRS), proves, and checks that the bounded BLS12-381 readers accept the
// real key and proof, refuse every truncation, and that the BN254 readers
// refuse them.
func TestPlonkBLS12381(t *testing.T) {
	ccs, err := frontend.Compile(ecc.BLS12_381.ScalarField(), scs.NewBuilder, &squareCircuit{})
	if err != nil {
		t.Fatal(err)
	}
	c := Cache{Dir: t.TempDir()}
	id := ID{Circuit: "square", N: 1, FracBits: 0, Curve: "bls12-381", System: protocol.Plonk}
	set, cached, err := c.LoadOrSetupPlonk(id, func() (constraint.ConstraintSystem, error) { return ccs, nil }, DevSRS, "", nil)
	if err != nil || cached {
		t.Fatalf("setup: cached %v, %v", cached, err)
	}
	if !IsDevSRS(set.Meta.Provenance) {
		t.Errorf("provenance %q, want the dev SRS", set.Meta.Provenance)
	}
	loaded, err := c.Load(id)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	vk, meta, err := c.FindPlonkByFingerprint(set.Meta.Fingerprint)
	if err != nil || meta.ID != id {
		t.Fatalf("FindPlonkByFingerprint: %v", err)
	}
	_, raw := proveSquare(t, ecc.BLS12_381, loaded, vk)
	pb := bytes.NewBuffer(raw)
	var vb bytes.Buffer
	if _, err := vk.WriteTo(&vb); err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePlonkVKFor(ecc.BLS12_381, vb.Bytes()); err != nil {
		t.Fatalf("ParsePlonkVKFor(real key): %v", err)
	}
	for cut := 0; cut < vb.Len(); cut += 97 {
		if _, err := ParsePlonkVKFor(ecc.BLS12_381, vb.Bytes()[:cut]); err == nil {
			t.Fatalf("a verifying key cut to %d of %d bytes was accepted", cut, vb.Len())
		}
	}
	for cut := 0; cut < pb.Len(); cut += 7 {
		if _, err := ParsePlonkProofFor(ecc.BLS12_381, pb.Bytes()[:cut]); err == nil {
			t.Fatalf("a proof cut to %d of %d bytes was accepted", cut, pb.Len())
		}
	}
	if _, err := ParsePlonkVK(vb.Bytes()); err == nil {
		t.Error("the BN254 reader accepted a BLS12-381 verifying key")
	}
	if _, err := ParsePlonkProof(pb.Bytes()); err == nil {
		t.Error("the BN254 reader accepted a BLS12-381 proof")
	}
	t.Logf("BLS12-381 PLONK: verifying key %d bytes, proof %d bytes", vb.Len(), pb.Len())
}

// proveSquare proves X = 3, Y = 9 with a cached PLONK key set on curve, then
// decodes the proof with the curve's bounded reader, checks its shape and
// verifies it under vk; it returns the decoded proof and its bytes.
func proveSquare(t *testing.T, curve ecc.ID, set *Set, vk plonk.VerifyingKey) (plonk.Proof, []byte) {
	t.Helper()
	w, err := frontend.NewWitness(&squareCircuit{X: 3, Y: 9}, curve.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := plonk.Prove(set.CCS, set.PlonkPK, w)
	if err != nil {
		t.Fatal(err)
	}
	var pb bytes.Buffer
	if _, err := proof.WriteTo(&pb); err != nil {
		t.Fatal(err)
	}
	parsed, err := ParsePlonkProofFor(curve, pb.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckPlonkProofShape(parsed, vk); err != nil {
		t.Fatal(err)
	}
	pub, _ := w.Public()
	if err := plonk.Verify(parsed, vk, pub); err != nil {
		t.Fatalf("verify on %v: %v", curve, err)
	}
	return parsed, pb.Bytes()
}
