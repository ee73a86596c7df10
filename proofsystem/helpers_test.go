package proofsystem

import (
	"os"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
)

type squareCircuit struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *squareCircuit) Define(api frontend.API) error {
	api.AssertIsEqual(api.Mul(c.X, c.X), c.Y)
	return nil
}

// testSet is a Groth16 key set of the square circuit (gnark's own setup).
type testSet struct {
	CCS constraint.ConstraintSystem
	PK  groth16.ProvingKey
	VK  groth16.VerifyingKey
}

// key is the set's verifying key behind the interface.
func (s testSet) key(t testing.TB) VerifyingKey {
	t.Helper()
	k, err := NewVerifyingKey(s.VK)
	if err != nil {
		t.Fatal(err)
	}
	return k
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

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
