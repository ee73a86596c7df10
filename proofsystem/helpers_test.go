package proofsystem

import (
	"github.com/zkpoc/zkpoc/internal/keytest"

	"os"
	"testing"
)

// squareCircuit is the tests' one-constraint circuit X² = Y.
type squareCircuit = keytest.Circuit

// fixture is a BN254 Groth16 key set of the square circuit.
func fixture(t testing.TB) keytest.Keys { return keytest.Groth16(t) }

// wrapped is the fixture's verifying key behind the interface.
func wrapped(t testing.TB, k keytest.Keys) VerifyingKey {
	t.Helper()
	vk, err := NewVerifyingKey(k.VK)
	if err != nil {
		t.Fatal(err)
	}
	return vk
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
