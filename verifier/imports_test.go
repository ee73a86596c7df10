package verifier

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNeitherProverNorCircuits: the verifier takes its protocol
// definitions (public-input layout, digests, sampling) from packages
// protocol and sampling, never from the prover or the circuits.
func TestImportsNeitherProverNorCircuits(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/zkpoc/zkpoc/prover" || dep == "github.com/zkpoc/zkpoc/circuits" {
			t.Errorf("verifier depends on %s", dep)
		}
	}
}
