// Package keytest holds what the tests of the key packages (keys,
// proofsystem, internal/format, srs, setup) share: the one-constraint
// circuit X² = Y (Y public) they set real keys up for in milliseconds, a
// Groth16 key set of it, and KZG test SRSs of a fixed τ. Only tests import
// it.
package keytest

import (
	"bytes"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"

	kzgbn254 "github.com/consensys/gnark-crypto/ecc/bn254/kzg"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
)

// Circuit proves knowledge of X with X² = Y.
type Circuit struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

// Define implements frontend.Circuit.
func (c *Circuit) Define(api frontend.API) error {
	api.AssertIsEqual(api.Mul(c.X, c.X), c.Y)
	return nil
}

// R1CS compiles the circuit for Groth16 on BN254.
func R1CS() (constraint.ConstraintSystem, error) { return CompileOn(ecc.BN254, false) }

// SCS compiles the circuit for PLONK on BN254.
func SCS() (constraint.ConstraintSystem, error) { return CompileOn(ecc.BN254, true) }

// CompileOn compiles the circuit over curve's scalar field, as a sparse
// R1CS (PLONK) when plonk is set, else as an R1CS (Groth16).
func CompileOn(curve ecc.ID, plonk bool) (constraint.ConstraintSystem, error) {
	if plonk {
		return frontend.Compile(curve.ScalarField(), scs.NewBuilder, &Circuit{})
	}
	return frontend.Compile(curve.ScalarField(), r1cs.NewBuilder, &Circuit{})
}

// Witness is the full witness X = x, Y = y on curve.
func Witness(curve ecc.ID, x, y int) (witness.Witness, error) {
	return frontend.NewWitness(&Circuit{X: x, Y: y}, curve.ScalarField())
}

// Keys is a Groth16 key set of the circuit on BN254, made with gnark's own
// groth16.Setup (the tests need valid keys, not zkpoc's setup).
type Keys struct {
	CCS constraint.ConstraintSystem
	PK  groth16.ProvingKey
	VK  groth16.VerifyingKey
}

var (
	once sync.Once
	keys Keys
	err  error
)

// Groth16 returns the process's one BN254 Groth16 key set of the circuit.
func Groth16(t testing.TB) Keys {
	t.Helper()
	once.Do(func() {
		if keys.CCS, err = R1CS(); err == nil {
			keys.PK, keys.VK, err = groth16.Setup(keys.CCS)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// SRS is a BN254 KZG SRS of size powers for a fixed τ, as unsafekzg makes
// them.
func SRS(t testing.TB, size uint64) *kzgbn254.SRS {
	t.Helper()
	s, err := kzgbn254.NewSRS(size, big.NewInt(123456789))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// WriteSRS writes s (kzg.SRS WriteTo) to a file in a test directory and
// returns its path.
func WriteSRS(t testing.TB, s *kzgbn254.SRS) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := s.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "srs.bin")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
