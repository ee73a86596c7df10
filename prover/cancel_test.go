package prover

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/workload"
)

// TestRunCancelled: a run whose context is already cancelled, or is
// cancelled while it runs, returns an error wrapping context.Canceled and
// no receipt; it never writes a key to the cache.
func TestRunCancelled(t *testing.T) {
	seed := workload.DeriveSeed([32]byte{7}, "cpc1qcancel")
	task, err := workload.NewSyntheticTask("7c1f2a9e-6b7d-4e21-9a0b-5c8d7e6f1a22", seed, 4, 8, "5", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32))
	for _, mode := range []protocol.Mode{protocol.ModeBinding, protocol.ModeSampled, protocol.ModeGroth16} {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res, err := Run(ctx, Options{Task: task, NodeKey: key, Cache: keys.Cache{Dir: dir}, Mode: mode})
		if !errors.Is(err, context.Canceled) || res != nil {
			t.Errorf("%s: Run with a cancelled context = %v, %v; want context.Canceled and no result", mode, res, err)
		}
		if ids, err := (keys.Cache{Dir: dir}).List(); err == nil && len(ids) > 0 {
			t.Errorf("%s: a cancelled run left keys in the cache: %v", mode, ids)
		}
	}

	// Cancelled by the first progress line (the key setup's): the run stops
	// at the next phase boundary, before proving.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := cancelWriter(cancel)
	res, err := Run(ctx, Options{Task: task, NodeKey: key, Cache: keys.Cache{Dir: t.TempDir()}, Mode: protocol.ModeGroth16, Progress: stop})
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("Run cancelled while it runs = %v, %v; want context.Canceled and no result", res, err)
	}
}

// cancelWriter is a progress writer that cancels on its first line.
type cancelWriter context.CancelFunc

func (c cancelWriter) Write(p []byte) (int, error) {
	c()
	return len(p), nil
}
