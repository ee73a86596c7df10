// Package solc runs the pinned solc-js compiler (chain/testdata/install-solc.sh)
// with its standard JSON interface: for the tests that compile the exported
// verifiers and ComputeRegistry, and for `zkpoc chain deploy`, which compiles
// the verifier of a key it deploys.
package solc

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Version is the solc release the checked-in artifacts are compiled with.
const Version = "0.8.30"

// ErrNotFound is wrapped by Find's errors.
var ErrNotFound = errors.New("solc-js not found")

// Hint says how to get the compiler.
const Hint = "install it with chain/testdata/install-solc.sh (npm solc@" + Version + ") or set ZKPOC_SOLC"

// Find returns the solc-js to run: $ZKPOC_SOLC, else
// chain/.tools/node_modules/.bin/solcjs under the module root (found from
// this source file's path, so it works in a checkout only), else solcjs on
// $PATH. It needs node on $PATH.
func Find() (string, error) {
	if p := os.Getenv("ZKPOC_SOLC"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%w: ZKPOC_SOLC=%s: %v", ErrNotFound, p, err)
		}
		return p, nil
	}
	var candidates []string
	if _, file, _, ok := runtime.Caller(0); ok {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), "..", "..", "chain", ".tools", "node_modules", ".bin", "solcjs"))
	}
	if p, err := exec.LookPath("solcjs"); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if _, err := exec.LookPath("node"); err != nil {
			return "", fmt.Errorf("%w: node not found in PATH (solcjs needs Node.js)", ErrNotFound)
		}
		return p, nil
	}
	return "", fmt.Errorf("%w: not at chain/.tools/node_modules/.bin/solcjs nor on PATH", ErrNotFound)
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
// (file name → contract names), by contract name.
func Compile(solc string, sources map[string]string, want map[string][]string) (map[string]Output, error) {
	return compile(solc, sources, want, false)
}

// CompileWithMetadata is Compile with solc's default metadata (its CBOR
// trailer with the IPFS hash of the metadata) left in the bytecode: the
// form the exported verifiers' size figures in the README were taken in.
func CompileWithMetadata(solc string, sources map[string]string, want map[string][]string) (map[string]Output, error) {
	return compile(solc, sources, want, true)
}

func compile(solc string, sources map[string]string, want map[string][]string, metadata bool) (map[string]Output, error) {
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
	settings := map[string]any{
		"optimizer":       map[string]any{"enabled": true, "runs": 200},
		"evmVersion":      "cancun",
		"outputSelection": sel,
	}
	if !metadata {
		settings["metadata"] = map[string]any{"bytecodeHash": "none", "appendCBOR": false}
	}
	input := map[string]any{"language": "Solidity", "sources": srcs, "settings": settings}
	in, err := json.Marshal(input)
	if err != nil {
		return nil, fmt.Errorf("solc: %w", err)
	}
	cmd := exec.Command(solc, "--standard-json")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("solc %s: %v: %s", solc, err, strings.TrimSpace(stderr.String()))
	}
	// solc-js may print notes (e.g. about SMT solvers) before the JSON.
	if i := bytes.Index(out, []byte("\n{")); i >= 0 && len(out) > 0 && out[0] != '{' {
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
		return nil, fmt.Errorf("solc output: %v: %.2000s", err, out)
	}
	for _, e := range res.Errors {
		if e.Severity == "error" {
			return nil, fmt.Errorf("solc: %s", e.FormattedMessage)
		}
	}
	got := map[string]Output{}
	for file, names := range want {
		for _, n := range names {
			c := res.Contracts[file][n]
			init, err1 := hex.DecodeString(c.EVM.Bytecode.Object)
			run, err2 := hex.DecodeString(c.EVM.DeployedBytecode.Object)
			if err1 != nil || err2 != nil || len(init) == 0 {
				return nil, fmt.Errorf("solc produced no bytecode for %s:%s", file, n)
			}
			got[n] = Output{ABI: c.ABI, Init: init, Runtime: run}
		}
	}
	return got, nil
}
