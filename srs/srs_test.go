package srs

import (
	"github.com/zkpoc/zkpoc/internal/keytest"

	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	kzgbn254 "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/test/unsafekzg"

	"github.com/zkpoc/zkpoc/keys"
)

// squareCircuit is the tests' one-constraint circuit X² = Y.
type squareCircuit = keytest.Circuit

func compileSquareSCS() (constraint.ConstraintSystem, error) { return keytest.SCS() }

// testSRS and writeSRS are keytest's.
func testSRS(t testing.TB, size uint64) *kzgbn254.SRS { return keytest.SRS(t, size) }

func writeSRS(t *testing.T, s *kzgbn254.SRS) string { return keytest.WriteSRS(t, s) }

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
	srs, err := Import(path, "test-ceremony.v1", 0)
	if err != nil {
		t.Fatalf("Import(valid): %v", err)
	}
	data, _ := os.ReadFile(path)
	d := sha256.Sum256(data)
	if want := "srs(test-ceremony.v1, sha256:" + hex.EncodeToString(d[:]) + ")"; srs.Provenance != want {
		t.Errorf("provenance %q, want %q", srs.Provenance, want)
	}
	if p, err := Provenance(path, "test-ceremony.v1"); err != nil || p != srs.Provenance {
		t.Errorf("SRSProvenance = %q, %v; want %q", p, err, srs.Provenance)
	}
	if keys.IsDevSRS(srs.Provenance) || !keys.IsDevSetup(keys.ProvenanceDevSRS) || !keys.IsDevSRS(keys.ProvenanceDevSRS) {
		t.Error("dev SRS classification")
	}
	if _, err := Import(path, "Bad Name", 0); err == nil {
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
			_, err := Import(writeSRS(t, tc.srs), "x", 0)
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ImportSRS: %v; want ErrInvalid containing %q", err, tc.want)
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
			if _, err := Import(p, "x", 0); err == nil || !errors.Is(err, ErrInvalid) {
				t.Errorf("%d of %d bytes: %v", cut, len(data), err)
			}
		}
	})
	t.Run("trailing bytes", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "long.bin")
		if err := os.WriteFile(p, append(append([]byte(nil), data...), 0), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Import(p, "x", 0); err == nil || !strings.Contains(err.Error(), "trailing") {
			t.Errorf("trailing byte: %v", err)
		}
	})
	t.Run("huge length header", func(t *testing.T) {
		b := append([]byte(nil), data...)
		copy(b, []byte{0xff, 0xff, 0xff, 0xff})
		if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), "header claims") {
			t.Errorf("huge header: %v", err)
		}
	})
	t.Run("oversize", func(t *testing.T) {
		_, err := Import(good, "x", int64(len(data)-1))
		if err == nil || !strings.Contains(err.Error(), "exceeds the limit") {
			t.Errorf("oversize: %v", err)
		}
	})
}
