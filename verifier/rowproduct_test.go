package verifier_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// wrongRows is a node's executor that computes the product and then
// changes one entry in every row: a receipt committing to an output whose
// every row is wrong.
type wrongRows struct{}

func (wrongRows) Name() string { return "test-wrong-rows" }

func (wrongRows) Multiply(A, B []int16, n, f int) ([]int64, error) {
	c, err := native.Executors()[0].Multiply(A, B, n, f)
	for i := 0; err == nil && i < n; i++ {
		c[i*n+i%n]++
	}
	return c, err
}

type rowProduct = func(A, B []int16, n, f int, idx []int) ([]int64, error)

// TestRowProductSameVerdicts: the verdict of a sampled receipt (honest,
// with wrong rows, with its openings tampered) is the same, check for check,
// whether the verifier re-executes its rows with the reference (nil) or with
// native.MultiplyRows, started early or not.
func TestRowProductSameVerdicts(t *testing.T) {
	honest := nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW})
	lying := nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW, ExecutorImpl: wrongRows{}})
	swapped := reSampled(t, honest.Envelope, func(r *receipt.Receipt) {
		r.Sampling.Paths[0], r.Sampling.Paths[1] = r.Sampling.Paths[1], r.Sampling.Paths[0]
	})
	outOfRange := reSampled(t, honest.Envelope, func(r *receipt.Receipt) { r.Sampling.Indices[0] = 128 })
	for _, tc := range []struct {
		name string
		env  *receipt.Envelope
		want string // the failed check; "" for a pass
	}{
		{"honest", honest.Envelope, ""},
		{"every row wrong", lying.Envelope, "sampling.rows_match"},
		{"two paths swapped", swapped, "sampling.rows_match"},
		{"a row out of range", outOfRange, "sampling.indices"},
	} {
		var ref []receipt.Check
		for _, rp := range []struct {
			name string
			f    rowProduct
		}{{"reference", nil}, {"native", native.MultiplyRows}} {
			v := verifier.Verify(tc.env, verifier.Options{Policy: policy(t, "binding-v1"), RowProduct: rp.f})
			switch {
			case tc.want == "" && v.PolicyDecision.Status != verifier.Pass:
				t.Errorf("%s, %s: status %s, failed %v", tc.name, rp.name, v.PolicyDecision.Status, v.Failed())
			case tc.want != "" && (v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), tc.want)):
				t.Errorf("%s, %s: status %s, failed %v, want reject naming %s", tc.name, rp.name, v.PolicyDecision.Status, v.Failed(), tc.want)
			}
			if ref == nil {
				ref = v.PolicyDecision.Checks
			} else if !slices.EqualFunc(ref, v.PolicyDecision.Checks, func(a, b receipt.Check) bool { return a.Name == b.Name && a.Status == b.Status }) {
				t.Errorf("%s: checks under %s differ from the reference's:\n%v\n%v", tc.name, rp.name, v.PolicyDecision.Checks, ref)
			}
		}
	}
}

// TestRowProductFaults: a row product that errs, returns the wrong number
// of entries, or gets any entry wrong (in every row, or in one row only,
// where the reference cross-check or the Merkle paths catch it) never
// passes an honest receipt: sampling.rows_match fails.
func TestRowProductFaults(t *testing.T) {
	honest := nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW})
	k := len(honest.Receipt.Sampling.Indices)
	faulty := func(change func(rows []int64, n int) []int64) rowProduct {
		return func(A, B []int16, n, f int, idx []int) ([]int64, error) {
			rows, err := native.MultiplyRows(A, B, n, f, idx)
			return change(rows, n), err
		}
	}
	for _, tc := range []struct {
		name string
		f    rowProduct
	}{
		{"an error", func([]int16, []int16, int, int, []int) ([]int64, error) { return nil, errors.New("no device") }},
		{"no rows", faulty(func([]int64, int) []int64 { return nil })},
		{"one row short", faulty(func(r []int64, n int) []int64 { return r[:len(r)-n] })},
		{"one row extra", faulty(func(r []int64, n int) []int64 { return append(r, make([]int64, n)...) })},
		{"an entry wrong in every row", faulty(func(r []int64, n int) []int64 {
			for t := range k {
				r[t*n+5]--
			}
			return r
		})},
		{"an entry wrong in the first row", faulty(func(r []int64, n int) []int64 { r[0]++; return r })},
		{"an entry wrong in the last row", faulty(func(r []int64, n int) []int64 { r[len(r)-1] ^= 1 << 40; return r })},
		{"rows in another order", faulty(func(r []int64, n int) []int64 {
			out := slices.Clone(r[n:])
			return append(out, r[:n]...)
		})},
	} {
		v := verifier.Verify(honest.Envelope, verifier.Options{Policy: policy(t, "binding-v1"), RowProduct: tc.f})
		if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "sampling.rows_match") {
			t.Errorf("%s: status %s, failed %v, want reject naming sampling.rows_match", tc.name, v.PolicyDecision.Status, v.Failed())
		}
	}
}
