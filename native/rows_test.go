package native

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/zkpoc/zkpoc/workload"
)

// TestMultiplyRowsMatchesReference: every row set (empty, one row, the
// last, unsorted, repeated, every row, more rows than one A panel) on every
// FMA executor of this CPU and through MultiplyRows, against
// workload.MultiplyRow, on random entries and on the extremes (all −32768:
// the largest sums; −32768 against 32767: the smallest).
func TestMultiplyRowsMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 7, 64, 100, 257} {
		for _, fill := range []string{"random", "min-min", "max-min"} {
			A, B := make([]int16, n*n), make([]int16, n*n)
			for i := range A {
				switch fill {
				case "random":
					A[i], B[i] = int16(rng.Uint32()), int16(rng.Uint32())
				case "min-min":
					A[i], B[i] = -1<<15, -1<<15
				case "max-min":
					A[i], B[i] = 1<<15-1, -1<<15
				}
			}
			all := make([]int, n)
			for i := range all {
				all[i] = i
			}
			many := make([]int, 0, 3*n)
			for range 3 * n {
				many = append(many, rng.IntN(n))
			}
			sets := map[string][]int{"none": {}, "first": {0}, "last": {n - 1}, "all": all, "random": many,
				"unsorted-repeated": {n - 1, 0, n / 2, n - 1, 0}}
			for name, idx := range sets {
				want := make([]int64, 0, len(idx)*n)
				for _, i := range idx {
					want = append(want, workload.MultiplyRow(A[i*n:(i+1)*n], B, n, 8)...)
				}
				got, err := MultiplyRows(A, B, n, 8, idx)
				if err != nil {
					t.Fatalf("n=%d %s %s: %v", n, fill, name, err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("n=%d %s %s: MultiplyRows differs from the reference", n, fill, name)
				}
				for _, ex := range simdExecutors() {
					fe := ex.(*fmaExecutor)
					gathered := make([]int16, 0, len(idx)*n)
					for _, i := range idx {
						gathered = append(gathered, A[i*n:(i+1)*n]...)
					}
					if len(idx) == 0 {
						continue
					}
					if got := fe.product(gathered, B, len(idx), n, 8); !slices.Equal(got, want) {
						t.Fatalf("n=%d %s %s on %s: product differs from the reference", n, fill, name, fe.name)
					}
				}
			}
		}
	}
}

func TestMultiplyRowsRefusesBadArguments(t *testing.T) {
	A, B := make([]int16, 16), make([]int16, 16)
	for _, tc := range []struct {
		name string
		a, b []int16
		n    int
		idx  []int
	}{
		{"row past n", A, B, 4, []int{4}},
		{"negative row", A, B, 4, []int{-1}},
		{"short A", A[:15], B, 4, []int{0}},
		{"n zero", A, B, 0, nil},
	} {
		if _, err := MultiplyRows(tc.a, tc.b, tc.n, 8, tc.idx); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// BenchmarkMultiplyRows: the rows a sampled receipt opens by default (k
// of n) through MultiplyRows, against one workload.MultiplyRow per row.
func BenchmarkMultiplyRows(b *testing.B) {
	for _, c := range []struct{ n, k int }{{1024, 559}, {4096, 756}} {
		A, B, err := workload.Generate([32]byte{9}, c.n)
		if err != nil {
			b.Fatal(err)
		}
		idx := make([]int, c.k)
		for i := range idx {
			idx[i] = i * c.n / c.k
		}
		b.Run(fmt.Sprintf("n=%d/k=%d", c.n, c.k), func(b *testing.B) {
			for b.Loop() {
				if _, err := MultiplyRows(A, B, c.n, 8, idx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
