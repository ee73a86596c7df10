package verifier

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	mrand "math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/workload"
)

// SampleChallenge is what a verifier itself knows about a challenge-method
// sampled receipt: the challenge it issued (or the public beacon value it
// trusts to postdate the commitment) and the Merkle root the node had
// committed before that challenge existed. Without it such a receipt is
// held: nothing in the receipt shows the challenge came after the root.
type SampleChallenge struct {
	Value []byte
	Root  [32]byte
}

// sampleFacts are what the verifier recomputed about a sampled receipt, for
// the policy and the claim; the receipt's own error_bound is never used.
type sampleFacts struct {
	method   string
	n, k, w  int
	epsilon  float64
	log2Miss float64 // per attempt: log2 C(n−w, k)/C(n, k); −Inf when k > n − w
	powBits  int
	workLog2 int    // the policy's attacker work t, set by applySamplingPolicy
	verified bool   // challenge method: the challenge is the verifier's own
	source   string // where the randomness came from, for the claim
}

func (s *sampleFacts) all() bool { return s.k >= s.n }

// log2Bound is the bound in the attacker model of the method: per challenge,
// or against 2^t SHA-256 evaluations for proof of work.
func (s *sampleFacts) log2Bound() float64 {
	if s.method == receipt.SamplingMethodPoW {
		return sampling.Log2Bound(s.log2Miss, s.workLog2, s.powBits)
	}
	return s.log2Miss
}

// checkSampling re-executes the opened rows and checks them against the
// Merkle root the node bound with its PoE, that the rows opened are the ones
// the method's randomness selects (the prover cannot pick them), and
// recomputes the error bound.
func (r *run) checkSampling(rc *receipt.Receipt, o Options, a, b []int16, root, reqID, nodeID [32]byte) {
	s := rc.Sampling
	if s == nil {
		r.add("sampling", errors.New("a sampled receipt needs its sampling box"))
		return
	}
	const skipped = "unusable sampling box"
	if !r.add("sampling.method", checkMethod(s.Method)) {
		for _, c := range []string{"sampling", "sampling.indices", "sampling.rows_match"} {
			r.skip(c, skipped)
		}
		return
	}
	n, f := rc.Task.Payload.MatrixSize, rc.Task.Payload.FracBits
	facts, err := sampleShape(s, n)
	if !r.add("sampling", err) {
		r.skip("sampling.indices", skipped)
		r.skip("sampling.rows_match", skipped)
		return
	}
	r.sampled = facts
	com := sampling.Commitment{Root: root, RequestID: reqID, NodeID: nodeID, Rows: n}
	seed, ok := r.sampleSeed(s, o.SampleChallenge, com, facts)
	if !ok {
		r.skip("sampling.indices", "the sample's randomness did not verify")
		r.skip("sampling.rows_match", "the sample's randomness did not verify")
		return
	}
	if !r.add("sampling.indices", checkIndices(s.Indices, sampling.Indices(seed, n, s.K))) {
		r.skip("sampling.rows_match", "indices are not the ones the sample's randomness selects")
		return
	}
	if a == nil {
		why := "the task's inputs are supplied as files and none were given"
		r.skip("sampling.rows_match", why+": the sampled rows cannot be re-executed")
		r.holdAlso(HoldInputsNeeded, "the sampled rows were not re-executed: "+why)
		return
	}
	r.add("sampling.rows_match", rowsMatch(a, b, n, f, s, root, r.rowProduct(o)))
}

// pendingRows is Options.RowProduct of a sampled receipt's listed rows,
// started on the regenerated matrices before their input commitment is
// checked (the hash takes one core for seconds at n = 4096; the rows take
// the other). It is a pure function of (A, B, n, f, idx): rowsMatch uses it
// only when the rows it re-executes are exactly idx, after every check
// before it passed, so the verdict is the one computing the rows there
// would give. A receipt that fails earlier leaves it unused.
type pendingRows struct {
	a, b []int16
	n, f int
	idx  []int
	done chan struct{}
	rows []int64
	err  error
}

// startRows starts the row product of rc's listed rows when the verifier
// has one, rc is sampled and its list is at most n rows, each in range (a
// hostile list costs no more than the honest one it replaces).
func (r *run) startRows(rc *receipt.Receipt, o Options, a, b []int16) {
	n, f := rc.Task.Payload.MatrixSize, rc.Task.Payload.FracBits
	if o.RowProduct == nil || rc.Mode != protocol.ModeSampled || rc.Sampling == nil {
		return
	}
	idx := slices.Clone(rc.Sampling.Indices)
	if len(idx) == 0 || len(idx) > n || slices.ContainsFunc(idx, func(i int) bool { return i < 0 || i >= n }) {
		return
	}
	if _, err := sampleShape(rc.Sampling, n); err != nil { // refused at "sampling" before any row is used
		return
	}
	p := &pendingRows{a: a, b: b, n: n, f: f, idx: idx, done: make(chan struct{})}
	r.rows = p
	go func() {
		defer close(p.done)
		p.rows, p.err = o.RowProduct(a, b, n, f, idx)
	}()
}

// settleRows waits for the rows started early, if any, so that none is
// still being computed (reading A and B, holding its rows) once Verify has
// returned: a receipt that fails after startRows (sampling.indices, the
// input commitment) costs its verification no more than an honest receipt
// listing the same rows, and no work outlives the verdict or piles up
// across receipts. finish calls it on every path out of Verify.
func (r *run) settleRows() {
	if r.rows != nil {
		<-r.rows.done
	}
}

// sameSlice reports whether x and y are the same memory (not merely equal).
func sameSlice(x, y []int16) bool {
	return len(x) == len(y) && len(x) > 0 && &x[0] == &y[0]
}

// rowProduct is Options.RowProduct, answered from the rows started early
// when it is asked for exactly those; nil when the verifier has none.
func (r *run) rowProduct(o Options) func(A, B []int16, n, fracBits int, idx []int) ([]int64, error) {
	if o.RowProduct == nil {
		return nil
	}
	return func(A, B []int16, n, fracBits int, idx []int) ([]int64, error) {
		if p := r.rows; p != nil && p.n == n && p.f == fracBits && sameSlice(p.a, A) && sameSlice(p.b, B) && slices.Equal(p.idx, idx) {
			<-p.done
			return p.rows, p.err
		}
		return o.RowProduct(A, B, n, fracBits, idx)
	}
}

// rowsMatch re-executes the sampled rows (with product when set, else row
// by row with the reference, on all cores) and reports the first one, in the
// receipt's order, that does not match the root.
func rowsMatch(a, b []int16, n, f int, s *receipt.Sampling, root [32]byte, product func(A, B []int16, n, fracBits int, idx []int) ([]int64, error)) error {
	var rows []int64
	if product != nil {
		var err error
		if rows, err = product(a, b, n, f, s.Indices); err != nil {
			return fmt.Errorf("re-executing the sampled rows: %w", err)
		}
		if len(rows) != len(s.Indices)*n {
			return fmt.Errorf("re-executing the sampled rows: the row product returned %d entries, want %d", len(rows), len(s.Indices)*n)
		}
		// One row, chosen here, again with the reference: the executor's
		// exactness is an argument about its kernel, and this check turns a
		// kernel or platform fault into a failure instead of a verdict.
		t := mrand.IntN(len(s.Indices))
		if want := workload.MultiplyRow(a[s.Indices[t]*n:(s.Indices[t]+1)*n], b, n, f); !slices.Equal(rows[t*n:(t+1)*n], want) {
			return fmt.Errorf("row %d: the row product disagrees with the reference workload.MultiplyRow: the rows were not re-executed", s.Indices[t])
		}
	}
	errs := make([]error, len(s.Indices))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(s.Indices)) {
		wg.Go(func() {
			for t := int(next.Add(1)) - 1; t < len(s.Indices); t = int(next.Add(1)) - 1 {
				var row []int64
				if rows != nil {
					row = rows[t*n : (t+1)*n]
				}
				errs[t] = checkRow(a, b, n, f, s.Indices[t], s.Paths[t], root, row)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func checkMethod(m string) error {
	switch m {
	case receipt.SamplingMethodPoW, receipt.SamplingMethodChallenge:
		return nil
	case receipt.SamplingMethodFSv1:
		return fmt.Errorf("sampling.method %q is refused: its rows come from values the prover controls (root, request, node), so a node can re-roll its root until the sample misses its wrong rows; want %s or %s",
			m, receipt.SamplingMethodPoW, receipt.SamplingMethodChallenge)
	}
	return fmt.Errorf("sampling.method is %q, want %s or %s", short(m), receipt.SamplingMethodPoW, receipt.SamplingMethodChallenge)
}

// sampleShape checks the box's sizes and the fields its method uses, and
// recomputes the per-attempt bound, which error_bound must state.
func sampleShape(s *receipt.Sampling, n int) (*sampleFacts, error) {
	errs := []error{
		expectInt("sampling.rows", s.Rows, n),
		expectInt("sampling.k", s.K, len(s.Indices)),
		expectInt("sampling.paths", len(s.Paths), len(s.Indices)),
	}
	if s.K < 1 || s.K > n {
		errs = append(errs, fmt.Errorf("sampling.k = %d out of range [1, %d]", s.K, n))
	}
	switch s.Method {
	case receipt.SamplingMethodPoW:
		if s.PoWBits < 0 || s.PoWBits > sampling.MaxPoWBits {
			errs = append(errs, fmt.Errorf("sampling.pow_bits = %d out of range [0, %d]", s.PoWBits, sampling.MaxPoWBits))
		}
		if _, err := sampling.ParseNonce(s.Nonce); err != nil {
			errs = append(errs, err)
		}
		if s.Challenge != "" {
			errs = append(errs, errors.New("sampling.challenge is set, but method "+s.Method+" draws no challenge"))
		}
	case receipt.SamplingMethodChallenge:
		if _, err := sampling.ParseChallenge("sampling.challenge", s.Challenge); err != nil {
			errs = append(errs, err)
		}
		if s.PoWBits != 0 || s.Nonce != "" {
			errs = append(errs, errors.New("sampling.pow_bits and sampling.nonce are set, but method "+s.Method+" has no proof of work"))
		}
	}
	if !(s.Epsilon > 0 && s.Epsilon < 1) {
		return nil, errors.Join(append(errs, fmt.Errorf("sampling.epsilon = %v out of range (0, 1)", s.Epsilon))...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	w := sampling.WrongRows(n, s.Epsilon)
	facts := &sampleFacts{method: s.Method, n: n, k: s.K, w: w, epsilon: s.Epsilon, log2Miss: sampling.Log2Miss(n, s.K, w), powBits: s.PoWBits}
	if want := math.Exp2(facts.log2Miss); !closeTo(s.ErrorBound, want) {
		return nil, fmt.Errorf("sampling.error_bound is %v, but C(n−w, k)/C(n, k) with n = %d, k = %d, w = ⌈ε·n⌉ = %d is %v", s.ErrorBound, n, s.K, w, want)
	}
	return facts, nil
}

// closeTo compares a recorded float with the verifier's own within a
// relative 1e-9 (the last bits of log1p may differ between platforms).
func closeTo(have, want float64) bool {
	return have == want || math.Abs(have-want) <= 1e-9*math.Max(math.Abs(have), math.Abs(want))+1e-300
}

// sampleSeed verifies where the sample's randomness came from and returns
// the seed. Proof of work: the nonce must solve the stated difficulty.
// Challenge: the verifier's own challenge and root must be the receipt's
// (also when every row is opened: a receipt that does not answer the
// challenge given is refused, as a proof-of-work one is); without them the
// receipt's challenge is only checked for consistency and the verdict is
// held, unless every row is opened and the challenge does not matter.
func (r *run) sampleSeed(s *receipt.Sampling, mine *SampleChallenge, com sampling.Commitment, facts *sampleFacts) ([32]byte, bool) {
	switch s.Method {
	case receipt.SamplingMethodPoW:
		if mine != nil {
			r.add("sampling.challenge", fmt.Errorf("this verifier issued challenge %x, but the receipt's rows come from method %s: it does not answer the challenge", mine.Value, s.Method))
			return [32]byte{}, false
		}
		nonce, _ := sampling.ParseNonce(s.Nonce)
		seed, err := com.PoWSeed(s.PoWBits, nonce)
		facts.source = fmt.Sprintf("chosen by Fiat–Shamir from that root hardened by a %d-bit proof of work (nonce %s)", s.PoWBits, s.Nonce)
		return seed, r.add("sampling.pow", err)
	}
	ch, _ := sampling.ParseChallenge("sampling.challenge", s.Challenge)
	seed := com.ChallengeSeed(ch)
	facts.source = fmt.Sprintf("chosen from challenge %s", s.Challenge)
	switch {
	case facts.all() && mine == nil:
		r.skip("sampling.challenge", "every row is opened: the challenge does not matter")
		return seed, true
	case mine == nil:
		r.skip("sampling.challenge", "no challenge given (with the root committed before it): its freshness cannot be established")
		r.holdAlso(HoldChallengeNeeded, fmt.Sprintf("the sampled rows come from challenge %s recorded by the node; this verifier did not supply the challenge and the root committed before it, so the challenge's freshness cannot be established: nothing shows it was issued after the commitment, and a node that knew it in advance could have chosen its rows", short(s.Challenge)))
		return seed, true
	case !bytes.Equal(mine.Value, ch):
		r.add("sampling.challenge", fmt.Errorf("sampling.challenge is %s, but this verifier issued %x", short(s.Challenge), mine.Value))
		return seed, false
	case mine.Root != com.Root:
		r.add("sampling.challenge", fmt.Errorf("the receipt's output root %x is not the root %x committed before the challenge", com.Root, mine.Root))
		return seed, false
	}
	facts.verified = true
	facts.source = fmt.Sprintf("chosen from challenge %s, which this verifier supplied after the node had committed that root", s.Challenge)
	return seed, r.add("sampling.challenge", nil)
}

// holdAlso adds a reason to hold evidence that verified, with its code
// (Verdict.HoldCodes).
func (r *run) holdAlso(code, why string) {
	if r.hold != "" {
		r.hold += "; "
	}
	r.hold += why
	if !slices.Contains(r.holdCodes, code) {
		r.holdCodes = append(r.holdCodes, code)
	}
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
			return fmt.Errorf("sampling.indices[%d] is not the row the sample's randomness selects (the prover may not choose rows)", i)
		}
	}
	return fmt.Errorf("sampling.indices lists %d rows, %d selected", len(have), len(want))
}

// checkRow checks output row i (row, or recomputed with the reference when
// row is nil) and its audit path against root.
func checkRow(a, b []int16, n, f, i int, hexPath []string, root [32]byte, row []int64) error {
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
	if row == nil {
		row = workload.MultiplyRow(a[i*n:(i+1)*n], b, n, f)
	}
	got, err := merkle.RootFromInclusion(merkle.LeafHash(workload.ResultBytes(row)), i, n, path)
	if err != nil {
		return fmt.Errorf("row %d: %w", i, err)
	}
	if got != root {
		return fmt.Errorf("row %d recomputed by the verifier does not match the committed output (Merkle root mismatch)", i)
	}
	return nil
}

// applySamplingPolicy checks a sampled receipt's recomputed bound, in its
// method's attacker model, against the policy. Opening every row passes.
func (r *run) applySamplingPolicy(p Policy) {
	s := r.sampled
	if s == nil {
		r.add("policy.sampling", errors.New("no verified sampling box"))
		return
	}
	s.workLog2 = p.AttackerWorkLog2
	var err error
	switch {
	case s.all():
	case p.AttackerWorkLog2 < 1:
		err = fmt.Errorf("policy %s states no attacker_work_log2, so no bound can be stated for sampled receipts", p.ID)
	case s.k < p.MinSamples:
		err = fmt.Errorf("%d rows sampled, policy %s needs at least %d", s.k, p.ID, p.MinSamples)
	case s.epsilon > p.MaxEpsilon:
		err = fmt.Errorf("the bound is stated for ε = %g, policy %s needs ε ≤ %g", s.epsilon, p.ID, p.MaxEpsilon)
	case s.log2Bound() > math.Log2(p.MaxErrorBound)+1e-9:
		err = fmt.Errorf("error bound %s %s, policy %s needs ≤ %.3g", prob(s.log2Bound()), s.model(), p.ID, p.MaxErrorBound)
	}
	r.add("policy.sampling", err)
}

// model names the attacker model a bound is stated in.
func (s *sampleFacts) model() string {
	if s.method == receipt.SamplingMethodPoW {
		return fmt.Sprintf("against an attacker with 2^%d SHA-256 evaluations (min(1, 2^(t−g)·δ), t = %d, g = %d)", s.workLog2, s.workLog2, s.powBits)
	}
	return "per challenge"
}

// prob formats an upper bound on a probability given as its log2: the
// decimal (3 significant digits) and the log2 (one decimal) are rounded
// toward +∞, so neither is ever printed below the bound computed.
func prob(log2 float64) string {
	switch {
	case math.IsInf(log2, -1):
		return "0"
	case log2 >= 0:
		return "1"
	case log2 < -1000:
		return "2^" + roundUp(log2, 'f', 1)
	}
	return roundUp(math.Exp2(log2), 'g', 3) + " (2^" + roundUp(log2, 'f', 1) + ")"
}

// roundUp formats x as strconv.FormatFloat(x, format, prec, 64) does
// (format 'f' or 'g'), but rounded up: the decimal printed is never less
// than x.
func roundUp(x float64, format byte, prec int) string {
	s := strconv.FormatFloat(x, format, prec, 64)
	d, ok := new(big.Rat).SetString(s)
	if !ok || math.IsInf(x, 0) || d.Cmp(new(big.Rat).SetFloat64(x)) >= 0 {
		return s // NaN or ±Inf: nothing to round
	}
	// Rounded down: add one unit in the last printed place (no carry
	// changed the exponent, since rounding went down).
	place := -prec
	if format == 'g' {
		e := strconv.FormatFloat(x, 'e', prec-1, 64)
		exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
		place = exp - (prec - 1)
	}
	unit := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(place, -place))), nil))
	if place < 0 {
		unit.Inv(unit)
	}
	d.Add(d, unit)
	if format == 'f' {
		return d.FloatString(prec)
	}
	f, _ := d.Float64()
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// sampledClaim is the allowed claim of a sampled receipt that passed: what
// was re-executed, where the rows came from, and the bound in its model.
func sampledClaim(rc *receipt.Receipt, s *sampleFacts, inputs string, blocked []string) (string, []string) {
	f := rc.Task.Payload.FracBits
	head := fmt.Sprintf("Node %s bound output digest %s (the Merkle root of its %d output rows) to request %s; ", rc.Node.NodeID, rc.OutputDigest, s.n, rc.RequestID)
	blocked = append(blocked, "A SNARK proves this output.")
	if s.all() {
		return head + fmt.Sprintf("every one of the %d rows was re-executed by the verifier from inputs %s and matched floor(A·B / 2^%d), so the output is the correct product of those inputs. No error bound applies.", s.n, inputs, f), blocked
	}
	claim := head + fmt.Sprintf("%d of those rows, %s, were re-executed by the verifier from inputs %s and matched floor(A·B / 2^%d). ", s.k, s.source, inputs, f)
	bad := fmt.Sprintf("An output with at least %d of its %d rows wrong (ε = %g)", s.w, s.n, s.epsilon)
	blocked = append(blocked, "Every entry of the output is correct.")
	switch {
	case math.IsInf(s.log2Miss, -1):
		claim += bad + fmt.Sprintf(" cannot pass: k = %d > n − w = %d, so every such sample contains a wrong row.", s.k, s.n-s.w)
	case s.method == receipt.SamplingMethodPoW:
		claim += bad + fmt.Sprintf(" passes with probability at most %s per attempt (one proof-of-work solution); against an attacker with 2^%d SHA-256 evaluations, at most min(1, 2^(%d−%d)·δ) = %s.",
			prob(s.log2Miss), s.workLog2, s.workLog2, s.powBits, prob(s.log2Bound()))
		blocked = append(blocked, fmt.Sprintf("The bound holds against an attacker with more than 2^%d SHA-256 evaluations.", s.workLog2))
	default:
		claim += bad + fmt.Sprintf(" passes with probability at most %s over the challenge, if it was unpredictable to the node and the node answers one challenge per commitment.", prob(s.log2Miss))
	}
	return claim, blocked
}
