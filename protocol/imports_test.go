package protocol

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNoProvingCode: protocol is definitions only, so a verifier can
// build on it without gnark's circuit frontend, proof backends or
// constraint systems.
func TestImportsNoProvingCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"github.com/consensys/gnark/frontend", "github.com/consensys/gnark/backend", "github.com/consensys/gnark/constraint"} {
			if dep == bad || strings.HasPrefix(dep, bad+"/") {
				t.Errorf("protocol depends on %s", dep)
			}
		}
	}
}
