package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// reSampled re-signs a sampled receipt with the node's key after mutate,
// recomputing receipt_id: what a malicious node can always do.
func reSampled(t *testing.T, env *receipt.Envelope, mutate func(r *receipt.Receipt)) *receipt.Envelope {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	return resign(t, env, key, func(st *receipt.Statement) {
		r := &st.Predicate
		if r.Sampling != nil {
			s := *r.Sampling
			s.Indices = slices.Clone(s.Indices)
			s.Paths = make([][]string, len(r.Sampling.Paths))
			for i, p := range r.Sampling.Paths {
				s.Paths[i] = slices.Clone(p)
			}
			r.Sampling = &s
		}
		mutate(r)
		var err error
		if r.ReceiptID, err = r.ComputeID(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRedteamSampledOpenings: every way a node could shape the openings of
// a proof-of-work sampled receipt to its liking — k beyond n, no rows,
// repeated or reordered rows, rows out of range, paths swapped, truncated or
// extended, a wrong tree size, a relabelled mode — is refused, under the
// most lenient policy, naming the check.
func TestRedteamSampledOpenings(t *testing.T) {
	pow := nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW})
	for _, tc := range []struct {
		name   string
		mutate func(r *receipt.Receipt)
		want   string
	}{
		{"k > n claimed", func(r *receipt.Receipt) { r.Sampling.K = 129 }, "sampling"},
		{"k = n claimed with only k' rows opened (every-row claim)", func(r *receipt.Receipt) { r.Sampling.K = 128 }, "sampling"},
		{"no rows at all", func(r *receipt.Receipt) { r.Sampling.K, r.Sampling.Indices, r.Sampling.Paths = 0, nil, nil }, "sampling"},
		{"a row repeated (the one the node got right)", func(r *receipt.Receipt) {
			s := r.Sampling
			s.Indices[1], s.Paths[1] = s.Indices[0], s.Paths[0]
		}, "sampling.indices"},
		{"rows reordered", func(r *receipt.Receipt) {
			slices.Reverse(r.Sampling.Indices)
			slices.Reverse(r.Sampling.Paths)
		}, "sampling.indices"},
		{"a row out of range (−1)", func(r *receipt.Receipt) { r.Sampling.Indices[0] = -1 }, "sampling.indices"},
		{"a row out of range (n)", func(r *receipt.Receipt) { r.Sampling.Indices[len(r.Sampling.Indices)-1] = 128 }, "sampling.indices"},
		{"two paths swapped", func(r *receipt.Receipt) {
			s := r.Sampling
			s.Paths[0], s.Paths[1] = s.Paths[1], s.Paths[0]
		}, "sampling.rows_match"},
		{"a path one hash short", func(r *receipt.Receipt) { r.Sampling.Paths[2] = r.Sampling.Paths[2][1:] }, "sampling.rows_match"},
		{"a path one hash long", func(r *receipt.Receipt) {
			r.Sampling.Paths[2] = append(r.Sampling.Paths[2], strings.Repeat("00", 32))
		}, "sampling.rows_match"},
		{"a path of 65 hashes", func(r *receipt.Receipt) {
			r.Sampling.Paths[2] = slices.Repeat([]string{strings.Repeat("00", 32)}, 65)
		}, "sampling.rows_match"},
		{"a path hash in upper case", func(r *receipt.Receipt) {
			r.Sampling.Paths[2][0] = strings.ToUpper(r.Sampling.Paths[2][0])
		}, ""}, // same bytes: harmless, but noted
		{"paths count ≠ k", func(r *receipt.Receipt) { r.Sampling.Paths = r.Sampling.Paths[1:] }, "sampling"},
		{"rows = n + 1", func(r *receipt.Receipt) { r.Sampling.Rows = 129 }, "sampling"},
		{"epsilon 0", func(r *receipt.Receipt) { r.Sampling.Epsilon = 0 }, "sampling"},
		{"epsilon 1", func(r *receipt.Receipt) { r.Sampling.Epsilon = 1 }, "sampling"},
		{"epsilon raised, bound restated (claims more)", func(r *receipt.Receipt) {
			r.Sampling.Epsilon = 0.5
			r.Sampling.ErrorBound = sampling.Miss(128, r.Sampling.K, 64)
		}, ""}, // an honest statement about other outputs: allowed by binding-v1, see the policy test
		{"error bound stated as 0", func(r *receipt.Receipt) { r.Sampling.ErrorBound = 0 }, "sampling"},
		{"pow bits 0 with k < n (no work)", func(r *receipt.Receipt) { r.Sampling.PoWBits = 0 }, "sampling.indices"},
		{"relabelled binding", func(r *receipt.Receipt) { r.Mode = protocol.ModeBinding }, "mode.evidence"},
		{"sampling box dropped", func(r *receipt.Receipt) { r.Sampling = nil }, "receipt.fields"},
		{"method v1 (grindable)", func(r *receipt.Receipt) { r.Sampling.Method = receipt.SamplingMethodFSv1 }, "sampling.method"},
		{"task n changed (request_id follows)", func(r *receipt.Receipt) { r.Task.Payload.MatrixSize = 64 }, "request_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := reSampled(t, pow.Envelope, tc.mutate)
			v := verifier.Verify(env, verifier.Options{Policy: policy(t, "binding-v1")})
			if tc.want == "" {
				t.Logf("%s: %s %v", tc.name, v.PolicyDecision.Status, v.Failed())
				return
			}
			if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), tc.want) {
				t.Errorf("status %s, failed %v; want reject naming %s", v.PolicyDecision.Status, v.Failed(), tc.want)
			}
		})
	}
}

// TestRedteamSampledPolicyGames: a node choosing ε, k and the difficulty to
// reach sampled-v1 cannot: ε above the policy's, too few rows, or a weak
// proof of work each fail policy.sampling.
func TestRedteamSampledPolicyGames(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    sampling.Params
	}{
		{"ε = 0.25 (policy: ≤ 5%)", sampling.Params{Epsilon: 0.25, K: 100, PoWBits: 8}},
		{"k = 63 rows (policy: ≥ 64)", sampling.Params{Epsilon: 0.05, K: 63, PoWBits: 8}},
		{"enough rows per attempt, 1-bit work", sampling.Params{Epsilon: 0.05, K: 200, PoWBits: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := nativeReceipt(t, 256, prover.Options{Mode: protocol.ModeSampled, Sampling: tc.p})
			v := verdict(t, res.Envelope, "sampled-v1")
			if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "policy.sampling") {
				t.Errorf("status %s, failed %v: %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
			}
		})
	}
}

// TestRedteamChallengeReplay: a node that answered challenge c for one
// request cannot present that answer to a verifier who issued c after
// another commitment, nor answer with the commitment of another request.
func TestRedteamChallengeReplay(t *testing.T) {
	ch, root := committed(t, 128, sampling.Params{Epsilon: 0.25, K: 16})
	// another request (the same node, another seed) committed and opened with the same challenge
	o := prover.Options{Sampling: sampling.Params{Epsilon: 0.25, K: 16}}
	if err := nativeOptions(t.TempDir(), 128, &o); err != nil {
		t.Fatal(err)
	}
	o.Task.Payload.Seed = strings.Repeat("ab", 32)
	c2, err := prover.Commit(o)
	if err != nil {
		t.Fatal(err)
	}
	other, err := c2.Open(testChallenge)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  *receipt.Envelope
		mine *verifier.SampleChallenge
	}{
		{"answer for request Y, verifier's commitment is X's", other.Envelope, &verifier.SampleChallenge{Value: testChallenge, Root: root}},
		{"answer for request X, verifier's commitment is Y's", ch.Envelope, &verifier.SampleChallenge{Value: testChallenge, Root: c2.Root()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(tc.env, verifier.Options{Policy: policy(t, "binding-v1"), SampleChallenge: tc.mine})
			if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "sampling.challenge") {
				t.Errorf("status %s, failed %v", v.PolicyDecision.Status, v.Failed())
			}
		})
	}
	// A challenge receipt re-signed with its challenge swapped for one that
	// suits the node is, without the verifier's own, held at best.
	forged := reSampled(t, ch.Envelope, func(r *receipt.Receipt) { r.Sampling.Challenge = strings.Repeat("77", 32) })
	if v := verdict(t, forged, "binding-v1"); v.PolicyDecision.Status == verifier.Pass {
		t.Errorf("a challenge of the node's choosing passed: %v", v.Failed())
	}
}

// TestRedteamSampledDoS: a receipt as large as a verifier reads, full of
// indices or of huge paths, is refused quickly.
func TestRedteamSampledDoS(t *testing.T) {
	pow := nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW})
	for _, tc := range []struct {
		name   string
		mutate func(r *receipt.Receipt)
	}{
		{"100k indices", func(r *receipt.Receipt) {
			r.Sampling.Indices = make([]int, 100000)
			r.Sampling.K = len(r.Sampling.Indices)
		}},
		{"k = 2^62", func(r *receipt.Receipt) { r.Sampling.K = 1 << 62 }},
		{"rows = 2^40", func(r *receipt.Receipt) { r.Sampling.Rows = 1 << 40 }},
		{"10k-hash path", func(r *receipt.Receipt) {
			r.Sampling.Paths[0] = slices.Repeat([]string{strings.Repeat("00", 32)}, 10000)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := reSampled(t, pow.Envelope, tc.mutate)
			start := time.Now()
			v := verdict(t, env, "binding-v1")
			if v.PolicyDecision.Status != verifier.Reject {
				t.Errorf("status %s", v.PolicyDecision.Status)
			}
			d := time.Since(start)
			t.Logf("refused in %s: %v", d.Round(time.Millisecond), v.Failed())
			if d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// TestRedteamClaimUnderstatesBound: the allowed claim printed the verifier's
// bound rounded to nearest ("%.3g", and its log2 to one decimal), so an "at
// most" bound could be stated below the value the verifier computed: at
// n = 128, ε = 0.25, k = 16 the per-attempt bound C(96,16)/C(128,16) =
// 0.0070948… was stated as "at most 0.00709"; at k = 14 the log2 −6.183
// was printed "2^-6.2". Now upper bounds are rounded up (away from the
// claim's favour), in the claim and in the policy's refusal.
func TestRedteamClaimUnderstatesBound(t *testing.T) {
	for _, k := range []int{14, 16} {
		res := nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: sampling.Params{Epsilon: 0.25, K: k, PoWBits: 8}})
		v := verdict(t, res.Envelope, "binding-v1")
		if v.PolicyDecision.Status != verifier.Pass {
			t.Fatalf("status %s %v", v.PolicyDecision.Status, v.Failed())
		}
		exact := sampling.Log2Miss(128, k, 32)
		m := regexp.MustCompile(`at most ([0-9.e+-]+) \(2\^(-?[0-9.]+)\) per attempt`).FindStringSubmatch(v.AllowedClaim)
		if m == nil {
			t.Fatalf("claim format: %s", v.AllowedClaim)
		}
		stated, _ := strconv.ParseFloat(m[1], 64)
		statedLog2, _ := strconv.ParseFloat(m[2], 64)
		if stated < math.Exp2(exact) {
			t.Errorf("k = %d: claim says at most %s, the verifier's bound is %.6g", k, m[1], math.Exp2(exact))
		}
		if statedLog2 < exact {
			t.Errorf("k = %d: claim says at most 2^%s, the verifier's bound is 2^%.4f", k, m[2], exact)
		}
	}
	// The policy's refusal states the bound it refused as an upper bound
	// too: n = 128, ε = 0.05 (w = 7), k = 64 per challenge is above
	// sampled-v1's 2^-20.
	ch, _ := committed(t, 128, sampling.Params{Epsilon: 0.05, K: 64})
	v := verdict(t, ch.Envelope, "sampled-v1")
	i := slices.IndexFunc(v.PolicyDecision.Checks, func(c receipt.Check) bool { return c.Name == "policy.sampling" })
	if i < 0 {
		t.Fatalf("no policy.sampling check: %s %v", v.PolicyDecision.Status, v.Failed())
	}
	m := regexp.MustCompile(`error bound ([0-9.e+-]+) \(2\^(-?[0-9.]+)\) per challenge`).FindStringSubmatch(v.PolicyDecision.Checks[i].Detail)
	if m == nil {
		t.Fatalf("policy.sampling detail: %s", v.PolicyDecision.Checks[i].Detail)
	}
	exact := sampling.Log2Miss(128, 64, 7)
	stated, _ := strconv.ParseFloat(m[1], 64)
	statedLog2, _ := strconv.ParseFloat(m[2], 64)
	if stated < math.Exp2(exact) || statedLog2 < exact || statedLog2 > exact+0.1 {
		t.Errorf("policy says error bound %s (2^%s), the verifier's bound is %.6g (2^%.4f)", m[1], m[2], math.Exp2(exact), exact)
	}
}

// TestRedteamSampledReceiptCarriesProofBox: a sampled receipt could carry a
// proof box (any bytes, any curve) and still pass; the box was never
// checked, and its curve relabelled the signed in-toto subject of the BN254
// input commitment as "poseidon2-bls12-381". Now every mode refuses another
// mode's evidence box (mode.evidence), and the subject keeps its BN254
// label (the relabelled one fails statement.subject).
func TestRedteamSampledReceiptCarriesProofBox(t *testing.T) {
	pow := nativeReceipt(t, 16, prover.Options{Mode: protocol.ModeSampled}) // every row: passes sampled-v1
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	env := resign(t, pow.Envelope, key, func(st *receipt.Statement) {
		r := &st.Predicate
		r.Proof = &receipt.Proof{System: "groth16", Curve: protocol.BLS12381, Circuit: "freivalds-v5",
			KeyFingerprint: "sha256:" + strings.Repeat("00", 32), SetupProvenance: "mpc(phase1=1,phase2=1)",
			Bytes: []byte("not a proof"), PublicInputs: []string{"1"}}
		st.Subject[0].Digest = map[string]string{r.InputSubjectAlgorithm(): r.InputCommitment}
		var err error
		if r.ReceiptID, err = r.ComputeID(); err != nil {
			t.Fatal(err)
		}
	})
	for _, pol := range []string{"sampled-v1", "binding-v1"} {
		if v := verdict(t, env, pol); v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "mode.evidence") {
			t.Errorf("%s: a sampled receipt with a bogus BLS12-381 Groth16 proof box: %s %v; want reject naming mode.evidence", pol, v.PolicyDecision.Status, v.Failed())
		}
	}
	relabelled := resign(t, pow.Envelope, key, func(st *receipt.Statement) {
		r := &st.Predicate
		r.Proof = &receipt.Proof{System: "groth16", Curve: protocol.BLS12381}
		st.Subject[0].Digest = map[string]string{receipt.DigestAlgorithmBLS12381: r.InputCommitment}
		var err error
		if r.ReceiptID, err = r.ComputeID(); err != nil {
			t.Fatal(err)
		}
	})
	if v := verdict(t, relabelled, "binding-v1"); !slices.Contains(v.Failed(), "statement.subject") {
		t.Errorf("a sampled receipt's input subject labelled %s: %s %v; want statement.subject to fail", receipt.DigestAlgorithmBLS12381, v.PolicyDecision.Status, v.Failed())
	}
}

// TestRedteamForgedReceiptCostsGigabytes: Verify used to regenerate a task's
// inputs before anything cheap could stop it. A receipt of a few kB naming a
// task at n = 4096, with no valid signature at all (anyone can write it),
// made the verifier run ~25 s on 2 cores and peak at 2.4 GB resident before
// rejecting it: a handful in parallel exhaust a verifier service's memory.
// Now a receipt whose signature, node identity, task, request_id or
// receipt_id fails is rejected with the input regeneration, the input
// commitment and the evidence check skipped, naming the failed checks (the
// speed is BenchmarkVerifyForgedLargeTask's to measure).
func TestRedteamForgedReceiptCostsGigabytes(t *testing.T) {
	pow := nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW})
	for _, tc := range []struct {
		name   string
		key    ed25519.PrivateKey // nil: not re-signed
		mutate func(r *receipt.Receipt)
		failed string
	}{
		{"not re-signed", nil, func(*receipt.Receipt) {}, "signature"},
		{"re-signed, request_id not recomputed", ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32)), func(r *receipt.Receipt) {
			r.RequestID = strings.Repeat("00", 32)
			var err error
			if r.ReceiptID, err = r.ComputeID(); err != nil {
				t.Fatal(err)
			}
		}, "request_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := resign(t, pow.Envelope, tc.key, func(st *receipt.Statement) {
				r := &st.Predicate
				r.Task.Payload.MatrixSize = workload.MaxMatrixSize
				rid, _ := r.Task.RequestID()
				r.RequestID = hex.EncodeToString(rid[:])
				tc.mutate(r)
			})
			v := verdict(t, env, "binding-v1")
			if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), tc.failed) {
				t.Fatalf("status %s, failed %v; want reject naming %s", v.PolicyDecision.Status, v.Failed(), tc.failed)
			}
			checks := map[string]receipt.Check{}
			for _, c := range v.PolicyDecision.Checks {
				checks[c.Name] = c
			}
			for _, name := range []string{"input_commitment", "sampling.rows_match"} {
				if c := checks[name]; c.Status != "skip" || !strings.HasPrefix(c.Detail, "not run: ") || !strings.Contains(c.Detail, tc.failed) {
					t.Errorf("%s: %+v; want skip naming %s", name, c, tc.failed)
				}
			}
			for _, name := range []string{"input_commitment.regenerate", "sampling", "sampling.indices"} {
				if c, ok := checks[name]; ok {
					t.Errorf("%s ran for a receipt that failed %s: %+v", name, tc.failed, c)
				}
			}
			if c := checks["poe"]; c.Status == "" {
				t.Errorf("the cheap checks stopped too: %+v", v.PolicyDecision.Checks)
			}
		})
	}
}

// BenchmarkVerifyForgedLargeTask: an unsigned receipt naming n = 4096 is
// rejected at the cost of its cheap checks (it took ~25 s and 2.4 GB
// before they gated the rest).
func BenchmarkVerifyForgedLargeTask(b *testing.B) {
	res, err := runNative(b.TempDir(), 128, prover.Options{Mode: protocol.ModeSampled, Sampling: cheapPoW})
	if err != nil {
		b.Fatal(err)
	}
	st, _, err := res.Envelope.Statement()
	if err != nil {
		b.Fatal(err)
	}
	st.Predicate.Task.Payload.MatrixSize = workload.MaxMatrixSize
	payload, err := json.Marshal(st)
	if err != nil {
		b.Fatal(err)
	}
	env := *res.Envelope
	env.Payload = base64.StdEncoding.EncodeToString(payload) // the old signature: it fails
	pol := verifier.BuiltinPolicies["binding-v1"]
	b.ReportAllocs()
	for b.Loop() {
		if v := verifier.Verify(&env, verifier.Options{Policy: &pol}); v.PolicyDecision.Status != verifier.Reject {
			b.Fatalf("status %s", v.PolicyDecision.Status)
		}
	}
}
