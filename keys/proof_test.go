package keys

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkpoc/zkpoc/protocol"
)

func realProof(t testing.TB) []byte {
	t.Helper()
	set := fixture(t)
	w, err := frontend.NewWitness(&squareCircuit{X: 3, Y: 9}, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(set.CCS, set.PK, w)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := proof.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParseProof(t *testing.T) {
	good := realProof(t)
	if _, err := ParseProof(good); err != nil {
		t.Fatalf("valid proof rejected: %v", err)
	}
	hugeCount := bytes.Clone(good)
	binary.BigEndian.PutUint32(hugeCount[128:132], 0xffffffff)
	// Ar's x coordinate set to 2^254 − 1 (flag bits kept): above the field
	// modulus, so no point has it, whatever the random proof was.
	flipped := bytes.Clone(good)
	flipped[0] = good[0]&0xc0 | 0x3f
	for i := 1; i < 32; i++ {
		flipped[i] = 0xff
	}
	cases := map[string][]byte{
		"empty":                   nil,
		"truncated":               good[:len(good)-1],
		"trailing byte":           append(bytes.Clone(good), 0),
		"4-billion commitments":   hugeCount,
		"x not a field element":   flipped,
		"oversize":                make([]byte, MaxProofBytes+1),
		"all zero, right framing": make([]byte, len(good)),
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseProof(raw); !errors.Is(err, ErrProof) {
				t.Fatalf("err = %v, want ErrProof", err)
			}
		})
	}
}

// FuzzParseProof: arbitrary bytes give a proof or ErrProof, never a panic or
// an allocation sized by an attacker's length field.
func FuzzParseProof(f *testing.F) {
	f.Add(realProof(f))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, curve := range []ecc.ID{ecc.BN254, ecc.BLS12_381} {
			if p, err := ParseProofFor(curve, raw); err == nil && p == nil {
				t.Fatal("nil proof without error")
			} else if err != nil && !errors.Is(err, ErrProof) {
				t.Fatalf("error does not wrap ErrProof: %v", err)
			}
		}
	})
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
	c := Cache{Dir: t.TempDir()}
	id := ID{Circuit: "square", N: 1, FracBits: 0, Curve: "bls12-381", System: protocol.Groth16}
	if _, cached, err := c.LoadOrSetup(id, func() (constraint.ConstraintSystem, error) { return ccs, nil }, nil); err != nil || cached {
		t.Fatalf("setup: cached %v, %v", cached, err)
	}
	set, err := c.Load(id)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	vk, meta, err := c.FindByFingerprint(set.Meta.Fingerprint)
	if err != nil || meta.ID != id {
		t.Fatalf("FindByFingerprint: %v", err)
	}
	w, err := frontend.NewWitness(&squareCircuit{X: 3, Y: 9}, ecc.BLS12_381.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(set.CCS, set.PK, w)
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
	parsed, err := ParseProofFor(ecc.BLS12_381, pb.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := w.Public()
	if err := groth16.Verify(parsed, vk, pub); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, err := ParseVK(vb.Bytes(), ecc.BLS12_381); err != nil {
		t.Fatalf("ParseVK(real BLS12-381 key): %v", err)
	}
	for cut := 0; cut < vb.Len(); cut += 13 {
		if _, err := ParseVK(vb.Bytes()[:cut], ecc.BLS12_381); err == nil {
			t.Fatalf("a verifying key cut to %d of %d bytes was accepted", cut, vb.Len())
		}
	}
	for cut := 0; cut < pb.Len(); cut++ {
		if _, err := ParseProofFor(ecc.BLS12_381, pb.Bytes()[:cut]); err == nil {
			t.Fatalf("a proof cut to %d of %d bytes was accepted", cut, pb.Len())
		}
	}
	if _, err := ParseVK(vb.Bytes(), ecc.BN254); err == nil {
		t.Error("the BN254 reader accepted a BLS12-381 verifying key")
	}
	if _, err := ParseProof(pb.Bytes()); err == nil {
		t.Error("the BN254 reader accepted a BLS12-381 proof")
	}
	t.Logf("BLS12-381 Groth16: verifying key %d bytes, proof %d bytes", vb.Len(), pb.Len())
}
