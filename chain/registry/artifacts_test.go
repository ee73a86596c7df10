package registry

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/abigen"

	"github.com/zkpoc/zkpoc/internal/solctest"
)

var update = flag.Bool("update", false, "recompile ComputeRegistry.sol and rewrite its ABI, bytecode and bindings")

const (
	sourceFile   = "ComputeRegistry.sol"
	abiFile      = "ComputeRegistry.abi"
	binFile      = "ComputeRegistry.bin"
	bindingsFile = "bindings.go"
)

// compileRegistry compiles the checked-in source with the pinned solc.
func compileRegistry(t *testing.T) solctest.Output {
	t.Helper()
	solc := solctest.Path(t)
	src, err := os.ReadFile(sourceFile)
	if err != nil {
		t.Fatal(err)
	}
	out := solctest.Compile(t, solc, map[string]string{sourceFile: string(src)}, map[string][]string{sourceFile: {"ComputeRegistry"}})
	return out["ComputeRegistry"]
}

// bindings is what `abigen --v2 --abi ComputeRegistry.abi --bin
// ComputeRegistry.bin --pkg registry --type ComputeRegistry` writes.
func bindings(t *testing.T, abiJSON, binHex string) string {
	t.Helper()
	code, err := abigen.BindV2([]string{"ComputeRegistry"}, []string{abiJSON}, []string{binHex}, "registry", map[string]string{}, map[string]string{})
	if err != nil {
		t.Fatalf("abigen: %v", err)
	}
	return code
}

// TestArtifacts: the checked-in ABI and bytecode are what solc 0.8.30
// compiles ComputeRegistry.sol to, and bindings.go is what abigen generates
// from them. With -update it rewrites all three.
func TestArtifacts(t *testing.T) {
	// The bindings check needs no compiler: it runs first.
	abiJSON, err := os.ReadFile(abiFile)
	if err != nil {
		t.Fatal(err)
	}
	binHex, err := os.ReadFile(binFile)
	if err != nil {
		t.Fatal(err)
	}
	if !*update {
		have, err := os.ReadFile(bindingsFile)
		if err != nil {
			t.Fatal(err)
		}
		if want := bindings(t, string(abiJSON), strings.TrimSpace(string(binHex))); string(have) != want {
			t.Errorf("%s is not what abigen generates from %s and %s: run go test ./chain/registry -run TestArtifacts -update", bindingsFile, abiFile, binFile)
		}
		if !strings.Contains(ComputeRegistryMetaData.Bin, strings.TrimSpace(string(binHex))) {
			t.Errorf("the bindings' bytecode is not %s", binFile)
		}
	}

	c := compileRegistry(t)
	var abiBuf bytes.Buffer
	if err := json.Indent(&abiBuf, c.ABI, "", " "); err != nil {
		t.Fatal(err)
	}
	abiBuf.WriteByte('\n')
	wantBin := hex.EncodeToString(c.Init) + "\n"
	if *update {
		code := bindings(t, abiBuf.String(), strings.TrimSpace(wantBin))
		for name, data := range map[string][]byte{abiFile: abiBuf.Bytes(), binFile: []byte(wantBin), bindingsFile: []byte(code)} {
			if err := os.WriteFile(name, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("rewrote %s, %s, %s (%d bytes of runtime code)", abiFile, binFile, bindingsFile, len(c.Runtime))
		return
	}
	if !bytes.Equal(abiJSON, abiBuf.Bytes()) {
		t.Errorf("%s differs from solc's ABI for %s: run go test ./chain/registry -run TestArtifacts -update", abiFile, sourceFile)
	}
	if string(binHex) != wantBin {
		t.Errorf("%s differs from solc %s's bytecode for %s: run go test ./chain/registry -run TestArtifacts -update", binFile, solctest.Version, sourceFile)
	}
	t.Logf("ComputeRegistry: %d bytes of runtime code (EIP-170 limit 24,576)", len(c.Runtime))
	if len(c.Runtime) > 24576 {
		t.Errorf("runtime code exceeds EIP-170")
	}
}
