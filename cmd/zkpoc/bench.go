package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/zkpoc/zkpoc/bench"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
)

const benchDescription = `
Measures what proving costs on this machine: for every matrix size n, circuit
(freivalds-v5, and naive-v5, the n³ reference), proof system (Groth16; PLONK
with an UNSAFE dev KZG SRS, timings only) and curve (BN254, BLS12-381), one row with
constraints, compile, setup, witness, prove and verify seconds, proof and key
bytes, peak memory (process peak RSS), the native product time on the fastest
executor and the ratios below. Compile and setup run once per row; native,
witness, prove and verify run --runs times: median (min..max).

Writes bench.csv, bench.json, bench.md, prove_seconds.png/.svg and
constraints.png/.svg into --out (rewritten after every row; Ctrl-C stops at
once and writes the rows finished so far, dropping the one in progress). Rows
whose estimated peak memory exceeds --max-memory are skipped and say so; the
naive circuit is skipped above --naive-max-n. --quick is the first look: one
run of Groth16 on BN254 only, with keys from the key cache where present (a first
--quick run sets them up and caches them; later ones skip setup). Progress goes to stderr (--quiet: none), the
table (or --json, the report) to stdout. Other processes on the machine skew
the timings: the load average is recorded.

  zkpoc bench calibrate [-o path] [--sizes 16,64]
measures the cost model's coefficients (prove and setup seconds per
constraint, peak bytes per constraint) with Freivalds Groth16 at n = 16 and
64 and writes them to $ZKPOC_HOME/calibration.json, which prove's budget
check then uses.

` + bench.ReadingGuide

func runBench(env *cliEnv, args []string) error {
	if len(args) > 0 && args[0] == "calibrate" {
		return runBenchCalibrate(env, args[1:])
	}
	fs := newFlags(env, "bench", "bench [flags] | bench calibrate [-o path]", benchDescription)
	sizes := fs.String("sizes", benchJoinInts(bench.DefaultSizes), "comma-separated matrix sizes n")
	systems := fs.String("systems", string(protocol.Groth16)+","+string(protocol.Plonk), "comma-separated proof systems: groth16, plonk")
	circs := fs.String("circuits", protocol.Freivalds.Name()+","+protocol.Naive.Name(), "comma-separated circuits: "+protocol.Freivalds.Name()+", "+protocol.Naive.Name()+", "+protocol.Synthetic.Name()+" (Groth16 on bn254 only; its rows verify as an offline verifier does, regenerating A and B)")
	curves := fs.String("curves", string(protocol.BN254)+","+string(protocol.BLS12381), "comma-separated curves: bn254, bls12-381 (default: both; bn254 with --quick)")
	runs := fs.Int("runs", 0, "repetitions of native/witness/prove/verify (default 3; 1 with --quick)")
	quick := fs.Bool("quick", false, "a first look in minutes: one run, Groth16 on BN254 only (unless --systems or --curves is given; PLONK never above n = 16), keys reused from the cache (--reuse-keys)")
	reuseKeys := fs.Bool("reuse-keys", false, "reuse Groth16 keys from the key cache ($ZKPOC_HOME/keys) and store new ones there; rows with cached keys report setup as \"cached\"")
	out := fs.String("out", "", "output directory, created if absent in an existing directory (default ./zkpoc-bench-<date>-<time>)")
	asJSON := fs.Bool("json", false, "print the report as JSON on stdout instead of the table")
	naiveMax := fs.Int("naive-max-n", bench.DefaultNaiveMaxN, "skip the naive reference above this n (0 or less: no limit)")
	plonkMax := fs.Int("plonk-max-n", 0, "skip PLONK above this n (0: no limit; --quick: 16)")
	maxMemory := fs.String("max-memory", "", "skip rows estimated to need more, e.g. 8GiB (default: three quarters of physical memory)")
	maxRow := fs.Float64("max-row-seconds", 0, "skip rows whose estimated setup + proofs exceed this (0: no limit)")
	fracBits := fs.Int("frac-bits", 8, "fractional bits f")
	executor := fs.String("executor", "", "native executor (default: the fastest available)")
	calibration := fs.String("calibration", "", "cost-model coefficients for the skip estimates (default: $ZKPOC_HOME/calibration.json if present)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		if pos[0] == "calibrate" {
			return usagef("put calibrate first: zkpoc bench calibrate [flags]")
		}
		return usagef("bench: unexpected argument %q", pos[0])
	}
	if err := checkExecutor("--executor", *executor); err != nil {
		return err
	}
	cfg := bench.Config{Runs: *runs, Quick: *quick, PlonkMaxN: *plonkMax, Executor: *executor}
	if *quick && !isSet(fs, "systems") {
		*systems = string(protocol.Groth16)
	}
	if *quick || *reuseKeys {
		cache, err := keyCache()
		if err != nil {
			return err
		}
		cfg.Keys = &cache
	}
	if cfg.Sizes, err = benchParseInts(*sizes); err != nil {
		return usagef("--sizes: %w", err)
	}
	for _, n := range cfg.Sizes {
		if n < 1 || n > protocol.MaxN {
			return usagef("--sizes: n = %d out of range [1, %d]", n, protocol.MaxN)
		}
	}
	for _, name := range benchSplitList(*circs) {
		m, err := protocol.ParseMethod(name)
		if err != nil {
			return usagef("--circuits: %w", err)
		}
		cfg.Circuits = append(cfg.Circuits, m)
	}
	for _, name := range benchSplitList(*systems) {
		s, err := protocol.ParseSystem(name)
		if err != nil {
			return usagef("--systems: unknown proof system %q (want groth16 or plonk)", name)
		}
		cfg.Systems = append(cfg.Systems, s)
	}
	if !*quick || isSet(fs, "curves") {
		for _, name := range benchSplitList(*curves) {
			c, err := protocol.ParseCurve(name)
			if err != nil {
				return usagef("--curves: %w", err)
			}
			cfg.Curves = append(cfg.Curves, c)
		}
		if len(cfg.Curves) == 0 {
			return usagef("--curves must not be empty")
		}
	}
	if len(cfg.Circuits) == 0 || len(cfg.Systems) == 0 || len(cfg.Sizes) == 0 {
		return usagef("--sizes, --circuits and --systems must not be empty")
	}
	if *runs < 0 {
		return usagef("--runs must be positive")
	}
	if *plonkMax < 0 {
		return usagef("--plonk-max-n must not be negative")
	}
	cfg.NaiveMaxN = *naiveMax
	if *naiveMax <= 0 {
		cfg.NaiveMaxN = -1
	}
	if *fracBits < 0 || *fracBits > 16 {
		return usagef("--frac-bits must be in [0, 16]")
	}
	cfg.FracBits = *fracBits
	if *fracBits == 0 {
		cfg.FracBits = -1 // bench.Config: negative means f = 0
	}
	if *maxMemory != "" {
		if cfg.MemoryBudget, err = parseBytes(*maxMemory); err != nil {
			return usagef("--max-memory: %w", err)
		}
	}
	if *maxRow < 0 {
		return usagef("--max-row-seconds must not be negative")
	}
	cfg.MaxRowTime = time.Duration(*maxRow * float64(time.Second))
	if cfg.Coeffs, err = benchCoefficients(*calibration); err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = "zkpoc-bench-" + time.Now().Format("20060102-150405")
	}
	// Before any row runs: a directory the report cannot go to would lose them all.
	if err := checkOutputDir("--out", dir); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			stop() // a second interrupt kills the process
			fmt.Fprintln(env.stderr, "bench: interrupted: writing the rows finished so far (interrupt again to quit at once)")
		case <-done:
		}
	}()

	var writeErr error
	cfg.OnRow = func(r *bench.Report, _ bench.Row) {
		if _, err := r.WriteAll(dir); err != nil && writeErr == nil {
			writeErr = err
			fmt.Fprintf(env.stderr, "bench: warning: %v\n", err)
		}
	}
	fmt.Fprintf(env.progress(), "bench: writing to %s\n", dir)
	rep, runErr := bench.Run(ctx, cfg, env.progress())
	if rep == nil {
		return usageError{runErr} // rejected configuration
	}
	paths, err := rep.WriteAll(dir)
	if err != nil {
		return fmt.Errorf("bench: write results: %w", err)
	}
	if *asJSON {
		if err := printJSON(env, rep); err != nil {
			return err
		}
	} else {
		fmt.Fprint(env.stdout, rep.Markdown())
	}
	fmt.Fprintf(env.progress(), "bench: wrote %s\n", strings.Join(paths, ", "))
	if runErr != nil {
		return fmt.Errorf("%d row(s) kept in %s: %w", len(rep.Rows), dir, runErr)
	}
	if f := rep.Failed(); len(f) > 0 {
		return fmt.Errorf("bench: %d row(s) failed, first %s %s n=%d: %s", len(f), f[0].Circuit, f[0].System, f[0].N, f[0].Reason)
	}
	return nil
}

func runBenchCalibrate(env *cliEnv, args []string) error {
	fs := newFlags(env, "bench calibrate", "bench calibrate [-o path] [--sizes 16,64]", `
Measures this host's cost-model coefficients: Groth16 setup and one proof of
the Freivalds circuit at each size (default n = 16 and 64: two key setups;
measured 48 s on 2 cores shared with a test run), then fits prove and setup seconds per constraint and
peak bytes per constraint (least squares through the origin; peak bytes above
the process baseline, the baseline as the fixed part). Writes them with
prover.WriteCoefficients; zkpoc prove reads $ZKPOC_HOME/calibration.json.
Measurements on a machine shared with other work come out pessimistic.`)
	out := fs.String("o", "", "output file (default $ZKPOC_HOME/calibration.json)")
	sizes := fs.String("sizes", benchJoinInts(bench.CalibrationSizes), "comma-separated Freivalds sizes n to measure")
	asJSON := fs.Bool("json", false, "print the coefficients as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("bench calibrate: unexpected argument %q", pos[0])
	}
	ns, err := benchParseInts(*sizes)
	if err != nil || len(ns) == 0 {
		return usagef("--sizes: want comma-separated sizes such as 16,64")
	}
	for _, n := range ns {
		if n < 1 || n > protocol.MaxN {
			return usagef("--sizes: n = %d out of range [1, %d]", n, protocol.MaxN)
		}
	}
	path := *out
	if path == "" {
		h, err := home()
		if err != nil {
			return err
		}
		path = filepath.Join(h, "calibration.json")
		if err := os.MkdirAll(h, 0o755); err != nil {
			return err
		}
	}
	if path == stdinName {
		return usagef("-o -: the calibration file is read back after writing; name a file (--json prints the coefficients)")
	}
	if err := checkOutput("-o", path); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := bench.CalibrateSizes(ctx, ns, env.progress())
	if err != nil {
		return err
	}
	if err := prover.WriteCoefficients(path, c); err != nil {
		return fmt.Errorf("write calibration %s: %w", path, err)
	}
	if _, err := prover.ReadCoefficients(path); err != nil {
		return fmt.Errorf("calibration written but does not read back: %w", err)
	}
	if *asJSON {
		return printJSON(env, c)
	}
	fmt.Fprintf(env.stdout, "calibration: %s\n  prove %.3g s/constraint, setup %.3g s/constraint, peak %.0f B/constraint + %.0f MiB\n  source: %s\n",
		path, c.ProveSecondsPerConstr, c.SetupSecondsPerConstr, c.PeakBytesPerConstr, c.PeakBytesFixed/(1<<20), c.Source)
	return nil
}

// benchCoefficients reads the given calibration file, else
// $ZKPOC_HOME/calibration.json when present, else returns the defaults.
func benchCoefficients(path string) (*prover.Coefficients, error) {
	if path == "" {
		h, err := home()
		if err != nil {
			return nil, err
		}
		path = filepath.Join(h, "calibration.json")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			d := prover.DefaultCoefficients
			return &d, nil
		}
	}
	c, err := prover.ReadCoefficients(path)
	if err != nil {
		return nil, usageError{err}
	}
	return &c, nil
}

func benchSplitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func benchParseInts(s string) ([]int, error) {
	var out []int
	for _, f := range benchSplitList(s) {
		v, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", f)
		}
		out = append(out, v)
	}
	return out, nil
}

func benchJoinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}
