//go:build amd64 && !purego

package native

import (
	"unsafe"

	"github.com/klauspost/cpuid/v2"
)

// Assembly micro-kernels (gemm_amd64.s). Each adds an mr×nr tile product of packed panels to c:
// c[r][j] += Σ_{k<kc} ap[k·mr+r]·bp[k·nr+j], with c at row stride ldc (elements), kc ≥ 1.
//
//go:noescape
func fmaKernel512(kc int, ap, bp, c *float64, ldc int) // mr = 8, nr = 24; AVX-512F

//go:noescape
func fmaKernel256(kc int, ap, bp, c *float64, ldc int) // mr = 4, nr = 12; AVX2 + FMA3

// simdExecutors returns the vector executors this CPU (and OS) can run, fastest first.
// cpuid reports AVX2/AVX-512 only where the OS also saves the vector registers.
func simdExecutors() []Executor {
	var list []Executor
	if cpuid.CPU.Supports(cpuid.AVX512F) {
		list = append(list, avx512Executor())
	}
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) {
		list = append(list, avx2Executor())
	}
	return list
}

func avx512Executor() *fmaExecutor {
	return &fmaExecutor{name: ExecutorCPUAVX512, mr: 8, nr: 24, kernel: kernel512}
}

func avx2Executor() *fmaExecutor {
	return &fmaExecutor{name: ExecutorCPUAVX2, mr: 4, nr: 12, kernel: kernel256}
}

// kernel512 and kernel256 check the panel and tile bounds once, then call the assembly.
func kernel512(kc int, ap, bp, c []float64, ldc int) {
	_, _, _ = ap[kc*8-1], bp[kc*24-1], c[7*ldc+23]
	fmaKernel512(kc, unsafe.SliceData(ap), unsafe.SliceData(bp), unsafe.SliceData(c), ldc)
}

func kernel256(kc int, ap, bp, c []float64, ldc int) {
	_, _, _ = ap[kc*4-1], bp[kc*12-1], c[3*ldc+11]
	fmaKernel256(kc, unsafe.SliceData(ap), unsafe.SliceData(bp), unsafe.SliceData(c), ldc)
}
