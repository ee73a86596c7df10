package prover_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"runtime"
	"testing"

	"github.com/zkpoc/zkpoc/hardware"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/workload"
)

// TestRuntimeBoxUsableCPUs: the receipt's runtime box records what the
// process could use beside the CPU package's count, and never more than the
// runtime sees (a 2-vCPU guest once recorded a 254-core package and nothing else).
func TestRuntimeBoxUsableCPUs(t *testing.T) {
	task, err := workload.NewSyntheticTask("0e4c1b2a-3d5f-4a6b-8c7d-9e0f1a2b3c4d", [32]byte{8}, 4, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, 32))
	res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: key, Mode: protocol.ModeBinding})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Receipt.RuntimeMeasurement
	if m == nil || m.Hardware == nil || m.Hardware.Process == nil {
		t.Fatal("no runtime box")
	}
	if m.UsableCPUs < 1 || m.UsableCPUs != m.Hardware.Process.Usable {
		t.Errorf("usable_cpus %d, hardware.process_cpus.usable %d", m.UsableCPUs, m.Hardware.Process.Usable)
	}
	if runtime.GOOS == "linux" && m.UsableCPUs > runtime.NumCPU() {
		t.Errorf("usable_cpus %d > runtime.NumCPU() %d", m.UsableCPUs, runtime.NumCPU())
	}
	if m.Hardware.CoresReportedBy != hardware.CoresReportedBy {
		t.Errorf("the package core counts are not labelled: %q", m.Hardware.CoresReportedBy)
	}
}
