package workload

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"runtime"
	"sync"
)

// Multiply computes the fixed-point product C' = floor(A·B / 2^f) of two n×n row-major
// int16 matrices: C'[i][j] = (Σ_k A[i][k]·B[k][j]) >> f, an arithmetic shift of the exact
// int64 sum (floor, also for negative sums; no wrap, no saturation). It uses all cores:
// B is transposed once, rows of C' are split over GOMAXPROCS goroutines and the inner loop
// reads contiguous memory.
func Multiply(A, B []int16, n, fracBits int) ([]int64, error) {
	if err := CheckOperands(A, B, n, fracBits); err != nil {
		return nil, fmt.Errorf("workload: multiply: %w", err)
	}
	nn := n * n
	BT := transpose(B, n)
	C := make([]int64, nn)
	shift := uint(fracBits)

	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	if n < 64 || workers < 2 { // tiny products: goroutines cost more than they save
		mulRows(A, BT, C, n, shift, 0, n)
		return C, nil
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		r0, r1 := n*w/workers, n*(w+1)/workers
		if r0 == r1 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			mulRows(A, BT, C, n, shift, r0, r1)
		}()
	}
	wg.Wait()
	return C, nil
}

// CheckOperands checks the arguments of a product of two n×n matrices: n in
// [1, MaxMatrixSize], fracBits in [0, MaxFracBits] and len(A) = len(B) = n·n.
// Multiply and every executor of package github.com/zkpoc/zkpoc/native check
// their arguments with it; the error does not name the caller.
func CheckOperands(A, B []int16, n, fracBits int) error {
	if err := checkSize(n); err != nil {
		return err
	}
	if err := checkFracBits(fracBits); err != nil {
		return err
	}
	if nn := n * n; len(A) != nn || len(B) != nn {
		return fmt.Errorf("len(A)=%d, len(B)=%d, want %d (n=%d)", len(A), len(B), nn, n)
	}
	return nil
}

// MultiplyRow computes one output row, C'[i][·] = floor(Arow·B / 2^f), with Arow of length n
// and B the full n×n row-major matrix. It is the reference for sampled re-execution. It
// returns nil if n, fracBits or the lengths are invalid.
func MultiplyRow(Arow []int16, B []int16, n, fracBits int) []int64 {
	if checkSize(n) != nil || checkFracBits(fracBits) != nil || len(Arow) != n || len(B) != n*n {
		return nil
	}
	shift := uint(fracBits)
	acc := make([]int64, n)
	// Row-oriented: acc += Arow[k]·B[k][·], streaming B by rows.
	for k, av := range Arow {
		a := int64(av)
		if a == 0 {
			continue
		}
		brow := B[k*n : k*n+n]
		acc := acc[:len(brow)]
		for j, bv := range brow {
			acc[j] += a * int64(bv)
		}
	}
	for j := range acc {
		acc[j] >>= shift
	}
	return acc
}

// ResultBytes returns the canonical result bytes: the entries as little-endian int64,
// row-major (8·len(C) bytes).
func ResultBytes(C []int64) []byte {
	out := make([]byte, 8*len(C))
	for i, v := range C {
		binary.LittleEndian.PutUint64(out[8*i:], uint64(v))
	}
	return out
}

func transpose(B []int16, n int) []int16 {
	BT := make([]int16, n*n)
	const blk = 32
	for i0 := 0; i0 < n; i0 += blk {
		i1 := min(i0+blk, n)
		for j0 := 0; j0 < n; j0 += blk {
			j1 := min(j0+blk, n)
			for i := i0; i < i1; i++ {
				row := B[i*n : i*n+n]
				for j := j0; j < j1; j++ {
					BT[j*n+i] = row[j]
				}
			}
		}
	}
	return BT
}

// mulJBlock is the column-block width of mulRows: a block of BT (mulJBlock·n int16, 128 KiB
// at n = 1024) stays in L2 while all rows of a worker pass over it.
const mulJBlock = 64

// mulRows computes rows [r0, r1) of C from A and BT = Bᵀ. Columns are processed in blocks of
// mulJBlock (cache reuse of BT), and inside a block in 2×4 tiles: each loaded A element
// serves four products and each BT element two. Products of two int16 values fit in int32
// exactly ((−2^15)² = 2^30); sums are int64 (|Σ| ≤ n·2^30 ≤ 2^42), so no step can overflow.
func mulRows(A, BT []int16, C []int64, n int, shift uint, r0, r1 int) {
	for j0 := 0; j0 < n; j0 += mulJBlock {
		j1 := min(j0+mulJBlock, n)
		i := r0
		for ; i+2 <= r1; i += 2 {
			a0 := A[i*n : i*n+n]
			a1 := A[(i+1)*n : (i+1)*n+n]
			c0 := C[i*n : i*n+n]
			c1 := C[(i+1)*n : (i+1)*n+n]
			j := j0
			for ; j+4 <= j1; j += 4 {
				b0 := BT[j*n : j*n+n]
				b1 := BT[(j+1)*n : (j+1)*n+n]
				b2 := BT[(j+2)*n : (j+2)*n+n]
				b3 := BT[(j+3)*n : (j+3)*n+n]
				a1 := a1[:len(a0)]
				b0, b1, b2, b3 = b0[:len(a0)], b1[:len(a0)], b2[:len(a0)], b3[:len(a0)]
				var s00, s01, s02, s03, s10, s11, s12, s13 int64
				for k, av := range a0 {
					x, y := int32(av), int32(a1[k])
					v0, v1, v2, v3 := int32(b0[k]), int32(b1[k]), int32(b2[k]), int32(b3[k])
					s00 += int64(x * v0)
					s01 += int64(x * v1)
					s02 += int64(x * v2)
					s03 += int64(x * v3)
					s10 += int64(y * v0)
					s11 += int64(y * v1)
					s12 += int64(y * v2)
					s13 += int64(y * v3)
				}
				c0[j], c0[j+1], c0[j+2], c0[j+3] = s00>>shift, s01>>shift, s02>>shift, s03>>shift
				c1[j], c1[j+1], c1[j+2], c1[j+3] = s10>>shift, s11>>shift, s12>>shift, s13>>shift
			}
			for ; j < j1; j++ {
				c0[j] = dot16(a0, BT[j*n:j*n+n]) >> shift
				c1[j] = dot16(a1, BT[j*n:j*n+n]) >> shift
			}
		}
		for ; i < r1; i++ {
			a := A[i*n : i*n+n]
			for j := j0; j < j1; j++ {
				C[i*n+j] = dot16(a, BT[j*n:j*n+n]) >> shift
			}
		}
	}
}

// dot16 returns the exact int64 dot product of two equally long int16 vectors.
func dot16(a, b []int16) int64 {
	b = b[:len(a)]
	var s int64
	for k, av := range a {
		s += int64(int32(av) * int32(b[k]))
	}
	return s
}

// OutputRange returns the exact range [lo, hi] of possible C' entries for int16 inputs.
//
// Derivation: a product A[i][k]·B[k][j] of int16 values lies in [−32767·32768, 32768²] =
// [−(2^30 − 2^15), 2^30]; the maximum needs both factors −32768, the minimum one factor
// 32767 and the other −32768. A sum of n such products lies in [−n·(2^30 − 2^15), n·2^30]
// and both ends are reached (all −32768 times all −32768; all 32767 times all −32768). The
// floor shift is monotonic, so hi = (n·2^30) >> f = n·2^(30−f) and
// lo = (−n·(2^30 − 2^15)) >> f = −ceil(n·(2^30 − 2^15) / 2^f).
func OutputRange(n, fracBits int) (lo, hi int64, err error) {
	if err := checkSize(n); err != nil {
		return 0, 0, fmt.Errorf("workload: output range: %w", err)
	}
	if err := checkFracBits(fracBits); err != nil {
		return 0, 0, fmt.Errorf("workload: output range: %w", err)
	}
	f := uint(fracBits)
	hi = int64(n) << 30 >> f
	lo = -(int64(n) * (1<<30 - 1<<15)) >> f // arithmetic shift = floor
	return lo, hi, nil
}

// OutputBound returns the smallest number of bits b such that every possible C' entry
// (int16 inputs, size n, f fractional bits) lies in [−2^(b−1), 2^(b−1)), i.e. fits a b-bit
// two's-complement integer. With [lo, hi] from OutputRange, b is the smallest value with
// hi < 2^(b−1) and −lo ≤ 2^(b−1). Since hi = n·2^(30−f) ≥ −lo, the first condition decides:
// b = bitlen(n·2^(30−f)) + 1 = bitlen(n) + 31 − f. For example n = 4, f = 8: hi = 2^24,
// b = 26. It returns 0 if n or fracBits is out of range.
func OutputBound(n, fracBits int) int {
	lo, hi, err := OutputRange(n, fracBits)
	if err != nil {
		return 0
	}
	b := bits.Len64(uint64(hi)) + 1 // hi < 2^(b−1)
	// −lo ≤ 2^(b−1), i.e. −lo − 1 < 2^(b−1); checked generally although implied.
	if nb := bits.Len64(uint64(-lo-1)) + 1; nb > b {
		b = nb
	}
	return b
}
