//go:build linux && (amd64 || arm64)

package native

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/zkpoc/zkpoc/hardware"
	"github.com/zkpoc/zkpoc/workload"
)

// Library names tried, in order, when loading CUDA at run time.
var (
	cudartNames = []string{"libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"}
	cublasNames = []string{"libcublas.so", "libcublas.so.13", "libcublas.so.12", "libcublas.so.11"}
)

// cublasLib holds the CUDA runtime and cuBLAS entry points, loaded with dlopen (purego, no cgo).
type cublasLib struct {
	cudaMalloc  func(devPtr *uintptr, size uintptr) int32
	cudaFree    func(devPtr uintptr) int32
	cudaMemcpy  func(dst, src uintptr, count uintptr, kind int32) int32
	create      func(handle *uintptr) int32
	destroy     func(handle uintptr) int32
	setMathMode func(handle uintptr, mode int32) int32
	dgemm       func(handle uintptr, transa, transb int32, m, n, k int32, alpha *float64,
		A uintptr, lda int32, B uintptr, ldb int32, beta *float64, C uintptr, ldc int32) int32
}

const (
	cudaMemcpyHostToDevice = 1
	cudaMemcpyDeviceToHost = 2
	cublasOpN              = 0
	cublasPedanticMath     = 2 // CUBLAS_PEDANTIC_MATH: no reduced-precision or emulated paths
)

var (
	defaultCublasOnce sync.Once
	defaultCublas     *cublasLib
	defaultCublasErr  error
)

// cudaLibrariesPresent reports whether the CUDA runtime and cuBLAS load on this host.
func cudaLibrariesPresent() bool {
	_, err := defaultCublasLib()
	return err == nil
}

func defaultCublasLib() (*cublasLib, error) {
	defaultCublasOnce.Do(func() { defaultCublas, defaultCublasErr = loadCublas(cudartNames, cublasNames) })
	return defaultCublas, defaultCublasErr
}

// dlopenFirst opens the first library of names that loads.
func dlopenFirst(names []string) (uintptr, error) {
	var errs []string
	for _, name := range names {
		h, err := purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err == nil {
			return h, nil
		}
		errs = append(errs, name+": "+err.Error())
	}
	return 0, fmt.Errorf("cannot load any of [%s]", strings.Join(errs, "; "))
}

// loadCublas loads the CUDA runtime (first loadable of cudart) and cuBLAS (of cublas) and
// resolves the symbols the executor needs. It fails cleanly, with the names tried, where the
// libraries or a symbol are missing.
func loadCublas(cudart, cublas []string) (*cublasLib, error) {
	rt, err := dlopenFirst(cudart)
	if err != nil {
		return nil, fmt.Errorf("native: load CUDA runtime: %w", err)
	}
	bl, err := dlopenFirst(cublas)
	if err != nil {
		return nil, fmt.Errorf("native: load cuBLAS: %w", err)
	}
	lib := &cublasLib{}
	for _, s := range []struct {
		handle uintptr
		name   string
		fn     any
	}{
		{rt, "cudaMalloc", &lib.cudaMalloc},
		{rt, "cudaFree", &lib.cudaFree},
		{rt, "cudaMemcpy", &lib.cudaMemcpy},
		{bl, "cublasCreate_v2", &lib.create},
		{bl, "cublasDestroy_v2", &lib.destroy},
		{bl, "cublasSetMathMode", &lib.setMathMode},
		{bl, "cublasDgemm_v2", &lib.dgemm},
	} {
		sym, err := purego.Dlsym(s.handle, s.name)
		if err != nil {
			return nil, fmt.Errorf("native: load CUDA symbol %s: %w", s.name, err)
		}
		purego.RegisterFunc(s.fn, sym)
	}
	return lib, nil
}

// newCublasExecutor returns the cuBLAS executor if h has a GPU and the libraries load.
func newCublasExecutor(h hardware.Hardware) (Executor, error) {
	if len(h.GPUs) == 0 {
		return nil, errors.New("no GPU found")
	}
	lib, err := defaultCublasLib()
	if err != nil {
		return nil, err
	}
	return &cublasExecutor{lib: lib}, nil
}

// cublasExecutor ("gpu-cublas") multiplies on an NVIDIA GPU with cublasDgemm on float64
// copies of the int16 entries, then converts back with the floor shift. Exact for
// n ≤ MaxFloat64ExactSize (see there: every partial sum is an integer of magnitude ≤ 2^53,
// so every correctly rounded float64 operation is exact in any summation order); larger n
// is refused. The handle is put in CUBLAS_PEDANTIC_MATH mode so that no reduced-precision or
// emulated path is used, and rows 0, n/2 and n−1 are re-computed with MultiplyRow as a check.
//
// Untested without a GPU: on hosts without one only loading, selection and the size bound are
// tested.
type cublasExecutor struct {
	lib *cublasLib
	mu  sync.Mutex // one product at a time per process
}

func (e *cublasExecutor) Name() string { return ExecutorGPUCublas }

// cublasCheckSize refuses sizes for which the float64 product is not provably exact (or that
// overflow cuBLAS's int32 dimensions).
func cublasCheckSize(n int) error {
	if !float64Exact(n) || n > 1<<31-1 {
		return fmt.Errorf("n=%d is outside the float64 exactness bound [1, %d]", n, MaxFloat64ExactSize)
	}
	return nil
}

func (e *cublasExecutor) Multiply(A, B []int16, n, fracBits int) (C []int64, err error) {
	fail := func(format string, args ...any) ([]int64, error) {
		return nil, fmt.Errorf("native: gpu-cublas multiply: "+format, args...)
	}
	if err := workload.CheckOperands(A, B, n, fracBits); err != nil {
		return fail("%w", err)
	}
	if err := cublasCheckSize(n); err != nil {
		return fail("%w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	l := e.lib
	nn := n * n
	bytes := uintptr(nn) * 8
	af, bf := toFloat64(A), toFloat64(B)

	var dA, dB, dC uintptr
	for _, p := range []*uintptr{&dA, &dB, &dC} {
		if st := l.cudaMalloc(p, bytes); st != 0 {
			freeAll(l, dA, dB, dC)
			return fail("cudaMalloc(%d bytes): CUDA error %d", bytes, st)
		}
	}
	defer freeAll(l, dA, dB, dC)
	if st := l.cudaMemcpy(dA, uintptr(unsafe.Pointer(&af[0])), bytes, cudaMemcpyHostToDevice); st != 0 {
		return fail("cudaMemcpy A: CUDA error %d", st)
	}
	if st := l.cudaMemcpy(dB, uintptr(unsafe.Pointer(&bf[0])), bytes, cudaMemcpyHostToDevice); st != 0 {
		return fail("cudaMemcpy B: CUDA error %d", st)
	}
	var h uintptr
	if st := l.create(&h); st != 0 {
		return fail("cublasCreate: status %d", st)
	}
	defer l.destroy(h)
	if st := l.setMathMode(h, cublasPedanticMath); st != 0 {
		return fail("cublasSetMathMode(pedantic): status %d", st)
	}
	// Row-major X is column-major Xᵀ: computing Cᵀ = Bᵀ·Aᵀ column-major yields C row-major.
	alpha, beta := 1.0, 0.0
	n32 := int32(n)
	if st := l.dgemm(h, cublasOpN, cublasOpN, n32, n32, n32, &alpha, dB, n32, dA, n32, &beta, dC, n32); st != 0 {
		return fail("cublasDgemm: status %d", st)
	}
	cf := make([]float64, nn)
	if st := l.cudaMemcpy(uintptr(unsafe.Pointer(&cf[0])), dC, bytes, cudaMemcpyDeviceToHost); st != 0 {
		return fail("cudaMemcpy C: CUDA error %d", st)
	}
	C = make([]int64, nn)
	shift := uint(fracBits)
	for i, v := range cf {
		C[i] = int64(v) >> shift
	}
	for _, i := range []int{0, n / 2, n - 1} {
		want := workload.MultiplyRow(A[i*n:i*n+n], B, n, fracBits)
		for j, w := range want {
			if C[i*n+j] != w {
				return fail("spot check failed at C[%d][%d]: GPU %d, CPU %d", i, j, C[i*n+j], w)
			}
		}
	}
	return C, nil
}

func toFloat64(x []int16) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func freeAll(l *cublasLib, ptrs ...uintptr) {
	for _, p := range ptrs {
		if p != 0 {
			l.cudaFree(p)
		}
	}
}
