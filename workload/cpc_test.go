package workload

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

func TestParseCPC(t *testing.T) {
	cases := []struct {
		in, wei, err string
	}{
		{"10.0", "10000000000000000000", ""},
		{"10", "10000000000000000000", ""},
		{"0", "0", ""},
		{"0.0", "0", ""},
		{"000.5", "500000000000000000", ""},
		{"1.5", "1500000000000000000", ""},
		{"0.000000000000000001", "1", ""},
		{"123456789.123456789123456789", "123456789123456789123456789", ""},
		{"115792089237316195423570985008687907853269984665640564039457.584007913129639935", maxUint256.String(), ""},
		{"115792089237316195423570985008687907853269984665640564039457.584007913129639936", "", "exceeds"},
		{strings.Repeat("9", 100), "", "exceeds"},
		{"0.0000000000000000001", "", "more than 18 decimals"},
		{"1.0000000000000000000", "", "more than 18 decimals"},
		{"-1", "", "negative"},
		{"-0", "", "negative"},
		{"-1.5", "", "negative"},
		{"1e3", "", "not a plain decimal"},
		{"1E3", "", "not a plain decimal"},
		{"", "", "not a plain decimal"},
		{" 1", "", "not a plain decimal"},
		{"1 ", "", "not a plain decimal"},
		{"+1", "", "not a plain decimal"},
		{"0x10", "", "not a plain decimal"},
		{".5", "", "not a plain decimal"},
		{"5.", "", "not a plain decimal"},
		{"1.2.3", "", "not a plain decimal"},
		{"1,5", "", "not a plain decimal"},
		{"1_000", "", "not a plain decimal"},
		{"NaN", "", "not a plain decimal"},
		{"Inf", "", "not a plain decimal"},
		{"١", "", "not a plain decimal"}, // non-ASCII digit
	}
	for _, c := range cases {
		wei, err := ParseCPC(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, ErrInvalidAmount) {
				t.Errorf("ParseCPC(%q) = %q, %v; want error %q", c.in, wei, err, c.err)
			}
			continue
		}
		if err != nil || wei != c.wei {
			t.Errorf("ParseCPC(%q) = %q, %v; want %q", c.in, wei, err, c.wei)
		}
	}
}

func TestFormatCPC(t *testing.T) {
	for wei, want := range map[string]string{
		"0": "0", "1": "0.000000000000000001", "1500000000000000000": "1.5",
		"10000000000000000000": "10", "123456789123456789123456789": "123456789.123456789123456789",
	} {
		got, err := FormatCPC(wei)
		if err != nil || got != want {
			t.Errorf("FormatCPC(%s) = %q, %v; want %q", wei, got, err, want)
		}
		back, err := ParseCPC(got)
		if err != nil || back != wei {
			t.Errorf("ParseCPC(FormatCPC(%s)) = %q, %v", wei, back, err)
		}
	}
	for _, bad := range []string{"", "01", "-1", "1.5"} {
		if _, err := FormatCPC(bad); err == nil {
			t.Errorf("FormatCPC(%q) accepted", bad)
		}
	}
}

func FuzzParseCPC(f *testing.F) {
	for _, s := range []string{"10.0", "0.000000000000000001", "1.5", "0.0000000000000000001", "-1", "1e3", "", "+1", "0x1f", " 1", "007.70"} {
		f.Add(s)
	}
	ten18 := new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
	f.Fuzz(func(t *testing.T, s string) {
		wei, err := ParseCPC(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidAmount) {
				t.Fatalf("error does not wrap ErrInvalidAmount: %v", err)
			}
			return
		}
		if checkWei(wei) != nil {
			t.Fatalf("ParseCPC(%q) = %q, not a canonical wei string", s, wei)
		}
		// Independent check: big.Rat parses the same decimal exactly.
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("ParseCPC accepted %q that big.Rat rejects", s)
		}
		r.Mul(r, new(big.Rat).SetInt(ten18))
		if !r.IsInt() || r.Num().String() != wei {
			t.Fatalf("ParseCPC(%q) = %s, big.Rat says %s", s, wei, r.RatString())
		}
		back, err := FormatCPC(wei)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := ParseCPC(back); err != nil || again != wei {
			t.Fatalf("round trip %q -> %q -> %q (%v)", s, back, again, err)
		}
	})
}
