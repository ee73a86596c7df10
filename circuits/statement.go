package circuits

import (
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/math/bits"
	"github.com/consensys/gnark/std/multicommit"
	"github.com/consensys/gnark/std/permutation/poseidon2"
	"github.com/consensys/gnark/std/rangecheck"

	"github.com/zkpoc/zkpoc/protocol"
)

// MatMul is the whole zkpoc statement. Its public inputs are the input
// commitment, the output digest and the PoE as big-endian 128-bit halves
// (hi, lo). request_id and node_id stay private: the PoE binds them, and a
// verifier who knows them recomputes the PoE natively (SHA-256 is collision
// resistant), which saves four public inputs (about 24k gas per EVM verify).
type MatMul struct {
	N        int             `gnark:"-"`
	FracBits int             `gnark:"-"`
	Method   protocol.Method `gnark:"-"`

	RequestID       [2]frontend.Variable // private, bound through the PoE
	NodeID          [2]frontend.Variable // private, bound through the PoE
	InputCommitment frontend.Variable    `gnark:",public"`
	OutputDigest    frontend.Variable    `gnark:",public"`
	PoE             [2]frontend.Variable `gnark:",public"`

	A []frontend.Variable // n·n int16 entries, row-major
	B []frontend.Variable // n·n int16 entries, row-major
	// C holds the output entries C' shifted to C' + 2^(b−1), each split into
	// Limbs() little-endian limbs of LimbBits() bits (one limb of b bits for
	// small n): entry e's limb l is C[e·Limbs() + l].
	C []frontend.Variable
	R []frontend.Variable // n·n remainders, 0 ≤ R < 2^f

	lay layout
	// skip drops parts of the statement; only tests and cost breakdowns set it.
	skip parts
}

// layout fixes how the output is represented and range-checked.
type layout struct {
	outBits  int  // b: C' ∈ [−2^(b−1), 2^(b−1))
	limbBits int  // width of every C' limb but the last
	limbs    int  // limbs per C' entry
	lookup   bool // false: gnark's range checker; true: zkpoc's lookup tables
	noInputs bool // A and B are not in the circuit (freivalds-s2)
}

// leanB says whether the lookup quotients and the digest's S-boxes are
// written for Groth16's B side with no sponge lane pinned (r1c.go,
// poseidon2.go): freivalds-s2, the statement without inputs. The other
// statements keep their constraint systems (and so their cached keys and
// golden receipts) as they are.
func (l layout) leanB() bool { return l.noInputs }

// lastBits is the width of the top limb of a C' entry.
func (l layout) lastBits() int { return l.outBits - l.limbBits*(l.limbs-1) }

// topCheckBits is the width the top limb is range-checked at: lastBits, so
// that C' + 2^(b−1) < 2^b exactly (freivalds-v5, whose identity involves the
// prover's own A and B); or, for freivalds-s2, limbBits like every other
// limb, which saves the top limb's table: C' + 2^(b−1) < 2^(k·w) is all its
// argument needs (see "Statement freivalds-s2" in the package doc).
func (l layout) topCheckBits() int {
	if l.noInputs {
		return l.limbBits
	}
	return l.lastBits()
}

// tableWidths lists the distinct widths checked with f fractional bits: the
// shifted inputs (unless noInputs), the remainders (none when f = 0: R is
// asserted 0), the full output limbs and the top one. Each gets a table of
// its own.
func (l layout) tableWidths(f int) []int {
	ws := []int{l.topCheckBits()}
	if !l.noInputs {
		ws = append(ws, protocol.InputBits)
	}
	if f > 0 {
		ws = append(ws, f)
	}
	if l.limbs > 1 {
		ws = append(ws, l.limbBits)
	}
	slices.Sort(ws)
	return slices.Compact(ws)
}

// tableEntries is the fixed cost of the lookup tables: one constraint per entry.
func (l layout) tableEntries(f int) int {
	if !l.lookup {
		return 0
	}
	total := 0
	for _, w := range l.tableWidths(f) {
		total += 1 << w
	}
	return total
}

// queriesPerElement counts the range-checked values per output element: an
// entry of A and of B (unless noInputs), a remainder (when f > 0) and the
// limbs of C'.
func (l layout) queriesPerElement(f int) int {
	q := l.limbs
	if !l.noInputs {
		q += 2
	}
	if f > 0 {
		q++
	}
	return q
}

// lookupMinN is the smallest n for which the dedicated lookup tables (a fixed
// 2^16 or more constraints, then one per query) beat gnark's range checker
// (about three constraints per checked value).
const lookupMinN = 128

// syntheticLookupMinN is lookupMinN for freivalds-s2, whose tables are narrow
// (no 2^16-entry input table): measured with TestSyntheticBreakdown at f = 8,
// product and range checks per element with lookups / with gnark's range
// checker: n = 8: 10.4 / 13.3, n = 16: 7.2 / 10.1, n = 64: 5.3 / 8.3.
const syntheticLookupMinN = 8

func chooseLayout(n, fracBits int) layout { return chooseLayoutFor(n, fracBits, false) }

// chooseLayoutFor is chooseLayout for a statement with (noInputs = false) or
// without (freivalds-s2) the input matrices in the circuit.
func chooseLayoutFor(n, fracBits int, noInputs bool) layout {
	b := protocol.OutputBits(n, fracBits)
	l := layout{outBits: b, limbBits: b, limbs: 1, noInputs: noInputs}
	if (!noInputs && n < lookupMinN) || (noInputs && n < syntheticLookupMinN) {
		return l
	}
	return lookupLayout(n, fracBits, b, noInputs)
}

// lookupLayout picks the output limb width minimising the tables' entries
// plus the queries. Every width is at most MaxTableBits and every value is
// looked up unshifted in the table of its own width (see lookupTables).
func lookupLayout(n, fracBits, b int, noInputs bool) layout {
	best := layout{}
	bestCost := -1
	for w := 8; w <= MaxTableBits; w++ {
		l := layout{outBits: b, limbBits: w, limbs: (b + w - 1) / w, lookup: true, noInputs: noInputs}
		if l.limbs == 1 {
			l.limbBits = b
			if b > MaxTableBits {
				continue
			}
		}
		cost := l.tableEntries(fracBits) + n*n*l.queriesPerElement(fracBits)
		if bestCost < 0 || cost < bestCost {
			best, bestCost = l, cost
		}
	}
	return best
}

// checker returns the layout's range checker: gnark's, or zkpoc's lookup
// tables (then also returned as such, to be committed). gnark's is created
// either way, first, so that its deferred commit precedes every multicommit
// callback registered later.
func (l layout) checker(api frontend.API) (frontend.Rangechecker, *lookupTables) {
	rc := rangecheck.New(api)
	if l.lookup {
		t := newLookupTables(api, l.leanB())
		return t, t
	}
	return rc, nil
}

// Limbs is the number of limbs per output entry in C.
func (c *MatMul) Limbs() int { return c.lay.limbs }

// LimbBits is the width of the output limbs in C.
func (c *MatMul) LimbBits() int { return c.lay.limbBits }

// TableEntries is the number of lookup-table entries the range checks use
// (one constraint each), or 0 when they use gnark's range checker.
func (c *MatMul) TableEntries() int { return c.lay.tableEntries(c.FracBits) }

// QueriesPerElement is the number of range-checked values per output element.
func (c *MatMul) QueriesPerElement() int { return c.lay.queriesPerElement(c.FracBits) }

// parts selects statement components to leave out when measuring their cost.
type parts struct{ hashes, poe bool }

// New returns a circuit shape (no assignment) for n×n matrices with f fractional bits.
func New(method protocol.Method, n, fracBits int) (*MatMul, error) {
	if n < 1 || n > protocol.MaxN {
		return nil, fmt.Errorf("circuit: n = %d out of range [1, %d]", n, protocol.MaxN)
	}
	if fracBits < 0 || fracBits > 16 {
		return nil, fmt.Errorf("circuit: frac_bits = %d out of range [0, 16]", fracBits)
	}
	if method != protocol.Freivalds && method != protocol.Naive {
		return nil, fmt.Errorf("circuit: %s is not a MatMul method (Shape builds every method's circuit)", method)
	}
	return newWithLayout(method, n, fracBits, chooseLayout(n, fracBits)), nil
}

// Shape returns the circuit shape of any method: New's MatMul, or
// NewSynthetic's SyntheticMatMul for protocol.Synthetic.
func Shape(method protocol.Method, n, fracBits int) (frontend.Circuit, error) {
	if method == protocol.Synthetic {
		return NewSynthetic(n, fracBits)
	}
	return New(method, n, fracBits)
}

func newWithLayout(method protocol.Method, n, fracBits int, lay layout) *MatMul {
	return &MatMul{
		N: n, FracBits: fracBits, Method: method, lay: lay,
		A: make([]frontend.Variable, n*n),
		B: make([]frontend.Variable, n*n),
		C: make([]frontend.Variable, n*n*lay.limbs),
		R: make([]frontend.Variable, n*n),
	}
}

// GetHints lists the hints the circuit uses, for solvers that need them explicitly.
func GetHints() []solver.Hint {
	return []solver.Hint{identityHint, splitBitsHint, countHint, quotientHint}
}

// Define implements frontend.Circuit.
func (c *MatMul) Define(api frontend.API) error {
	n, f := c.N, c.FracBits
	if c.lay.limbs == 0 || len(c.A) != n*n || len(c.B) != n*n || len(c.C) != n*n*c.lay.limbs || len(c.R) != n*n {
		return errors.New("circuit: matrix slices do not match n (build the shape with New)")
	}
	// Every lookup-based gadget must exist before the Freivalds commitment
	// callback is registered (multicommit runs callbacks in order).
	// Range checks: inputs are int16, outputs within ±2^(b-1), 0 ≤ R < 2^f.
	check, table := c.lay.checker(api)
	b := c.lay.outBits
	aS := shifted(api, check, c.A, protocol.InputBits)
	bS := shifted(api, check, c.B, protocol.InputBits)
	cS := rangeOutputs(api, check, c.lay, c.C)
	rangeRemainders(api, check, c.R, f)
	cVal := unshift(api, cS, b)
	committed := make([]frontend.Variable, 0, len(c.A)+len(c.B)+len(c.C)+len(c.R))
	committed = append(committed, c.A...)
	committed = append(committed, c.B...)
	committed = append(committed, c.C...)
	committed = append(committed, c.R...)
	if table != nil {
		if err := table.commit(committed); err != nil {
			return err
		}
	}

	if !c.skip.hashes {
		if err := c.commitments(api, aS, bS, cS, b); err != nil {
			return err
		}
	}
	if !c.skip.poe {
		proveExecution(api, c.RequestID, c.NodeID, c.OutputDigest, c.PoE)
	}

	// The product.
	switch c.Method {
	case protocol.Naive:
		c.naive(api, cVal)
	case protocol.Freivalds:
		multicommit.WithCommitment(api, func(api frontend.API, r frontend.Variable) error {
			return c.freivalds(api, r, cVal)
		}, committed...)
	default:
		return fmt.Errorf("circuit: unknown method %d", c.Method)
	}
	return nil
}

// commitments constrains the input commitment and the output digest over
// the shifted, range-checked entries.
func (c *MatMul) commitments(api frontend.API, aS, bS, cS []frontend.Variable, outBits int) error {
	perm, sp, err := newSponge(api, false)
	if err != nil {
		return err
	}
	in := newHasher(api, perm, sp, protocol.InputTag(c.N, c.FracBits))
	in.absorb(aS, protocol.InputBits)
	in.absorb(bS, protocol.InputBits)
	api.AssertIsEqual(in.sum(), c.InputCommitment)
	assertOutputDigest(api, perm, sp, c.N, c.FracBits, outBits, cS, c.OutputDigest)
	return nil
}

// assertOutputDigest constrains digest to the output digest of the shifted,
// range-checked entries cS = C' + 2^(b−1) (protocol.OutputDigestOn).
func assertOutputDigest(api frontend.API, perm permuter, sp protocol.Sponge, n, f, outBits int, cS []frontend.Variable, digest frontend.Variable) {
	out := newHasher(api, perm, sp, protocol.OutputTag(n, f, outBits))
	out.absorb(cS, outBits)
	api.AssertIsEqual(out.sum(), digest)
}

// proveExecution constrains PoE = SHA-256(request_id ‖ output_digest ‖ node_id),
// with the output digest as the 32 big-endian bytes of its canonical value.
func proveExecution(api frontend.API, requestID, nodeID [2]frontend.Variable, outputDigest frontend.Variable, poe [2]frontend.Variable) {
	g := bitGadget{api}
	msg := make([]word, 0, 24)
	msg = append(msg, halvesToWords(api, requestID)...)
	// canonical: the decomposition is checked against the modulus, so x + p is refused
	msg = append(msg, wordsBE(bits.ToBinary(api, outputDigest), 8)...)
	msg = append(msg, halvesToWords(api, nodeID)...)
	digest := g.sha256(msg)
	for h := 0; h < 2; h++ {
		var acc frontend.Variable = 0
		for _, w := range digest[4*h : 4*h+4] {
			acc = api.Add(api.Mul(acc, uint64(1)<<32), g.value(w))
		}
		api.AssertIsEqual(acc, poe[h])
	}
}

// halvesToWords turns (hi, lo) 128-bit halves into eight words, big-endian.
// 128 boolean bits recombine to a value below 2^128 < p, so the decomposition
// is unique and a half of 128 bits or more is refused.
func halvesToWords(api frontend.API, h [2]frontend.Variable) []word {
	out := make([]word, 0, 8)
	for _, half := range h {
		out = append(out, wordsBE(bits.ToBinary(api, half, bits.WithNbDigits(128)), 4)...)
	}
	return out
}

// rangeOutputs range-checks the limbs C of the output entries in layout lay
// and returns the shifted entries C' + 2^(b−1).
func rangeOutputs(api frontend.API, check frontend.Rangechecker, lay layout, c []frontend.Variable) []frontend.Variable {
	k, w := lay.limbs, lay.limbBits
	last := lay.topCheckBits()
	out := make([]frontend.Variable, len(c)/k)
	for e := range out {
		limbs := c[e*k : (e+1)*k]
		terms := make([]frontend.Variable, k)
		for l, x := range limbs {
			if l == k-1 {
				check.Check(x, last)
			} else {
				check.Check(x, w)
			}
			terms[l] = api.Mul(x, new(big.Int).Lsh(big.NewInt(1), uint(w*l)))
		}
		out[e] = sum(api, terms)
	}
	return out
}

// rangeRemainders checks every remainder as f bits, or asserts it 0 when f = 0.
func rangeRemainders(api frontend.API, check frontend.Rangechecker, rs []frontend.Variable, f int) {
	for _, r := range rs {
		if f == 0 {
			api.AssertIsEqual(r, 0)
		} else {
			check.Check(r, f)
		}
	}
}

// unshift returns C' = cS − 2^(b−1) as linear expressions of the limbs.
func unshift(api frontend.API, cS []frontend.Variable, outBits int) []frontend.Variable {
	off := new(big.Int).Lsh(big.NewInt(1), uint(outBits-1))
	cVal := make([]frontend.Variable, len(cS))
	for i, x := range cS {
		cVal[i] = api.Sub(x, off)
	}
	return cVal
}

// lhs returns 2^f·C'[i][j] + R[i][j].
func (c *MatMul) lhs(api frontend.API, cVal []frontend.Variable, i, j int) frontend.Variable {
	return api.Add(api.Mul(cVal[i*c.N+j], 1<<c.FracBits), c.R[i*c.N+j])
}

func (c *MatMul) naive(api frontend.API, cVal []frontend.Variable) {
	n := c.N
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			terms := make([]frontend.Variable, n)
			for k := 0; k < n; k++ {
				terms[k] = api.Mul(c.A[i*n+k], c.B[k*n+j])
			}
			api.AssertIsEqual(sum(api, terms), c.lhs(api, cVal, i, j))
		}
	}
}

// freivalds runs once the commitment r to A, B, C', R exists.
func (c *MatMul) freivalds(api frontend.API, r frontend.Variable, cVal []frontend.Variable) error {
	n := c.N
	v := make([]frontend.Variable, n)
	v[0] = 1
	for j := 1; j < n; j++ {
		v[j] = api.Mul(v[j-1], r)
	}
	// Bv, each entry pinned to one wire so that the n² products below stay
	// two-term constraints (an unpinned n-term sum would put n³ terms in the system).
	bv := make([]frontend.Variable, n)
	for k := 0; k < n; k++ {
		terms := make([]frontend.Variable, n)
		for j := 0; j < n; j++ {
			terms[j] = api.Mul(c.B[k*n+j], v[j])
		}
		bv[k] = pin(api, sum(api, terms))
	}
	for i := 0; i < n; i++ {
		left, right := make([]frontend.Variable, n), make([]frontend.Variable, n)
		for k := 0; k < n; k++ {
			left[k] = api.Mul(c.A[i*n+k], bv[k])
		}
		for j := 0; j < n; j++ {
			right[j] = api.Mul(c.lhs(api, cVal, i, j), v[j])
		}
		api.AssertIsEqual(sum(api, left), sum(api, right))
	}
	return nil
}

// pin returns a single wire constrained to equal the linear expression x.
func pin(api frontend.API, x frontend.Variable) frontend.Variable {
	if _, ok := api.Compiler().ConstantValue(x); ok {
		return x
	}
	out, err := api.Compiler().NewHint(identityHint, 1, x)
	if err != nil {
		panic(err)
	}
	api.AssertIsEqual(out[0], x)
	return out[0]
}

func identityHint(_ *big.Int, in, out []*big.Int) error {
	out[0].Set(in[0])
	return nil
}

func init() { solver.RegisterHint(identityHint) }

// shifted range-checks x + 2^(bits-1) ∈ [0, 2^bits) and returns the shifted values.
func shifted(api frontend.API, rc frontend.Rangechecker, xs []frontend.Variable, nbBits int) []frontend.Variable {
	out := make([]frontend.Variable, len(xs))
	off := new(big.Int).Lsh(big.NewInt(1), uint(nbBits-1))
	for i, x := range xs {
		out[i] = api.Add(x, off)
		rc.Check(out[i], nbBits)
	}
	return out
}

// hasher is the in-circuit twin of protocol's native sponge, with the
// packing of its digests (protocol.InputCommitmentOn, OutputDigestOn).
type hasher struct {
	api   frontend.API
	perm  permuter
	pins  bool
	rate  int
	state []frontend.Variable
	pos   int
}

func newHasher(api frontend.API, perm permuter, sp protocol.Sponge, tag uint64) *hasher {
	_, lean := perm.(*permutation)
	h := &hasher{api: api, perm: perm, pins: !lean, rate: sp.Rate(), state: make([]frontend.Variable, sp.Width)}
	h.state[0] = tag
	for i := 1; i < sp.Width; i++ {
		h.state[i] = 0
	}
	return h
}

func (h *hasher) write(x frontend.Variable) {
	h.state[1+h.pos] = h.api.Add(h.state[1+h.pos], x)
	h.pos++
	if h.pos == h.rate {
		h.permute()
	}
}

func (h *hasher) permute() {
	if err := h.perm.Permutation(h.state); err != nil {
		panic(err) // width fixed by newSponge
	}
	// Pin every lane to one wire (freivalds-v5, naive-v5). The pins buy
	// nothing: after the last full round every lane is a linear expression
	// of the same width x⁵ wires, so expressions stay that short across
	// blocks without them, and each costs a constraint and a B wire per
	// lane and block; freivalds-s2 (permutation) has none.
	if h.pins {
		for i := range h.state {
			h.state[i] = pin(h.api, h.state[i])
		}
	}
	h.pos = 0
}

func (h *hasher) sum() frontend.Variable {
	if h.pos > 0 {
		h.permute()
	}
	return h.state[1]
}

// absorb packs range-checked limbs of limbBits bits, PerElement(limbBits) per element.
func (h *hasher) absorb(limbs []frontend.Variable, limbBits int) {
	per := protocol.PerElement(limbBits)
	for s := 0; s < len(limbs); s += per {
		e := min(s+per, len(limbs))
		var acc frontend.Variable = 0
		shift := new(big.Int).SetUint64(1)
		for _, l := range limbs[s:e] {
			acc = h.api.Add(acc, h.api.Mul(l, new(big.Int).Set(shift)))
			shift.Lsh(shift, uint(limbBits))
		}
		h.write(acc)
	}
}

// permuter is a Poseidon2 permutation gadget: gnark's, or permutation.
type permuter interface {
	Permutation(state []frontend.Variable) error
}

// newSponge returns the permutation of the digest sponge for the circuit's
// field: zkpoc's B-lean one (permutation) if leanB, gnark's otherwise. Both
// compute the same function (TestPermutationMatchesNative).
func newSponge(api frontend.API, leanB bool) (permuter, protocol.Sponge, error) {
	curve, err := protocol.CurveOfField(api.Compiler().Field())
	if err != nil {
		return nil, protocol.Sponge{}, fmt.Errorf("circuit: %w", err)
	}
	sp := curve.Sponge()
	if leanB {
		perm, err := newPermutation(api, curve, sp)
		return perm, sp, err
	}
	perm, err := poseidon2.NewPoseidon2FromParameters(api, sp.Width, sp.FullRounds, sp.PartialRounds)
	return perm, sp, err
}
