package native

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/zkpoc/zkpoc/workload"
)

// TestRedteamMultiplyRowsEdges: the rows the verifier re-executes with
// (MultiplyRows, and fmaExecutor.product on every FMA executor this CPU
// runs plus a Go kernel of odd panel sizes) equal the reference
// workload.MultiplyRow for n around the panel widths and the k-block (256),
// f = 0, 1, 15, 16 (floor of negative sums), row counts around the panel
// height and the row block (96), more rows than n with repeats, and
// entries chosen so that the sums reach ±n·2^30 or cancel to small values
// (−32768 everywhere, alternating signs).
func TestRedteamMultiplyRowsEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(0xfa57, 0x5a3e))
	execs := []*fmaExecutor{{name: "test-fma-go-3x5", mr: 3, nr: 5, kernel: goKernel(3, 5)}}
	for _, ex := range simdExecutors() {
		execs = append(execs, ex.(*fmaExecutor))
	}
	for _, n := range []int{1, 2, 5, 23, 24, 25, 97, 255, 256, 257, 300} {
		fills := map[string]func(i, j int) (int16, int16){
			"min-min":   func(int, int) (int16, int16) { return -1 << 15, -1 << 15 },
			"alternate": func(i, j int) (int16, int16) { return int16(-1<<15 + (i+j)%2*(1<<16-1)), -1 << 15 },
			"checker":   func(i, j int) (int16, int16) { return 1<<15 - 1, int16(-1<<15 + (i/n+j)%2) },
			"random":    func(int, int) (int16, int16) { return int16(rng.Uint32()), int16(rng.Uint32()) },
			"small-neg": func(int, int) (int16, int16) { return int16(rng.IntN(3) - 2), int16(rng.IntN(3) - 1) },
		}
		for name, fill := range fills {
			A, B := make([]int16, n*n), make([]int16, n*n)
			for i := range A {
				A[i], B[i] = fill(i, i%n)
			}
			for _, m := range []int{1, 7, 8, 9, 96, 97, n, n + 5} {
				idx := make([]int, m)
				for t := range idx {
					idx[t] = rng.IntN(n)
				}
				idx[m-1] = n - 1
				for _, f := range []int{0, 1, 15, 16} {
					want := make([]int64, 0, m*n)
					for _, i := range idx {
						want = append(want, workload.MultiplyRow(A[i*n:(i+1)*n], B, n, f)...)
					}
					got, err := MultiplyRows(A, B, n, f, idx)
					if err != nil || !slices.Equal(got, want) {
						t.Fatalf("n=%d %s m=%d f=%d: MultiplyRows differs from the reference (%v)", n, name, m, f, err)
					}
					gathered := make([]int16, 0, m*n)
					for _, i := range idx {
						gathered = append(gathered, A[i*n:(i+1)*n]...)
					}
					for _, fe := range execs {
						if got := fe.product(gathered, B, m, n, f); !slices.Equal(got, want) {
							t.Fatalf("n=%d %s m=%d f=%d on %s: product differs from the reference", n, name, m, f, fe.name)
						}
					}
				}
			}
		}
	}
}
