package zkpoc_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc"
	"github.com/zkpoc/zkpoc/internal/corpus"
	"github.com/zkpoc/zkpoc/workload"
)

// TestCorpusThroughRoot runs the receipt corpus (testdata/receipts) through
// the root package alone — DecodeEnvelope, ReadVerifyingKey and Verify with
// its options — and requires every case's stated verdict, as the verifier
// package's TestCorpus does: the options must carry what the case gives.
func TestCorpusThroughRoot(t *testing.T) {
	dir := filepath.Join("testdata", "receipts")
	cases, err := corpus.Load(dir)
	if err != nil || len(cases) == 0 {
		t.Fatalf("corpus: %d cases, %v", len(cases), err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			env, err := zkpoc.DecodeEnvelope(c.Body)
			if err != nil {
				if c.Expect != corpus.Malformed {
					t.Fatalf("does not decode: %v", err)
				}
				return
			}
			v, err := zkpoc.Verify(env, rootOptions(t, dir, c)...)
			if err != nil {
				t.Fatal(err)
			}
			if v.PolicyDecision.Status != zkpoc.Hold && v.HoldCodes != nil {
				t.Errorf("a %s verdict carries hold codes %v", v.PolicyDecision.Status, v.HoldCodes)
			}
			got := corpus.Outcome{Expect: v.PolicyDecision.Status, Failed: v.Failed(), Hold: corpus.HoldCodes(v), KeyNeeded: v.KeyNeeded}
			if d := c.Diff(got); d != "" {
				t.Errorf("%s (%s)", d, v.PolicyDecision.Reason)
			}
		})
	}
}

// rootOptions are the root package's options for what case c gives its
// verifier (files under dir).
func rootOptions(t *testing.T, dir string, c *corpus.Case) []zkpoc.VerifyOption {
	t.Helper()
	path := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	policy := c.Policy
	if strings.HasSuffix(policy, ".json") {
		policy = path(policy)
	}
	opts := []zkpoc.VerifyOption{zkpoc.VerifyWithPolicy(policy)}
	if len(c.AcceptKeys) > 0 { // no fingerprint is no pin: VerifyWithAcceptedKeys() is an ErrOption
		opts = append(opts, zkpoc.VerifyWithAcceptedKeys(c.AcceptKeys...))
	}
	if k := c.Key; k != nil {
		f, err := os.Open(path(k.Path))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		vk, err := zkpoc.ReadVerifyingKey(f, zkpoc.System(k.System), zkpoc.Curve(k.Curve))
		if err != nil {
			t.Fatalf("key %s: %v", k.Path, err)
		}
		opts = append(opts, zkpoc.VerifyWithKey(vk))
	}
	if c.Challenge != nil {
		opts = append(opts, zkpoc.VerifyWithChallenge(c.Challenge, *c.Root))
	}
	if c.A != "" {
		a, err := workload.ReadMatrixFile(path(c.A))
		if err != nil {
			t.Fatal(err)
		}
		b, err := workload.ReadMatrixFile(path(c.B))
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, zkpoc.VerifyWithMatrices(a, b))
	}
	return opts
}
