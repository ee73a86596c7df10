package circuits

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/protocol"
)

func halves(b [32]byte) [2]frontend.Variable {
	h := protocol.Halves(b)
	return [2]frontend.Variable{h[0], h[1]}
}

// assignPublic fills the public part of a circuit shape, and the private
// request_id and node_id the PoE binds.
func assignPublic(c *MatMul, p protocol.Public) {
	c.RequestID = halves(p.RequestID)
	c.NodeID = halves(p.NodeID)
	c.InputCommitment = new(big.Int).SetBytes(p.InputCommitment[:])
	c.OutputDigest = new(big.Int).SetBytes(p.OutputDigest[:])
	c.PoE = halves(p.PoE)
}

// PublicAssignment returns a circuit holding only the public inputs (the
// rest zero): gnark's view of the public witness, which
// TestPublicWitnessAgrees compares with the one a verifier builds from
// protocol.PublicInputs.
func PublicAssignment(method protocol.Method, n, fracBits int, p protocol.Public) (*MatMul, error) {
	c, err := New(method, n, fracBits)
	if err != nil {
		return nil, err
	}
	assignPublic(c, p)
	for i := range c.A {
		c.A[i], c.B[i], c.R[i] = 0, 0, 0
	}
	for i := range c.C {
		c.C[i] = 0
	}
	return c, nil
}

// Assign builds a full assignment for the claim C' = floor(A·B/2^f), computing
// the remainders R = A·B − 2^f·C'. It fails if C' is not the correct product,
// so an honest prover never tries to prove a wrong output.
func Assign(method protocol.Method, n, fracBits int, a, b []int16, c []int64, p protocol.Public) (*MatMul, error) {
	circ, err := New(method, n, fracBits)
	if err != nil {
		return nil, err
	}
	if len(a) != n*n || len(b) != n*n || len(c) != n*n {
		return nil, fmt.Errorf("assign: want %d entries per matrix, have A=%d B=%d C=%d", n*n, len(a), len(b), len(c))
	}
	assignPublic(circ, p)
	rs, err := remainders(n, fracBits, a, b, c)
	if err != nil {
		return nil, fmt.Errorf("assign: %w", err)
	}
	for i := range a {
		circ.A[i] = int64(a[i])
		circ.B[i] = int64(b[i])
		circ.R[i] = rs[i]
	}
	if err := circ.setOutputs(bigInts(c)); err != nil {
		return nil, fmt.Errorf("assign: %w", err)
	}
	return circ, nil
}

// remainders returns R = A·B − 2^f·C' entry by entry, or an error if some
// C' entry is not floor((A·B)_ij / 2^f).
func remainders(n, fracBits int, a, b []int16, c []int64) ([]int64, error) {
	rs := make([]int64, n*n)
	col := make([]int64, n)
	for j := 0; j < n; j++ {
		for k := 0; k < n; k++ {
			col[k] = int64(b[k*n+j])
		}
		for i := 0; i < n; i++ {
			var s int64
			for k := 0; k < n; k++ {
				s += int64(a[i*n+k]) * col[k]
			}
			r := s - c[i*n+j]<<fracBits
			if r < 0 || r >= 1<<fracBits {
				return nil, fmt.Errorf("C'[%d][%d] = %d is not floor(%d / 2^%d)", i, j, c[i*n+j], s, fracBits)
			}
			rs[i*n+j] = r
		}
	}
	return rs, nil
}

func bigInts(xs []int64) []*big.Int {
	out := make([]*big.Int, len(xs))
	for i, x := range xs {
		out[i] = big.NewInt(x)
	}
	return out
}

// setOutputs fills C with the limbs of C' + 2^(b−1). Values outside the
// bound are split anyway (the top limb then exceeds its width), so that tests
// can hand such witnesses to the circuit; Assign refuses them before.
func (c *MatMul) setOutputs(vals []*big.Int) error { return splitOutputs(c.lay, vals, c.C) }

// splitOutputs writes the limbs of C' + 2^(b−1) in layout lay into dst.
func splitOutputs(lay layout, vals []*big.Int, dst []frontend.Variable) error {
	k, w := lay.limbs, lay.limbBits
	if len(vals)*k != len(dst) {
		return fmt.Errorf("%d output entries for %d limbs of %d", len(vals), len(dst), k)
	}
	off := new(big.Int).Lsh(big.NewInt(1), uint(lay.outBits-1))
	mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(w)), big.NewInt(1))
	for e, v := range vals {
		x := new(big.Int).Add(v, off)
		for l := 0; l < k; l++ {
			if l == k-1 {
				dst[e*k+l] = x
				break
			}
			dst[e*k+l] = new(big.Int).And(x, mask)
			x = new(big.Int).Rsh(x, uint(w))
		}
	}
	return nil
}
