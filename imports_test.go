package zkpoc_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/zkpoc/zkpoc/"

// provingCode is what only a prover needs: the circuits and their
// compilers, key generation, the Groth16 ceremony, gnark's unsafe test SRS,
// the native executors and the host probe.
var provingCode = []string{
	module + "prover", module + "circuits", module + "setup", module + "srs",
	module + "ceremony", module + "internal/groth16setup", module + "native", module + "hardware/probe",
	"github.com/consensys/gnark/frontend/cs/r1cs", "github.com/consensys/gnark/frontend/cs/scs",
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup", "github.com/consensys/gnark/backend/groth16/bls12-381/mpcsetup",
	"github.com/consensys/gnark/test/unsafekzg",
}

// hostAccess is what decoding data must never need: a command runner, a
// CPU-feature probe, a dynamic loader.
var hostAccess = []string{"os/exec", "github.com/klauspost/cpuid/v2", "github.com/ebitengine/purego"}

// TestImportBoundaries: the layout's rules, checked on `go list -deps`
// (tests are not dependencies, so test files may import anything).
//   - The verifier, and the key cache it reads, never reach proving code.
//     gnark's frontend and frontend/cs come with gnark's own backend
//     packages, and gnark-crypto's ecc/*/mpcsetup with its kzg package:
//     neither is a circuit compiler or the ceremony, and both are allowed.
//   - protocol is definitions only: no gnark frontend, backend or
//     constraint system.
//   - Receipts, tasks and the records they embed touch no host; nor does
//     the network's wire protocol.
func TestImportBoundaries(t *testing.T) {
	for _, rule := range []struct {
		pkg       string
		forbidden []string
	}{
		{"verifier", append(slices.Clone(provingCode), hostAccess...)},
		{"keys", provingCode},
		{"proofsystem", provingCode},
		{"receipt", append(slices.Clone(provingCode), hostAccess...)},
		{"workload", append(slices.Clone(provingCode), hostAccess...)},
		{"hardware", hostAccess},
		{"sampling", provingCode},
		{"network", append(slices.Clone(provingCode), hostAccess...)},
		{"network/market", append(slices.Clone(provingCode), hostAccess...)},
		{"network/coordinator", append(slices.Clone(provingCode), "os/exec")},
		{"chain", provingCode},
		{"chain/registry", append(slices.Clone(provingCode), module+"internal/solc")},
		{"protocol", []string{"github.com/consensys/gnark/frontend", "github.com/consensys/gnark/backend", "github.com/consensys/gnark/constraint", module + "prover", module + "circuits"}},
	} {
		deps := goListDeps(t, module+rule.pkg)
		for _, dep := range deps {
			for _, bad := range rule.forbidden {
				if dep == bad || strings.HasPrefix(dep, bad+"/") {
					t.Errorf("%s depends on %s", rule.pkg, dep)
				}
			}
		}
	}
}

// TestImportBoundariesSee: the rules above look at real dependency lists
// (a typo in a package path would make them pass vacuously).
func TestImportBoundariesSee(t *testing.T) {
	if deps := goListDeps(t, module+"prover"); !slices.Contains(deps, "github.com/consensys/gnark/frontend/cs/r1cs") || !slices.Contains(deps, module+"setup") {
		t.Fatalf("go list -deps prover lacks the compiler and setup it uses: %d deps", len(deps))
	}
	if deps := goListDeps(t, module+"verifier"); !slices.Contains(deps, module+"proofsystem") || !slices.Contains(deps, module+"keys") {
		t.Fatalf("go list -deps verifier lacks proofsystem and keys: %d deps", len(deps))
	}
}

func goListDeps(t *testing.T, pkg string) []string {
	t.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goBin, "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}
