package keys

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
	if _, err := ParseProof(good); err != nil {
		t.Fatalf("valid proof rejected: %v", err)
	}
	hugeCount := bytes.Clone(good)
	binary.BigEndian.PutUint32(hugeCount[128:132], 0xffffffff)
	flipped := bytes.Clone(good)
	flipped[5] ^= 0x40
	cases := map[string][]byte{
		"empty":                   nil,
		"truncated":               good[:len(good)-1],
		"trailing byte":           append(bytes.Clone(good), 0),
		"4-billion commitments":   hugeCount,
		"point not on curve":      flipped,
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
		if p, err := ParseProof(raw); err == nil && p == nil {
			t.Fatal("nil proof without error")
		} else if err != nil && !errors.Is(err, ErrProof) {
			t.Fatalf("error does not wrap ErrProof: %v", err)
		}
	})
}
