package main

import (
	"fmt"
	"strings"

	"github.com/zkpoc/zkpoc/verifier"
)

func runCompare(env *cliEnv, args []string) error {
	fs := newFlags(env, "compare", "compare [--json] [--policy P] RECEIPT1 RECEIPT2", `
Redundant execution: compares two receipts of the same task from two nodes.
Both are verified; if their output digests agree the command exits 0, else it
recomputes the product natively to tell which node returned the wrong output,
prints the escalation advice and exits 1.`)
	asJSON := fs.Bool("json", false, "print the comparison as JSON")
	policyRef := fs.String("policy", "binding-v1", "policy the two receipts are verified under")
	var in inputFlags
	in.register(fs, "a supplied task's input, for the recomputation")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("compare takes two receipt files, have %d", len(pos))
	}
	pol, err := verifier.LookupPolicy(*policyRef)
	if err != nil {
		return usageError{err}
	}
	cache, err := keyCache()
	if err != nil {
		return err
	}
	e1, err := readEnvelope(pos[0])
	if err != nil {
		return err
	}
	e2, err := readEnvelope(pos[1])
	if err != nil {
		return err
	}
	o := verifier.Options{Policy: &pol, Cache: &cache}
	if err := in.apply(&o); err != nil {
		return err
	}
	cmp, err := verifier.Compare(e1, e2, o)
	if err != nil {
		return usageError{err}
	}
	if *asJSON {
		if err := printJSON(env, cmp); err != nil {
			return err
		}
	} else {
		w := env.stdout
		state := "disagree"
		if cmp.Agree {
			state = "agree"
		}
		fmt.Fprintf(w, "request %s: nodes %s\n", cmp.RequestID, state)
		for i, v := range cmp.Verdicts {
			line := fmt.Sprintf("  node %d %s…: verdict %s", i+1, cmp.Nodes[i][:16], v.PolicyDecision.Status)
			if f := v.Failed(); len(f) > 0 {
				line += " (" + strings.Join(f, ", ") + ")"
			}
			if r := cmp.Reference; r != nil {
				line += fmt.Sprintf(", output matches recomputation: %v", r.Correct[i])
				if r.FirstDifferingRow[i] >= 0 {
					line += fmt.Sprintf(", first differing row %d", r.FirstDifferingRow[i])
				}
			}
			fmt.Fprintln(w, line)
		}
		fmt.Fprintf(w, "advice: %s\n", cmp.Advice)
	}
	if !cmp.Agree {
		return exitError{exitReject}
	}
	return nil
}
