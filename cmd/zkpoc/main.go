// Command zkpoc proves that a node computed a fixed-point matrix-product
// challenge, wraps the proof in a signed compute receipt, and verifies such
// receipts offline.
//
// Exit codes: 0 success (verify: pass), 1 verify: reject, 2 usage or input
// error, 3 verify: hold, 4 failure while working (proving, I/O).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"

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

// cliEnv is what a command reads and writes: its standard streams, and
// whether --quiet silenced progress.
type cliEnv struct {
	ctx            context.Context // cancelled by an interrupt
	stdout, stderr io.Writer
	stdin          io.Reader
	quiet          bool // --quiet, -q: no progress on stderr
	stdinTaken     string
}

// progress is where a command writes progress: stderr, or nowhere under --quiet.
func (e *cliEnv) progress() io.Writer {
	if e.quiet {
		return io.Discard
	}
	return e.stderr
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
		{"chain", "ComputeRegistry on an EVM chain (chain deploy|post|submit|status|root|demo)", runChain},
		{"ceremony", "multi-party Groth16 trusted setup (ceremony init|contribute|seal-phase1|verify|finalize)", runCeremony},
		{"bench", "measure proof cost per circuit, size and proof system (bench, bench calibrate)", runBench},
		{"market", "serve the network's Task Market HTTP API (needs a coordinator over NATS)", runMarket},
		{"network", "run the whole network on this machine (network demo)", runNetwork},
		{"coordinator", "run the network's PoC validator (embeds nats-server unless --nats)", runCoordinator},
		{"worker", "run a worker node of the zkpoc network on NATS JetStream", runWorker},
		{"version", "print the module version, VCS revision, Go and gnark versions", runVersion},
	}
}

const topUsage = `zkpoc proves fixed-point matrix-product challenges with gnark and wraps
the proof in a signed compute receipt that anyone can verify offline.

Usage:
  zkpoc <command> [flags] [args]

Commands:
%s
Run "zkpoc <command> -h" or "zkpoc help <command>" for a command's flags;
"zkpoc --version" prints the version. Every command takes --quiet (-q): no
progress on stderr. A file argument "-" is standard input or output.

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
	// An interrupt cancels a proving run at its next phase (prover.Run).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(runCtx(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	return runIn(args, os.Stdin, stdout, stderr)
}

func runIn(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runCtx(context.Background(), args, stdin, stdout, stderr)
}

func runCtx(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &cliEnv{ctx: ctx, stdout: stdout, stderr: stderr, stdin: stdin}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "-help":
		usage(stdout)
		return exitOK
	case "help":
		if len(args) == 1 {
			usage(stdout)
			return exitOK
		}
		// help CMD [SUB]: the command's own -h, on stdout.
		return runCtx(ctx, append(append([]string(nil), args[1:]...), "-h"), stdin, stdout, stderr)
	case "--version", "-version":
		return code(env, runVersion(env, args[1:]))
	}
	for _, c := range commands {
		if c.name == args[0] {
			return code(env, c.run(env, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "error: unknown command %q\n", args[0])
	fmt.Fprintf(stderr, "hint: zkpoc help lists the commands\n\n")
	usage(stderr)
	return exitUsage
}

// errHelpShown is returned once a command printed the help asked for (exit 0).
var errHelpShown = errors.New("help shown")

// flagUsageError is a flag that did not parse: reported once, as an error,
// followed by the command's usage on stderr.
type flagUsageError struct {
	err   error
	usage string
}

func (e flagUsageError) Error() string { return e.err.Error() }
func (e flagUsageError) Unwrap() error { return e.err }

// code prints err the way age's command does: one "error: " line per line
// of the error, then a "hint: " line for each hint it carries, outermost
// first; it returns the exit code the README's table gives the error.
func code(env *cliEnv, err error) int {
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, flag.ErrHelp) || errors.Is(err, errHelpShown) {
		return exitOK
	}
	for _, line := range strings.Split(err.Error(), "\n") { // errors.Join: one line each
		fmt.Fprintf(env.stderr, "error: %s\n", line)
	}
	for _, h := range hints(err) {
		fmt.Fprintf(env.stderr, "hint: %s\n", h)
	}
	var fe flagUsageError
	if errors.As(err, &fe) {
		fmt.Fprintf(env.stderr, "\n%s", fe.usage)
		return exitUsage
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

// hints collects the hints along err's chain (errors.Join branches included), outermost first.
func hints(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		for e != nil {
			if h, ok := e.(hinted); ok {
				out = append(out, h.hint)
			}
			if j, ok := e.(interface{ Unwrap() []error }); ok {
				for _, x := range j.Unwrap() {
					walk(x)
				}
				return
			}
			e = errors.Unwrap(e)
		}
	}
	walk(err)
	return out
}

// flagDoc is what newFlags knows of a flag set: where its help goes and what it says.
type flagDoc struct {
	env                   *cliEnv
	synopsis, description string
}

var flagDocs sync.Map // *flag.FlagSet → flagDoc

// newFlags returns a flag set whose errors are usage errors, whose -h
// prints the given synopsis and description before the flags (on stdout),
// and which takes --quiet (-q), as every command does.
func newFlags(env *cliEnv, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors and help itself, once
	fs.Usage = func() {}
	fs.BoolVar(&env.quiet, "quiet", false, "no progress on stderr")
	fs.BoolVar(&env.quiet, "q", false, "same as --quiet")
	flagDocs.Store(fs, flagDoc{env, synopsis, description})
	return fs
}

// flagUsage is a flag set's help text: synopsis, description, flags.
func flagUsage(fs *flag.FlagSet) string {
	var b strings.Builder
	if d, ok := flagDocs.Load(fs); ok {
		doc := d.(flagDoc)
		fmt.Fprintf(&b, "Usage: zkpoc %s\n\n%s\n\nFlags:\n", doc.synopsis, strings.TrimSpace(doc.description))
	}
	out := fs.Output()
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(out)
	return b.String()
}

// isSet reports whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// parse parses flags that may come before, between or after positional
// arguments ("verify r.json --json"), until a "--", and returns the
// positional arguments in order. -h prints the help on stdout and returns
// errHelpShown; a flag that does not parse is a usage error, reported once.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				w := io.Writer(os.Stdout)
				if d, ok := flagDocs.Load(fs); ok {
					w = d.(flagDoc).env.stdout
				}
				fmt.Fprint(w, flagUsage(fs))
				return nil, errHelpShown
			}
			return nil, usageError{flagUsageError{err, flagUsage(fs)}}
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

// parseNone is parse for a command that takes no positional arguments.
func parseNone(fs *flag.FlagSet, args []string) error {
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return withHint(usagef("zkpoc %s takes no arguments, have %q", fs.Name(), pos), "zkpoc %s -h lists its flags", fs.Name())
	}
	return nil
}

// groupUsage is the error for a command group given no subcommand or an
// unknown one: the message, then the group's help on stderr (exit 2).
func groupUsage(msg, help string) error {
	return usageError{flagUsageError{errors.New(msg), help}}
}
