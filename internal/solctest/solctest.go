// Package solctest compiles Solidity for tests with the pinned solc-js
// (chain/testdata/install-solc.sh): the exported verifiers and the
// ComputeRegistry contract.
package solctest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Version is the solc release the checked-in artifacts are compiled with.
const Version = "0.8.30"

// Path finds solc-js: $ZKPOC_SOLC, else chain/.tools/node_modules/.bin/solcjs
// (installed by chain/testdata/install-solc.sh). Without one the test skips,
// except under CI=true, where it fails.
func Path(t testing.TB) string {
	t.Helper()
	missing := func(why string) {
		msg := why + "; install it with chain/testdata/install-solc.sh (npm solc@" + Version + ") or set ZKPOC_SOLC"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: not skipping)")
		}
		t.Skip(msg)
	}
	if p := os.Getenv("ZKPOC_SOLC"); p != "" {
		if _, err := os.Stat(p); err != nil {
			missing(fmt.Sprintf("ZKPOC_SOLC=%s: %v", p, err))
		}
		return p
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("solctest: no caller information")
	}
	p := filepath.Join(filepath.Dir(file), "..", "..", "chain", ".tools", "node_modules", ".bin", "solcjs")
	if _, err := os.Stat(p); err != nil {
		missing("solcjs not found at " + p)
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing("node not found in PATH (solcjs needs Node.js)")
	}
	return p
}

// Output is one compiled contract.
type Output struct {
	ABI     json.RawMessage // the ABI, as solc writes it
	Init    []byte          // creation bytecode
	Runtime []byte          // deployed bytecode
}

// Compile compiles sources (file name → source) with solc's standard JSON
// interface — optimizer on, 200 runs, EVM cancun, no metadata hash, so that
// the bytecode depends on the source alone — and returns the named contracts
// (file name → contract names).
func Compile(t testing.TB, solc string, sources map[string]string, want map[string][]string) map[string]Output {
	t.Helper()
	srcs := map[string]any{}
	sel := map[string]any{}
	for name, src := range sources {
		srcs[name] = map[string]any{"content": src}
	}
	for file, names := range want {
		m := map[string]any{}
		for _, n := range names {
			m[n] = []string{"abi", "evm.bytecode.object", "evm.deployedBytecode.object"}
		}
		sel[file] = m
	}
	input := map[string]any{
		"language": "Solidity",
		"sources":  srcs,
		"settings": map[string]any{
			"optimizer":       map[string]any{"enabled": true, "runs": 200},
			"evmVersion":      "cancun",
			"metadata":        map[string]any{"bytecodeHash": "none", "appendCBOR": false},
			"outputSelection": sel,
		},
	}
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(solc, "--standard-json")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("solcjs: %v\n%s", err, stderr.String())
	}
	// solc-js may print notes (e.g. about SMT solvers) before the JSON.
	if i := bytes.Index(out, []byte("\n{")); i >= 0 && out[0] != '{' {
		out = out[i+1:]
	}
	var res struct {
		Errors []struct {
			Severity         string `json:"severity"`
			FormattedMessage string `json:"formattedMessage"`
		} `json:"errors"`
		Contracts map[string]map[string]struct {
			ABI json.RawMessage `json:"abi"`
			EVM struct {
				Bytecode struct {
					Object string `json:"object"`
				} `json:"bytecode"`
				DeployedBytecode struct {
					Object string `json:"object"`
				} `json:"deployedBytecode"`
			} `json:"evm"`
		} `json:"contracts"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("solcjs output: %v\n%.2000s", err, out)
	}
	for _, e := range res.Errors {
		if e.Severity == "error" {
			t.Fatalf("solc: %s", e.FormattedMessage)
		}
	}
	got := map[string]Output{}
	for file, names := range want {
		for _, n := range names {
			c := res.Contracts[file][n]
			init, err1 := hex.DecodeString(c.EVM.Bytecode.Object)
			run, err2 := hex.DecodeString(c.EVM.DeployedBytecode.Object)
			if err1 != nil || err2 != nil || len(init) == 0 {
				t.Fatalf("solc produced no bytecode for %s:%s (%v, %v)", file, n, err1, err2)
			}
			got[n] = Output{ABI: c.ABI, Init: init, Runtime: run}
		}
	}
	return got
}
