// Package bench is zkpoc's proof-cost benchmark harness.
//
// Run sweeps matrix sizes n, circuits (Freivalds and the naive n³ reference)
// and proof systems (Groth16, and PLONK with an unsafe development KZG SRS),
// all over BN254, and measures for each row: constraints, compile, setup,
// witness, prove and verify seconds, proof and key sizes, peak memory, the
// native product time on the fastest executor and the ratio prove/native.
// Compile and setup run once per row; native, witness, prove and verify run
// Config.Runs times and are reported as median and min..max.
//
// Peak memory is the process's peak resident set (VmHWM from
// /proc/self/status), reset through /proc/self/clear_refs after a garbage
// collection at the start of each row and again before each prove, so it is
// the row's own high-water mark, including whatever the process still holds
// (see Row.PeakRSSBytes). Where /proc is unavailable the Go runtime's HeapSys
// is used instead and Report.Machine.PeakMethod says so.
//
// Reports are written as CSV, JSON, Markdown and log-log plots (PNG and SVG),
// each file atomically. Calibrate measures the cost-model coefficients
// (prover.Coefficients) on this host.
package bench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/workload"
)

// Row statuses.
const (
	StatusOK      = "ok"
	StatusSkipped = "skipped"
	StatusFailed  = "failed"
)

// Curve is the default curve, the one zkpoc's receipts and EVM verifiers use.
const Curve = string(protocol.BN254)

// Defaults.
const (
	DefaultRuns      = 3
	DefaultFracBits  = workload.DefaultFracBits
	DefaultNaiveMaxN = 64
	QuickPlonkMaxN   = 16
	// PlonkEstimateFactor scales the Groth16 memory estimate for a PLONK row
	// when deciding whether it fits the budget (PLONK's SCS has more
	// constraints than the R1CS and its keys embed the SRS). A rough upper
	// figure from the n = 4 measurement, not a calibrated model.
	PlonkEstimateFactor = 4
)

// DefaultSizes is the default sweep.
var DefaultSizes = []int{4, 8, 16, 32, 64, 128}

// Config selects what Run measures. The zero value is the default sweep.
type Config struct {
	Sizes    []int             // matrix sizes n; DefaultSizes when empty
	Circuits []protocol.Method // Freivalds and Naive when empty
	Systems  []protocol.System // Groth16 and PLONK when empty
	Curves   []protocol.Curve  // BN254 alone when empty (zkpoc bench sweeps both by default)
	Runs     int               // repetitions of native/witness/prove/verify; DefaultRuns when 0
	FracBits int               // f; DefaultFracBits when 0 (use a negative value for f = 0)
	// Quick means one run and no PLONK above QuickPlonkMaxN.
	Quick bool
	// NaiveMaxN: the naive reference is skipped above it (DefaultNaiveMaxN
	// when 0; negative: no limit).
	NaiveMaxN int
	// PlonkMaxN: PLONK is skipped above it (0: no limit, unless Quick).
	PlonkMaxN int
	// MemoryBudget skips rows whose estimated peak memory exceeds it (0:
	// prover.DefaultBudget's, three quarters of the physical memory;
	// negative: no limit).
	MemoryBudget int64
	// MaxRowTime skips rows whose estimated setup + Runs proofs exceed it
	// (0: no limit).
	MaxRowTime time.Duration
	// Keys, when set, is a key cache the Groth16 rows reuse and fill: a row
	// whose keys are already cached skips the setup, and reports it as
	// cached (Row.SetupCached) instead of a setup time.
	Keys *keys.Cache
	// Coeffs drive the estimates; prover.DefaultCoefficients when nil.
	Coeffs *prover.Coefficients
	// Executor names the native executor; "" picks the fastest.
	Executor string
	// OnRow, when set, is called after each row (measured, skipped or
	// failed) with the report so far, e.g. to write partial results.
	OnRow func(r *Report, row Row)
}

// Stat summarises repeated measurements.
type Stat struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	N      int     `json:"n"`
}

func newStat(xs []float64) Stat {
	if len(xs) == 0 {
		return Stat{}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stat{Median: med, Min: s[0], Max: s[len(s)-1], N: len(s)}
}

func single(x float64) Stat { return Stat{Median: x, Min: x, Max: x, N: 1} }

// Row is one (circuit, system, n) measurement, or the reason it was skipped.
type Row struct {
	Circuit string          `json:"circuit"`
	System  protocol.System `json:"system"`
	Curve   string          `json:"curve"`
	N       int             `json:"n"`
	Status  string          `json:"status"`
	Reason  string          `json:"reason,omitempty"`

	Constraints int `json:"constraints"`
	// EstimatedConstraints and EstimatedPeakBytes are the cost model's
	// prediction (Groth16 R1CS; for PLONK, times PlonkEstimateFactor in memory).
	EstimatedConstraints int   `json:"estimated_constraints"`
	EstimatedPeakBytes   int64 `json:"estimated_peak_bytes"`

	CompileSeconds Stat `json:"compile_seconds"`
	// SRSSeconds is the unsafe dev KZG SRS generation (PLONK only; zero when
	// an SRS of the same size was already generated in this process).
	SRSSeconds     Stat   `json:"srs_seconds"`
	SetupSeconds   Stat   `json:"setup_seconds"`
	WitnessSeconds Stat   `json:"witness_seconds"`
	ProveSeconds   Stat   `json:"prove_seconds"`
	VerifySeconds  Stat   `json:"verify_seconds"`
	NativeSeconds  Stat   `json:"native_seconds"`
	NativeExecutor string `json:"native_executor"`

	ProofBytes int64 `json:"proof_bytes"` // compressed (WriteTo)
	PKBytes    int64 `json:"pk_bytes"`    // compressed (WriteTo)
	VKBytes    int64 `json:"vk_bytes"`    // compressed (WriteTo)

	// BaselineRSSBytes is the resident set at the start of the row, after a GC.
	BaselineRSSBytes int64 `json:"baseline_rss_bytes"`
	// PeakRSSBytes is the row's peak resident set (compile, setup and all runs).
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// ProvePeakRSSBytes is the peak resident set during proving (max over the
	// runs), the constraint system and proving key included.
	ProvePeakRSSBytes int64 `json:"prove_peak_rss_bytes"`
	// ProveAllocBytes is what one prove allocates in total (TotalAlloc delta, median).
	ProveAllocBytes int64 `json:"prove_alloc_bytes"`

	// OverheadRatio is median prove seconds / median native seconds.
	OverheadRatio float64 `json:"overhead_ratio"`
	// ConstraintsPerElement is constraints / n², ConstraintsPerMAC constraints / n³.
	ConstraintsPerElement float64 `json:"constraints_per_element"`
	ConstraintsPerMAC     float64 `json:"constraints_per_mac"`

	// Setup names the key setup: "dev-single-party" (Groth16) or
	// "unsafe-dev-kzg-srs" (PLONK: gnark test/unsafekzg, toxic waste known).
	Setup          string `json:"setup,omitempty"`
	KeyFingerprint string `json:"key_fingerprint,omitempty"` // Groth16 VK, sha256 hex
}

// SetupCachedPrefix starts Row.Setup when the row's keys came from the key
// cache: no setup ran, so the row has no setup time.
const SetupCachedPrefix = "cached "

// SetupCached reports whether the row reused cached keys (no setup time).
func (r Row) SetupCached() bool { return strings.HasPrefix(r.Setup, SetupCachedPrefix) }

// Label names the row's series: circuit/system.
func (r Row) Label() string {
	if r.Curve != "" && r.Curve != Curve {
		return r.Circuit + "/" + string(r.System) + "/" + r.Curve
	}
	return r.Circuit + "/" + string(r.System)
}

// ConfigSummary is the configuration a report was measured with.
type ConfigSummary struct {
	Sizes             []int               `json:"sizes"`
	Circuits          []string            `json:"circuits"`
	Systems           []protocol.System   `json:"systems"`
	Curve             string              `json:"curve,omitempty"` // reports before the curve axis
	Curves            []string            `json:"curves"`
	Runs              int                 `json:"runs"`
	FracBits          int                 `json:"frac_bits"`
	Quick             bool                `json:"quick"`
	NaiveMaxN         int                 `json:"naive_max_n"`
	PlonkMaxN         int                 `json:"plonk_max_n"`
	MemoryBudgetBytes int64               `json:"memory_budget_bytes"`
	MaxRowSeconds     float64             `json:"max_row_seconds,omitempty"`
	Coefficients      prover.Coefficients `json:"coefficients"`
}

// Report is a benchmark's result.
type Report struct {
	Started     string        `json:"started"` // RFC 3339, UTC
	Finished    string        `json:"finished,omitempty"`
	Machine     Machine       `json:"machine"`
	Config      ConfigSummary `json:"config"`
	Rows        []Row         `json:"rows"`
	Notes       []string      `json:"notes"`
	Interrupted bool          `json:"interrupted"`
}

// Measured returns the rows with status ok.
func (r *Report) Measured() []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Status == StatusOK {
			out = append(out, row)
		}
	}
	return out
}

// Failed returns the rows that failed.
func (r *Report) Failed() []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Status == StatusFailed {
			out = append(out, row)
		}
	}
	return out
}

// normalize fills defaults and rejects bad input.
func (c Config) normalize() (Config, error) {
	if len(c.Sizes) == 0 {
		c.Sizes = append([]int(nil), DefaultSizes...)
	}
	seen := map[int]bool{}
	var sizes []int
	for _, n := range c.Sizes {
		if n < 1 || n > protocol.MaxN {
			return c, fmt.Errorf("bench: size n = %d out of range [1, %d]", n, protocol.MaxN)
		}
		if !seen[n] {
			seen[n] = true
			sizes = append(sizes, n)
		}
	}
	sort.Ints(sizes)
	c.Sizes = sizes
	if len(c.Circuits) == 0 {
		c.Circuits = []protocol.Method{protocol.Freivalds, protocol.Naive}
	}
	for _, m := range c.Circuits {
		if m != protocol.Freivalds && m != protocol.Naive && m != protocol.Synthetic {
			return c, fmt.Errorf("bench: unknown circuit %s", m.Name())
		}
	}
	if len(c.Curves) == 0 {
		c.Curves = []protocol.Curve{protocol.BN254}
	}
	if len(c.Systems) == 0 {
		c.Systems = []protocol.System{protocol.Groth16, protocol.Plonk}
	}
	for i, s := range c.Systems {
		s = protocol.System(strings.ToLower(strings.TrimSpace(string(s))))
		if s != protocol.Groth16 && s != protocol.Plonk {
			return c, fmt.Errorf("bench: unknown proof system %q (want %s or %s)", s, protocol.Groth16, protocol.Plonk)
		}
		c.Systems[i] = s
	}
	switch {
	case c.Runs < 0:
		return c, fmt.Errorf("bench: runs = %d must be positive", c.Runs)
	case c.Runs == 0 && c.Quick:
		c.Runs = 1
	case c.Runs == 0:
		c.Runs = DefaultRuns
	}
	switch {
	case c.FracBits == 0:
		c.FracBits = DefaultFracBits
	case c.FracBits < 0:
		c.FracBits = 0
	}
	if c.FracBits > workload.MaxFracBits {
		return c, fmt.Errorf("bench: frac bits %d > %d", c.FracBits, workload.MaxFracBits)
	}
	if c.NaiveMaxN == 0 {
		c.NaiveMaxN = DefaultNaiveMaxN
	}
	if c.Quick && (c.PlonkMaxN == 0 || c.PlonkMaxN > QuickPlonkMaxN) {
		c.PlonkMaxN = QuickPlonkMaxN
	}
	if c.MemoryBudget == 0 {
		c.MemoryBudget = prover.DefaultBudget().Memory
	}
	if c.MaxRowTime < 0 {
		return c, fmt.Errorf("bench: negative row time limit")
	}
	if c.Coeffs == nil {
		d := prover.DefaultCoefficients
		c.Coeffs = &d
	}
	return c, nil
}

// curves lists the report's curves (Curve for a report that predates the curve axis).
func (s ConfigSummary) curves() []string {
	if len(s.Curves) == 0 && s.Curve != "" {
		return []string{s.Curve}
	}
	return s.Curves
}

func (c Config) summary() ConfigSummary {
	s := ConfigSummary{
		Sizes: c.Sizes, Systems: c.Systems, Runs: c.Runs, FracBits: c.FracBits,
		Quick: c.Quick, NaiveMaxN: c.NaiveMaxN, PlonkMaxN: c.PlonkMaxN, MemoryBudgetBytes: c.MemoryBudget,
		MaxRowSeconds: c.MaxRowTime.Seconds(), Coefficients: *c.Coeffs,
	}
	for _, m := range c.Circuits {
		s.Circuits = append(s.Circuits, m.Name())
	}
	for _, cv := range c.Curves {
		s.Curves = append(s.Curves, string(cv))
	}
	return s
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// Run measures the configured sweep, smallest n first. Progress lines go to
// progress (nil: none). When ctx is cancelled, Run returns at once with the
// rows finished so far and an error wrapping ctx.Err(); the row in progress
// is dropped (a gnark compile, setup or proof cannot be stopped: it finishes
// in the background and its result is discarded). A row that fails is
// recorded with status "failed" and the sweep goes on.
func Run(ctx context.Context, cfg Config, progress io.Writer) (*Report, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	rep := &Report{
		Started: time.Now().UTC().Format(time.RFC3339),
		Machine: probeMachine(),
		Config:  cfg.summary(),
		Notes:   baseNotes(cfg),
	}
	if err := ctx.Err(); err != nil {
		rep.Interrupted = true
		rep.Finished = rep.Started
		return rep, fmt.Errorf("bench: not started: %w", err)
	}
	ex, err := native.SelectExecutor(rep.Machine.Hardware, cfg.Executor)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	logf(progress, "bench: %s, %d logical cores, GOMAXPROCS %d, native executor %s, load average %s",
		rep.Machine.Hardware.CPUBrand, rep.Machine.Hardware.LogicalCores, runtime.GOMAXPROCS(0), ex.Name(), rep.Machine.LoadAvgStart)

	type job struct {
		m     protocol.Method
		sys   protocol.System
		curve protocol.Curve
		n     int
	}
	var jobs []job
	for _, n := range cfg.Sizes {
		for _, cv := range cfg.Curves {
			for _, m := range cfg.Circuits {
				for _, s := range cfg.Systems {
					jobs = append(jobs, job{m, s, cv, n})
				}
			}
		}
	}
	inst := map[int]*instance{}
	var runErr error
	for i, j := range jobs {
		if err := ctx.Err(); err != nil {
			runErr = err
			break
		}
		tag := fmt.Sprintf("[%d/%d] %s %s %s n=%d", i+1, len(jobs), j.m.Name(), j.sys, j.curve, j.n)
		row := Row{Circuit: j.m.Name(), System: j.sys, Curve: string(j.curve), N: j.n}
		est := estimate(cfg, j.m, j.sys, j.curve, j.n)
		row.EstimatedConstraints, row.EstimatedPeakBytes = est.Constraints, est.PeakMemory
		if why := skipReason(cfg, j.m, j.sys, j.curve, j.n, est); why != "" {
			row.Status, row.Reason = StatusSkipped, why
			logf(progress, "%s: skipped: %s", tag, why)
			rep.Rows = append(rep.Rows, row)
			if cfg.OnRow != nil {
				cfg.OnRow(rep, row)
			}
			continue
		}
		in := inst[j.n]
		if in == nil {
			if in, err = newInstance(j.n, cfg.FracBits, ex); err != nil {
				return rep, fmt.Errorf("bench: n=%d: %w", j.n, err)
			}
			inst = map[int]*instance{j.n: in} // keep only the current size
		}
		logf(progress, "%s: estimated %d constraints, %.2f GiB", tag, est.Constraints, float64(est.PeakMemory)/(1<<30))
		restore := prover.BoundHeap(est.PeakMemory) // the heap a prove would have (prover/heap.go)
		err := measure(ctx, cfg, j.m, j.sys, j.curve, in, &row, indent(progress, tag+": "))
		restore()
		if err != nil && ctx.Err() != nil {
			logf(progress, "%s: interrupted; row dropped", tag)
			runErr = ctx.Err()
			break
		}
		if err != nil {
			row.Status, row.Reason = StatusFailed, err.Error()
			logf(progress, "%s: failed: %v", tag, err)
		} else {
			row.Status = StatusOK
			logf(progress, "%s: %d constraints, setup %.2f s, prove %.3f s (%.3f..%.3f), verify %.1f ms, peak %.0f MiB, prove/native %.3g",
				tag, row.Constraints, row.SetupSeconds.Median, row.ProveSeconds.Median, row.ProveSeconds.Min,
				row.ProveSeconds.Max, row.VerifySeconds.Median*1e3, float64(row.PeakRSSBytes)/(1<<20), row.OverheadRatio)
		}
		rep.Rows = append(rep.Rows, row)
		if cfg.OnRow != nil {
			cfg.OnRow(rep, row)
		}
	}
	rep.Finished = time.Now().UTC().Format(time.RFC3339)
	rep.Machine.LoadAvgEnd = loadAvg()
	if runErr != nil {
		rep.Interrupted = true
		rep.Notes = append(rep.Notes, fmt.Sprintf("interrupted after %d of %d rows; the rows listed were finished", len(rep.Rows), len(jobs)))
		return rep, fmt.Errorf("bench: interrupted: %w", runErr)
	}
	return rep, nil
}

func baseNotes(cfg Config) []string {
	notes := []string{
		"curves: BN254 digests use a width-16 Poseidon2 sponge, BLS12-381 digests a width-3 one (gnark-crypto's BLS12-381 Poseidon2 has widths 2–3), so per-element hashing costs differ; BLS12-381 Groth16 keys come from gnark's groth16.Setup (zkpoc's fixed-base setup is BN254's); skip estimates scale the BN254 per-constraint coefficients for BLS12-381 (prove ×2, setup ×11, measured side by side)",
		"compile and setup run once per row; native, witness, prove and verify run " + fmt.Sprint(cfg.Runs) + " time(s): median (min..max)",
		"prove seconds include gnark's constraint solving; witness seconds are the native digests, PoE and assignment",
		"peak memory: process peak RSS (VmHWM, reset per row via /proc/self/clear_refs), so it includes the compiled circuit and keys held",
		"Groth16 keys: dev single-party setup (whoever ran it could forge proofs)",
		"other processes may share this machine: compare rows of one report, not across reports from a loaded host",
	}
	for _, s := range cfg.Systems {
		if s == protocol.Plonk {
			notes = append(notes, "PLONK keys: UNSAFE dev KZG SRS (gnark test/unsafekzg, toxic waste known to this process): timings only, never for real proofs; SRS generation is timed separately and is cached in memory per size")
		}
	}
	return notes
}

// estimate predicts a row's cost with the prover's model (Groth16 R1CS).
func estimate(cfg Config, m protocol.Method, sys protocol.System, curve protocol.Curve, n int) prover.Estimate {
	e := prover.EstimateCostOn(curve, m, n, cfg.FracBits, false, *cfg.Coeffs)
	if sys == protocol.Plonk {
		e.PeakMemory *= PlonkEstimateFactor
		e.Setup *= PlonkEstimateFactor
		e.Prove *= PlonkEstimateFactor
	}
	return e
}

func skipReason(cfg Config, m protocol.Method, sys protocol.System, curve protocol.Curve, n int, est prover.Estimate) string {
	if err := m.Supports(sys, curve, false); err != nil {
		return err.Error()
	}
	if m == protocol.Naive && cfg.NaiveMaxN > 0 && n > cfg.NaiveMaxN {
		return fmt.Sprintf("naive reference skipped above n=%d (n³ constraints: ~%d estimated)", cfg.NaiveMaxN, est.Constraints)
	}
	if sys == protocol.Plonk && cfg.PlonkMaxN > 0 && n > cfg.PlonkMaxN {
		if cfg.Quick {
			return fmt.Sprintf("quick: PLONK skipped above n=%d", cfg.PlonkMaxN)
		}
		return fmt.Sprintf("PLONK skipped above n=%d", cfg.PlonkMaxN)
	}
	if cfg.MemoryBudget > 0 && est.PeakMemory > cfg.MemoryBudget {
		return fmt.Sprintf("estimated %s > budget %s", gib(est.PeakMemory), gib(cfg.MemoryBudget))
	}
	if cfg.MaxRowTime > 0 {
		total := est.Setup + time.Duration(cfg.Runs)*est.Prove
		if total > cfg.MaxRowTime {
			return fmt.Sprintf("estimated %.0f s (setup + %d proofs) > row limit %.0f s", total.Seconds(), cfg.Runs, cfg.MaxRowTime.Seconds())
		}
	}
	return ""
}

func gib(b int64) string { return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30)) }

// indent prefixes every line written to w.
func indent(w io.Writer, prefix string) io.Writer {
	if w == nil {
		return nil
	}
	return &prefixWriter{w: w, prefix: prefix, bol: true}
}

type prefixWriter struct {
	w      io.Writer
	prefix string
	bol    bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var out []byte
	for _, c := range b {
		if p.bol {
			out = append(out, p.prefix...)
			p.bol = false
		}
		out = append(out, c)
		if c == '\n' {
			p.bol = true
		}
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}
