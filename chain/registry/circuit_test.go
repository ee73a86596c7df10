package registry

import (
	"errors"
	"testing"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/protocol"
)

// TestCircuitRefusesOffChainStatement: freivalds-s2 has no circuit id on a
// registry (no verifier is set for it, no task posted for it), so no
// contract is ever asked to check what only an offline verifier can; the
// chain circuits round-trip.
func TestCircuitRefusesOffChainStatement(t *testing.T) {
	if _, err := Circuit(protocol.Synthetic.Name()); !errors.Is(err, chain.ErrNotExportable) {
		t.Errorf("Circuit(%s): %v, want ErrNotExportable", protocol.Synthetic.Name(), err)
	}
	for _, m := range protocol.Methods {
		c, err := Circuit(m.Name())
		if err != nil {
			t.Fatal(err)
		}
		if name, err := CircuitName(c); err != nil || name != m.Name() {
			t.Errorf("CircuitName(Circuit(%s)) = %q, %v", m.Name(), name, err)
		}
	}
}
