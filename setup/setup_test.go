package setup

import (
	"github.com/zkpoc/zkpoc/internal/keytest"
	"github.com/zkpoc/zkpoc/protocol"

	"bytes"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	kzgbn254 "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"

	"github.com/zkpoc/zkpoc/internal/format"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/srs"
)

// squareCircuit is the tests' one-constraint circuit X² = Y.
type squareCircuit = keytest.Circuit

func compileSquare() (constraint.ConstraintSystem, error) { return keytest.R1CS() }

func compileSquareSCS() (constraint.ConstraintSystem, error) { return keytest.SCS() }

var testID = keys.ID{Circuit: "square-test", N: 1, FracBits: 0, Curve: "bn254", System: "groth16"}

// testSRS and writeSRS are keytest's.
func testSRS(t testing.TB, size uint64) *kzgbn254.SRS { return keytest.SRS(t, size) }

func writeSRS(t *testing.T, s *kzgbn254.SRS) string { return keytest.WriteSRS(t, s) }

// proveVerify proves X = x, Y = y with a Groth16 set through Prove and
// verifies it under the set's key.
func proveVerify(t *testing.T, set *keys.Set, x, y int) error {
	t.Helper()
	w, err := frontend.NewWitness(&squareCircuit{X: x, Y: y}, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := Prove(set, w)
	if err != nil {
		return err
	}
	pub, err := w.Public()
	if err != nil {
		t.Fatal(err)
	}
	vk := set.VK
	return vk.Verify(proof, pub)
}

func TestGroupThousands(t *testing.T) {
	for in, want := range map[int]string{0: "0", 12: "12", 999: "999", 1000: "1,000", 251203: "251,203", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := groupThousands(in); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestSetupProgress(t *testing.T) {
	old := progressInterval
	progressInterval = time.Millisecond
	defer func() { progressInterval = old }()
	ccs, err := compileSquare()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	set, err := Run(testID, ccs, nil, &syncWriter{w: &buf})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"setting up Groth16 keys for square-test_n1_f0_bn254_groth16", "constraints, estimated", "dev single-party setup", "done in"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q:\n%s", want, out)
		}
	}
	m := set.Meta
	if m.Provenance != keys.ProvenanceDevSingleParty || m.Constraints != ccs.GetNbConstraints() || m.GnarkVersion == "" || len(m.Fingerprint) != 64 {
		t.Errorf("bad meta: %+v", m)
	}
	if _, err := time.Parse(time.RFC3339, m.CreatedAt); err != nil {
		t.Errorf("CreatedAt %q: %v", m.CreatedAt, err)
	}
	if err := proveVerify(t, set, 3, 9); err != nil {
		t.Fatalf("prove/verify with fresh keys: %v", err)
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestGroth16BLS12381 sets up, proves and verifies a Groth16 key set on
// BLS12-381 through the cache, and checks the bounded readers on it: the
// real key and proof are accepted, every truncation is refused, and the
// BN254 readers refuse them.
func TestGroth16BLS12381(t *testing.T) {
	ccs, err := frontend.Compile(ecc.BLS12_381.ScalarField(), r1cs.NewBuilder, &squareCircuit{})
	if err != nil {
		t.Fatal(err)
	}
	c := keys.Cache{Dir: t.TempDir()}
	id := keys.ID{Circuit: "square", N: 1, FracBits: 0, Curve: "bls12-381", System: protocol.Groth16}
	if _, cached, err := LoadOrSetup(c, id, func() (constraint.ConstraintSystem, error) { return ccs, nil }, nil); err != nil || cached {
		t.Fatalf("setup: cached %v, %v", cached, err)
	}
	set, err := c.Load(id)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	key, meta, err := c.FindByFingerprint(set.Meta.Fingerprint)
	if err != nil || meta.ID != id {
		t.Fatalf("FindByFingerprint: %v", err)
	}
	vk := key.Gnark().(groth16.VerifyingKey)
	w, err := frontend.NewWitness(&squareCircuit{X: 3, Y: 9}, ecc.BLS12_381.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(set.CCS, set.PK.(groth16.ProvingKey), w)
	if err != nil {
		t.Fatal(err)
	}
	var pb, vb bytes.Buffer
	if _, err := proof.WriteTo(&pb); err != nil {
		t.Fatal(err)
	}
	if _, err := vk.WriteTo(&vb); err != nil {
		t.Fatal(err)
	}
	parsed, err := format.ParseGroth16Proof(pb.Bytes(), ecc.BLS12_381)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := w.Public()
	if err := groth16.Verify(parsed, vk, pub); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, err := format.ParseGroth16VK(vb.Bytes(), ecc.BLS12_381); err != nil {
		t.Fatalf("ParseVK(real BLS12-381 key): %v", err)
	}
	for cut := 0; cut < vb.Len(); cut += 13 {
		if _, err := format.ParseGroth16VK(vb.Bytes()[:cut], ecc.BLS12_381); err == nil {
			t.Fatalf("a verifying key cut to %d of %d bytes was accepted", cut, vb.Len())
		}
	}
	for cut := 0; cut < pb.Len(); cut++ {
		if _, err := format.ParseGroth16Proof(pb.Bytes()[:cut], ecc.BLS12_381); err == nil {
			t.Fatalf("a proof cut to %d of %d bytes was accepted", cut, pb.Len())
		}
	}
	if _, err := format.ParseGroth16VK(vb.Bytes(), ecc.BN254); err == nil {
		t.Error("the BN254 reader accepted a BLS12-381 verifying key")
	}
	if _, err := format.ParseGroth16Proof(pb.Bytes(), ecc.BN254); err == nil {
		t.Error("the BN254 reader accepted a BLS12-381 proof")
	}
	t.Logf("BLS12-381 Groth16: verifying key %d bytes, proof %d bytes", vb.Len(), pb.Len())
}

// TestImportedSRSSetupProveVerify runs the imported-SRS path end to end on a
// small circuit: import (no Lagrange form given, so it is derived by FFT),
// setup, cache store and load, prove, verify, and the too-small refusal.
func TestImportedSRSSetupProveVerify(t *testing.T) {
	ccs, err := compileSquareSCS()
	if err != nil {
		t.Fatal(err)
	}
	size := srs.DomainSize(ccs)
	path := writeSRS(t, testSRS(t, size+3))
	s, err := srs.Import(path, "test-srs", 0)
	if err != nil {
		t.Fatal(err)
	}
	id := keys.ID{Circuit: "square-test", N: 1, FracBits: 0, Curve: "bn254", System: protocol.Plonk}
	c := keys.Cache{Dir: t.TempDir()}
	set, cached, err := LoadOrSetup(c, id, compileSquareSCS, nil, WithSRS(func(constraint.ConstraintSystem) (*srs.SRS, error) { return s, nil }, s.Provenance))
	if err != nil || cached {
		t.Fatalf("LoadOrSetup: cached=%v err=%v", cached, err)
	}
	if set.Meta.Provenance != s.Provenance {
		t.Errorf("provenance %q", set.Meta.Provenance)
	}
	loaded, err := c.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrSetup(c, id, compileSquareSCS, nil, WithSRS(nil, "srs(other, sha256:00)")); err == nil || !strings.Contains(err.Error(), "cached from") {
		t.Errorf("a cached entry of another SRS: %v", err)
	}
	key, meta, err := c.FindByFingerprint(set.Meta.Fingerprint)
	if err != nil || meta.ID != id || key.System() != protocol.Plonk {
		t.Fatalf("FindByFingerprint: %v", err)
	}
	vk := key.Gnark().(plonk.VerifyingKey)

	parsed, _ := proveSquare(t, ecc.BN254, loaded, vk)
	bad, _ := frontend.NewWitness(&squareCircuit{Y: 10}, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err := plonk.Verify(parsed, vk, bad); err == nil {
		t.Error("a wrong public input verified")
	}

	// An SRS too small for the circuit is refused, naming both sizes.
	small := &srs.SRS{Canonical: testSRS(t, size+2), Provenance: "srs(small, sha256:00)"}
	_, err = Run(id, ccs, small, nil)
	if err == nil || !strings.Contains(err.Error(), "the SRS has "+itoa(size+2)+" G1 powers") || !strings.Contains(err.Error(), "needs "+itoa(size+3)) {
		t.Fatalf("too-small SRS: %v", err)
	}
	t.Log(err)
}

func itoa(x uint64) string { return new(big.Int).SetUint64(x).String() }

// TestPlonkBLS12381 runs a PLONK key set on BLS12-381 through the cache
// (dev SRS), proves, and checks that the bounded BLS12-381 readers accept the
// real key and proof, refuse every truncation, and that the BN254 readers
// refuse them.
func TestPlonkBLS12381(t *testing.T) {
	ccs, err := frontend.Compile(ecc.BLS12_381.ScalarField(), scs.NewBuilder, &squareCircuit{})
	if err != nil {
		t.Fatal(err)
	}
	c := keys.Cache{Dir: t.TempDir()}
	id := keys.ID{Circuit: "square", N: 1, FracBits: 0, Curve: "bls12-381", System: protocol.Plonk}
	set, cached, err := LoadOrSetup(c, id, func() (constraint.ConstraintSystem, error) { return ccs, nil }, nil)
	if err != nil || cached {
		t.Fatalf("setup: cached %v, %v", cached, err)
	}
	if !keys.IsDevSRS(set.Meta.Provenance) {
		t.Errorf("provenance %q, want the dev SRS", set.Meta.Provenance)
	}
	loaded, err := c.Load(id)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	key, meta, err := c.FindByFingerprint(set.Meta.Fingerprint)
	if err != nil || meta.ID != id {
		t.Fatalf("FindByFingerprint: %v", err)
	}
	vk := key.Gnark().(plonk.VerifyingKey)
	_, raw := proveSquare(t, ecc.BLS12_381, loaded, vk)
	pb := bytes.NewBuffer(raw)
	var vb bytes.Buffer
	if _, err := vk.WriteTo(&vb); err != nil {
		t.Fatal(err)
	}
	if _, err := format.ParsePlonkVK(vb.Bytes(), ecc.BLS12_381); err != nil {
		t.Fatalf("ParsePlonkVK(real key): %v", err)
	}
	for cut := 0; cut < vb.Len(); cut += 97 {
		if _, err := format.ParsePlonkVK(vb.Bytes()[:cut], ecc.BLS12_381); err == nil {
			t.Fatalf("a verifying key cut to %d of %d bytes was accepted", cut, vb.Len())
		}
	}
	for cut := 0; cut < pb.Len(); cut += 7 {
		if _, err := format.ParsePlonkProof(pb.Bytes()[:cut], ecc.BLS12_381); err == nil {
			t.Fatalf("a proof cut to %d of %d bytes was accepted", cut, pb.Len())
		}
	}
	if _, err := format.ParsePlonkVK(vb.Bytes(), ecc.BN254); err == nil {
		t.Error("the BN254 reader accepted a BLS12-381 verifying key")
	}
	if _, err := format.ParsePlonkProof(pb.Bytes(), ecc.BN254); err == nil {
		t.Error("the BN254 reader accepted a BLS12-381 proof")
	}
	t.Logf("BLS12-381 PLONK: verifying key %d bytes, proof %d bytes", vb.Len(), pb.Len())
}

// proveSquare proves X = 3, Y = 9 with a cached PLONK key set on curve, then
// decodes the proof with the curve's bounded reader, checks its shape and
// verifies it under vk; it returns the decoded proof and its bytes.
func proveSquare(t *testing.T, curve ecc.ID, set *keys.Set, vk plonk.VerifyingKey) (plonk.Proof, []byte) {
	t.Helper()
	w, err := frontend.NewWitness(&squareCircuit{X: 3, Y: 9}, curve.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := plonk.Prove(set.CCS, set.PK.(plonk.ProvingKey), w)
	if err != nil {
		t.Fatal(err)
	}
	var pb bytes.Buffer
	if _, err := proof.WriteTo(&pb); err != nil {
		t.Fatal(err)
	}
	parsed, err := format.ParsePlonkProof(pb.Bytes(), curve)
	if err != nil {
		t.Fatal(err)
	}
	if err := format.CheckPlonkProofShape(parsed, vk); err != nil {
		t.Fatal(err)
	}
	pub, _ := w.Public()
	if err := plonk.Verify(parsed, vk, pub); err != nil {
		t.Fatalf("verify on %v: %v", curve, err)
	}
	return parsed, pb.Bytes()
}

// TestRunRefusesTheOtherKind: gnark's R1CS and SparseR1CS are one Go type
// per curve, so Run reads the kind from the constraint system itself: an
// R1CS given for PLONK keys, or a sparse R1CS for Groth16 keys, is an
// error naming what is wrong, on both curves (an R1CS with a commitment
// used to reach gnark's PLONK setup and panic there).
func TestRunRefusesTheOtherKind(t *testing.T) {
	for _, curve := range []protocol.Curve{protocol.BN254, protocol.BLS12381} {
		for _, tc := range []struct {
			system protocol.System
			want   string
		}{
			{protocol.Plonk, "not a sparse R1CS"},
			{protocol.Groth16, "not an R1CS"},
		} {
			var builder frontend.NewBuilder = r1cs.NewBuilder // the other kind
			if tc.system == protocol.Groth16 {
				builder = scs.NewBuilder
			}
			ccs, err := frontend.Compile(curve.ScalarField(), builder, &squareCircuit{})
			if err != nil {
				t.Fatal(err)
			}
			id := keys.ID{Circuit: "square", N: 1, Curve: curve, System: tc.system}
			_, err = Run(id, ccs, nil, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s keys on %s from the other kind of constraint system: %v, want an error with %q", tc.system, id.Curve, err, tc.want)
			}
		}
	}
}
