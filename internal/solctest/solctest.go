// Package solctest is package solc for tests: a missing compiler skips the
// test (fails it under CI=true), a compile error fails it.
package solctest

import (
	"os"
	"testing"

	"github.com/zkpoc/zkpoc/internal/solc"
)

// Version is the solc release the checked-in artifacts are compiled with.
const Version = solc.Version

// Output is one compiled contract.
type Output = solc.Output

// Path finds solc-js (solc.Find). Without one the test skips, except under
// CI=true, where it fails.
func Path(t testing.TB) string {
	t.Helper()
	p, err := solc.Find()
	if err != nil {
		msg := err.Error() + "; " + solc.Hint
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: not skipping)")
		}
		t.Skip(msg)
	}
	return p
}

// Compile is solc.Compile, failing the test on an error.
func Compile(t testing.TB, solcPath string, sources map[string]string, want map[string][]string) map[string]Output {
	t.Helper()
	out, err := solc.Compile(solcPath, sources, want)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// CompileWithMetadata is solc.CompileWithMetadata, failing the test on an error.
func CompileWithMetadata(t testing.TB, solcPath string, sources map[string]string, want map[string][]string) map[string]Output {
	t.Helper()
	out, err := solc.CompileWithMetadata(solcPath, sources, want)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
