package receipt_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestPureDeps: decoding and checking a receipt needs no host probe, no
// command runner and no dynamic loader. The receipt package and the record
// packages it embeds (workload for the task, hardware for the runtime box)
// must not depend on os/exec, cpuid or purego; those belong to
// hardware/probe and native, which only proving code imports.
func TestPureDeps(t *testing.T) {
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(goBin); err != nil {
		if goBin, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command")
		}
	}
	forbidden := []string{"os/exec", "github.com/klauspost/cpuid/v2", "github.com/ebitengine/purego"}
	for _, pkg := range []string{"github.com/zkpoc/zkpoc/receipt", "github.com/zkpoc/zkpoc/workload", "github.com/zkpoc/zkpoc/hardware"} {
		out, err := exec.Command(goBin, "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
