package circuits

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/multicommit"
)

// lookupTable range-checks values with a log-derivative lookup argument
// (Haböck, eprint 2022/1530) against the constant table {0, …, 2^bits − 1}:
//
//	Σ_t m_t / (α − t) = Σ_i 1 / (α − q_i)
//
// where m_t counts the queries equal to t, and α is drawn from the circuit's
// single commitment after the queries and the counts are fixed. Each query
// costs one constraint and the table 2^bits, against about three per value for
// gnark's general range checker, so it pays off once there are many queries.
type lookupTable struct {
	bits    int
	queries []frontend.Variable
	api     frontend.API
}

func newLookupTable(api frontend.API, bits int) *lookupTable {
	return &lookupTable{api: api, bits: bits}
}

// Check constrains 0 ≤ v < 2^nbBits for nbBits ≤ bits by looking up
// v·2^(bits−nbBits): multiplying by an invertible constant is injective, and
// exactly the values below 2^nbBits land inside the table.
func (t *lookupTable) Check(v frontend.Variable, nbBits int) {
	if nbBits > t.bits || nbBits < 1 {
		panic(fmt.Sprintf("lookup table of %d bits cannot check %d bits", t.bits, nbBits))
	}
	q := v
	if nbBits < t.bits {
		q = t.api.Mul(v, new(big.Int).Lsh(big.NewInt(1), uint(t.bits-nbBits)))
	}
	t.queries = append(t.queries, q)
}

// commit registers the argument with the circuit's commitment. The committed
// variables must include every variable the queries are built from.
func (t *lookupTable) commit(committed []frontend.Variable) error {
	if len(t.queries) == 0 {
		return nil
	}
	size := 1 << t.bits
	in := append([]frontend.Variable{t.bits}, t.queries...)
	counts, err := t.api.Compiler().NewHint(countHint, size, in...)
	if err != nil {
		return fmt.Errorf("lookup counts: %w", err)
	}
	multicommit.WithCommitment(t.api, func(api frontend.API, alpha frontend.Variable) error {
		terms := make([]frontend.Variable, 0, size+len(t.queries))
		for v, m := range counts {
			terms = append(terms, api.DivUnchecked(m, api.Sub(alpha, v)))
		}
		for _, q := range t.queries {
			terms = append(terms, api.Neg(api.Inverse(api.Sub(alpha, q))))
		}
		api.AssertIsEqual(sum(api, terms), 0)
		return nil
	}, append(committed, counts...)...)
	return nil
}

// sum adds many terms in one call (repeated two-term Add copies the growing
// linear expression each time).
func sum(api frontend.API, terms []frontend.Variable) frontend.Variable {
	switch len(terms) {
	case 0:
		return 0
	case 1:
		return terms[0]
	}
	return api.Add(terms[0], terms[1], terms[2:]...)
}

// countHint returns how many queries equal each table value. Out-of-range
// queries are not counted, so that the lookup constraint itself rejects them.
func countHint(_ *big.Int, in, out []*big.Int) error {
	bits := in[0].Uint64()
	if len(out) != 1<<bits {
		return fmt.Errorf("count hint: %d outputs for a %d-bit table", len(out), bits)
	}
	for _, o := range out {
		o.SetUint64(0)
	}
	for _, q := range in[1:] {
		if q.Sign() >= 0 && q.BitLen() <= int(bits) {
			out[q.Uint64()].Add(out[q.Uint64()], big.NewInt(1))
		}
	}
	return nil
}

func init() { solver.RegisterHint(countHint) }
