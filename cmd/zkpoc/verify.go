package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

func runVerify(env *cliEnv, args []string) error {
	fs := newFlags(env, "verify", "verify [--key BUNDLE|VK [--srs SRS | --ceremony DIR --beacon HEX]] [--policy P] [--json] RECEIPT", `
Checks a receipt offline: the node's signature, node_id, request_id, the input
commitment regenerated from the task's seed (for a task over supplied matrices:
recomputed from the files given with --a and --b; without them the proof is
checked against the commitment alone, and a sampled receipt is held because its
rows cannot be re-executed), the PoE, and the Groth16 or PLONK proof under
the verifying key (--key, or found in the local cache by the receipt's fingerprint).
Prints the verdict: pass (exit 0), reject (exit 1) or hold (exit 3), every check run,
and the claim the evidence allows. A sampled receipt whose rows come from a
challenge passes only when --challenge and --committed-root say which challenge
this verifier issued after which commitment; without them it is held.

Keys: without the key the receipt names, the verdict is hold (exit 3) and a
hint says how to get it (zkpoc keys export on the node, zkpoc keys import
here). The claim names the receipt's circuit only under a key established for
it: this machine's own, a PLONK key re-derived from its SRS (keys import
--srs, or --key BUNDLE --srs SRS here), a ceremony key whose transcript was
verified against the compiled circuit (--ceremony DIR --beacon HEX), or a key
the policy pins. Under a bare key file (--key vk.bin) or an unchecked bundle
the claim says the key's circuit was not established and nothing about the
output's correctness, and zk-strict-v1 holds.`)
	keyPath := fs.String("key", "", "verifying key: a key bundle (zkpoc keys export) or a bare key file (default: look up the receipt's fingerprint in the cache)")
	var tf trustFlags
	tf.register(fs)
	asJSON := fs.Bool("json", false, "print the verdict as JSON")
	verdictOut := fs.String("verdict-out", "", "also write the verdict JSON to this file")
	var accept stringList
	fs.Var(&accept, "accept-key", "accept only proofs under this verifying-key fingerprint, sha256:…, 0x… or hex (repeatable)")
	policyRef := fs.String("policy", protocol.DefaultPolicyID, "policy: "+strings.Join(verifier.PolicyIDs(), ", ")+", or a policy JSON file")
	var in inputFlags
	in.register(fs, "a supplied task's input, checked against its commitment")
	var cf challengeFlags
	cf.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return withHint(usagef("verify takes exactly one receipt file, have %d arguments", len(pos)), "zkpoc verify RECEIPT (-: standard input)")
	}
	for i, a := range accept {
		if accept[i], err = fingerprintArg("--accept-key", a); err != nil {
			return err
		}
	}
	if *verdictOut == stdinName {
		return withHint(usagef("--verdict-out -: stdout has the verdict already"), "--json prints the verdict as JSON on stdout")
	}
	if err := checkOutput("--verdict-out", *verdictOut); err != nil {
		return err
	}
	pol, err := verifier.LookupPolicy(*policyRef)
	if err != nil {
		return usageError{err}
	}
	o := verifier.Options{Policy: &pol, AcceptKeys: accept, RowProduct: native.MultiplyRows}
	if err := cf.apply(&o); err != nil {
		return err
	}
	envl, err := readEnvelope(env, pos[0])
	if err != nil {
		return err
	}
	if err := in.apply(&o); err != nil {
		return err
	}
	if err := setKeySource(&o, *keyPath, envl, tf, env.progress()); err != nil {
		return err
	}
	v := verifier.Verify(envl, o)
	if *verdictOut != "" {
		if err := writeJSON(env, *verdictOut, v); err != nil {
			return err
		}
	}
	if *asJSON {
		if err := printJSON(env, v); err != nil {
			return err
		}
	} else {
		printVerdict(env, v)
	}
	if h := keyHint(v); h != "" {
		fmt.Fprintf(env.stderr, "hint: %s\n", h)
	}
	for _, h := range checkHints(v) {
		fmt.Fprintf(env.stderr, "hint: %s\n", h)
	}
	return verdictExit(v)
}

// checkHints are verify's hints for checks the verifier could not run for
// want of something only the command line gives (the library's details
// name no flags).
func checkHints(v *verifier.Verdict) []string {
	var out []string
	for _, c := range v.PolicyDecision.Checks {
		switch {
		case c.Name == "input_commitment.files" && c.Status == "skip",
			c.Name == "sampling.rows_match" && c.Status == "skip" && strings.Contains(c.Detail, "none were given"):
			out = append(out, "give the task's matrix files with --a and --b to check them against its commitment and re-execute sampled rows")
		case c.Name == "sampling.challenge" && c.Status == "skip" && strings.HasPrefix(c.Detail, "no challenge given"):
			out = append(out, "give the challenge you issued and the root committed before it: --challenge HEX --committed-root ROOT")
		case c.Name == "proof.key_accepted" && c.Status == "fail":
			out = append(out, "the proof's key is not one of the --accept-key fingerprints")
		}
	}
	if slices.Contains(v.HoldCodes, verifier.HoldKeyNotEstablished) || slices.Contains(v.HoldCodes, verifier.HoldSetupNotTrusted) {
		out = append(out, "establish the key: zkpoc keys import --srs FILE BUNDLE (PLONK: re-derives it) or zkpoc keys import --ceremony DIR --beacon HEX BUNDLE (Groth16), or pin it in a policy file (trusted_keys)")
	}
	// One hint each.
	seen := map[string]bool{}
	uniq := out[:0]
	for _, h := range out {
		if !seen[h] {
			seen[h] = true
			uniq = append(uniq, h)
		}
	}
	return uniq
}

// keyHint says how to obtain the verifying key a verdict lacked, "" when
// it lacked none.
func keyHint(v *verifier.Verdict) string {
	if v == nil || v.KeyNeeded == "" {
		return ""
	}
	return fmt.Sprintf("verifying key %s is not in the local key cache: get its bundle from the node (zkpoc keys export %s there), then zkpoc keys import BUNDLE here, or pass --key FILE", v.KeyNeeded, v.KeyNeeded)
}

func verdictExit(v *verifier.Verdict) error {
	if code := verdictCode(v); code != exitOK {
		return exitError{code}
	}
	return nil
}

// verdictCode is a verdict's exit code: 0 pass, 3 hold, 1 reject.
func verdictCode(v *verifier.Verdict) int {
	switch v.PolicyDecision.Status {
	case verifier.Pass:
		return exitOK
	case verifier.Hold:
		return exitHold
	}
	return exitReject
}

// requirePass verifies the receipt read from path as verify does (its
// signature, node identity, receipt_id, commitments, PoE and proof, under
// the key file keyPath or the cached key its fingerprint names, default
// policy) and refuses it unless it passes, with the verdict's exit code:
// what verify rejects or holds is never exported or put in a block.
func requirePass(e *receipt.Envelope, path, keyPath, purpose string) error {
	pol := verifier.BuiltinPolicies[protocol.DefaultPolicyID]
	o := verifier.Options{Policy: &pol, RowProduct: native.MultiplyRows}
	if err := setKeySource(&o, keyPath, e, trustFlags{}, nil); err != nil {
		return err
	}
	v := verifier.Verify(e, o)
	if code := verdictCode(v); code != exitOK {
		err := fmt.Errorf("receipt %s does not verify (%s under %s: %s): refusing to %s",
			path, v.PolicyDecision.Status, pol.ID, v.PolicyDecision.Reason, purpose)
		if h := keyHint(v); h != "" {
			return refusal{code, withHint(err, "%s", h)}
		}
		return refusal{code, withHint(err, "zkpoc verify %s lists every check and its detail", path)}
	}
	return nil
}

func printVerdict(env *cliEnv, v *verifier.Verdict) {
	w := env.stdout
	fmt.Fprintf(w, "verdict: %s (policy %s, %s)\n", v.PolicyDecision.Status, v.PolicyDecision.PolicyID, v.PolicyDecision.PolicyDigest)
	fmt.Fprintf(w, "reason:  %s\n", v.PolicyDecision.Reason)
	for _, c := range v.PolicyDecision.Checks {
		line := fmt.Sprintf("  %-4s %s", c.Status, c.Name)
		if c.Detail != "" {
			line += ": " + c.Detail
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "allowed claim: %s\n", v.AllowedClaim)
	fmt.Fprintln(w, "blocked claims:")
	for _, b := range v.BlockedClaims {
		fmt.Fprintf(w, "  - %s\n", b)
	}
}

func runInspect(env *cliEnv, args []string) error {
	fs := newFlags(env, "inspect", "inspect [--json] RECEIPT", `
Prints what a receipt says (task, node, digests, proof metadata) without checking
it. Use zkpoc verify to judge it. A receipt whose signed body carries a verdict
(policy_decision, allowed_claim) or drops a standard blocked claim was judged by
the node itself: inspect marks those fields as node-written and exits 1, as
verify rejects such a receipt.`)
	asJSON := fs.Bool("json", false, "print the decoded statement as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return withHint(usagef("inspect takes exactly one receipt file"), "zkpoc inspect RECEIPT (-: standard input)")
	}
	envl, err := readEnvelope(env, pos[0])
	if err != nil {
		return err
	}
	st, _, err := envl.Statement()
	if err != nil {
		return usageError{err}
	}
	r := st.Predicate
	judged := r.CheckUnjudged()
	if *asJSON {
		if err := printJSON(env, st); err != nil {
			return err
		}
		return nodeVerdictRefusal(pos[0], judged)
	}
	w := env.stdout
	fmt.Fprintf(w, "receipt   %s (%s, mode %s) — NOT verified; run zkpoc verify\n", r.ReceiptID, r.Version, r.Mode)
	if judged != nil {
		fmt.Fprintln(w, "NODE-WRITTEN verdict fields, NOT trustworthy (only a verifier's verdict counts):")
		for _, line := range strings.Split(judged.Error(), "\n") {
			fmt.Fprintf(w, "          %s\n", line)
		}
	}
	source := "seed " + r.Task.Payload.Seed
	if r.Task.Supplied() {
		source = "supplied matrices, input_commitment " + r.Task.Payload.InputCommitment
	}
	fmt.Fprintf(w, "task      %s: %s n=%d f=%d, %s\n", r.Task.TaskID, r.Task.ChallengeType, r.Task.Payload.MatrixSize, r.Task.Payload.FracBits, source)
	fmt.Fprintf(w, "reward    %s wei, deadline %d\n", r.Task.Reward, r.Task.Deadline)
	fmt.Fprintf(w, "node      %s\n", r.Node.NodeID)
	if a := r.Node.WorkerAddress; a != "" {
		fmt.Fprintf(w, "worker    %q (node.worker_address)\n", a)
	}
	fmt.Fprintf(w, "request   %s\n", r.RequestID)
	fmt.Fprintf(w, "input     %s\n", r.InputCommitment)
	fmt.Fprintf(w, "output    %s\n", r.OutputDigest)
	fmt.Fprintf(w, "poe       %s\n", r.PoE)
	if ce := r.CostEstimate; ce != nil {
		fmt.Fprintf(w, "decision  %s: %s\n", ce.Decision, ce.Reason)
	}
	if s := r.Sampling; s != nil {
		fmt.Fprintf(w, "sampling  %s\n", describeSampling(s))
	}
	if p := r.Proof; p != nil {
		fmt.Fprintf(w, "proof     %s/%s %s, %d bytes, key %s (%s)\n", p.System, p.Curve, p.Circuit, len(p.Bytes), p.KeyFingerprint, p.SetupProvenance)
	}
	if m := r.RuntimeMeasurement; m != nil {
		usable := "usable CPUs not recorded"
		if m.UsableCPUs > 0 {
			usable = fmt.Sprintf("%d usable CPUs", m.UsableCPUs)
		}
		fmt.Fprintf(w, "runtime   %s on %s, %s (the CPU package reports %d logical cores), %.6f s (%s)\n", m.Executor, m.CPU, usable, m.LogicalCores, m.NativeSeconds, m.ClaimLimit)
	}
	return nodeVerdictRefusal(pos[0], judged)
}

// nodeVerdictRefusal is inspect's exit for a receipt whose signed body the
// node judged itself (err from CheckUnjudged): a reject, nil when err is nil.
func nodeVerdictRefusal(path string, err error) error {
	if err == nil {
		return nil
	}
	return refusal{exitReject, withHint(fmt.Errorf("receipt %s: the node wrote verifier fields into what it signed; they are not a verdict: %w", path, err),
		"a verdict comes only from zkpoc verify, which rejects this receipt")}
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
