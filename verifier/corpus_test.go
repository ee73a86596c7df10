package verifier_test

import (
	"path/filepath"
	"testing"

	"github.com/zkpoc/zkpoc/internal/corpus"
)

// corpusDir holds the receipt corpus (testdata/receipts/README.md).
var corpusDir = filepath.Join("..", "testdata", "receipts")

// TestCorpus verifies every receipt of the corpus with what its header says
// the verifier is given, and requires the verdict it states: the status,
// every failed check of a reject, the reason codes of a hold and the key it
// names. It regenerates nothing and needs no key but the corpus's own.
func TestCorpus(t *testing.T) {
	cases, err := corpus.Load(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 25 {
		t.Fatalf("the corpus has %d cases, want at least 25", len(cases))
	}
	seen := map[string]int{}
	for _, c := range cases {
		seen[c.Expect]++
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			t.Log(c.Comment)
			got, v, err := corpus.Run(corpusDir, c)
			if err != nil {
				t.Fatal(err)
			}
			if d := c.Diff(got); d != "" {
				reason := ""
				if v != nil {
					reason = v.PolicyDecision.Reason
				}
				t.Errorf("%s (%s)", d, reason)
			}
		})
	}
	for _, e := range []string{corpus.Pass, corpus.Reject, corpus.Hold, corpus.Malformed} {
		if seen[e] == 0 {
			t.Errorf("no corpus case expects %s", e)
		}
	}
}
