package verifier

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// checkSampling re-executes the opened rows and checks them against the
// Merkle root the node bound with its PoE, and that the rows opened are the
// Fiat–Shamir ones (the prover cannot pick them).
func (r *run) checkSampling(rc *receipt.Receipt, a, b []int16, root, reqID, nodeID [32]byte) {
	s := rc.Sampling
	if s == nil {
		r.add("sampling", errors.New("a sampled receipt needs its sampling box"))
		return
	}
	n, f := rc.Task.Payload.MatrixSize, rc.Task.Payload.FracBits
	shape := errors.Join(
		expect("sampling.method", s.Method, receipt.SamplingMethodFS),
		expectInt("sampling.rows", s.Rows, n),
		expectInt("sampling.k", s.K, len(s.Indices)),
		expectInt("sampling.paths", len(s.Paths), len(s.Indices)))
	if s.K < 1 || s.K > n {
		shape = errors.Join(shape, fmt.Errorf("sampling.k = %d out of range [1, %d]", s.K, n))
	}
	if !(s.Epsilon > 0 && s.Epsilon < 1) {
		shape = errors.Join(shape, fmt.Errorf("sampling.epsilon = %v out of range (0, 1)", s.Epsilon))
	} else if want := prover.ErrorBound(s.Epsilon, s.K); s.ErrorBound != want {
		shape = errors.Join(shape, fmt.Errorf("sampling.error_bound = %v, but (1 − %v)^%d = %v", s.ErrorBound, s.Epsilon, s.K, want))
	}
	if !r.add("sampling", shape) {
		r.skip("sampling.indices", "malformed sampling box")
		r.skip("sampling.rows_match", "malformed sampling box")
		return
	}
	want := prover.SampleIndices(root, reqID, nodeID, n, s.K)
	if !r.add("sampling.indices", checkIndices(s.Indices, want)) {
		r.skip("sampling.rows_match", "indices are not the Fiat–Shamir ones")
		return
	}
	if a == nil {
		why := "the task's inputs are supplied as files and none were given (--a, --b)"
		r.skip("sampling.rows_match", why+": the sampled rows cannot be re-executed")
		r.hold = "the sampled rows were not re-executed: " + why
		return
	}
	for i, row := range s.Indices {
		if err := checkRow(a, b, n, f, row, s.Paths[i], root); err != nil {
			r.add("sampling.rows_match", err)
			return
		}
	}
	r.add("sampling.rows_match", nil)
}

func expectInt(field string, have, want int) error {
	if have != want {
		return fmt.Errorf("%s is %d, want %d", field, have, want)
	}
	return nil
}

func checkIndices(have, want []int) error {
	if slices.Equal(have, want) {
		return nil
	}
	for i := range want {
		if i >= len(have) || have[i] != want[i] {
			return fmt.Errorf("sampled row %d is not the one Fiat–Shamir selects from the root, request and node (the prover may not choose rows)", i)
		}
	}
	return fmt.Errorf("%d rows listed, %d selected", len(have), len(want))
}

// checkRow recomputes output row i and checks its audit path against root.
func checkRow(a, b []int16, n, f, i int, hexPath []string, root [32]byte) error {
	if len(hexPath) > merkle.MaxProofHashes {
		return fmt.Errorf("row %d: audit path of %d hashes", i, len(hexPath))
	}
	path := make([][32]byte, len(hexPath))
	for j, h := range hexPath {
		raw, err := hex.DecodeString(h)
		if err != nil || len(raw) != 32 {
			return fmt.Errorf("row %d: audit path hash %d is not 32 bytes of hex", i, j)
		}
		copy(path[j][:], raw)
	}
	row := workload.MultiplyRow(a[i*n:(i+1)*n], b, n, f)
	got, err := merkle.RootFromInclusion(merkle.LeafHash(workload.ResultBytes(row)), i, n, path)
	if err != nil {
		return fmt.Errorf("row %d: %w", i, err)
	}
	if got != root {
		return fmt.Errorf("row %d recomputed by the verifier does not match the committed output (Merkle root mismatch)", i)
	}
	return nil
}
