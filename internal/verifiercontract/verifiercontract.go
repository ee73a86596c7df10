// Package verifiercontract compiles a Groth16 key's exported Solidity
// verifier for tests (package chain's own tests use solctest directly).
package verifiercontract

import (
	"bytes"
	"sync"
	"testing"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/internal/solctest"
	"github.com/zkpoc/zkpoc/proofsystem"
)

var (
	mu       sync.Mutex
	compiled = map[[32]byte][]byte{}
)

// Init is the init code of vk's exported verifier (chain.ExportSolidity),
// compiled once per key and process. A missing compiler skips the test
// (fails it under CI=true, solctest.Path).
func Init(t testing.TB, vk proofsystem.VerifyingKey) []byte {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if code, ok := compiled[vk.Fingerprint()]; ok {
		return code
	}
	var src bytes.Buffer
	if err := chain.ExportSolidity(vk, &src); err != nil {
		t.Fatal(err)
	}
	out := solctest.Compile(t, solctest.Path(t), map[string]string{"Verifier.sol": src.String()}, map[string][]string{"Verifier.sol": {"Verifier"}})
	compiled[vk.Fingerprint()] = out["Verifier"].Init
	t.Logf("verifier for key %x: %d bytes of runtime code", vk.Fingerprint(), len(out["Verifier"].Runtime))
	return out["Verifier"].Init
}
