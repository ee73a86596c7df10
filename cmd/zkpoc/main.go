// Command zkpoc proves that a node computed a fixed-point matrix-product
// challenge, wraps the proof in a signed compute receipt, and verifies such
// receipts offline.
//
// Exit codes: 0 success (verify: pass), 1 verify: reject, 2 usage or input
// error, 3 verify: hold, 4 failure while working (proving, I/O).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/consensys/gnark/logger"
)

// Exit codes.
const (
	exitOK     = 0
	exitReject = 1
	exitUsage  = 2
	exitHold   = 3
	exitFail   = 4
)

// usageError marks errors caused by the caller's input (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError carries a specific exit code for an already-reported outcome.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// refusal is an error reported with a specific exit code (a reject, a hold)
// rather than as a usage error or a failure.
type refusal struct {
	code int
	err  error
}

func (e refusal) Error() string { return e.err.Error() }
func (e refusal) Unwrap() error { return e.err }

// hinted adds a "hint:" line, what to do about the error, below its "error:" line.
type hinted struct {
	err  error
	hint string
}

func (e hinted) Error() string { return e.err.Error() }
func (e hinted) Unwrap() error { return e.err }

func withHint(err error, format string, args ...any) error {
	return hinted{err, fmt.Sprintf(format, args...)}
}

type command struct {
	name    string
	summary string
	run     func(env *cliEnv, args []string) error
}

type cliEnv struct {
	stdout, stderr io.Writer
}

var commands []command

func init() {
	commands = []command{
		{"demo", "run the whole job on an embedded default challenge: prove, sign, verify", runDemo},
		{"challenge", "derive a synthetic challenge task (challenge new)", runChallenge},
		{"keys", "set up, list, export and import keys (keys setup|list|export|import|export-vk)", runKeys},
		{"prove", "run a task natively, prove it and write a signed receipt", runProve},
		{"verify", "check a receipt offline and print the verdict", runVerify},
		{"inspect", "print a receipt's contents without judging them", runInspect},
		{"compare", "compare two nodes' receipts for one task (redundant execution)", runCompare},
		{"root", "compute_root over receipts' ComputeResults; inclusion proofs", runRoot},
		{"export", "Solidity verifier, EVM calldata, zk_compute_proof bytes", runExport},
		{"ceremony", "multi-party Groth16 trusted setup (ceremony init|contribute|seal-phase1|verify|finalize)", runCeremony},
		{"bench", "measure proof cost per circuit, size and proof system (bench, bench calibrate)", runBench},
	}
}

const topUsage = `zkpoc proves fixed-point matrix-product challenges with gnark and wraps
the proof in a signed compute receipt that anyone can verify offline.

Usage:
  zkpoc <command> [flags] [args]

Commands:
%s
Run "zkpoc <command> -h" for a command's flags.

Files live under $ZKPOC_HOME (default: the user cache dir + /zkpoc):
keys/ holds cached proving and verifying keys, node.key the node's Ed25519 key.

Exit codes: 0 success or pass, 1 reject, 2 usage or input error, 3 hold,
4 failure while working.
`

func usage(w io.Writer) {
	var b strings.Builder
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	sort.Strings(names)
	for _, n := range names {
		for _, c := range commands {
			if c.name == n {
				fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
			}
		}
	}
	fmt.Fprintf(w, topUsage, b.String())
}

func main() {
	if os.Getenv("ZKPOC_DEBUG") == "" {
		logger.Disable() // gnark's own debug lines; ZKPOC_DEBUG=1 keeps them
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	env := &cliEnv{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return code(env, c.run(env, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "zkpoc: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func code(env *cliEnv, err error) int {
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	for _, line := range strings.Split(err.Error(), "\n") { // errors.Join: one line each
		fmt.Fprintf(env.stderr, "error: %s\n", line)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if h, ok := e.(hinted); ok {
			fmt.Fprintf(env.stderr, "hint: %s\n", h.hint)
		}
	}
	var rf refusal
	if errors.As(err, &rf) {
		return rf.code
	}
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFail
}

// newFlags returns a flag set whose errors are usage errors and whose -h
// prints the given synopsis and description before the flags.
func newFlags(env *cliEnv, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: zkpoc %s\n\n%s\n\nFlags:\n", synopsis, strings.TrimSpace(description))
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags anywhere among the arguments ("verify r.json --json")
// and returns the positional arguments in order.
// isSet reports whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// parse parses flags that may come before, between or after positional
// arguments, until a "--".
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err}
		}
		rest := fs.Args()
		// The flag package drops a "--" that ends the flags: everything
		// after it is positional, even if it looks like a flag.
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		args = rest
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
