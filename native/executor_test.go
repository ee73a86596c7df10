package native

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/hardware"
	"github.com/zkpoc/zkpoc/hardware/probe"
	"github.com/zkpoc/zkpoc/workload"
)

// goKernel is a portable reference micro-kernel for the fmaExecutor driver, so that packing,
// padding and blocking are tested with odd tile shapes on every architecture.
func goKernel(mr, nr int) func(kc int, ap, bp, c []float64, ldc int) {
	return func(kc int, ap, bp, c []float64, ldc int) {
		for k := 0; k < kc; k++ {
			for r := 0; r < mr; r++ {
				a := ap[k*mr+r]
				for j := 0; j < nr; j++ {
					c[r*ldc+j] += a * bp[k*nr+j]
				}
			}
		}
	}
}

// testExecutors are every executor this host can run plus the portable-kernel FMA driver.
func testExecutors() []Executor {
	list := append(simdExecutors(), cpuGo{},
		&fmaExecutor{name: "test-fma-go-3x5", mr: 3, nr: 5, kernel: goKernel(3, 5)})
	return list
}

// refMultiply is the math/big reference: floor(Σ_k A[i][k]·B[k][j] / 2^f), using Euclidean
// division by a positive divisor (which equals floor), independent of shift semantics (as in
// package workload's tests, which check workload.Multiply against it).
func refMultiply(A, B []int16, n, f int) []*big.Int {
	d := new(big.Int).Lsh(big.NewInt(1), uint(f))
	out := make([]*big.Int, n*n)
	t := new(big.Int)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := new(big.Int)
			for k := 0; k < n; k++ {
				t.SetInt64(int64(A[i*n+k]))
				s.Add(s, t.Mul(t, big.NewInt(int64(B[k*n+j]))))
			}
			out[i*n+j] = s.Div(s, d)
		}
	}
	return out
}

func fill(n int, f func(i int) int16) []int16 {
	m := make([]int16, n*n)
	for i := range m {
		m[i] = f(i)
	}
	return m
}

func extremeCases(n int, rng *rand.Rand) map[string][2][]int16 {
	random := func(int) int16 { return int16(rng.Uint32()) }
	pm := func(int) int16 { return [...]int16{-32768, 32767}[rng.IntN(2)] }
	return map[string][2][]int16{
		"random":            {fill(n, random), fill(n, random)},
		"all_min_x_all_min": {fill(n, func(int) int16 { return -32768 }), fill(n, func(int) int16 { return -32768 })},
		"all_max_x_all_max": {fill(n, func(int) int16 { return 32767 }), fill(n, func(int) int16 { return 32767 })},
		"all_max_x_all_min": {fill(n, func(int) int16 { return 32767 }), fill(n, func(int) int16 { return -32768 })},
		"mixed": {fill(n, func(i int) int16 { return [...]int16{-32768, 32767, -1, 0, 1}[i%5] }),
			fill(n, func(i int) int16 { return [...]int16{32767, -32768, -32768, 1, -1, 0}[i%6] })},
		"random_extremes": {fill(n, pm), fill(n, pm)},
	}
}

func TestExecutorsAgainstReferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 3, 16, 17, 64, 100} {
		for name, ab := range extremeCases(n, rng) {
			A, B := ab[0], ab[1]
			for _, f := range []int{0, 8, 16} {
				want, err := workload.Multiply(A, B, n, f)
				if err != nil {
					t.Fatal(err)
				}
				ref := refMultiply(A, B, n, f)
				for idx, r := range ref {
					if !r.IsInt64() || r.Int64() != want[idx] {
						t.Fatalf("n=%d %s f=%d: Multiply[%d]=%d, math/big %s", n, name, f, idx, want[idx], r)
					}
				}
				for _, e := range testExecutors() {
					got, err := e.Multiply(A, B, n, f)
					if err != nil {
						t.Fatalf("%s n=%d %s f=%d: %v", e.Name(), n, name, f, err)
					}
					if len(got) != n*n {
						t.Fatalf("%s n=%d: %d entries", e.Name(), n, len(got))
					}
					for idx := range got {
						if got[idx] != want[idx] {
							t.Fatalf("%s n=%d %s f=%d: C[%d]=%d, want %d", e.Name(), n, name, f, idx, got[idx], want[idx])
						}
					}
				}
			}
		}
	}
}

// TestExecutorsLarge covers several k-blocks (n > 256), several row blocks per worker and
// all workers, against Multiply (itself checked against math/big above).
func TestExecutorsLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{257, 521} {
		for _, name := range []string{"random", "all_min_x_all_min", "random_extremes"} {
			ab := extremeCases(n, rng)[name]
			want, err := workload.Multiply(ab[0], ab[1], n, 8)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range testExecutors() {
				got, err := e.Multiply(ab[0], ab[1], n, 8)
				if err != nil {
					t.Fatal(err)
				}
				for idx := range got {
					if got[idx] != want[idx] {
						t.Fatalf("%s n=%d %s: C[%d]=%d, want %d", e.Name(), n, name, idx, got[idx], want[idx])
					}
				}
			}
		}
	}
}

func TestExecutorErrors(t *testing.T) {
	ok := make([]int16, 16)
	for _, e := range testExecutors() {
		for _, c := range []struct {
			A, B    []int16
			n, f    int
			wantErr string
		}{
			{ok, ok, 0, 8, "out of range"},
			{ok, ok, workload.MaxMatrixSize + 1, 8, "out of range"},
			{ok, ok, 4, -1, "frac bits"},
			{ok, ok, 4, workload.MaxFracBits + 1, "frac bits"},
			{ok[:15], ok, 4, 8, "len(A)"},
			{ok, nil, 4, 8, "len(A)"},
		} {
			C, err := e.Multiply(c.A, c.B, c.n, c.f)
			if err == nil || C != nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s.Multiply(n=%d, f=%d) = %v, %v; want error %q", e.Name(), c.n, c.f, C, err, c.wantErr)
			}
		}
	}
}

func TestExecutorsListAndSelect(t *testing.T) {
	list := Executors()
	if len(list) == 0 || list[len(list)-1].Name() != ExecutorCPUGo {
		t.Fatalf("Executors() = %v; want cpu-go last", names(list))
	}
	seen := map[string]bool{}
	for _, e := range list {
		if seen[e.Name()] {
			t.Errorf("duplicate executor %s", e.Name())
		}
		seen[e.Name()] = true
	}
	h := probe.Host()
	if len(h.GPUs) == 0 && seen[ExecutorGPUCublas] {
		t.Errorf("gpu-cublas listed on a host without GPU")
	}
	for _, pref := range []string{"", "auto"} {
		e, err := SelectExecutor(h, pref)
		if err != nil || e.Name() != list[0].Name() {
			t.Errorf("SelectExecutor(%q) = %v, %v; want %s", pref, e, err, list[0].Name())
		}
	}
	for _, e := range list {
		got, err := SelectExecutor(h, e.Name())
		if err != nil || got.Name() != e.Name() {
			t.Errorf("SelectExecutor(%q) = %v, %v", e.Name(), got, err)
		}
	}
	_, err := SelectExecutor(h, "quantum")
	if err == nil || !strings.Contains(err.Error(), "unknown executor") || !strings.Contains(err.Error(), "cpu-go") {
		t.Errorf("SelectExecutor(quantum) error = %v", err)
	}
}

// TestSelectWithoutGPU: without a GPU (or with one but no CUDA libraries), gpu-cublas is
// never selected and naming it fails with a clear error listing what is available.
func TestSelectWithoutGPU(t *testing.T) {
	noGPU := hardware.Hardware{CPUBrand: "test", LogicalCores: 1, Features: []string{}, GPUs: []hardware.GPU{}}
	for _, e := range availableExecutors(noGPU) {
		if e.Name() == ExecutorGPUCublas {
			t.Fatal("gpu-cublas available without a GPU")
		}
	}
	e, err := SelectExecutor(noGPU, "auto")
	if err != nil || e.Name() == ExecutorGPUCublas {
		t.Fatalf("auto = %v, %v", e, err)
	}
	_, err = SelectExecutor(noGPU, ExecutorGPUCublas)
	if err == nil || !strings.Contains(err.Error(), "not available") || !strings.Contains(err.Error(), "no GPU") ||
		!strings.Contains(err.Error(), "available: ") || !strings.Contains(err.Error(), ExecutorCPUGo) {
		t.Fatalf("SelectExecutor(gpu-cublas) error = %v", err)
	}

	// A GPU is reported but the libraries cannot be loaded: still not selected, and the error
	// says why.
	fakeGPU := noGPU
	fakeGPU.GPUs = []hardware.GPU{{Vendor: "nvidia", Model: "Fake GPU"}}
	if _, err := loadCublas([]string{"libcudart-does-not-exist.so"}, []string{"libcublas-does-not-exist.so"}); err == nil {
		t.Fatal("loadCublas of missing libraries succeeded")
	} else if !strings.Contains(err.Error(), "does-not-exist") {
		t.Errorf("loadCublas error does not name the library: %v", err)
	}
	if cudaLibrariesPresent() {
		t.Skip("CUDA libraries present on this host")
	}
	for _, e := range availableExecutors(fakeGPU) {
		if e.Name() == ExecutorGPUCublas {
			t.Fatal("gpu-cublas available without CUDA libraries")
		}
	}
	_, err = SelectExecutor(fakeGPU, ExecutorGPUCublas)
	if err == nil || !strings.Contains(err.Error(), "not available") {
		t.Fatalf("SelectExecutor(gpu-cublas) with fake GPU error = %v", err)
	}
}

func TestFloat64ExactBound(t *testing.T) {
	// n·2^30 ≤ 2^53 ⟺ n ≤ 2^23.
	if MaxFloat64ExactSize != 1<<23 || float64(MaxFloat64ExactSize)*(1<<30) != 1<<53 {
		t.Fatalf("MaxFloat64ExactSize = %d", MaxFloat64ExactSize)
	}
	for n, want := range map[int]bool{0: false, -1: false, 1: true, workload.MaxMatrixSize: true, 1 << 23: true, 1<<23 + 1: false} {
		if got := float64Exact(n); got != want {
			t.Errorf("float64Exact(%d) = %v", n, got)
		}
	}
	if !float64Exact(workload.MaxMatrixSize) {
		t.Fatal("workload.MaxMatrixSize exceeds the float64 exactness bound")
	}
	// The bound is tight: 2^53 + 1 is the first integer float64 cannot hold.
	if x := float64(1 << 53); x+1 != x {
		t.Fatal("float64 has more than 53 bits of precision?")
	}
	for _, n := range []int{0, 1<<23 + 1} {
		if err := cublasCheckSize(n); err == nil {
			t.Errorf("cublasCheckSize(%d) accepted", n)
		}
	}
}

func names(list []Executor) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.Name()
	}
	return out
}
