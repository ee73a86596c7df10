package main

import (
	"fmt"
	"strings"

	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

func runCompare(env *cliEnv, args []string) error {
	fs := newFlags(env, "compare", "compare [--json] [--policy P] [--key VK | --key-a VK1 --key-b VK2] RECEIPT1 RECEIPT2", `
Redundant execution: compares two receipts of the same task from two nodes.
The task is each receipt's own: receipts whose tasks differ are refused (exit
2), whatever request_id they state. Both are verified, each under its own key
(--key-a for RECEIPT1, --key-b for RECEIPT2, --key for both; default: the
local cache by each receipt's fingerprint). A receipt is evidence only when
its signature and node identity verify: one that fails them is evidence
against no one, so no escalation is ever advised from it; nor from one whose
request_id field is not its task's. Exit 0: both receipts pass and their outputs agree.
Exit 1: the outputs differ and a node's own signed receipt is wrong by the
verifier's native recomputation (escalate against that node). Exit 3: no
conclusion — a receipt is not evidence, or does not pass (a missing key, a
policy that rejects or holds it).`)
	asJSON := fs.Bool("json", false, "print the comparison as JSON")
	policyRef := fs.String("policy", "binding-v1", "policy the two receipts are verified under")
	keyBoth := fs.String("key", "", "verifying key file for both receipts")
	keyA := fs.String("key-a", "", "verifying key file for RECEIPT1 (node A)")
	keyB := fs.String("key-b", "", "verifying key file for RECEIPT2 (node B)")
	var in inputFlags
	in.register(fs, "a supplied task's input, for the recomputation")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("compare takes two receipt files, have %d", len(pos))
	}
	if *keyBoth != "" && (*keyA != "" || *keyB != "") {
		return withHint(usagef("--key gives both receipts one key: it does not go with --key-a or --key-b"),
			"use --key-a and --key-b when the nodes have different keys")
	}
	pol, err := verifier.LookupPolicy(*policyRef)
	if err != nil {
		return usageError{err}
	}
	base := verifier.Options{Policy: &pol, RowProduct: native.MultiplyRows}
	if err := in.apply(&base); err != nil {
		return err
	}
	var envs [2]*receipt.Envelope
	var opts [2]verifier.Options
	for i, side := range []struct{ path, key string }{{pos[0], *keyA}, {pos[1], *keyB}} {
		e, err := readEnvelope(env, side.path)
		if err != nil {
			return err
		}
		envs[i], opts[i] = e, base
		key := side.key
		if *keyBoth != "" {
			key = *keyBoth
		}
		if err := setKeySource(&opts[i], key, e, trustFlags{}, env.progress()); err != nil {
			return err
		}
	}
	cmp, err := verifier.Compare(envs[0], envs[1], opts[0], opts[1])
	if err != nil {
		return withHint(usageError{err}, "compare takes two nodes' receipts of one task: zkpoc inspect shows each receipt's task and request")
	}
	if *asJSON {
		if err := printJSON(env, cmp); err != nil {
			return err
		}
	} else {
		printComparison(env, cmp)
	}
	for _, v := range cmp.Verdicts {
		if h := keyHint(v); h != "" {
			fmt.Fprintf(env.stderr, "hint: %s\n", h)
		}
	}
	switch cmp.Outcome {
	case verifier.Agree:
		return nil
	case verifier.Disagree:
		return exitError{exitReject}
	}
	return exitError{exitHold}
}

func printComparison(env *cliEnv, cmp *verifier.Comparison) {
	w := env.stdout
	state := map[string]string{
		verifier.Agree:     "agree",
		verifier.Disagree:  "disagree",
		verifier.Undecided: "undecided (no conclusion)",
	}[cmp.Outcome]
	fmt.Fprintf(w, "request %s: nodes %s\n", cmp.RequestID, state)
	for i, v := range cmp.Verdicts {
		evidence := "evidence (signature and node identity verified)"
		if !cmp.Evidence[i] {
			evidence = "NOT evidence (signature or node identity fails: it may not come from this node)"
		}
		if !cmp.RequestIDMatches[i] {
			evidence += "; its request_id field is NOT its task's (held against no one)"
		}
		line := fmt.Sprintf("  receipt %d, node %s…: %s; verdict %s", i+1, short(cmp.Nodes[i], 16), evidence, v.PolicyDecision.Status)
		if f := v.Failed(); len(f) > 0 {
			line += " (" + strings.Join(f, ", ") + ")"
		} else if v.KeyNeeded != "" {
			line += " (verifying key " + v.KeyNeeded + " missing)"
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

// short returns s cut to n bytes (node ids are hex; a hostile receipt's may
// be anything, including shorter than n).
func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
