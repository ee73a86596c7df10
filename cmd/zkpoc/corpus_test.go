package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zkpoc/zkpoc/internal/corpus"
	"github.com/zkpoc/zkpoc/verifier"
)

// TestCorpusCLI runs every case of the receipt corpus (testdata/receipts)
// through zkpoc verify, with the flags its header names, under an empty
// ZKPOC_HOME: the exit code is the verdict's (0 pass, 1 reject, 3 hold),
// and the printed verdict names the case's failed checks, hold reasons and
// missing key.
// The CLI reads a receipt before judging it, so an envelope that does not
// decode, or a payload that is not canonical JSON, is an input error (2).
func TestCorpusCLI(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "receipts"))
	if err != nil {
		t.Fatal(err)
	}
	cases, err := corpus.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("ZKPOC_HOME", t.TempDir())
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			body := filepath.Join(t.TempDir(), "receipt.json")
			if err := os.WriteFile(body, c.Body, 0o644); err != nil {
				t.Fatal(err)
			}
			file := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
			args := []string{"verify", "--json"}
			if c.Policy != "" {
				pol := c.Policy
				if filepath.Ext(pol) == ".json" {
					pol = file(pol)
				}
				args = append(args, "--policy", pol)
			}
			if c.Key != nil {
				args = append(args, "--key", file(c.Key.Path))
			}
			for _, k := range c.AcceptKeys {
				args = append(args, "--accept-key", k)
			}
			if c.Challenge != nil {
				args = append(args, "--challenge", hex.EncodeToString(c.Challenge), "--committed-root", hex.EncodeToString(c.Root[:]))
			}
			if c.A != "" {
				args = append(args, "--a", file(c.A), "--b", file(c.B))
			}
			var stdout, stderr bytes.Buffer
			got := run(append(args, body), &stdout, &stderr)
			want := map[string]int{corpus.Pass: exitOK, corpus.Reject: exitReject, corpus.Hold: exitHold, corpus.Malformed: exitUsage}[c.Expect]
			if slices.Equal(c.Failed, []string{"envelope.payload"}) {
				want = exitUsage
			}
			if got != want {
				t.Fatalf("exit %d, want %d (%s)\n%s", got, want, c.Comment, stderr.String())
			}
			if want == exitUsage {
				return
			}
			var v verifier.Verdict
			if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
				t.Fatalf("verdict JSON: %v\n%s", err, stdout.String())
			}
			if !slices.Equal(v.Failed(), c.Failed) || !slices.Equal(corpus.HoldCodes(&v), c.Hold) || v.KeyNeeded != c.KeyNeeded {
				t.Errorf("failed %v, hold %v, key_needed %q; want %v, %v, %q", v.Failed(), corpus.HoldCodes(&v), v.KeyNeeded, c.Failed, c.Hold, c.KeyNeeded)
			}
		})
	}
}
