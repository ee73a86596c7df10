package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// seed000Blocked are the claims seed 000 lists as never allowed.
var seed000Blocked = []string{
	"This proves the model answer is true.",
	"This proves the provider is always faster.",
	"This benchmark proves this job completed.",
}

func nativeReceipt(t *testing.T, n int, o prover.Options) *prover.Result {
	t.Helper()
	res, err := runNative(t.TempDir(), n, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// runNative makes a receipt that needs no key setup (sampled or binding mode,
// or a budget that forces sampling).
func runNative(cacheDir string, n int, o prover.Options) (*prover.Result, error) {
	if err := nativeOptions(cacheDir, n, &o); err != nil {
		return nil, err
	}
	return prover.Run(context.Background(), o)
}

// nativeOptions fills in the fixed synthetic task, node key and key cache.
func nativeOptions(cacheDir string, n int, o *prover.Options) error {
	seed := workload.DeriveSeed([32]byte{9}, "cpc1qsampler")
	task, err := workload.NewSyntheticTask("7c1f2a9e-6b7d-4e21-9a0b-5c8d7e6f1a21", seed, n, 8, "5", 1795000000)
	if err != nil {
		return err
	}
	o.Task = task
	o.NodeKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	o.Cache = keys.Cache{Dir: cacheDir}
	return nil
}

func makeNative(cacheDir string, n int, mode protocol.Mode) (*prover.Result, error) {
	return runNative(cacheDir, n, prover.Options{Mode: mode})
}

func decodeKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("bad public key")
	}
	return b, nil
}

func policy(t *testing.T, id string) *verifier.Policy {
	t.Helper()
	p, err := verifier.LookupPolicy(id)
	if err != nil {
		t.Fatal(err)
	}
	return &p
}

func verdict(t *testing.T, env *receipt.Envelope, pol string) *verifier.Verdict {
	t.Helper()
	return verifier.Verify(env, verifier.Options{Policy: policy(t, pol)})
}

func checkClaim(t *testing.T, v *verifier.Verdict) {
	t.Helper()
	for _, b := range seed000Blocked {
		if strings.Contains(v.AllowedClaim, b) {
			t.Errorf("allowed claim contains the seed-000 blocked claim %q", b)
		}
	}
	if v.AllowedClaim == "" {
		t.Error("empty allowed claim")
	}
}

// TestBudgetFallsBackToSampling: a budget too small for proving yields a
// sampled receipt whose cost estimate says why, and no setup ever runs.
func TestBudgetFallsBackToSampling(t *testing.T) {
	res := nativeReceipt(t, 512, prover.Options{Budget: prover.Budget{Time: time.Second, Memory: 1 << 30}})
	r := res.Receipt
	if r.Mode != protocol.ModeSampled {
		t.Fatalf("mode %s, want sampled", r.Mode)
	}
	ce := r.CostEstimate
	if ce == nil || ce.Decision != string(protocol.ModeSampled) || !strings.Contains(ce.Reason, "budget 1.0 s / 1.0 GiB") || !strings.Contains(ce.Reason, "n = 512") {
		t.Fatalf("cost estimate does not explain the fallback: %+v", ce)
	}
	if res.Timings.Setup != 0 || res.Timings.Prove != 0 {
		t.Error("a sampled run must not set up or prove")
	}
	if want := sampling.DefaultParams.RowsFor(512); r.Sampling.K != want || want != 404 {
		t.Errorf("k = %d, want the default %d (404)", r.Sampling.K, want)
	}

	v := verdict(t, res.Envelope, "sampled-v1")
	if v.PolicyDecision.Status != verifier.Pass {
		t.Fatalf("sampled-v1: %s: %s", v.PolicyDecision.Status, v.PolicyDecision.Reason)
	}
	checkClaim(t, v)
	if !strings.Contains(v.AllowedClaim, "404 of those rows") || !slices.Contains(v.BlockedClaims, "Every entry of the output is correct.") {
		t.Errorf("sampled claim: %s / %v", v.AllowedClaim, v.BlockedClaims)
	}
	if v := verdict(t, res.Envelope, "zk-strict-v1"); v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "policy.mode") {
		t.Errorf("zk-strict-v1 must reject a sampled receipt: %s %v", v.PolicyDecision.Status, v.Failed())
	}

	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	for _, tc := range []struct {
		name   string
		mutate func(r *receipt.Receipt)
		want   string
	}{
		{"indices chosen by hand", func(r *receipt.Receipt) {
			r.Sampling.Indices[0] = (r.Sampling.Indices[0] + 1) % 512
		}, "sampling.indices"},
		{"sampled row altered (its audit path)", func(r *receipt.Receipt) {
			p := []byte(r.Sampling.Paths[3][0])
			p[0] ^= 1
			r.Sampling.Paths[3][0] = string(p)
		}, "sampling.rows_match"},
		{"output digest swapped for another root", func(r *receipt.Receipt) { r.OutputDigest = strings.Repeat("ab", 32) }, "poe"},
		{"error bound overstated", func(r *receipt.Receipt) { r.Sampling.ErrorBound = 1e-30 }, "sampling"},
		{"fewer rows than listed", func(r *receipt.Receipt) { r.Sampling.K = 10 }, "sampling"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// re-signed consistently (receipt_id recomputed), so that only
			// the check the change breaks can catch it
			env := resign(t, res.Envelope, key, func(st *receipt.Statement) {
				st.Predicate.Sampling.Indices = slices.Clone(st.Predicate.Sampling.Indices)
				tc.mutate(&st.Predicate)
				var err error
				if st.Predicate.ReceiptID, err = st.Predicate.ComputeID(); err != nil {
					t.Fatal(err)
				}
			})
			v := verdict(t, env, "sampled-v1")
			if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), tc.want) {
				t.Fatalf("status %s, failed %v, want reject naming %s", v.PolicyDecision.Status, v.Failed(), tc.want)
			}
		})
	}
}

func TestSamplingPolicyThresholds(t *testing.T) {
	res := nativeReceipt(t, 128, prover.Options{Mode: protocol.ModeSampled, Sampling: sampling.Params{Epsilon: 0.05, K: 8}})
	if v := verdict(t, res.Envelope, "sampled-v1"); v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "policy.sampling") {
		t.Fatalf("8 samples must not satisfy sampled-v1: %s %v", v.PolicyDecision.Status, v.Failed())
	}
	if v := verdict(t, res.Envelope, "binding-v1"); v.PolicyDecision.Status != verifier.Pass {
		t.Fatalf("binding-v1 accepts any sampling: %s", v.PolicyDecision.Reason)
	}
	// Small n: every row is opened, which passes whatever the policy's k.
	all := nativeReceipt(t, 16, prover.Options{Mode: protocol.ModeSampled})
	if all.Receipt.Sampling.K != 16 {
		t.Fatalf("k = %d, want all 16 rows", all.Receipt.Sampling.K)
	}
	if v := verdict(t, all.Envelope, "sampled-v1"); v.PolicyDecision.Status != verifier.Pass {
		t.Fatalf("all rows opened: %s", v.PolicyDecision.Reason)
	}
}

func TestBindingMode(t *testing.T) {
	res := nativeReceipt(t, 32, prover.Options{Mode: protocol.ModeBinding})
	if res.Receipt.Proof != nil || res.Receipt.Sampling != nil {
		t.Fatal("a binding receipt carries no proof and no sampling")
	}
	v := verdict(t, res.Envelope, "binding-v1")
	if v.PolicyDecision.Status != verifier.Pass {
		t.Fatalf("binding-v1: %s", v.PolicyDecision.Reason)
	}
	checkClaim(t, v)
	if !strings.Contains(v.AllowedClaim, "Nothing is claimed about the output's correctness") {
		t.Errorf("binding claim: %s", v.AllowedClaim)
	}
	for _, pol := range []string{"zk-dev-v1", "sampled-v1", "zk-strict-v1"} {
		if v := verdict(t, res.Envelope, pol); v.PolicyDecision.Status != verifier.Reject {
			t.Errorf("%s must reject a binding receipt, got %s", pol, v.PolicyDecision.Status)
		}
	}
}

func TestPolicies(t *testing.T) {
	for _, id := range verifier.PolicyIDs() {
		p := policy(t, id)
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", id, err)
		}
		if !strings.HasPrefix(p.Digest(), "sha256:") {
			t.Errorf("%s digest %q", id, p.Digest())
		}
	}
	if _, err := verifier.LookupPolicy("no-such-policy"); err == nil {
		t.Error("unknown policy id accepted")
	}
	bad := verifier.Policy{ID: "", Modes: []protocol.Mode{"magic", protocol.ModeSampled}}
	err := bad.Validate()
	for _, want := range []string{"id is required", "unknown mode", "min_samples", "max_error_bound", "max_epsilon"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("validation error %v lacks %q", err, want)
		}
	}
}
