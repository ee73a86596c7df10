package circuits

import (
	"fmt"
	"math/big"
	"slices"

	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/multicommit"
)

// MaxTableBits bounds the width of one lookup table (2^20 entries).
const MaxTableBits = 20

// lookupTables range-checks values with log-derivative lookup arguments
// (Haböck, eprint 2022/1530), one constant table T_w = {0, …, 2^w − 1} for
// each width w that is checked:
//
//	Σ_{t ∈ T_w} m_t / (α − t) = Σ_{i : width(q_i) = w} 1 / (α − q_i)
//
// where m_t counts the queries equal to t and α is drawn from the circuit's
// single commitment after the queries and the counts are fixed. A query
// costs one constraint and a table 2^w, against about three per value for
// gnark's general range checker, so it pays off once there are many queries.
//
// Soundness. Every value v checked with width w is looked up UNSHIFTED in
// the table of exactly that width. Fix the committed wires (every query is a
// linear combination of them) and the counts; α is then uniform in F_p and
// independent of them. Both sides are rational functions of α of degree at
// most |T_w| + #queries; if they differ as rational functions, they agree at
// α with probability at most (|T_w| + #queries)/p < 2^−200 (Schwartz–Zippel;
// a prover with 2^t tries at re-randomising α gets at most 2^t times that).
// If they are equal, every pole matches: for a value x ∉ T_w the number of
// queries equal to x is ≡ 0 (mod p), hence 0, because there are fewer than
// p queries. So each query is a field element equal to an integer in
// [0, 2^w) — not merely "some u·2^−s", which is what a query v·2^s in a
// wider table admits (the defect this replaced: with a 17-bit table and
// int16 inputs checked as v·2^1, every half-integer u/2 passed).
type lookupTables struct {
	api     frontend.API
	queries map[int][]frontend.Variable // width → values checked against T_width
	// leanB writes each quotient with its fresh wire in L (quotients);
	// otherwise gnark's builder puts it in R (freivalds-v5's system).
	leanB bool
}

func newLookupTables(api frontend.API, leanB bool) *lookupTables {
	return &lookupTables{api: api, leanB: leanB, queries: map[int][]frontend.Variable{}}
}

// Check constrains v to an integer in [0, 2^nbBits) by looking it up in the
// table of that width.
func (t *lookupTables) Check(v frontend.Variable, nbBits int) {
	if nbBits > MaxTableBits || nbBits < 1 {
		panic(fmt.Sprintf("lookup tables cannot check %d bits (1 … %d)", nbBits, MaxTableBits))
	}
	t.queries[nbBits] = append(t.queries[nbBits], v)
}

// widths lists the table widths in use, ascending, so that the constraint
// system does not depend on map order.
func (t *lookupTables) widths() []int {
	ws := make([]int, 0, len(t.queries))
	for w := range t.queries {
		ws = append(ws, w)
	}
	slices.Sort(ws)
	return ws
}

// commit registers the arguments with the circuit's commitment. The committed
// variables must include every variable the queries are built from.
func (t *lookupTables) commit(committed []frontend.Variable) error {
	ws := t.widths()
	if len(ws) == 0 {
		return nil
	}
	counts := make([][]frontend.Variable, len(ws))
	all := append([]frontend.Variable(nil), committed...)
	for i, w := range ws {
		in := append([]frontend.Variable{w}, t.queries[w]...)
		c, err := t.api.Compiler().NewHint(countHint, 1<<w, in...)
		if err != nil {
			return fmt.Errorf("lookup counts (%d bits): %w", w, err)
		}
		counts[i] = c
		all = append(all, c...)
	}
	multicommit.WithCommitment(t.api, func(api frontend.API, alpha frontend.Variable) error {
		for i, w := range ws {
			qs := t.queries[w]
			values := make([]frontend.Variable, len(counts[i]))
			for v := range values {
				values[v] = v
			}
			ones := make([]frontend.Variable, len(qs))
			for j := range ones {
				ones[j] = 1
			}
			table := quotients(api, alpha, values, counts[i], t.leanB)
			found := quotients(api, alpha, qs, ones, t.leanB)
			if t.leanB {
				api.AssertIsEqual(sum(api, table), sum(api, found))
				continue
			}
			// freivalds-v5's system: one sum with the queries negated
			for _, q := range found {
				table = append(table, api.Neg(q))
			}
			api.AssertIsEqual(sum(api, table), 0)
		}
		return nil
	}, all...)
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
