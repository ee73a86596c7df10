package format

import (
	"github.com/zkpoc/zkpoc/internal/keytest"

	"bytes"
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	kzgbn254 "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/frontend"
)

// squareCircuit is the tests' one-constraint circuit X² = Y.
type squareCircuit = keytest.Circuit

// fixture is a BN254 Groth16 key set of the square circuit.
func fixture(t testing.TB) keytest.Keys { return keytest.Groth16(t) }

// plonkSquare is a PLONK key and proof for the square circuit over a test
// SRS (gnark's plonk.Setup), and that SRS, for fuzz seeds.
func plonkSquare(t testing.TB) (vk, proof, srs []byte) {
	t.Helper()
	ccs, err := keytest.SCS()
	if err != nil {
		t.Fatal(err)
	}
	size := ecc.NextPowerOfTwo(uint64(ccs.GetNbConstraints() + ccs.GetNbPublicVariables()))
	s, err := kzgbn254.NewSRS(size+3, big.NewInt(123456789))
	if err != nil {
		t.Fatal(err)
	}
	lg, err := kzgbn254.ToLagrangeG1(s.Pk.G1[:size])
	if err != nil {
		t.Fatal(err)
	}
	pk, v, err := plonk.Setup(ccs, s, &kzgbn254.SRS{Pk: kzgbn254.ProvingKey{G1: lg}, Vk: s.Vk})
	if err != nil {
		t.Fatal(err)
	}
	w, err := frontend.NewWitness(&squareCircuit{X: 3, Y: 9}, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	p, err := plonk.Prove(ccs, pk, w)
	if err != nil {
		t.Fatal(err)
	}
	var vb, pb, sb bytes.Buffer
	if _, err := v.WriteTo(&vb); err != nil {
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
