package workload

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// CPCDecimals is the number of decimals of one CPC: 1 CPC = 10^18 wei.
const CPCDecimals = 18

// ErrInvalidAmount is wrapped by every ParseCPC error.
var ErrInvalidAmount = errors.New("invalid CPC amount")

var weiPerCPC = new(big.Int).Exp(big.NewInt(10), big.NewInt(CPCDecimals), nil)

// ParseCPC converts a decimal CPC amount to integer wei as a canonical decimal string,
// exactly (math/big, no floats): "10.0" → "10000000000000000000", "7" → "7000000000000000000".
//
// Accepted: digits, optionally followed by '.' and at least one digit ("0.5", "10", "10.0").
// Refused, each with an error wrapping ErrInvalidAmount: a leading '-' ("negative"), more than
// 18 fractional digits ("more than 18 decimals", even if they are zeros), and anything else
// ("not a plain decimal": empty, spaces, '+', exponents, hex, ".5", "5.", "1,5"), and amounts
// whose wei value exceeds 2^256−1.
func ParseCPC(s string) (wei string, err error) {
	fail := func(format string, args ...any) (string, error) {
		return "", fmt.Errorf("workload: parse CPC %q: %w: %s", clip(s), ErrInvalidAmount, fmt.Sprintf(format, args...))
	}
	if strings.HasPrefix(s, "-") {
		return fail("negative")
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) || (hasDot && (frac == "" || !allDigits(frac))) {
		return fail("not a plain decimal (want digits with an optional '.' and fraction digits)")
	}
	if len(frac) > CPCDecimals {
		return fail("more than %d decimals", CPCDecimals)
	}
	// Bound the work before big-integer parsing: 2^256−1 wei has 78 digits.
	if len(strings.TrimLeft(intPart, "0")) > MaxRewardDigits-CPCDecimals {
		return fail("exceeds 2^256-1 wei")
	}
	digits := intPart + frac + strings.Repeat("0", CPCDecimals-len(frac))
	v, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return fail("not a plain decimal")
	}
	if v.Cmp(maxUint256) > 0 {
		return fail("exceeds 2^256-1 wei")
	}
	return v.String(), nil
}

// FormatCPC renders a canonical wei string as a decimal CPC amount without trailing
// fractional zeros ("1500000000000000000" → "1.5", "0" → "0").
func FormatCPC(wei string) (string, error) {
	if err := checkWei(wei); err != nil {
		return "", fmt.Errorf("workload: format CPC: %w", err)
	}
	v, _ := new(big.Int).SetString(wei, 10)
	q, r := new(big.Int).QuoRem(v, weiPerCPC, new(big.Int))
	if r.Sign() == 0 {
		return q.String(), nil
	}
	f := r.String()
	f = strings.Repeat("0", CPCDecimals-len(f)) + f
	return q.String() + "." + strings.TrimRight(f, "0"), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
