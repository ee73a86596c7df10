package protocol

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
)

func randomMatrix(rng *rand.Rand, n int) []int16 {
	m := make([]int16, n*n)
	for i := range m {
		m[i] = int16(rng.Uint32())
	}
	return m
}

// TestSyntheticCheckDirect: SyntheticCheck (x = B·v, then uᵀ·A·x) equals
// Σ_ij (AB)_ij·r^(n·i+j) computed directly over the integers, on both curves,
// for extreme and random matrices, and changes with one entry of A or B.
func TestSyntheticCheckDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, curve := range Curves {
		p := curve.ScalarField()
		for _, n := range []int{1, 2, 3, 7, 16} {
			extreme := make([]int16, n*n)
			for i := range extreme {
				extreme[i] = -1 << 15
			}
			for _, tc := range []struct {
				name string
				a, b []int16
			}{
				{"random", randomMatrix(rng, n), randomMatrix(rng, n)},
				{"all −2^15", extreme, extreme},
			} {
				name := fmt.Sprintf("%s/n=%d/%s", curve, n, tc.name)
				r := randomElement(rng, p)
				got, err := SyntheticCheck(curve, r, tc.a, tc.b, n)
				if err != nil {
					t.Fatal(err)
				}
				want := new(big.Int)
				for e := n*n - 1; e >= 0; e-- {
					i, j := e/n, e%n
					var ab int64
					for k := 0; k < n; k++ {
						ab += int64(tc.a[i*n+k]) * int64(tc.b[k*n+j])
					}
					want.Mul(want, r).Add(want, big.NewInt(ab)).Mod(want, p)
				}
				if got.Cmp(want) != 0 {
					t.Errorf("%s: %v, direct %v", name, got, want)
				}
				b2 := append([]int16(nil), tc.b...)
				b2[n*n-1]++
				if other, _ := SyntheticCheck(curve, r, tc.a, b2, n); other.Cmp(got) == 0 {
					t.Errorf("%s: s ignores B[n−1][n−1]", name)
				}
			}
		}
	}
	if _, err := SyntheticCheck(BN254, big.NewInt(3), make([]int16, 3), make([]int16, 4), 2); err == nil {
		t.Error("short A accepted")
	}
	if _, err := SyntheticCheck(Curve("x"), big.NewInt(3), make([]int16, 4), make([]int16, 4), 2); err == nil {
		t.Error("unknown curve accepted")
	}
	if _, err := SyntheticChallenge(Curve("x"), nil); err == nil {
		t.Error("unknown curve accepted")
	}
}

func randomElement(rng *rand.Rand, p *big.Int) *big.Int {
	buf := make([]byte, 40)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	return new(big.Int).Mod(new(big.Int).SetBytes(buf), p)
}

// BenchmarkSyntheticCheck is the verifier's native work for s at n = 1024
// (2n² field multiplications by int16 entries).
func BenchmarkSyntheticCheck(b *testing.B) {
	for _, n := range []int{512, 1024} {
		rng := rand.New(rand.NewPCG(3, 4))
		a, m := randomMatrix(rng, n), randomMatrix(rng, n)
		r := new(big.Int).SetUint64(rng.Uint64())
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := SyntheticCheck(BN254, r, a, m, n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
