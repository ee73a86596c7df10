package circuits

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/multicommit"

	"github.com/zkpoc/zkpoc/protocol"
)

// SyntheticMatMul is the freivalds-s2 statement for synthetic tasks (see the
// package documentation, "Statement freivalds-s2", for its soundness
// argument): s = Σ_ij r^(n·i+j)·(2^f·C'_ij + R_ij) with C' and R range-checked,
// the output digest over C' and the PoE, r the circuit's BSB22 commitment.
// Its public inputs are the output digest, s and the PoE halves (hi, lo), in
// that order; the verifier computes s itself (protocol.SyntheticCheck).
type SyntheticMatMul struct {
	N        int `gnark:"-"`
	FracBits int `gnark:"-"`

	RequestID    [2]frontend.Variable // private, bound through the PoE, committed
	NodeID       [2]frontend.Variable // private, bound through the PoE
	OutputDigest frontend.Variable    `gnark:",public"`
	S            frontend.Variable    `gnark:",public"`
	PoE          [2]frontend.Variable `gnark:",public"`

	// C holds C' + 2^(b−1) in limbs as MatMul.C does; R the remainders.
	C []frontend.Variable
	R []frontend.Variable

	lay  layout
	skip parts
	// probe, if set, receives r before s is checked (tests read the
	// challenge of the test engine, whose commitment is not Groth16's; a
	// pointer, not a func, so that the test engine can clone the circuit).
	probe *challengeProbe `gnark:"-"`
}

type challengeProbe struct {
	r frontend.Variable `gnark:"-"`
}

// NewSynthetic returns a freivalds-s2 circuit shape for n×n matrices with f
// fractional bits.
func NewSynthetic(n, fracBits int) (*SyntheticMatMul, error) {
	if n < 1 || n > protocol.MaxN {
		return nil, fmt.Errorf("circuit: n = %d out of range [1, %d]", n, protocol.MaxN)
	}
	if fracBits < 0 || fracBits > 16 {
		return nil, fmt.Errorf("circuit: frac_bits = %d out of range [0, 16]", fracBits)
	}
	return newSyntheticWithLayout(n, fracBits, chooseLayoutFor(n, fracBits, true)), nil
}

func newSyntheticWithLayout(n, fracBits int, lay layout) *SyntheticMatMul {
	return &SyntheticMatMul{
		N: n, FracBits: fracBits, lay: lay,
		C: make([]frontend.Variable, n*n*lay.limbs),
		R: make([]frontend.Variable, n*n),
	}
}

// Limbs is the number of limbs per output entry in C.
func (c *SyntheticMatMul) Limbs() int { return c.lay.limbs }

// LimbBits is the width of the output limbs in C.
func (c *SyntheticMatMul) LimbBits() int { return c.lay.limbBits }

// Define implements frontend.Circuit.
func (c *SyntheticMatMul) Define(api frontend.API) error {
	n, f := c.N, c.FracBits
	if c.lay.limbs == 0 || len(c.C) != n*n*c.lay.limbs || len(c.R) != n*n {
		return errors.New("circuit: matrix slices do not match n (build the shape with NewSynthetic)")
	}
	check, table := c.lay.checker(api)
	b := c.lay.outBits
	cS := rangeOutputs(api, check, c.lay, c.C)
	rangeRemainders(api, check, c.R, f)
	cVal := unshift(api, cS, b)

	// C', R and request_id are committed; s is not (it depends on r). The
	// Freivalds callback is registered first, so it receives the root
	// commitment (the Groth16 commitment wire) itself: the verifier derives
	// exactly this r from the proof (protocol.SyntheticChallenge).
	committed := make([]frontend.Variable, 0, len(c.C)+len(c.R)+2)
	committed = append(committed, c.RequestID[:]...)
	committed = append(committed, c.C...)
	committed = append(committed, c.R...)
	multicommit.WithCommitment(api, func(api frontend.API, r frontend.Variable) error {
		return c.freivalds(api, r, cVal)
	}, committed...)
	if table != nil {
		if err := table.commit(committed); err != nil {
			return err
		}
	}

	if !c.skip.hashes {
		perm, sp, err := newSponge(api, c.lay.leanB())
		if err != nil {
			return err
		}
		assertOutputDigest(api, perm, sp, n, f, b, cS, c.OutputDigest)
	}
	if !c.skip.poe {
		proveExecution(api, c.RequestID, c.NodeID, c.OutputDigest, c.PoE)
	}
	return nil
}

// freivalds asserts Σ_i u_i·Σ_j (2^f·C'_ij + R_ij)·v_j = s with v_j = r^j and
// u_i = (r^n)^i: n² + 2n constraints.
func (c *SyntheticMatMul) freivalds(api frontend.API, r frontend.Variable, cVal []frontend.Variable) error {
	if c.probe != nil {
		c.probe.r = r
	}
	n := c.N
	v := make([]frontend.Variable, n)
	v[0] = 1
	for j := 1; j < n; j++ {
		v[j] = api.Mul(v[j-1], r)
	}
	rn := api.Mul(v[n-1], r)
	var u frontend.Variable = 1
	rows := make([]frontend.Variable, n)
	for i := 0; i < n; i++ {
		terms := make([]frontend.Variable, n)
		for j := 0; j < n; j++ {
			lhs := api.Add(api.Mul(cVal[i*n+j], 1<<c.FracBits), c.R[i*n+j])
			terms[j] = api.Mul(lhs, v[j])
		}
		if i > 0 {
			u = api.Mul(u, rn)
		}
		rows[i] = api.Mul(u, sum(api, terms))
	}
	api.AssertIsEqual(sum(api, rows), c.S)
	return nil
}

// AssignSynthetic builds a freivalds-s2 assignment for the claim
// C' = floor(A·B/2^f) with public values p and s the verifier's check value
// (protocol.SyntheticCheck at the proof's challenge; the prover learns r only
// while proving, so it passes a function of r). It fails if C' is not the
// correct product.
func AssignSynthetic(n, fracBits int, a, b []int16, c []int64, p protocol.Public, s *big.Int) (*SyntheticMatMul, error) {
	circ, err := NewSynthetic(n, fracBits)
	if err != nil {
		return nil, err
	}
	if len(a) != n*n || len(b) != n*n || len(c) != n*n {
		return nil, fmt.Errorf("assign: want %d entries per matrix, have A=%d B=%d C=%d", n*n, len(a), len(b), len(c))
	}
	rs, err := remainders(n, fracBits, a, b, c)
	if err != nil {
		return nil, fmt.Errorf("assign: %w", err)
	}
	assignSyntheticPublic(circ, p, s)
	for i, r := range rs {
		circ.R[i] = r
	}
	if err := splitOutputs(circ.lay, bigInts(c), circ.C); err != nil {
		return nil, fmt.Errorf("assign: %w", err)
	}
	return circ, nil
}

func assignSyntheticPublic(c *SyntheticMatMul, p protocol.Public, s *big.Int) {
	c.RequestID = halves(p.RequestID)
	c.NodeID = halves(p.NodeID)
	c.OutputDigest = new(big.Int).SetBytes(p.OutputDigest[:])
	c.S = new(big.Int).Set(s)
	c.PoE = halves(p.PoE)
}

// TableEntries is the fixed cost of the shape's lookup tables (0 below the
// lookup layouts), for the cost model.
func (c *SyntheticMatMul) TableEntries() int { return c.lay.tableEntries(c.FracBits) }

// QueriesPerElement counts the range-checked values per output element (the
// limbs of C' and the remainder), for the cost model.
func (c *SyntheticMatMul) QueriesPerElement() int { return c.lay.queriesPerElement(c.FracBits) }
