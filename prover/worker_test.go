package prover_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/workload"
)

// TestWorkerAddressSigned: Options.WorkerAddress is signed into the receipt
// as node.worker_address (covered by receipt_id); a malformed one is refused
// before any work; without one the field is absent.
func TestWorkerAddressSigned(t *testing.T) {
	bh := [32]byte{4}
	task, err := workload.NewSyntheticTask("0e4c1b2a-3d5f-4a6b-8c7d-9e0f1a2b3c4d", workload.DeriveSeed(bh, "cpc1qa"), 2, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, 32))
	run := func(addr string) (*prover.Result, error) {
		return prover.Run(context.Background(), prover.Options{Task: task, NodeKey: key, Mode: protocol.ModeBinding, WorkerAddress: addr})
	}
	res, err := run("cpc1qa")
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Receipt.Node.WorkerAddress; got != "cpc1qa" {
		t.Fatalf("node.worker_address %q", got)
	}
	st, _, err := res.Envelope.Statement()
	if err != nil || st.Predicate.Node.WorkerAddress != "cpc1qa" {
		t.Fatalf("signed statement: %+v, %v", st.Predicate.Node, err)
	}
	if id, _ := res.Receipt.ComputeID(); id != res.Receipt.ReceiptID {
		t.Errorf("receipt_id %s, recomputed %s", res.Receipt.ReceiptID, id)
	}
	if err := task.IssuedTo(bh, res.Receipt.Node.WorkerAddress); err != nil {
		t.Error(err)
	}
	plain, err := run("")
	if err != nil {
		t.Fatal(err)
	}
	if plain.Receipt.Node.WorkerAddress != "" {
		t.Errorf("worker address %q without one given", plain.Receipt.Node.WorkerAddress)
	}
	if _, err := run("cpc1q a"); !errors.Is(err, workload.ErrInvalidWorkerAddress) {
		t.Errorf("malformed address: err = %v", err)
	}
}
