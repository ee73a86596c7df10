package prover_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/workload"
)

// TestProveSyntheticRefuses: ProveSynthetic refuses, before any key setup
// (the cache stays empty), a supplied task, a product that is not the
// task's (one entry off, too short) and a malformed node key (an error,
// never a panic).
func TestProveSyntheticRefuses(t *testing.T) {
	const n, f = 4, 8
	task, err := workload.NewSyntheticTask("5e1a7e57-0000-4000-8000-000000000001", [32]byte{7}, n, f, "1000", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	supplied, err := workload.NewSuppliedTask("5e1a7e57-0000-4000-8000-000000000002", [32]byte{1}, n, f, "1000", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	a, b, err := protocol.Matrices(task, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := make([]int64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			var acc int64
			for k := 0; k < n; k++ {
				acc += int64(a[i*n+k]) * int64(b[k*n+j])
			}
			c[i*n+j] = acc >> f
		}
	}
	wrong := append([]int64(nil), c...)
	wrong[5]++
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, 32))
	for _, tc := range []struct {
		name string
		task workload.ComputeTask
		key  ed25519.PrivateKey
		c    []int64
		is   error
	}{
		{"supplied task", supplied, key, c, prover.ErrNotSynthetic},
		{"wrong product", task, key, wrong, nil},
		{"short product", task, key, c[:n*n-1], nil},
		{"short node key", task, key[:32], c, nil},
		{"10-byte node key", task, key[:10], c, nil},
		{"no node key", task, nil, c, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := keys.Cache{Dir: t.TempDir()}
			_, err := prover.ProveSynthetic(tc.task, tc.key, cache, tc.c, nil)
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("got %v, want %v", err, tc.is)
			}
			if _, lerr := cache.Load(keys.SyntheticIDFor(n, f)); !errors.Is(lerr, keys.ErrNotFound) {
				t.Fatalf("keys were set up for a refused task: %v", lerr)
			}
		})
	}
}
