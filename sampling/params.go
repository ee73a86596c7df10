package sampling

import (
	"errors"
	"fmt"

	"github.com/zkpoc/zkpoc/workload"
)

// Params choose how a sampled receipt picks and sizes its rows (the
// soundness argument is in the package documentation).
type Params struct {
	Epsilon float64 // the wrong-row fraction the bound is stated for (default 0.05)
	K       int     // rows to open; 0 sizes k for BoundLog2 in the attacker model
	// BoundLog2 is the target log2 bound: for a challenge, of δ (one
	// attempt); for proof of work, of 2^(WorkLog2 − PoWBits)·δ. Default −20.
	BoundLog2 float64
	WorkLog2  int // t: SHA-256 evaluations (2^t) the proof-of-work k is sized against; default 64
	PoWBits   int // g: proof-of-work difficulty in leading zero bits; default 22, at most MaxProverPoWBits
	// Challenge, when set, is the challenge the rows are drawn from (issued
	// after the root was committed: the "challenge" method).
	// Without it the rows come from proof-of-work Fiat–Shamir.
	Challenge []byte
}

// DefaultParams: bound 2^−20 at ε = 5% against 2^64 SHA-256 evaluations,
// with a 22-bit proof of work (k = 756 at n = 4096, 404 at n = 512, every
// row at n ≤ 128).
var DefaultParams = Params{Epsilon: 0.05, BoundLog2: -20, WorkLog2: 64, PoWBits: 22}

// MaxProverPoWBits bounds the difficulty a prover searches (2^32 hashes,
// minutes on one core); a verifier accepts up to MaxPoWBits.
const MaxProverPoWBits = 32

// WithDefaults fills every zero field from DefaultParams.
func (p Params) WithDefaults() Params {
	d := DefaultParams
	if p.Epsilon == 0 {
		p.Epsilon = d.Epsilon
	}
	if p.BoundLog2 == 0 {
		p.BoundLog2 = d.BoundLog2
	}
	if p.WorkLog2 == 0 {
		p.WorkLog2 = d.WorkLog2
	}
	if p.PoWBits == 0 {
		p.PoWBits = d.PoWBits
	}
	return p
}

// Validate reports every problem with the parameters at once (after defaults).
func (p Params) Validate() error {
	p = p.WithDefaults()
	var errs []error
	if !(p.Epsilon > 0 && p.Epsilon < 1) {
		errs = append(errs, fmt.Errorf("sampling epsilon %v must be in (0, 1)", p.Epsilon))
	}
	if p.K < 0 {
		errs = append(errs, fmt.Errorf("sampling k = %d must not be negative", p.K))
	}
	if !(p.BoundLog2 < 0 && p.BoundLog2 >= -1000) {
		errs = append(errs, fmt.Errorf("sampling bound 2^%v must be below 1 (log2 in [−1000, 0))", p.BoundLog2))
	}
	if p.PoWBits < 1 || p.PoWBits > MaxProverPoWBits {
		errs = append(errs, fmt.Errorf("sampling pow bits %d must be in [1, %d]", p.PoWBits, MaxProverPoWBits))
	}
	if p.WorkLog2 < 1 || p.WorkLog2 > 256 {
		errs = append(errs, fmt.Errorf("sampling work 2^%d must have log2 in [1, 256]", p.WorkLog2))
	}
	if p.Challenge != nil && (len(p.Challenge) < MinChallengeBytes || len(p.Challenge) > MaxChallengeBytes) {
		errs = append(errs, fmt.Errorf("sampling challenge is %d bytes, want %d to %d", len(p.Challenge), MinChallengeBytes, MaxChallengeBytes))
	}
	return errors.Join(errs...)
}

// RowsFor is the k these parameters open at n rows: K when set (at most n),
// otherwise the smallest k whose bound in the attacker model reaches
// BoundLog2 — every row when that k would exceed n − ⌈ε·n⌉.
func (p Params) RowsFor(n int) int {
	p = p.WithDefaults()
	if p.K > 0 {
		return min(p.K, n)
	}
	target := p.BoundLog2
	if p.Challenge == nil {
		target -= float64(p.WorkLog2 - p.PoWBits)
	}
	return RowsFor(n, WrongRows(n, p.Epsilon), target)
}

// RowLeaves encodes each output row as a Merkle leaf: its n entries as
// little-endian int64, the canonical result bytes of that row.
func RowLeaves(c []int64, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = workload.ResultBytes(c[i*n : (i+1)*n])
	}
	return out
}
