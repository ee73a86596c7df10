package main

import (
	"flag"
	"fmt"

	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/verifier"
)

// challengeFlags are verify's flags for a challenge-method sampled receipt:
// the challenge this verifier issued and the root committed before it.
type challengeFlags struct{ challenge, root string }

func (c *challengeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.challenge, "challenge", "", "the challenge (hex, 0x optional) you issued, or the public beacon you trust, after the node committed its row root; with --committed-root")
	fs.StringVar(&c.root, "committed-root", "", "the row root (hex, 0x optional) the node committed before --challenge existed: the output_digest of its commit (binding) receipt")
}

func (c *challengeFlags) apply(o *verifier.Options) error {
	if c.challenge == "" && c.root == "" {
		return nil
	}
	if c.challenge == "" || c.root == "" {
		return usagef("--challenge and --committed-root go together: a challenge only counts for the root committed before it")
	}
	ch, err := sampling.ParseChallenge("--challenge", trimHex(c.challenge))
	if err != nil {
		return usageError{err}
	}
	rootHex, err := hashArg("--committed-root", c.root)
	if err != nil {
		return err
	}
	root, err := receipt.DecodeHex32("--committed-root", rootHex)
	if err != nil {
		return usageError{err}
	}
	o.SampleChallenge = &verifier.SampleChallenge{Value: ch, Root: root}
	return nil
}

// describeSampling is inspect's line for a sampling box (unverified).
func describeSampling(s *receipt.Sampling) string {
	from := s.Method
	switch s.Method {
	case receipt.SamplingMethodPoW:
		from = fmt.Sprintf("%s, %d-bit proof of work, nonce %s", s.Method, s.PoWBits, s.Nonce)
	case receipt.SamplingMethodChallenge:
		from = fmt.Sprintf("%s, challenge %s", s.Method, s.Challenge)
	}
	return fmt.Sprintf("%d of %d rows opened (%s), per-attempt bound %.3g at ε = %g", s.K, s.Rows, from, s.ErrorBound, s.Epsilon)
}
