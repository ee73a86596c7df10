package format

import (
	"bytes"
	"math/big"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	kzgbn254 "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
)

type squareCircuit struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *squareCircuit) Define(api frontend.API) error {
	api.AssertIsEqual(api.Mul(c.X, c.X), c.Y)
	return nil
}

// testSet is a Groth16 key set of the square circuit (gnark's own setup:
// these tests need valid keys, not zkpoc's setup).
type testSet struct {
	CCS constraint.ConstraintSystem
	PK  groth16.ProvingKey
	VK  groth16.VerifyingKey
}

var (
	fixtureOnce sync.Once
	fixtureSet  testSet
	fixtureErr  error
)

func fixture(t testing.TB) testSet {
	t.Helper()
	fixtureOnce.Do(func() {
		s := &fixtureSet
		if s.CCS, fixtureErr = frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &squareCircuit{}); fixtureErr == nil {
			s.PK, s.VK, fixtureErr = groth16.Setup(s.CCS)
		}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureSet
}

// plonkSquare is a PLONK key and proof for the square circuit over a test
// SRS (gnark's plonk.Setup), and that SRS, for fuzz seeds.
func plonkSquare(t testing.TB) (vk, proof, srs []byte) {
	t.Helper()
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), scs.NewBuilder, &squareCircuit{})
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
