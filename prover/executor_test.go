package prover_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/zkpoc/zkpoc/hardware/probe"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/workload"
)

// flipOne wraps an executor and changes one output entry.
type flipOne struct{ native.Executor }

func (f flipOne) Name() string { return "test-flip" }

func (f flipOne) Multiply(a, b []int16, n, fracBits int) ([]int64, error) {
	c, err := f.Executor.Multiply(a, b, n, fracBits)
	if err == nil {
		c[0]++
	}
	return c, err
}

// TestExecutorImpl: a caller-supplied executor computes the output the
// receipt binds, and the receipt names it.
func TestExecutorImpl(t *testing.T) {
	task, err := workload.NewSyntheticTask("0e4c1b2a-3d5f-4a6b-8c7d-9e0f1a2b3c4e", workload.DeriveSeed([32]byte{7}, "cpc1qa"), 4, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{6}, 32))
	real, err := native.SelectExecutor(probe.Host(), "")
	if err != nil {
		t.Fatal(err)
	}
	run := func(ex native.Executor) *prover.Result {
		res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: key, Mode: protocol.ModeBinding, ExecutorImpl: ex})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	honest, flipped := run(nil), run(flipOne{real})
	if got := flipped.Receipt.RuntimeMeasurement.Executor; got != "test-flip" {
		t.Errorf("runtime executor %q, want test-flip", got)
	}
	if flipped.Output[0] != honest.Output[0]+1 {
		t.Errorf("output[0] %d, honest %d", flipped.Output[0], honest.Output[0])
	}
	if flipped.Receipt.OutputDigest == honest.Receipt.OutputDigest {
		t.Error("the tampered output has the honest output digest")
	}
}
