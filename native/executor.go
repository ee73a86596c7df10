package native

import (
	"fmt"
	"strings"
	"sync"

	"github.com/zkpoc/zkpoc/hardware"
	"github.com/zkpoc/zkpoc/hardware/probe"
	"github.com/zkpoc/zkpoc/workload"
)

// Executor computes the fixed-point product exactly: Multiply(A, B, n, f) returns the same
// entries as the reference workload.Multiply (C'[i][j] = floor(Σ_k A[i][k]·B[k][j] / 2^f)), or an
// error. Implementations differ only in speed and in the hardware they need.
type Executor interface {
	// Name identifies the executor in receipts: "cpu-go", "cpu-avx512", "cpu-avx2",
	// "gpu-cublas".
	Name() string
	Multiply(A, B []int16, n, fracBits int) ([]int64, error)
}

// Executor names.
const (
	ExecutorCPUGo     = "cpu-go"
	ExecutorCPUAVX2   = "cpu-avx2"
	ExecutorCPUAVX512 = "cpu-avx512"
	ExecutorGPUCublas = "gpu-cublas"
)

// KnownExecutors lists every executor name this package can have, fastest first, whether or
// not it is available on this host or in this build.
func KnownExecutors() []string {
	return []string{ExecutorGPUCublas, ExecutorCPUAVX512, ExecutorCPUAVX2, ExecutorCPUGo}
}

// cpuGo is the portable executor: the reference workload.Multiply.
type cpuGo struct{}

func (cpuGo) Name() string { return ExecutorCPUGo }

func (cpuGo) Multiply(A, B []int16, n, fracBits int) ([]int64, error) {
	return workload.Multiply(A, B, n, fracBits)
}

var (
	hostOnce      sync.Once
	hostHardware  hardware.Hardware
	hostExecutors []Executor
)

// Executors returns the executors available on this host (probed once), fastest first. The
// last one is always "cpu-go".
func Executors() []Executor {
	hostOnce.Do(func() {
		hostHardware = probe.Host()
		hostExecutors = availableExecutors(hostHardware)
	})
	return append([]Executor(nil), hostExecutors...)
}

// availableExecutors lists the executors usable on h, fastest first. A GPU executor is listed
// only if h has a GPU and its libraries load; SIMD executors only in a GOEXPERIMENT=simd build
// on a CPU with the features they need.
func availableExecutors(h hardware.Hardware) []Executor {
	var list []Executor
	if g, err := newCublasExecutor(h); err == nil {
		list = append(list, g)
	}
	list = append(list, simdExecutors()...)
	return append(list, cpuGo{})
}

// SelectExecutor picks an executor for hardware h: preferred "" or "auto" selects the fastest
// available; a name selects that executor and fails, naming the available ones, if it is
// unknown or not available on h.
func SelectExecutor(h hardware.Hardware, preferred string) (Executor, error) {
	avail := availableExecutors(h)
	if preferred == "" || preferred == "auto" {
		return avail[0], nil
	}
	names := make([]string, len(avail))
	for i, e := range avail {
		if e.Name() == preferred {
			return e, nil
		}
		names[i] = e.Name()
	}
	known := false
	for _, k := range KnownExecutors() {
		known = known || k == preferred
	}
	why := "unknown executor"
	if known {
		why = "not available on this host or build"
		if preferred == ExecutorGPUCublas {
			if _, err := newCublasExecutor(h); err != nil {
				why += " (" + err.Error() + ")"
			}
		}
	}
	return nil, fmt.Errorf("native: select executor %q: %s; available: %s", clip(preferred), why, strings.Join(names, ", "))
}

// MaxFloat64ExactSize is the largest n for which a float64 matrix product of int16 entries is
// exact whatever the order of the additions and whatever rounding of FMA or mul+add is used.
//
// Argument: every product a·b of int16 values is an integer with |a·b| ≤ 2^30, so every partial
// sum of at most n products is an integer s with |s| ≤ n·2^30. Every integer in [−2^53, 2^53]
// is exactly representable in float64, and an IEEE operation (add, multiply, fused
// multiply-add) whose exact result is representable returns it unchanged. So if n·2^30 ≤ 2^53,
// i.e. n ≤ 2^23, every intermediate is the exact integer and so is the result.
const MaxFloat64ExactSize = 1 << 23

// float64Exact reports whether n×n float64 products of int16 matrices are exact (see
// MaxFloat64ExactSize).
func float64Exact(n int) bool { return n >= 1 && n <= MaxFloat64ExactSize }

// clip shortens attacker-controlled strings quoted in error messages.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
