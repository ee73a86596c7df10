package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/verifier"
)

// cheapPoW samples 16 rows of 128 behind an 8-bit proof of work: fast to
// make, and binding-v1 (bound ≤ 1) judges only the evidence.
var cheapPoW = sampling.Params{Epsilon: 0.25, K: 16, PoWBits: 8}

var testChallenge = bytes.Repeat([]byte{0xc7}, 32)

// committed makes a challenge-method receipt the two-step way: commit, then
// open with testChallenge.
func committed(t *testing.T, n int, p sampling.Params) (*prover.Result, [32]byte) {
	t.Helper()
	o := prover.Options{Sampling: p}
	if err := nativeOptions(t.TempDir(), n, &o); err != nil {
		t.Fatal(err)
	}
	c, err := prover.Commit(o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Open(testChallenge)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Open(testChallenge); err == nil {
		t.Fatal("a commitment was opened twice")
	}
	if res.Receipt.OutputDigest != hexRoot(c.Root()) {
		t.Fatal("the opened receipt's output digest is not the committed root")
	}
	return res, c.Root()
}

func hexRoot(r [32]byte) string { return hex.EncodeToString(r[:]) }

// TestSampledTamper: every change a node could make to a sampled receipt's
// randomness or openings, re-signed with its own key, is refused naming the
// check, for both methods.
func TestSampledTamper(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	pow := nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW})
	ch, root := committed(t, 128, sampling.Params{Epsilon: 0.25, K: 16})
	mine := &verifier.SampleChallenge{Value: testChallenge, Root: root}
	if s := pow.Receipt.Sampling; s.Method != receipt.SamplingMethodPoW || s.PoWBits != 8 || s.K != 16 || s.Challenge != "" {
		t.Fatalf("proof-of-work box: %+v", s)
	}
	if s := ch.Receipt.Sampling; s.Method != receipt.SamplingMethodChallenge || s.PoWBits != 0 || s.Nonce != "" || s.Challenge != hexRoot([32]byte(testChallenge)) {
		t.Fatalf("challenge box: %+v", s)
	}
	for _, tc := range []struct {
		name   string
		base   *prover.Result
		mine   *verifier.SampleChallenge
		mutate func(s *receipt.Sampling)
		want   string // the failed check; "" for a pass
	}{
		{"pow: intact", pow, nil, nil, ""},
		{"pow: nonce changed", pow, nil, func(s *receipt.Sampling) { s.Nonce = "00000000deadbeef" }, "sampling.pow"},
		{"pow: difficulty overstated", pow, nil, func(s *receipt.Sampling) { s.PoWBits = 40 }, "sampling.pow"},
		{"pow: difficulty lowered (another seed)", pow, nil, func(s *receipt.Sampling) { s.PoWBits = 0 }, "sampling.indices"},
		{"pow: difficulty above the limit", pow, nil, func(s *receipt.Sampling) { s.PoWBits = 65 }, "sampling"},
		{"pow: nonce not hex", pow, nil, func(s *receipt.Sampling) { s.Nonce = "nonce" }, "sampling"},
		{"pow: nonce missing", pow, nil, func(s *receipt.Sampling) { s.Nonce = "" }, "sampling"},
		{"pow: indices chosen by hand", pow, nil, func(s *receipt.Sampling) { s.Indices[0] = (s.Indices[0] + 1) % 128 }, "sampling.indices"},
		{"pow: one index dropped", pow, nil, func(s *receipt.Sampling) {
			s.Indices, s.Paths, s.K = s.Indices[1:], s.Paths[1:], s.K-1
			s.ErrorBound = sampling.Miss(128, s.K, 32)
		}, "sampling.indices"},
		{"pow: a challenge field added", pow, nil, func(s *receipt.Sampling) { s.Challenge = hexRoot([32]byte(testChallenge)) }, "sampling"},
		{"pow: error bound understated", pow, nil, func(s *receipt.Sampling) { s.ErrorBound /= 2 }, "sampling"},
		{"pow: verifier expected its challenge", pow, mine, nil, "sampling.challenge"},
		{"method: the grindable v1", pow, nil, func(s *receipt.Sampling) { s.Method = receipt.SamplingMethodFSv1 }, "sampling.method"},
		{"method: unknown", pow, nil, func(s *receipt.Sampling) { s.Method = "coin-flip/v9" }, "sampling.method"},
		{"method: pow receipt relabelled challenge", pow, nil, func(s *receipt.Sampling) { s.Method = receipt.SamplingMethodChallenge }, "sampling"},
		{"challenge: with the verifier's challenge", ch, mine, nil, ""},
		{"challenge: another challenge recorded", ch, mine, func(s *receipt.Sampling) { s.Challenge = strings.Repeat("11", 32) }, "sampling.challenge"},
		{"challenge: the verifier issued another", ch, &verifier.SampleChallenge{Value: bytes.Repeat([]byte{1}, 32), Root: root}, nil, "sampling.challenge"},
		{"challenge: not the committed root", ch, &verifier.SampleChallenge{Value: testChallenge, Root: [32]byte{1}}, nil, "sampling.challenge"},
		{"challenge: changed, no verifier challenge", ch, nil, func(s *receipt.Sampling) { s.Challenge = strings.Repeat("11", 32) }, "sampling.indices"},
		{"challenge: too short", ch, nil, func(s *receipt.Sampling) { s.Challenge = "0102" }, "sampling"},
		{"challenge: pow fields added", ch, mine, func(s *receipt.Sampling) { s.PoWBits, s.Nonce = 8, "0000000000000001" }, "sampling"},
		{"challenge: indices chosen by hand", ch, mine, func(s *receipt.Sampling) { s.Indices[3] = (s.Indices[3] + 1) % 128 }, "sampling.indices"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.base.Envelope
			if tc.mutate != nil {
				env = resign(t, env, key, func(st *receipt.Statement) {
					s := *st.Predicate.Sampling
					s.Indices, s.Paths = slices.Clone(s.Indices), slices.Clone(s.Paths)
					tc.mutate(&s)
					st.Predicate.Sampling = &s
					var err error
					if st.Predicate.ReceiptID, err = st.Predicate.ComputeID(); err != nil {
						t.Fatal(err)
					}
				})
			}
			v := verifier.Verify(env, verifier.Options{Policy: policy(t, "binding-v1"), SampleChallenge: tc.mine})
			if tc.want == "" {
				if v.PolicyDecision.Status != verifier.Pass {
					t.Fatalf("status %s, failed %v: %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
				}
				return
			}
			if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), tc.want) {
				t.Fatalf("status %s, failed %v, want reject naming %s", v.PolicyDecision.Status, v.Failed(), tc.want)
			}
		})
	}
}

// TestSampledChallengeHold: a challenge receipt read without the verifier's
// own challenge is held, saying why; opening every row needs no challenge.
func TestSampledChallengeHold(t *testing.T) {
	ch, _ := committed(t, 128, sampling.Params{Epsilon: 0.25, K: 16})
	v := verifier.Verify(ch.Envelope, verifier.Options{Policy: policy(t, "binding-v1")})
	if v.PolicyDecision.Status != verifier.Hold || !strings.Contains(v.PolicyDecision.Reason, "freshness cannot be established") {
		t.Fatalf("status %s: %s, want hold on the challenge's freshness", v.PolicyDecision.Status, v.PolicyDecision.Reason)
	}
	if !strings.Contains(v.AllowedClaim, "claim only that node") {
		t.Errorf("a held receipt's claim is the binding only: %s", v.AllowedClaim)
	}
	all, _ := committed(t, 16, sampling.Params{})
	if v := verifier.Verify(all.Envelope, verifier.Options{Policy: policy(t, "sampled-v1")}); v.PolicyDecision.Status != verifier.Pass {
		t.Fatalf("every row opened: %s %v: %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
	}
}

// TestSampledClaims: the claim states the attacker model and the verifier's
// own bound, per method, and no bound when every row was re-executed.
func TestSampledClaims(t *testing.T) {
	pow := nativeReceipt(t, 256, prover.Options{Mode: protocol.ModeSampled}) // defaults: k = 241, 22 bits
	_, chRoot := committed(t, 128, sampling.Params{Epsilon: 0.25, K: 16})
	ch, _ := committed(t, 128, sampling.Params{Epsilon: 0.25, K: 16})
	all := nativeReceipt(t, 16, prover.Options{Mode: protocol.ModeSampled})
	certain := nativeReceipt(t, 64, prover.Options{Mode: protocol.ModeSampled, Sampling: sampling.Params{Epsilon: 0.25, K: 50, PoWBits: 8}})
	for _, tc := range []struct {
		name      string
		res       *prover.Result
		pol       string
		mine      *verifier.SampleChallenge
		want, not []string
		blocked   string
	}{
		{"pow default", pow, "sampled-v1", nil, []string{"241 of those rows", "22-bit proof of work", "at least 13 of its 256 rows wrong (ε = 0.05)",
			"4.4e-20 (2^-64.3) per attempt", "against an attacker with 2^64 SHA-256 evaluations, at most min(1, 2^(64−22)·δ) = 1.94e-07 (2^-22.3)"},
			[]string{"every one"}, "The bound holds against an attacker with more than 2^64 SHA-256 evaluations."},
		{"challenge", ch, "binding-v1", &verifier.SampleChallenge{Value: testChallenge, Root: chRoot}, []string{"16 of those rows",
			"which this verifier supplied after the node had committed that root", "over the challenge"}, []string{"SHA-256 evaluations"}, "Every entry of the output is correct."},
		{"every row", all, "sampled-v1", nil, []string{"every one of the 16 rows was re-executed", "No error bound applies"},
			[]string{"probability", "at most"}, "A SNARK proves this output."},
		{"k > n − w", certain, "binding-v1", nil, []string{"at least 16 of its 64 rows wrong", "cannot pass: k = 50 > n − w = 48"},
			[]string{"per attempt"}, "Every entry of the output is correct."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(tc.res.Envelope, verifier.Options{Policy: policy(t, tc.pol), SampleChallenge: tc.mine})
			if v.PolicyDecision.Status != verifier.Pass {
				t.Fatalf("status %s, failed %v: %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
			}
			checkClaim(t, v)
			for _, w := range tc.want {
				if !strings.Contains(v.AllowedClaim, w) {
					t.Errorf("claim lacks %q: %s", w, v.AllowedClaim)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(v.AllowedClaim, w) {
					t.Errorf("claim has %q: %s", w, v.AllowedClaim)
				}
			}
			if !slices.Contains(v.BlockedClaims, tc.blocked) {
				t.Errorf("blocked claims lack %q: %v", tc.blocked, v.BlockedClaims)
			}
		})
	}
	if slices.Contains(verifier.Verify(all.Envelope, verifier.Options{Policy: policy(t, "sampled-v1")}).BlockedClaims, "Every entry of the output is correct.") {
		t.Error("every row was re-executed: correctness of every entry must not be blocked")
	}
}

// TestSampledPolicyAttackerWork: the same proof-of-work receipt passes a
// policy stating 2^64 attacker work and fails one stating 2^80, and a
// policy without attacker_work_log2 cannot judge it.
func TestSampledPolicyAttackerWork(t *testing.T) {
	pow := nativeReceipt(t, 256, prover.Options{Mode: protocol.ModeSampled})
	base := *policy(t, "sampled-v1")
	for _, tc := range []struct {
		work int
		want string
	}{{64, verifier.Pass}, {80, verifier.Reject}, {0, verifier.Reject}} {
		p := base
		p.AttackerWorkLog2 = tc.work
		v := verifier.Verify(pow.Envelope, verifier.Options{Policy: &p})
		if v.PolicyDecision.Status != tc.want || (tc.want == verifier.Reject && !slices.Contains(v.Failed(), "policy.sampling")) {
			t.Errorf("t = %d: %s %v, want %s", tc.work, v.PolicyDecision.Status, v.Failed(), tc.want)
		}
	}
	p := base
	p.AttackerWorkLog2 = 0
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "attacker_work_log2") {
		t.Errorf("a sampled policy without attacker work validates: %v", err)
	}
}

// TestSamplingParams: the prover refuses parameters it cannot honour.
func TestSamplingParams(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    sampling.Params
		want string
	}{
		{"epsilon ≥ 1", sampling.Params{Epsilon: 1}, "epsilon"},
		{"negative k", sampling.Params{K: -1}, "k = -1"},
		{"pow too hard", sampling.Params{PoWBits: 40}, "pow bits"},
		{"bound ≥ 1", sampling.Params{BoundLog2: 3}, "bound"},
		{"short challenge", sampling.Params{Challenge: []byte{1, 2}}, "challenge is 2 bytes"},
	} {
		if err := tc.p.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
	if _, err := runNative(t.TempDir(), 16, prover.Options{Mode: protocol.ModeBinding, Sampling: sampling.Params{Challenge: testChallenge}}); err == nil {
		t.Error("a challenge accepted for a binding receipt")
	}
	o := prover.Options{Sampling: sampling.Params{Challenge: testChallenge}}
	if err := nativeOptions(t.TempDir(), 16, &o); err != nil {
		t.Fatal(err)
	}
	if _, err := prover.Commit(o); err == nil {
		t.Error("Commit accepted a challenge issued before the commitment")
	}
}
