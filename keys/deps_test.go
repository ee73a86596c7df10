package keys

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoCeremonyDeps: the cache, which the verifier imports, reaches
// neither package ceremony nor gnark's Groth16 MPC setup it runs on.
func TestNoCeremonyDeps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool in PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "github.com/consensys/gnark/backend/groth16/bn254/mpcsetup" || p == "github.com/zkpoc/zkpoc/ceremony" {
			t.Errorf("package keys depends on %s", p)
		}
	}
}
