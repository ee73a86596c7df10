package native

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/zkpoc/zkpoc/workload"
)

// fmaExecutor multiplies with a float64 fused-multiply-add GEMM: B is packed per k-block into
// float64 column panels of width nr, A per row block into row panels of height mr, and an
// mr×nr register-blocked micro-kernel (kernel; assembly on amd64) accumulates into a padded
// float64 matrix. Rows are split over GOMAXPROCS goroutines.
//
// Exactness. Every entry is an int16, so every product is an integer with |a·b| ≤ 2^30, and
// every value an accumulator ever holds is an integer partial sum of at most n products,
// |s| ≤ n·2^30 ≤ 2^12·2^30 = 2^42 (n ≤ workload.MaxMatrixSize = 2^12) < 2^53, hence exactly
// representable in float64. A fused multiply-add returns the exact x·y + z rounded once; that
// exact value is such an integer, hence representable, hence returned unchanged. By induction
// every accumulator is the exact integer partial sum, whatever the order of the k terms, so
// the final float64 → int64 conversion is exact and the arithmetic shift gives the floor. This
// covers all inputs, including all −32768, where an int16 pair instruction such as VPMADDWD
// overflows int32 ((−2^15)² + (−2^15)² = 2^31). See MaxFloat64ExactSize; Multiply re-checks
// float64Exact so that raising workload.MaxMatrixSize cannot silently break the argument.
//
// Why float64 and not VPMADDWD into int32: the VPMADDWD pair sum needs 32 bits, so int32
// lanes cannot add up even two of them without widening or splitting the operands, which
// costs as many instructions per multiply-add as an 8-lane float64 FMA and is harder to prove.
type fmaExecutor struct {
	name   string
	mr, nr int
	// kernel adds the mr×nr product of panels ap (kc×mr) and bp (kc×nr) to c (row stride ldc).
	kernel func(kc int, ap, bp, c []float64, ldc int)
}

func (e *fmaExecutor) Name() string { return e.name }

// fmaKC is the k-block: a kc×nr B micro-panel (256·24·8 B = 48 KiB) stays in L1/L2.
const fmaKC = 256

// fmaMC bounds the rows of A packed at once (mc×kc float64 = 192 KiB stays in L2).
const fmaMC = 96

func (e *fmaExecutor) Multiply(A, B []int16, n, fracBits int) ([]int64, error) {
	if err := workload.CheckOperands(A, B, n, fracBits); err != nil {
		return nil, fmt.Errorf("native: %s multiply: %w", e.name, err)
	}
	if !float64Exact(n) {
		return nil, fmt.Errorf("native: %s multiply: n=%d exceeds the float64 exactness limit %d", e.name, n, MaxFloat64ExactSize)
	}
	return e.product(A, B, n, n, fracBits), nil
}

// product returns the m×n fixed-point product of the m×n matrix A and the n×n matrix B
// (m ≤ n; the exactness argument above holds for any m: each entry is a sum of n products).
func (e *fmaExecutor) product(A, B []int16, m, n, fracBits int) []int64 {
	mr, nr := e.mr, e.nr
	mpad := (m + mr - 1) / mr * mr
	npad := (n + nr - 1) / nr * nr
	acc := make([]float64, mpad*npad)

	panels := mpad / mr
	workers := min(runtime.GOMAXPROCS(0), panels)
	if n < 64 {
		workers = 1
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		p0, p1 := panels*w/workers, panels*(w+1)/workers
		if p0 == p1 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.rows(A, B, m, n, npad, acc, p0*mr, p1*mr)
		}()
	}
	wg.Wait()

	C := make([]int64, m*n)
	shift := uint(fracBits)
	for i := 0; i < m; i++ {
		src := acc[i*npad : i*npad+n]
		dst := C[i*n : i*n+n]
		for j, v := range src {
			dst[j] = int64(v) >> shift
		}
	}
	return C
}

// rows accumulates rows [r0, r1) (multiples of mr, possibly past m: padding) of A·B into acc
// (row stride npad), A having m rows of n entries.
func (e *fmaExecutor) rows(A, B []int16, m, n, npad int, acc []float64, r0, r1 int) {
	mr, nr := e.mr, e.nr
	kcMax := min(fmaKC, n)
	bp := make([]float64, kcMax*npad)
	mcMax := min(max(fmaMC/mr, 1)*mr, r1-r0)
	ap := make([]float64, kcMax*mcMax)
	for p0 := 0; p0 < n; p0 += fmaKC {
		kc := min(fmaKC, n-p0)
		packB(B, n, p0, kc, nr, npad, bp)
		for i0 := r0; i0 < r1; i0 += mcMax {
			mc := min(mcMax, r1-i0)
			packA(A, m, n, i0, mc, p0, kc, mr, ap)
			for j0 := 0; j0 < npad; j0 += nr {
				bpanel := bp[j0*kc : (j0+nr)*kc]
				for ii := 0; ii < mc; ii += mr {
					e.kernel(kc, ap[ii*kc:(ii+mr)*kc], bpanel, acc[(i0+ii)*npad+j0:], npad)
				}
			}
		}
	}
}

// packB writes B[p0:p0+kc][0:npad] as float64 column panels of width nr: panel q holds, for
// each k, the nr values B[p0+k][q·nr : q·nr+nr] (zeros past column n).
func packB(B []int16, n, p0, kc, nr, npad int, bp []float64) {
	for q := 0; q < npad/nr; q++ {
		panel := bp[q*nr*kc : (q+1)*nr*kc]
		j0 := q * nr
		w := min(nr, n-j0)
		for k := 0; k < kc; k++ {
			dst := panel[k*nr : k*nr+nr]
			src := B[(p0+k)*n+j0 : (p0+k)*n+j0+w]
			for j, v := range src {
				dst[j] = float64(v)
			}
			for j := w; j < nr; j++ {
				dst[j] = 0
			}
		}
	}
}

// packA writes A[i0:i0+mc][p0:p0+kc] as float64 row panels of height mr: panel r holds, for
// each k, the mr values A[i0+r·mr+t][p0+k], t < mr (zeros past row m).
func packA(A []int16, m, n, i0, mc, p0, kc, mr int, ap []float64) {
	for r := 0; r < mc/mr; r++ {
		panel := ap[r*mr*kc : (r+1)*mr*kc]
		for t := 0; t < mr; t++ {
			i := i0 + r*mr + t
			if i >= m {
				for k := 0; k < kc; k++ {
					panel[k*mr+t] = 0
				}
				continue
			}
			src := A[i*n+p0 : i*n+p0+kc]
			for k, v := range src {
				panel[k*mr+t] = float64(v)
			}
		}
	}
}
