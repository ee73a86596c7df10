package verifier_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// corpusDir holds the receipt corpus: one file per case, each a header
// stating what a verifier is given and the verdict it must reach, a blank
// line, and the receipt (testdata/receipts/README.md describes the format).
var corpusDir = filepath.Join("..", "testdata", "receipts")

// The expected outcomes a corpus case can state.
const (
	expectPass      = "pass"
	expectReject    = "reject"
	expectHold      = "hold"
	expectMalformed = "malformed" // the envelope does not decode: there is no verdict
)

// Hold reason codes: why a verdict holds evidence that verified. The
// verifier states its reasons in prose (PolicyDecision.Reason); holdCodes
// derives these codes from the verdict.
const (
	holdKeyNeeded         = "key_needed"          // the proof's verifying key was not available (Verdict.KeyNeeded names it)
	holdChallengeNeeded   = "challenge_needed"    // a challenge-method sample, without the verifier's challenge and committed root
	holdInputsNeeded      = "inputs_needed"       // a sampled receipt over supplied matrices that were not given
	holdKeyNotEstablished = "key_not_established" // the policy requires a key established for the circuit
	holdSetupNotTrusted   = "setup_not_trusted"   // the policy requires a setup it can vouch for
)

// corpusKey is a verifying key file given to the verifier.
type corpusKey struct {
	system, curve, path string
}

// corpusCase is one parsed corpus file.
type corpusCase struct {
	expect     string
	failed     []string // reject: every check that fails, in the verifier's order
	hold       []string // hold: the reason codes, sorted
	keyNeeded  string   // hold key_needed: the fingerprint the verdict names
	policy     string   // a built-in policy id, or a policy file relative to the corpus
	key        *corpusKey
	acceptKeys []string
	challenge  []byte
	root       *[32]byte
	a, b       string // supplied matrices (.npy), relative to the corpus
	comment    string
	body       []byte // the receipt envelope, byte for byte
}

// parseCorpusCase reads a corpus file: "key: value" header lines up to the
// first empty line, then the envelope.
func parseCorpusCase(data []byte) (*corpusCase, error) {
	c := &corpusCase{}
	rest := data
	for {
		line, tail, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			return nil, errors.New("no blank line ends the header")
		}
		rest = tail
		if len(line) == 0 {
			break
		}
		key, value, ok := strings.Cut(string(line), ": ")
		if !ok {
			return nil, fmt.Errorf("header line %q is not \"key: value\"", line)
		}
		switch key {
		case "expect":
			switch value {
			case expectPass, expectReject, expectHold, expectMalformed:
			default:
				return nil, fmt.Errorf("unknown expect value %q", value)
			}
			c.expect = value
		case "failed":
			c.failed = strings.Fields(value)
		case "hold":
			c.hold = strings.Fields(value)
		case "key_needed":
			c.keyNeeded = value
		case "policy":
			c.policy = value
		case "key":
			f := strings.Fields(value)
			if len(f) != 3 {
				return nil, fmt.Errorf("key: want \"SYSTEM CURVE PATH\", have %q", value)
			}
			c.key = &corpusKey{system: f[0], curve: f[1], path: f[2]}
		case "accept_key":
			c.acceptKeys = append(c.acceptKeys, value)
		case "challenge":
			b, err := hex.DecodeString(value)
			if err != nil {
				return nil, fmt.Errorf("challenge: %w", err)
			}
			c.challenge = b
		case "committed_root":
			r, err := receipt.DecodeHex32("committed_root", value)
			if err != nil {
				return nil, err
			}
			c.root = &r
		case "a":
			c.a = value
		case "b":
			c.b = value
		case "comment":
			c.comment = value
		default:
			return nil, fmt.Errorf("unknown header key %q", key)
		}
	}
	c.body = rest
	switch {
	case c.expect == "":
		return nil, errors.New("no expect line")
	case c.policy == "" && c.expect != expectMalformed:
		return nil, errors.New("no policy line")
	case (c.expect == expectReject) != (len(c.failed) > 0):
		return nil, errors.New("a failed line goes with expect: reject, and only with it")
	case (c.expect == expectHold) != (len(c.hold) > 0):
		return nil, errors.New("a hold line goes with expect: hold, and only with it")
	case (c.keyNeeded != "") != slices.Contains(c.hold, holdKeyNeeded):
		return nil, errors.New("a key_needed line goes with hold code key_needed, and only with it")
	case (c.challenge == nil) != (c.root == nil):
		return nil, errors.New("challenge and committed_root go together")
	case (c.a == "") != (c.b == ""):
		return nil, errors.New("a and b go together")
	}
	return c, nil
}

// options builds what the verifier is given for the case: the policy, the
// key file, the pins, the challenge and the supplied matrices. Nothing
// comes from a key cache.
func (c *corpusCase) options(dir string) (verifier.Options, error) {
	var o verifier.Options
	ref := c.policy
	if strings.HasSuffix(ref, ".json") {
		ref = filepath.Join(dir, filepath.FromSlash(ref))
	}
	pol, err := verifier.LookupPolicy(ref)
	if err != nil {
		return o, err
	}
	o.Policy = &pol
	if k := c.key; k != nil {
		curve, err := circuits.ParseCurve(k.curve)
		if err != nil {
			return o, fmt.Errorf("key: %w", err)
		}
		path := filepath.Join(dir, filepath.FromSlash(k.path))
		switch k.system {
		case receipt.ModeGroth16:
			o.VK, err = keys.ReadVK(path, curve.ID())
		case receipt.ModePlonk:
			o.PlonkVK, err = keys.ReadPlonkVKFor(curve.ID(), path)
		default:
			err = fmt.Errorf("unknown proof system %q", k.system)
		}
		if err != nil {
			return o, fmt.Errorf("key: %w", err)
		}
	}
	o.AcceptKeys = c.acceptKeys
	if c.challenge != nil {
		o.SampleChallenge = &verifier.SampleChallenge{Value: c.challenge, Root: *c.root}
	}
	if c.a != "" {
		a, err := workload.ReadMatrixFile(filepath.Join(dir, filepath.FromSlash(c.a)))
		if err != nil {
			return o, err
		}
		b, err := workload.ReadMatrixFile(filepath.Join(dir, filepath.FromSlash(c.b)))
		if err != nil {
			return o, err
		}
		o.A, o.B = a.Data, b.Data
	}
	return o, nil
}

// holdCodes derives the hold reason codes of a verdict, sorted.
func holdCodes(v *verifier.Verdict) []string {
	if v.PolicyDecision.Status != verifier.Hold {
		return nil
	}
	var codes []string
	if v.KeyNeeded != "" {
		codes = append(codes, holdKeyNeeded)
	}
	for _, c := range v.PolicyDecision.Checks {
		switch {
		case c.Name == "sampling.challenge" && c.Status == "skip" && strings.HasPrefix(c.Detail, "no challenge given"):
			codes = append(codes, holdChallengeNeeded)
		case c.Name == "sampling.rows_match" && c.Status == "skip" && strings.Contains(c.Detail, "none were given"):
			codes = append(codes, holdInputsNeeded)
		}
	}
	reason := v.PolicyDecision.Reason
	if strings.Contains(reason, "requires a key established for the receipt's circuit") {
		codes = append(codes, holdKeyNotEstablished)
	}
	if strings.Contains(reason, "requires keys from a setup it can vouch for") {
		codes = append(codes, holdSetupNotTrusted)
	}
	slices.Sort(codes)
	return codes
}

// runCorpusCase verifies the case's receipt as the case says and returns
// what this verifier concluded, in the corpus's terms.
func runCorpusCase(dir string, c *corpusCase) (got corpusCase, v *verifier.Verdict, err error) {
	env, err := receipt.Decode(c.body)
	if err != nil {
		return corpusCase{expect: expectMalformed}, nil, nil
	}
	o, err := c.options(dir)
	if err != nil {
		return got, nil, err
	}
	v = verifier.Verify(env, o)
	got = corpusCase{expect: v.PolicyDecision.Status, failed: v.Failed(), hold: holdCodes(v), keyNeeded: v.KeyNeeded}
	return got, v, nil
}

// diff describes how got differs from the case's expectation, "" if not.
func (c *corpusCase) diff(got corpusCase) string {
	var d []string
	if got.expect != c.expect {
		d = append(d, fmt.Sprintf("verdict %s, want %s", got.expect, c.expect))
	}
	if !slices.Equal(got.failed, c.failed) {
		d = append(d, fmt.Sprintf("failed checks [%s], want [%s]", strings.Join(got.failed, " "), strings.Join(c.failed, " ")))
	}
	if !slices.Equal(got.hold, c.hold) {
		d = append(d, fmt.Sprintf("hold codes [%s], want [%s]", strings.Join(got.hold, " "), strings.Join(c.hold, " ")))
	}
	if got.keyNeeded != c.keyNeeded {
		d = append(d, fmt.Sprintf("key_needed %q, want %q", got.keyNeeded, c.keyNeeded))
	}
	return strings.Join(d, "; ")
}

// corpusFiles lists the case files of the corpus: the regular files at its
// top level, but README.md.
func corpusFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name() != "README.md" {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// TestCorpus verifies every receipt of the corpus with what its header says
// the verifier is given, and requires the verdict it states: the status,
// every failed check of a reject, the reason codes of a hold and the key it
// names. It regenerates nothing and needs no key but the corpus's own.
func TestCorpus(t *testing.T) {
	names, err := corpusFiles(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 25 {
		t.Fatalf("the corpus has %d cases, want at least 25", len(names))
	}
	seen := map[string]int{}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil {
			t.Fatal(err)
		}
		c, err := parseCorpusCase(data)
		if err != nil {
			t.Fatalf("%s: invalid corpus file: %v", name, err)
		}
		seen[c.expect]++
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			t.Log(c.comment)
			got, v, err := runCorpusCase(corpusDir, c)
			if err != nil {
				t.Fatal(err)
			}
			if d := c.diff(got); d != "" {
				reason := ""
				if v != nil {
					reason = v.PolicyDecision.Reason
				}
				t.Errorf("%s (%s)", d, reason)
			}
		})
	}
	for _, e := range []string{expectPass, expectReject, expectHold, expectMalformed} {
		if seen[e] == 0 {
			t.Errorf("no corpus case expects %s", e)
		}
	}
}

// TestCorpusFormat: the header parser refuses what the README says a
// corpus file may not be, so a malformed case cannot pass as a vacuous one.
func TestCorpusFormat(t *testing.T) {
	body := "\n{}\n"
	for _, tc := range []struct{ name, header string }{
		{"no expect", "policy: zk-dev-v1\n"},
		{"unknown expect", "expect: maybe\npolicy: zk-dev-v1\n"},
		{"unknown key", "expect: pass\npolicy: zk-dev-v1\nkeyy: x\n"},
		{"no policy", "expect: pass\n"},
		{"reject without failed", "expect: reject\npolicy: zk-dev-v1\n"},
		{"failed without reject", "expect: pass\npolicy: zk-dev-v1\nfailed: poe\n"},
		{"hold without codes", "expect: hold\npolicy: zk-dev-v1\n"},
		{"key_needed without its code", "expect: hold\npolicy: zk-dev-v1\nhold: challenge_needed\nkey_needed: sha256:00\n"},
		{"key_needed code without the key", "expect: hold\npolicy: zk-dev-v1\nhold: key_needed\n"},
		{"challenge without root", "expect: pass\npolicy: zk-dev-v1\nchallenge: 00\n"},
		{"a without b", "expect: pass\npolicy: zk-dev-v1\na: a.npy\n"},
		{"key without curve", "expect: pass\npolicy: zk-dev-v1\nkey: groth16 k.vk\n"},
		{"not key: value", "expect: pass\npolicy zk-dev-v1\n"},
	} {
		if _, err := parseCorpusCase([]byte(tc.header + body)); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if _, err := parseCorpusCase([]byte("expect: pass\npolicy: zk-dev-v1\n")); err == nil {
		t.Error("a header without the blank line was accepted")
	}
	c, err := parseCorpusCase([]byte("expect: hold\npolicy: binding-v1\nhold: key_needed\nkey_needed: sha256:ab\ncomment: x\n" + body))
	if err != nil || c.keyNeeded != "sha256:ab" || string(c.body) != "{}\n" {
		t.Errorf("a valid header: %+v, %v", c, err)
	}
}
