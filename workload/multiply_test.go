package workload

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// refMultiply is the math/big reference: floor(Σ_k A[i][k]·B[k][j] / 2^f), using Euclidean
// division by a positive divisor (which equals floor), independent of shift semantics.
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

func TestMultiplyAgainstBigReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(int) int16 { return int16(rng.Uint32()) }
	sizes := []int{1, 2, 3, 5, 7, 17, 63, 64, 65, 67, 97}
	for _, n := range sizes {
		cases := map[string][2][]int16{
			"random":             {fill(n, random), fill(n, random)},
			"all_min_x_all_min":  {fill(n, func(int) int16 { return -32768 }), fill(n, func(int) int16 { return -32768 })},
			"all_max_x_all_max":  {fill(n, func(int) int16 { return 32767 }), fill(n, func(int) int16 { return 32767 })},
			"all_max_x_all_min":  {fill(n, func(int) int16 { return 32767 }), fill(n, func(int) int16 { return -32768 })},
			"mixed_extremes":     {fill(n, func(i int) int16 { return [...]int16{-32768, 32767, -1, 0, 1}[i%5] }), fill(n, func(i int) int16 { return [...]int16{32767, -32768, -32768, 1, -1, 0}[i%6] })},
			"small_negative":     {fill(n, func(i int) int16 { return int16(-1 - i%3) }), fill(n, func(i int) int16 { return int16(i%4 - 1) })},
			"random_extremes_01": {fill(n, func(int) int16 { return [...]int16{-32768, 32767}[rng.IntN(2)] }), fill(n, func(int) int16 { return [...]int16{-32768, 32767}[rng.IntN(2)] })},
		}
		for name, ab := range cases {
			for _, f := range []int{0, 8, 16} {
				t.Run(fmt.Sprintf("n=%d/%s/f=%d", n, name, f), func(t *testing.T) {
					A, B := ab[0], ab[1]
					got, err := Multiply(A, B, n, f)
					if err != nil {
						t.Fatal(err)
					}
					want := refMultiply(A, B, n, f)
					lo, hi, err := OutputRange(n, f)
					if err != nil {
						t.Fatal(err)
					}
					for i := range got {
						if !want[i].IsInt64() || want[i].Int64() != got[i] {
							t.Fatalf("C[%d] = %d, want %s", i, got[i], want[i])
						}
						if got[i] < lo || got[i] > hi {
							t.Fatalf("C[%d] = %d outside OutputRange [%d, %d]", i, got[i], lo, hi)
						}
					}
					for r := 0; r < n; r += max(1, n/5) {
						if row := MultiplyRow(A[r*n:r*n+n], B, n, f); !slices.Equal(row, got[r*n:r*n+n]) {
							t.Fatalf("MultiplyRow(%d) disagrees with Multiply", r)
						}
					}
				})
			}
		}
	}
}

func TestMultiplyOddWorkerCounts(t *testing.T) {
	// Row splits that do not divide n, independent of the machine's core count.
	old := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(old)
	seed := [32]byte{7}
	for _, n := range []int{64, 67, 100, 131} {
		A, B, err := Generate(seed, n)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GOMAXPROCS(1)
		want, err := Multiply(A, B, n, 8)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []int{2, 3, 5, 7, 16} {
			runtime.GOMAXPROCS(p)
			got, err := Multiply(A, B, n, 8)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d GOMAXPROCS=%d: result differs from single-threaded", n, p)
			}
		}
	}
}

func TestOutputBoundExtremes(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 100, 1000, 4095, 4096} {
		for f := 0; f <= MaxFracBits; f++ {
			b := OutputBound(n, f)
			lo, hi, err := OutputRange(n, f)
			if err != nil {
				t.Fatal(err)
			}
			// Extremes from the big-integer definition.
			nb := big.NewInt(int64(n))
			d := new(big.Int).Lsh(big.NewInt(1), uint(f))
			wantHi := new(big.Int).Mul(nb, big.NewInt(32768*32768))
			wantHi.Div(wantHi, d)
			wantLo := new(big.Int).Mul(nb, big.NewInt(-32767*32768))
			wantLo.Div(wantLo, d)
			if wantHi.Int64() != hi || wantLo.Int64() != lo {
				t.Fatalf("n=%d f=%d: range [%d, %d], want [%s, %s]", n, f, lo, hi, wantLo, wantHi)
			}
			limit := new(big.Int).Lsh(big.NewInt(1), uint(b-1))
			negLimit := new(big.Int).Neg(limit)
			if wantHi.Cmp(limit) >= 0 || wantLo.Cmp(negLimit) < 0 {
				t.Fatalf("n=%d f=%d: b=%d does not contain [%s, %s]", n, f, b, wantLo, wantHi)
			}
			// Minimality: b−1 bits must not suffice.
			half := new(big.Int).Rsh(limit, 1)
			if wantHi.Cmp(half) < 0 && wantLo.Cmp(new(big.Int).Neg(half)) >= 0 {
				t.Fatalf("n=%d f=%d: b=%d is not minimal", n, f, b)
			}
			if want := bitLen(n) + 31 - f; b != want {
				t.Fatalf("n=%d f=%d: b=%d, want closed form %d", n, f, b, want)
			}
		}
	}
	// Extremes computed by Multiply reach the range ends exactly.
	for _, n := range []int{1, 3, 4, 9} {
		for _, f := range []int{0, 8, 16} {
			lo, hi, _ := OutputRange(n, f)
			C, _ := Multiply(fill(n, func(int) int16 { return -32768 }), fill(n, func(int) int16 { return -32768 }), n, f)
			if C[0] != hi {
				t.Fatalf("n=%d f=%d: all -32768 squared = %d, want hi %d", n, f, C[0], hi)
			}
			C, _ = Multiply(fill(n, func(int) int16 { return 32767 }), fill(n, func(int) int16 { return -32768 }), n, f)
			if C[0] != lo {
				t.Fatalf("n=%d f=%d: 32767 x -32768 = %d, want lo %d", n, f, C[0], lo)
			}
		}
	}
	if OutputBound(4, 8) != 26 {
		t.Fatalf("OutputBound(4, 8) = %d, want 26", OutputBound(4, 8))
	}
	for _, bad := range [][2]int{{0, 8}, {-1, 8}, {MaxMatrixSize + 1, 8}, {4, -1}, {4, 17}} {
		if b := OutputBound(bad[0], bad[1]); b != 0 {
			t.Fatalf("OutputBound(%d, %d) = %d, want 0", bad[0], bad[1], b)
		}
	}
}

func bitLen(n int) int {
	b := 0
	for ; n > 0; n >>= 1 {
		b++
	}
	return b
}

func TestMultiplyErrors(t *testing.T) {
	ok := make([]int16, 4)
	cases := []struct {
		name string
		A, B []int16
		n, f int
	}{
		{"n=0", nil, nil, 0, 8},
		{"n<0", nil, nil, -3, 8},
		{"n too big", nil, nil, MaxMatrixSize + 1, 8},
		{"f<0", ok, ok, 2, -1},
		{"f>16", ok, ok, 2, 17},
		{"short A", ok[:3], ok, 2, 8},
		{"long B", ok, make([]int16, 5), 2, 8},
		{"nil", nil, nil, 2, 8},
	}
	for _, c := range cases {
		if _, err := Multiply(c.A, c.B, c.n, c.f); err == nil {
			t.Errorf("%s: Multiply accepted bad input", c.name)
		}
	}
	for _, c := range []struct {
		row, B []int16
		n, f   int
	}{
		{ok[:2], ok, 2, -1}, {ok[:2], ok, 2, 17}, {ok[:1], ok, 2, 8}, {ok[:2], ok[:3], 2, 8},
		{nil, nil, 0, 8}, {ok, ok, MaxMatrixSize + 1, 8},
	} {
		if MultiplyRow(c.row, c.B, c.n, c.f) != nil {
			t.Errorf("MultiplyRow(len %d, len %d, n=%d, f=%d) accepted bad input", len(c.row), len(c.B), c.n, c.f)
		}
	}
	for _, n := range []int{0, -1, MaxMatrixSize + 1} {
		if _, _, err := Generate([32]byte{}, n); err == nil {
			t.Errorf("Generate(n=%d) accepted", n)
		}
		if _, _, err := GenerateRows([32]byte{}, n, nil); err == nil {
			t.Errorf("GenerateRows(n=%d) accepted", n)
		}
	}
	for _, rows := range [][]int{{-1}, {4}, {0, 100}} {
		if _, _, err := GenerateRows([32]byte{}, 4, rows); err == nil {
			t.Errorf("GenerateRows(rows=%v) accepted", rows)
		}
	}
}

func TestGenerateRowsMatchesGenerate(t *testing.T) {
	seed := [32]byte{1, 2, 3}
	for _, n := range []int{1, 3, 5, 16, 33, 130, 300} { // 300: parallel hashing path
		A, B, err := Generate(seed, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(A) != n*n || len(B) != n*n {
			t.Fatalf("n=%d: lengths %d, %d", n, len(A), len(B))
		}
		rows := []int{0, n - 1, n / 2, n / 3, 0}
		Ar, B2, err := GenerateRows(seed, n, rows)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(B, B2) {
			t.Fatalf("n=%d: GenerateRows B differs", n)
		}
		for k, r := range rows {
			if !slices.Equal(Ar[k], A[r*n:r*n+n]) {
				t.Fatalf("n=%d: row %d differs", n, r)
			}
		}
		// The parallel generator must equal a plain serial stream.
		serial := make([]int16, 2*n*n)
		newBlockHasher(seed).fillStream(serial, 0)
		if !slices.Equal(serial[:n*n], A) || !slices.Equal(serial[n*n:], B) {
			t.Fatalf("n=%d: parallel stream differs from serial", n)
		}
	}
}

func TestResultBytes(t *testing.T) {
	got := ResultBytes([]int64{1, -1, 1 << 40})
	want := []byte{1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1, 0, 0}
	if !slices.Equal(got, want) {
		t.Fatalf("ResultBytes = %x, want %x", got, want)
	}
	if len(ResultBytes(nil)) != 0 {
		t.Fatal("ResultBytes(nil) not empty")
	}
}

func BenchmarkMultiply(b *testing.B) {
	for _, n := range []int{128, 256, 512} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			A, B, err := Generate([32]byte{9}, n)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := Multiply(A, B, n, DefaultFracBits); err != nil {
					b.Fatal(err)
				}
			}
			macs := float64(n) * float64(n) * float64(n) * float64(b.N)
			b.ReportMetric(macs/b.Elapsed().Seconds()/1e9, "GMAC/s")
		})
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{256, 1024} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, _, err := Generate([32]byte{9}, n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
