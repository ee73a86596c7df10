package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/hardware"
)

func TestProbe(t *testing.T) {
	h := Host()
	if h.CPUBrand == "" || h.LogicalCores < 1 || h.GOMAXPROCS < 1 || h.GOARCH == "" {
		t.Fatalf("Host() = %+v", h)
	}
	if h.Features == nil || h.GPUs == nil {
		t.Fatal("nil Features or GPUs")
	}
	for i := 1; i < len(h.Features); i++ {
		if h.Features[i-1] >= h.Features[i] {
			t.Fatalf("features not sorted: %v", h.Features)
		}
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"cpu_brand"`, `"logical_cores"`, `"l1d_bytes"`, `"features":[`, `"gpus":[`, `"gomaxprocs"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
	t.Logf("%s", b)
}

func TestParseNvidiaProc(t *testing.T) {
	gpus := parseNvidiaProc("testdata/nvidia/gpus")
	want := []hardware.GPU{
		{Vendor: "nvidia", Model: "NVIDIA H100 80GB HBM3", BusID: "0000:18:00.0"},
		{Vendor: "nvidia", Model: "NVIDIA A100-SXM4-40GB", BusID: "gpu1"}, // no "Bus Location:": the directory name
	}
	if fmt.Sprint(gpus) != fmt.Sprint(want) {
		t.Fatalf("parseNvidiaProc = %+v, want %+v", gpus, want)
	}
	if g := parseNvidiaProc("testdata/does-not-exist"); g == nil || len(g) != 0 {
		t.Fatalf("missing dir: %v", g)
	}
}

func TestParseNvidiaSMI(t *testing.T) {
	out := readTestdata(t, "testdata/nvidia-smi.txt")
	gpus := parseNvidiaSMI(out)
	want := []hardware.GPU{
		{Vendor: "nvidia", Model: "NVIDIA H100 80GB HBM3", BusID: "00000000:18:00.0", MemoryMiB: 81559},
		{Vendor: "nvidia", Model: "Tesla T4", MemoryMiB: 15360},
		{Vendor: "nvidia", Model: "NVIDIA GeForce RTX 4090", BusID: "00000000:01:00.0"},
	}
	if fmt.Sprint(gpus) != fmt.Sprint(want) {
		t.Fatalf("parseNvidiaSMI = %+v, want %+v", gpus, want)
	}
	if g := parseNvidiaSMI(nil); g == nil || len(g) != 0 {
		t.Fatalf("empty output: %v", g)
	}
}

func TestProbeGPUsSources(t *testing.T) {
	smiOut := readTestdata(t, "testdata/nvidia-smi.txt")
	calls := 0
	smi := func(ctx context.Context) ([]byte, error) {
		calls++
		if _, ok := ctx.Deadline(); !ok {
			t.Error("nvidia-smi run without a deadline")
		}
		return smiOut, nil
	}
	// /proc wins; nvidia-smi is not run.
	if g := probeGPUs("testdata/nvidia/gpus", smi); len(g) != 2 || calls != 0 {
		t.Fatalf("proc: %v, %d smi calls", g, calls)
	}
	// No /proc entries: nvidia-smi output is used.
	if g := probeGPUs("testdata/does-not-exist", smi); len(g) != 3 || calls != 1 {
		t.Fatalf("smi: %v, %d calls", g, calls)
	}
	// Neither: an empty, non-nil slice.
	failing := func(context.Context) ([]byte, error) { return nil, errNoSMI }
	if g := probeGPUs("testdata/does-not-exist", failing); g == nil || len(g) != 0 {
		t.Fatalf("none: %v", g)
	}
	if g := probeGPUs("testdata/does-not-exist", nil); g == nil || len(g) != 0 {
		t.Fatalf("nil smi: %v", g)
	}
}

func readTestdata(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
