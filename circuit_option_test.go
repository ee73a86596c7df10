package zkpoc_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/zkpoc/zkpoc"
	"github.com/zkpoc/zkpoc/protocol"
)

// TestWithCircuit: an unknown circuit is an ErrOption; freivalds-s2 with a
// system or curve it does not support is refused before anything runs.
func TestWithCircuit(t *testing.T) {
	task, err := zkpoc.NewSyntheticTask([32]byte{1}, "cpc1qwithcircuit", 4)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	dir := zkpoc.WithKeyDir(t.TempDir())
	if _, err := zkpoc.Prove(context.Background(), task, key, zkpoc.WithCircuit("freivalds-s9"), dir); !errors.Is(err, zkpoc.ErrOption) {
		t.Errorf("unknown circuit: %v, want ErrOption", err)
	}
	for _, opt := range []zkpoc.ProveOption{zkpoc.WithSystem(zkpoc.PLONK), zkpoc.WithCurve(zkpoc.BLS12381)} {
		_, err := zkpoc.Prove(context.Background(), task, key, zkpoc.WithCircuit(protocol.SyntheticCircuitID), opt, dir)
		if err == nil {
			t.Error("freivalds-s2 with PLONK or BLS12-381: proved")
		}
	}
}
