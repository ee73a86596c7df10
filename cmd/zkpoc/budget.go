package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/sampling"
)

// proveFlags are the flags that choose the proof mode and budget.
type proveFlags struct {
	mode        string
	maxSeconds  float64
	maxMemory   string
	executor    string
	samples     int
	epsilon     float64
	powBits     int
	workLog2    int
	challenge   string
	calibration string
}

func (p *proveFlags) register(fs *flag.FlagSet) {
	def := prover.DefaultBudget()
	fs.StringVar(&p.mode, "mode", string(prover.ModeAuto), "auto (prove within budget, else sample), groth16 (the SNARK of --system), plonk (= --system plonk), sampled or binding")
	fs.Float64Var(&p.maxSeconds, "max-prove-seconds", def.Time.Seconds(), "proving budget in seconds, key setup included when keys are not cached")
	fs.StringVar(&p.maxMemory, "max-prove-memory", fmt.Sprintf("%dMiB", def.Memory>>20), "proving memory budget, e.g. 8GiB or 512MiB (default: three quarters of physical memory)")
	fs.StringVar(&p.executor, "executor", "", "native executor: cpu-avx512, cpu-avx2, cpu-go, gpu-cublas (default: the fastest available)")
	d := sampling.DefaultParams
	fs.IntVar(&p.samples, "samples", 0, "rows a sampled receipt opens (default: the fewest whose bound reaches 2^-20 in the attacker model; every row when n is small)")
	fs.Float64Var(&p.epsilon, "epsilon", d.Epsilon, "wrong-row fraction the sampling bound is stated for")
	fs.IntVar(&p.powBits, "pow-bits", d.PoWBits, fmt.Sprintf("proof-of-work difficulty of a sampled receipt without --challenge, in leading zero bits (1–%d; about 2^N hashes)", sampling.MaxProverPoWBits))
	fs.IntVar(&p.workLog2, "work-log2", d.WorkLog2, "attacker work 2^N SHA-256 evaluations the proof-of-work k is sized against")
	fs.StringVar(&p.challenge, "challenge", "", "hex (0x optional) challenge (16–64 bytes) issued after the row root was committed: the sampled rows come from it (needs --mode sampled)")
	fs.StringVar(&p.calibration, "calibration", "", "cost-model coefficients file (default: $ZKPOC_HOME/calibration.json if present, else built-in defaults)")
}

func (p *proveFlags) apply(o *prover.Options) error {
	o.Mode = protocol.Mode(p.mode)
	mem, err := parseBytes(p.maxMemory)
	if err != nil {
		return usagef("--max-prove-memory: %w", err)
	}
	if p.maxSeconds <= 0 {
		return usagef("--max-prove-seconds must be positive")
	}
	o.Budget = prover.Budget{Time: time.Duration(p.maxSeconds * float64(time.Second)), Memory: mem}
	o.Executor = p.executor
	if !(p.epsilon > 0 && p.epsilon < 1) {
		return usagef("--epsilon must be in (0, 1)")
	}
	if p.samples < 0 {
		return usagef("--samples must not be negative")
	}
	o.Sampling = sampling.Params{Epsilon: p.epsilon, K: p.samples, BoundLog2: sampling.DefaultParams.BoundLog2, PoWBits: p.powBits, WorkLog2: p.workLog2}
	if p.challenge != "" {
		if protocol.Mode(p.mode) != protocol.ModeSampled {
			return usagef("--challenge answers a sampled receipt: use it with --mode sampled")
		}
		ch, err := sampling.ParseChallenge("--challenge", trimHex(p.challenge))
		if err != nil {
			return usageError{err}
		}
		o.Sampling.Challenge = ch
	}
	if err := o.Sampling.Validate(); err != nil {
		return usageError{err}
	}
	path := p.calibration
	if path == "" {
		h, err := home()
		if err != nil {
			return err
		}
		path = filepath.Join(h, "calibration.json")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil
		}
	}
	c, err := prover.ReadCoefficients(path)
	if err != nil {
		return usageError{err}
	}
	o.Coeffs = &c
	return nil
}

// parseBytes reads sizes such as 512MiB, 8GiB, 1.5GB or a plain byte count.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	s = strings.TrimSpace(s)
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || v*mult > 1<<62 {
		return 0, fmt.Errorf("%q is not a positive size such as 8GiB", s)
	}
	return int64(v * mult), nil
}

// checkExecutor refuses an --executor that is not one (exit 2), or that
// this host or build does not have, naming the available ones.
func checkExecutor(flagName, name string) error {
	if name == "" || name == "auto" {
		return nil
	}
	var avail []string
	for _, e := range native.Executors() {
		if e.Name() == name {
			return nil
		}
		avail = append(avail, e.Name())
	}
	for _, k := range native.KnownExecutors() {
		if k == name {
			return withHint(usagef("%s %s: not available on this host or build", flagName, name), "available here: %s (default: the fastest)", strings.Join(avail, ", "))
		}
	}
	return withHint(usagef("%s: unknown executor %q", flagName, clip(name, 40)), "executors: %s; available here: %s", strings.Join(native.KnownExecutors(), ", "), strings.Join(avail, ", "))
}
