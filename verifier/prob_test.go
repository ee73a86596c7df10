package verifier

import (
	"math"
	"math/big"
	"testing"
)

// TestProbRoundsUp: an upper bound is never printed below its value — the
// decimal's last digit and the log2's decimal go up, carries included —
// and a value already exact at the printed precision is printed as is.
func TestProbRoundsUp(t *testing.T) {
	for _, tc := range []struct {
		x      float64
		format byte
		prec   int
		want   string
	}{
		{0.0070948, 'g', 3, "0.0071"},
		{0.00709, 'g', 3, "0.00709"}, // the float is a hair below 0.00709
		{9.19e-7, 'g', 3, "9.2e-07"}, // the float is a hair above 9.19e-7
		{0.125, 'g', 3, "0.125"},
		{9.991e-7, 'g', 3, "1e-06"},
		{9.1901e-7, 'g', 3, "9.2e-07"},
		{-6.1834, 'f', 1, "-6.1"},
		{-6.25, 'f', 1, "-6.2"},
		{-6.0, 'f', 1, "-6.0"},
		{-0.04, 'f', 1, "-0.0"},
		{-1234.56, 'f', 1, "-1234.5"},
		{-0.96, 'f', 1, "-0.9"},
	} {
		got := roundUp(tc.x, tc.format, tc.prec)
		if got != tc.want {
			t.Errorf("roundUp(%v, %c, %d) = %s, want %s", tc.x, tc.format, tc.prec, got, tc.want)
		}
		d, ok := new(big.Rat).SetString(got)
		if !ok || d.Cmp(new(big.Rat).SetFloat64(tc.x)) < 0 {
			t.Errorf("roundUp(%v) = %s is below it", tc.x, got)
		}
	}
	for _, tc := range []struct {
		log2 float64
		want string
	}{
		{math.Inf(-1), "0"},
		{0, "1"},
		{math.Log2(0.0070948), "0.0071 (2^-7.1)"},
		{-1500.04, "2^-1500.0"},
		{math.NaN(), "NaN (2^NaN)"},
	} {
		if got := prob(tc.log2); got != tc.want {
			t.Errorf("prob(%v) = %s, want %s", tc.log2, got, tc.want)
		}
	}
}
