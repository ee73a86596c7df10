package format

import (
	"errors"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
)

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
			if v, err := ParsePlonkVK(data, curve); err == nil && v == nil {
				t.Fatal("nil key without error")
			}
			if p, err := ParsePlonkProof(data, curve); err == nil && p == nil {
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
