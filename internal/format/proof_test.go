package format

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/frontend"
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
	if _, err := ParseGroth16Proof(good, ecc.BN254); err != nil {
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
			if _, err := ParseGroth16Proof(raw, ecc.BN254); !errors.Is(err, ErrProof) {
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
			if p, err := ParseGroth16Proof(raw, curve); err == nil && p == nil {
				t.Fatal("nil proof without error")
			} else if err != nil && !errors.Is(err, ErrProof) {
				t.Fatalf("error does not wrap ErrProof: %v", err)
			}
		}
	})
}
