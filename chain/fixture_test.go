package chain

import (
	"bytes"
	"crypto/ed25519"
	"flag"
	"os"
	"sync"
	"testing"

	"github.com/consensys/gnark/backend/groth16"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixture is one real Groth16 receipt for a 4×4 task, proved once per test
// binary (the dev setup dominates, ~70 s on 2 cores).
type fixture struct {
	env *receipt.Envelope
	rc  *receipt.Receipt
	vk  groth16.VerifyingKey
}

var (
	fixOnce sync.Once
	fix     fixture
	fixErr  error
	fixDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixDir != "" {
		os.RemoveAll(fixDir)
	}
	os.Exit(code)
}

const fixtureWorker = "cpc1qtestworker"

func getFixture(t *testing.T) fixture {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real Groth16 setup and proof (skipped with -short)")
	}
	fixOnce.Do(func() {
		fixDir, fixErr = os.MkdirTemp("", "zkpoc-chain-test")
		if fixErr != nil {
			return
		}
		cache := keys.Cache{Dir: fixDir}
		key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
		seed := workload.DeriveSeed([32]byte{1, 2, 3}, fixtureWorker)
		task, err := workload.NewSyntheticTask("3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20", seed, 4, 8, "1000", 1795000000)
		if err != nil {
			fixErr = err
			return
		}
		res, err := prover.Run(prover.Options{Task: task, NodeKey: key, Cache: cache})
		if err != nil {
			fixErr = err
			return
		}
		set, err := cache.Load(prover.KeyID(circuits.Freivalds, 4, 8))
		if err != nil {
			fixErr = err
			return
		}
		fix = fixture{env: res.Envelope, rc: res.Receipt, vk: set.VK}
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}
