// Package corpus reads and writes the receipt corpus in testdata/receipts:
// one file per case, a "key: value" header saying what a verifier is given
// and the verdict it must reach, an empty line, and the receipt envelope
// byte for byte — the shape of age's test vectors. The format is described
// for other implementations in testdata/receipts/README.md; Run checks a
// case against this module's verifier.
package corpus

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// The outcomes a case can expect: a verdict status, or Malformed.
const (
	Pass      = "pass"
	Reject    = "reject"
	Hold      = "hold"
	Malformed = "malformed" // the envelope does not decode: there is no verdict
)

// Hold reason codes: why a verdict holds evidence that verified, as the
// verifier states them in Verdict.HoldCodes (the same strings, which a
// second implementation reports for the corpus).
const (
	HoldKeyNeeded         = verifier.HoldKeyNeeded         // the proof's verifying key was not available (the verdict names it)
	HoldChallengeNeeded   = verifier.HoldChallengeNeeded   // a challenge-method sample, without the verifier's challenge and committed root
	HoldInputsNeeded      = verifier.HoldInputsNeeded      // a sampled receipt over supplied matrices that were not given
	HoldKeyNotEstablished = verifier.HoldKeyNotEstablished // the policy requires a key established for the receipt's circuit
	HoldSetupNotTrusted   = verifier.HoldSetupNotTrusted   // the policy requires a setup it can vouch for
)

// Key is a verifying key file given to the verifier.
type Key struct {
	System string // "groth16" or "plonk"
	Curve  string // "bn254" or "bls12-381"
	Path   string // a bare key file, slash-separated, relative to the corpus
}

// Case is one corpus file.
type Case struct {
	Expect     string
	Failed     []string // Reject: every check that fails, in the verifier's order
	Hold       []string // Hold: the reason codes, sorted
	KeyNeeded  string   // hold code key_needed: the fingerprint the verdict names
	Policy     string   // a built-in policy id, or a policy file (".json") relative to the corpus
	Key        *Key
	AcceptKeys []string
	Challenge  []byte
	Root       *[32]byte // the root committed before Challenge
	A, B       string    // supplied matrices (.npy), relative to the corpus
	Comment    string
	Name       string // the case file's name (Load); not part of the file
	Body       []byte // the receipt envelope, byte for byte
}

// Parse reads a corpus file: header lines up to the first empty line, then
// the body. An unknown header key, or a header that does not hang together
// (a failed line without expect: reject, a challenge without its root…), is
// an error.
func Parse(data []byte) (*Case, error) {
	c := &Case{}
	rest := data
	for {
		line, tail, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			return nil, errors.New("corpus: no empty line ends the header")
		}
		rest = tail
		if len(line) == 0 {
			break
		}
		if err := c.set(string(line)); err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
	}
	c.Body = rest
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	return c, nil
}

func (c *Case) set(line string) error {
	key, value, ok := strings.Cut(line, ": ")
	if !ok {
		return fmt.Errorf("header line %q is not \"key: value\"", line)
	}
	switch key {
	case "expect":
		if !slices.Contains([]string{Pass, Reject, Hold, Malformed}, value) {
			return fmt.Errorf("unknown expect value %q", value)
		}
		c.Expect = value
	case "failed":
		c.Failed = strings.Fields(value)
	case "hold":
		c.Hold = strings.Fields(value)
	case "key_needed":
		c.KeyNeeded = value
	case "policy":
		c.Policy = value
	case "key":
		f := strings.Fields(value)
		if len(f) != 3 {
			return fmt.Errorf("key: want \"SYSTEM CURVE PATH\", have %q", value)
		}
		c.Key = &Key{System: f[0], Curve: f[1], Path: f[2]}
	case "accept_key":
		c.AcceptKeys = append(c.AcceptKeys, value)
	case "challenge":
		b, err := hex.DecodeString(value)
		if err != nil || len(b) == 0 {
			return fmt.Errorf("challenge: want hex, have %q", value)
		}
		c.Challenge = b
	case "committed_root":
		r, err := receipt.DecodeHex32("committed_root", value)
		if err != nil {
			return err
		}
		c.Root = &r
	case "a":
		c.A = value
	case "b":
		c.B = value
	case "comment":
		c.Comment = value
	default:
		return fmt.Errorf("unknown header key %q", key)
	}
	return nil
}

func (c *Case) check() error {
	switch {
	case c.Expect == "":
		return errors.New("no expect line")
	case c.Policy == "" && c.Expect != Malformed:
		return errors.New("no policy line")
	case (c.Expect == Reject) != (len(c.Failed) > 0):
		return errors.New("a failed line goes with expect: reject, and only with it")
	case (c.Expect == Hold) != (len(c.Hold) > 0):
		return errors.New("a hold line goes with expect: hold, and only with it")
	case !slices.IsSorted(c.Hold):
		return errors.New("hold codes must be sorted")
	case (c.KeyNeeded != "") != slices.Contains(c.Hold, HoldKeyNeeded):
		return errors.New("a key_needed line goes with hold code key_needed, and only with it")
	case (c.Challenge == nil) != (c.Root == nil):
		return errors.New("challenge and committed_root go together")
	case (c.A == "") != (c.B == ""):
		return errors.New("a and b go together")
	}
	return nil
}

// Marshal encodes the case as a corpus file, header keys in the README's
// order; Parse reads it back.
func (c *Case) Marshal() []byte {
	var h bytes.Buffer
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&h, "%s: %s\n", k, v)
		}
	}
	line("expect", c.Expect)
	line("failed", strings.Join(c.Failed, " "))
	line("hold", strings.Join(c.Hold, " "))
	line("key_needed", c.KeyNeeded)
	line("policy", c.Policy)
	if k := c.Key; k != nil {
		line("key", k.System+" "+k.Curve+" "+k.Path)
	}
	for _, a := range c.AcceptKeys {
		line("accept_key", a)
	}
	if c.Challenge != nil {
		line("challenge", hex.EncodeToString(c.Challenge))
		line("committed_root", hex.EncodeToString(c.Root[:]))
	}
	line("a", c.A)
	line("b", c.B)
	line("comment", c.Comment)
	h.WriteString("\n")
	h.Write(c.Body)
	return h.Bytes()
}

// Load reads and parses every case file of the corpus in dir (Files), in
// name order, each with its Name set.
func Load(dir string) ([]*Case, error) {
	names, err := Files(dir)
	if err != nil {
		return nil, err
	}
	cases := make([]*Case, 0, len(names))
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		c, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("corpus: %s: %w", name, err)
		}
		c.Name = name
		cases = append(cases, c)
	}
	return cases, nil
}

// Files lists the case files of the corpus in dir: its regular files, but
// README.md.
func Files(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name() != "README.md" {
			names = append(names, e.Name())
		}
	}
	return names, nil
}
