package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// attacker is a node that returns an output with some rows wrong and wants a
// sampled receipt that passes anyway. It starts from its own honest binding
// receipt (task, node, boxes) and forges the rest with its key.
type attacker struct {
	base  *prover.Result
	key   ed25519.PrivateKey
	n, f  int
	c     []int64 // the wrong output it commits to
	wrong []int   // the rows it corrupted
	req   [32]byte
	node  [32]byte
}

func newAttacker(t *testing.T, n, wrongRows int) *attacker {
	t.Helper()
	base := nativeReceipt(t, n, prover.Options{Mode: protocol.ModeBinding})
	seed, err := base.Receipt.Task.SeedBytes()
	if err != nil {
		t.Fatal(err)
	}
	a, b, err := workload.Generate(seed, n)
	if err != nil {
		t.Fatal(err)
	}
	f := base.Receipt.Task.Payload.FracBits
	c, err := workload.Multiply(a, b, n, f)
	if err != nil {
		t.Fatal(err)
	}
	at := &attacker{base: base, key: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32)), n: n, f: f, c: c}
	for i := 0; i < wrongRows; i++ {
		row := (i * 7) % n // spread over the output
		at.wrong = append(at.wrong, row)
		at.c[row*n] += 1 // one wrong entry per corrupted row
	}
	sort.Ints(at.wrong)
	at.req, _ = receipt.DecodeHex32("request_id", base.Receipt.RequestID)
	at.node, _ = receipt.DecodeHex32("node.node_id", base.Receipt.Node.NodeID)
	return at
}

// reroll changes one wrong entry (it stays wrong) and returns the new row
// leaves and root: one Merkle path of work per try.
func (at *attacker) reroll(try int) ([][]byte, [32]byte) {
	at.c[at.wrong[0]*at.n+1] = int64(1_000_000 + try)
	leaves := sampling.RowLeaves(at.c, at.n)
	root, _ := merkle.RootHash(leaves)
	return leaves, root
}

func (at *attacker) misses(idx []int) bool {
	for _, i := range idx {
		if slices.Contains(at.wrong, i) {
			return false
		}
	}
	return true
}

// forge signs a sampled receipt over root whose sampling box is s (indices
// set; the audit paths are filled in from leaves).
func (at *attacker) forge(t *testing.T, leaves [][]byte, root [32]byte, s receipt.Sampling) *receipt.Envelope {
	t.Helper()
	s.Paths = make([][]string, len(s.Indices))
	for i, row := range s.Indices {
		path, err := merkle.InclusionProof(leaves, row)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range path {
			s.Paths[i] = append(s.Paths[i], hex.EncodeToString(h[:]))
		}
	}
	return resign(t, at.base.Envelope, at.key, func(st *receipt.Statement) {
		st.Predicate.Mode = protocol.ModeSampled
		st.Predicate.Sampling = &s
		rebind(t, st, at.key, hex.EncodeToString(root[:]))
	})
}

// v1Indices is the sample derivation of sampling method
// "fiat-shamir-sha256/v1" as the attacker computes it: every input (root,
// request, node, k) is fixed or chosen by the prover.
func v1Indices(root, req, node [32]byte, n, k int) []int {
	prefix := append([]byte("zkpoc/sample/v1"), root[:]...)
	prefix = append(prefix, req[:]...)
	prefix = append(prefix, node[:]...)
	prefix = binary.BigEndian.AppendUint32(prefix, uint32(k))
	limit := math.MaxUint64 - math.MaxUint64%uint64(n)
	var out []int
	for j := uint64(0); len(out) < k; j++ {
		block := sha256.Sum256(binary.BigEndian.AppendUint64(slices.Clone(prefix), j))
		for w := 0; w < 4 && len(out) < k; w++ {
			v := binary.BigEndian.Uint64(block[8*w:])
			if i := int(v % uint64(n)); v < limit && !slices.Contains(out, i) {
				out = append(out, i)
			}
		}
	}
	sort.Ints(out)
	return out
}

// TestSampledGrindRegression reproduces issue 11 item 2 at small scale: a
// node corrupts 25% of 64 rows and re-rolls its Merkle root until the
// Fiat–Shamir sample of 8 rows misses every wrong row (about 1/0.082 ≈ 12
// tries here; 2^21 at n = 4096, k = 271, ε = 5%). The old verifier passed
// that receipt with the claim "passes with probability at most 0.1"; the
// grindable method must now be refused, naming sampling.method.
func TestSampledGrindRegression(t *testing.T) {
	const n, k, eps = 64, 8, 0.25
	at := newAttacker(t, n, 16)
	var leaves [][]byte
	var root [32]byte
	var idx []int
	tries := 0
	for ; tries < 10000; tries++ {
		leaves, root = at.reroll(tries)
		if idx = v1Indices(root, at.req, at.node, n, k); at.misses(idx) {
			break
		}
	}
	if !at.misses(idx) {
		t.Fatal("the grind found no sample missing the wrong rows")
	}
	t.Logf("ground past a per-attempt bound of %.3g in %d tries", math.Pow(1-eps, k), tries+1)
	env := at.forge(t, leaves, root, receipt.Sampling{Method: "fiat-shamir-sha256/v1", Rows: n, K: k, Epsilon: eps,
		ErrorBound: math.Pow(1-eps, k), Indices: idx})
	pol := verifier.Policy{ID: "grind-test", Modes: []protocol.Mode{protocol.ModeSampled}, MinSamples: 1, MaxErrorBound: 0.2, MaxEpsilon: eps}
	v := verifier.Verify(env, verifier.Options{Policy: &pol})
	if v.PolicyDecision.Status == verifier.Pass {
		t.Fatalf("a ground receipt with %d wrong rows of %d passed; claim: %s", len(at.wrong), n, v.AllowedClaim)
	}
	if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "sampling.method") {
		t.Fatalf("status %s, failed %v: want reject naming sampling.method", v.PolicyDecision.Status, v.Failed())
	}
}

// grindPolicy would pass a sampled receipt whose bound, in its method's
// attacker model (2^64 SHA-256 evaluations for proof of work), is ≤ 0.2.
var grindPolicy = verifier.Policy{ID: "grind-test", Modes: []protocol.Mode{protocol.ModeSampled}, MinSamples: 1, MaxErrorBound: 0.2,
	MaxEpsilon: 0.25, AttackerWorkLog2: 64}

// TestSampledGrindPoW: the same grind against proof-of-work sampling with a
// cheap 4-bit difficulty succeeds (the randomness is still the node's to
// re-roll, at 2^4 hashes a try), but the verifier's bound says so: against
// 2^64 hash evaluations it is 1, so the policy refuses it, and binding-v1's
// claim states that bound rather than the per-attempt one alone.
func TestSampledGrindPoW(t *testing.T) {
	const n, k, eps, g = 64, 8, 0.25, 4
	at := newAttacker(t, n, 16)
	var leaves [][]byte
	var root [32]byte
	var s receipt.Sampling
	for try := 0; try < 10000; try++ {
		leaves, root = at.reroll(try)
		com := sampling.Commitment{Root: root, RequestID: at.req, NodeID: at.node, Rows: n}
		nonce, _ := sampling.SolvePoW(com.PoWChallenge(g), g, 1)
		seed, _ := com.PoWSeed(g, nonce)
		s = receipt.Sampling{Method: receipt.SamplingMethodPoW, Rows: n, K: k, Epsilon: eps, ErrorBound: sampling.Miss(n, k, 16),
			PoWBits: g, Nonce: sampling.FormatNonce(nonce), Indices: sampling.Indices(seed, n, k)}
		if at.misses(s.Indices) {
			break
		}
	}
	if !at.misses(s.Indices) {
		t.Fatal("the grind found no sample missing the wrong rows")
	}
	env := at.forge(t, leaves, root, s)
	pol := grindPolicy
	v := verifier.Verify(env, verifier.Options{Policy: &pol})
	if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "policy.sampling") {
		t.Fatalf("status %s, failed %v: a 4-bit proof of work must not meet a bound of 0.2 against 2^64 work", v.PolicyDecision.Status, v.Failed())
	}
	v = verifier.Verify(env, verifier.Options{Policy: policy(t, "binding-v1")})
	if v.PolicyDecision.Status != verifier.Pass || !strings.Contains(v.AllowedClaim, "against an attacker with 2^64 SHA-256 evaluations, at most min(1, 2^(64−4)·δ) = 1.") {
		t.Fatalf("binding-v1 (%s) must state the bound against 2^64 work, which is 1: %s", v.PolicyDecision.Status, v.AllowedClaim)
	}
}

// TestSampledGrindChallenge: a node that grinds against a challenge it
// chose (or learnt before committing) gets a receipt that is held without
// the verifier's own challenge and rejected with it: the verifier's
// challenge selects other rows, and re-committing changes the pinned root.
func TestSampledGrindChallenge(t *testing.T) {
	const n, k, eps = 64, 8, 0.25
	at := newAttacker(t, n, 16)
	known := bytes.Repeat([]byte{0x42}, 32)
	var leaves [][]byte
	var root [32]byte
	var idx []int
	for try := 0; try < 10000; try++ {
		leaves, root = at.reroll(try)
		com := sampling.Commitment{Root: root, RequestID: at.req, NodeID: at.node, Rows: n}
		if idx = sampling.Indices(com.ChallengeSeed(known), n, k); at.misses(idx) {
			break
		}
	}
	env := at.forge(t, leaves, root, receipt.Sampling{Method: receipt.SamplingMethodChallenge, Rows: n, K: k, Epsilon: eps,
		ErrorBound: sampling.Miss(n, k, 16), Challenge: hex.EncodeToString(known), Indices: idx})
	pol := grindPolicy
	for _, tc := range []struct {
		name   string
		mine   *verifier.SampleChallenge
		status string
	}{
		{"no verifier challenge", nil, verifier.Hold},
		{"the verifier's own challenge", &verifier.SampleChallenge{Value: bytes.Repeat([]byte{0x99}, 32), Root: root}, verifier.Reject},
		{"the known challenge, root re-committed", &verifier.SampleChallenge{Value: known, Root: [32]byte{7}}, verifier.Reject},
	} {
		v := verifier.Verify(env, verifier.Options{Policy: &pol, SampleChallenge: tc.mine})
		if v.PolicyDecision.Status != tc.status || (tc.status == verifier.Reject && !slices.Contains(v.Failed(), "sampling.challenge")) {
			t.Errorf("%s: %s %v, want %s", tc.name, v.PolicyDecision.Status, v.Failed(), tc.status)
		}
	}
}
