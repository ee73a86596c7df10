package sampling

import (
	"math"
	"math/big"
	"testing"
)

// TestRedteamWrongRowsNeverOverstates: w = WrongRows(n, ε) is the number of
// wrong rows the bound is stated for; were it larger than the fewest wrong
// rows an output with a fraction ≥ ε of its rows wrong can have, ⌈ε·n⌉ over
// the exact binary value of ε, the claim would cover outputs it does not
// bound. Checked exactly (big.Rat) for every n ≤ 4096 and a spread of ε,
// including values a node might pick to sit just above an integer.
func TestRedteamWrongRowsNeverOverstates(t *testing.T) {
	eps := []float64{0.05, 0.01, 0.1, 0.25, 0.5, 0.333, 1.0 / 3, 0.999999999, 1e-9, 0.05000000001, 0.0499999999}
	for n := 1; n <= 4096; n++ {
		eps = append(eps[:11], float64(n%97+1)/97, math.Nextafter(5.0/float64(n), 1), math.Nextafter(5.0/float64(n), 0))
		for _, e := range eps {
			if !(e > 0 && e < 1) {
				continue
			}
			exact := new(big.Rat).Mul(new(big.Rat).SetFloat64(e), new(big.Rat).SetInt64(int64(n)))
			ceil := new(big.Int).Quo(exact.Num(), exact.Denom())
			if new(big.Rat).SetInt(ceil).Cmp(exact) < 0 {
				ceil.Add(ceil, big.NewInt(1))
			}
			c := int(ceil.Int64())
			c = min(max(c, 1), n)
			w := WrongRows(n, e)
			if w > c {
				t.Fatalf("n=%d ε=%v: w = %d > ⌈ε·n⌉ = %d: the bound is stated for more wrong rows than ε guarantees", n, e, w, c)
			}
			if w < c-1 {
				t.Fatalf("n=%d ε=%v: w = %d, ⌈ε·n⌉ = %d", n, e, w, c)
			}
		}
	}
}

// TestRedteamMissNotUnderstated: Miss(n, k, w) in floating point against
// the exact ratio C(n−w, k)/C(n, k): a float below the exact value would
// let a receipt pass a threshold it does not meet; the error must stay far
// below the 1e-9 (log2) slack the policy allows.
func TestRedteamMissNotUnderstated(t *testing.T) {
	worst := 0.0
	for _, tc := range []struct{ n, k, w int }{{4096, 271, 205}, {4096, 756, 205}, {512, 404, 26}, {256, 241, 13}, {128, 16, 32}, {1000, 999, 1}, {4096, 1300, 1}} {
		num, den := big.NewRat(1, 1), big.NewRat(1, 1)
		for i := 0; i < tc.k; i++ {
			num.Mul(num, big.NewRat(int64(tc.n-tc.w-i), 1))
			den.Mul(den, big.NewRat(int64(tc.n-i), 1))
		}
		exact := new(big.Rat).Quo(num, den)
		// compare in log2 via big.Float
		ef, _ := new(big.Float).SetPrec(200).SetRat(exact).Float64()
		var exactLog2 float64
		if ef == 0 { // underflow: use mantissa/exponent
			bf := new(big.Float).SetPrec(200).SetRat(exact)
			mant := new(big.Float)
			exp := bf.MantExp(mant)
			m, _ := mant.Float64()
			exactLog2 = float64(exp) + math.Log2(m)
		} else {
			exactLog2 = math.Log2(ef)
		}
		got := Log2Miss(tc.n, tc.k, tc.w)
		if d := exactLog2 - got; d > worst {
			worst = d
		}
		if exactLog2-got > 1e-10 {
			t.Errorf("%+v: Log2Miss %.15f understates the exact %.15f by %.3g", tc, got, exactLog2, exactLog2-got)
		}
	}
	t.Logf("largest understatement of log2 δ: %.3g (policy slack 1e-9)", worst)
}

// TestRedteamPoWDifficultyBinding: a nonce solves one difficulty for one
// commitment: the same nonce checked at g + 1 (a harder claim) or at g − 1
// (another challenge) does not give the same seed; leading zeros are
// counted across word boundaries.
func TestRedteamPoWDifficultyBinding(t *testing.T) {
	c := testCommitment()
	const g = 10
	nonce, _ := SolvePoW(c.PoWChallenge(g), g, 2)
	seed, err := c.PoWSeed(g, nonce)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := c.PoWSeed(g-1, nonce); err == nil && s == seed {
		t.Error("the nonce gives the same seed at another difficulty")
	}
	if LeadingZeros(seed) < g {
		t.Fatal("seed has too few zeros")
	}
	var h [32]byte
	h[8] = 1
	if z := LeadingZeros(h); z != 71 {
		t.Errorf("LeadingZeros = %d, want 71", z)
	}
	h[8], h[31] = 0, 1
	if z := LeadingZeros(h); z != 255 {
		t.Errorf("LeadingZeros = %d, want 255", z)
	}
	// another root, request or node gives another challenge
	for i, mut := range []func(*Commitment){
		func(c *Commitment) { c.Root[0] ^= 1 }, func(c *Commitment) { c.RequestID[0] ^= 1 },
		func(c *Commitment) { c.NodeID[0] ^= 1 }, func(c *Commitment) { c.Rows++ },
	} {
		d := c
		mut(&d)
		if d.PoWChallenge(g) == c.PoWChallenge(g) {
			t.Errorf("mutation %d does not change the challenge", i)
		}
	}
}
