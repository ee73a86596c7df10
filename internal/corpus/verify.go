package corpus

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// Outcome is what a verifier concluded about a case's receipt, in the
// corpus's terms.
type Outcome struct {
	Expect    string   // the verdict status, or Malformed
	Failed    []string // the failed checks
	Hold      []string // the hold codes, sorted
	KeyNeeded string
}

// Options builds what the case gives its verifier — the policy, the key
// file, the pinned keys, the challenge and the supplied matrices — reading
// the files it names under dir. Nothing comes from a key cache.
func (c *Case) Options(dir string) (verifier.Options, error) {
	var o verifier.Options
	ref := c.Policy
	if strings.HasSuffix(ref, ".json") {
		ref = filepath.Join(dir, filepath.FromSlash(ref))
	}
	pol, err := verifier.LookupPolicy(ref)
	if err != nil {
		return o, fmt.Errorf("corpus: %w", err)
	}
	o.Policy = &pol
	if k := c.Key; k != nil {
		if err := k.load(dir, &o); err != nil {
			return o, fmt.Errorf("corpus: key %s: %w", k.Path, err)
		}
	}
	o.AcceptKeys = c.AcceptKeys
	if c.Challenge != nil {
		o.SampleChallenge = &verifier.SampleChallenge{Value: c.Challenge, Root: *c.Root}
	}
	if c.A != "" {
		a, err := workload.ReadMatrixFile(filepath.Join(dir, filepath.FromSlash(c.A)))
		if err != nil {
			return o, fmt.Errorf("corpus: %w", err)
		}
		b, err := workload.ReadMatrixFile(filepath.Join(dir, filepath.FromSlash(c.B)))
		if err != nil {
			return o, fmt.Errorf("corpus: %w", err)
		}
		o.A, o.B = a.Data, b.Data
	}
	return o, nil
}

func (k *Key) load(dir string, o *verifier.Options) error {
	curve, err := protocol.ParseCurve(k.Curve)
	if err != nil {
		return err
	}
	system, err := protocol.ParseSystem(k.System)
	if err != nil {
		return err
	}
	o.VK, err = proofsystem.ReadVerifyingKeyFile(filepath.Join(dir, filepath.FromSlash(k.Path)), system, curve)
	return err
}

// HoldCodes are the hold reason codes of a verdict (Verdict.HoldCodes),
// sorted; nil unless it holds.
func HoldCodes(v *verifier.Verdict) []string {
	if v.PolicyDecision.Status != verifier.Hold {
		return nil
	}
	return v.HoldCodes
}

// Run verifies the case's receipt with this module's verifier, given what
// the case says (files under dir), and returns the outcome and the verdict
// (nil for an envelope that does not decode). An error is a case that
// cannot be run: a file it names is missing or invalid.
func Run(dir string, c *Case) (Outcome, *verifier.Verdict, error) {
	env, err := receipt.Decode(c.Body)
	if err != nil {
		return Outcome{Expect: Malformed}, nil, nil
	}
	o, err := c.Options(dir)
	if err != nil {
		return Outcome{}, nil, err
	}
	v := verifier.Verify(env, o)
	return Outcome{Expect: v.PolicyDecision.Status, Failed: v.Failed(), Hold: HoldCodes(v), KeyNeeded: v.KeyNeeded}, v, nil
}

// Diff describes how got differs from what the case expects, "" if not.
func (c *Case) Diff(got Outcome) string {
	var d []string
	if got.Expect != c.Expect {
		d = append(d, fmt.Sprintf("verdict %s, want %s", got.Expect, c.Expect))
	}
	if !slices.Equal(got.Failed, c.Failed) {
		d = append(d, fmt.Sprintf("failed checks [%s], want [%s]", strings.Join(got.Failed, " "), strings.Join(c.Failed, " ")))
	}
	if !slices.Equal(got.Hold, c.Hold) {
		d = append(d, fmt.Sprintf("hold codes [%s], want [%s]", strings.Join(got.Hold, " "), strings.Join(c.Hold, " ")))
	}
	if got.KeyNeeded != c.KeyNeeded {
		d = append(d, fmt.Sprintf("key_needed %q, want %q", got.KeyNeeded, c.KeyNeeded))
	}
	return strings.Join(d, "; ")
}
