// Package testfixture gives the tests of several packages one real Groth16
// receipt for a 4×4 task. The dev setup behind it dominates (about a minute
// on 2 cores), so it runs once per test binary, and once per CI run when
// ZKPOC_TEST_KEYS names a key cache that every package shares (the cache's
// file lock lets concurrent packages wait for one setup instead of each
// running its own).
package testfixture

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// Worker is the worker address the fixture's task is derived with, and the
// one its receipt signs (node.worker_address).
const Worker = "cpc1qtestworker"

// BlockHash is the block hash the fixture's task is derived at:
// payload.seed = SHA-256(BlockHash ‖ Worker).
var BlockHash = [32]byte{1, 2, 3}

// TaskID is the fixture task's id.
const TaskID = "3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20"

// Fixture is a proved n = 4 task: the signed receipt (signing Worker as its
// node.worker_address), the node key that signed it, and the key cache
// holding its Groth16 keys.
type Fixture struct {
	Env     *receipt.Envelope
	Receipt *receipt.Receipt
	Key     ed25519.PrivateKey
	Cache   keys.Cache
	VK      proofsystem.VerifyingKey
}

var (
	once sync.Once
	fix  Fixture
	err  error

	cacheOnce sync.Once
	cache     keys.Cache
	cacheErr  error
	tmpDir    string // removed by Cleanup; "" when the cache is ZKPOC_TEST_KEYS
)

// KeyCache is the key cache the fixtures prove with: $ZKPOC_TEST_KEYS when
// set (shared by every test binary that uses it, and kept), else one
// temporary directory per test binary (removed by Cleanup).
func KeyCache() (keys.Cache, error) {
	cacheOnce.Do(func() {
		dir := os.Getenv("ZKPOC_TEST_KEYS")
		if dir == "" {
			tmpDir, cacheErr = os.MkdirTemp("", "zkpoc-test-keys")
			dir = tmpDir
		} else {
			dir, cacheErr = filepath.Abs(dir)
		}
		cache = keys.Cache{Dir: dir}
	})
	return cache, cacheErr
}

// Task returns the fixture's task: n = 4, f = 8, seeded from a fixed block
// hash and Worker, carrying its BN254 input commitment (the form chain
// export takes).
func Task() (workload.ComputeTask, error) {
	seed := workload.DeriveSeed(BlockHash, Worker)
	return protocol.NewSyntheticTask(protocol.BN254, TaskID, seed, 4, 8, "1000", 1795000000)
}

// Groth16N4 returns the fixture, proving it on first use; it skips the test
// under -short.
func Groth16N4(t testing.TB) Fixture {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real Groth16 setup and proof (skipped with -short)")
	}
	once.Do(func() {
		if fix.Cache, err = KeyCache(); err != nil {
			return
		}
		fix.Key = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
		var task workload.ComputeTask
		if task, err = Task(); err != nil {
			return
		}
		var res *prover.Result
		if res, err = prover.Run(context.Background(), prover.Options{Task: task, NodeKey: fix.Key, Cache: fix.Cache, WorkerAddress: Worker}); err != nil {
			return
		}
		var set *keys.Set
		if set, err = fix.Cache.Load(keys.IDFor(protocol.BN254, protocol.Groth16, protocol.Freivalds, 4, 8)); err != nil {
			return
		}
		fix.VK = set.VK
		fix.Env, fix.Receipt = res.Envelope, res.Receipt
	})
	if err != nil {
		t.Fatal(err)
	}
	return fix
}

// Cleanup removes the fixture's temporary key cache; call it from TestMain
// after m.Run.
func Cleanup() {
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
}
