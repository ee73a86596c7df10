package prover

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

// Coefficients turn a constraint count into seconds and bytes on one host.
// Defaults were measured on the 2-core reference machine (README,
// "Performance"); `zkpoc bench calibrate` measures and saves the host's own.
type Coefficients struct {
	Source                string  `json:"source"`
	ProveSecondsPerConstr float64 `json:"prove_seconds_per_constraint"`
	SetupSecondsPerConstr float64 `json:"setup_seconds_per_constraint"`
	PeakBytesPerConstr    float64 `json:"peak_bytes_per_constraint"`
	PeakBytesFixed        float64 `json:"peak_bytes_fixed"`
	// LoadSecondsPerConstr is the time to read cached keys and the
	// constraint system; zero (as in calibration files made before it was
	// measured) counts no load time.
	LoadSecondsPerConstr float64 `json:"load_seconds_per_constraint,omitempty"`
	// SetupPeakBytesPerConstr is the peak memory per constraint of a run
	// that compiles the circuit and sets its keys up; zero: the proving
	// peak, PeakBytesPerConstr.
	SetupPeakBytesPerConstr float64 `json:"setup_peak_bytes_per_constraint,omitempty"`
}

// DefaultCoefficients are the shipped defaults.
var DefaultCoefficients = Coefficients{
	Source:                "defaults",
	ProveSecondsPerConstr: 14e-6, // 2-core Xeon, idle: 12.8 µs at n = 16 and 64 (bench calibrate), 14.0 µs at n = 512 (70.5 s)
	// Compiling the circuit and the key setup together, which a first
	// run pays: 49 µs at n = 512 (v4: compile 79 s, setup 166 s) and 78 µs at
	// freivalds-s2 n = 1024 (compile 340 s, setup and writing 6.3 GB of keys
	// 448 s, the heap bounded at 17 GiB) — setup.SecondsPerConstraint is the
	// setup alone.
	SetupSecondsPerConstr: 65e-6,
	// With the heap bounded at the estimate (heap.go): 1.25 KB per
	// constraint at freivalds-v5 n = 256 and freivalds-s2 n = 512, 1.35 KB at
	// freivalds-s2 n = 1024 (13.65 GB for 10,084,316 constraints). Without
	// the bound the same runs peaked at 2.0–2.1 KB (v4 at n = 512: 2.4 KB).
	PeakBytesPerConstr:   1350,
	PeakBytesFixed:       64 << 20,
	LoadSecondsPerConstr: 5e-6, // freivalds-s2: 9.9 s at n = 512, pk and constraint system read concurrently
	// freivalds-s2 n = 1024, compile and setup with the heap bounded at
	// 17 GiB: 18.3 GB, 1.81 KB per constraint.
	SetupPeakBytesPerConstr: 1850,
}

// MaxCoefficientsBytes bounds a calibration file.
const MaxCoefficientsBytes = 64 << 10

// ReadCoefficients loads calibrated coefficients from path.
func ReadCoefficients(path string) (Coefficients, error) {
	data, err := atomicfile.ReadLimited(path, MaxCoefficientsBytes)
	if err != nil {
		return Coefficients{}, fmt.Errorf("read calibration: %w", err)
	}
	var c Coefficients
	if err := json.Unmarshal(data, &c); err != nil {
		return Coefficients{}, fmt.Errorf("calibration %s: %w", path, err)
	}
	for name, v := range map[string]float64{
		"prove_seconds_per_constraint": c.ProveSecondsPerConstr,
		"setup_seconds_per_constraint": c.SetupSecondsPerConstr,
		"peak_bytes_per_constraint":    c.PeakBytesPerConstr,
	} {
		if !(v > 0) || math.IsInf(v, 0) {
			return Coefficients{}, fmt.Errorf("calibration %s: %s = %v, want a positive number", path, name, v)
		}
	}
	if c.PeakBytesFixed < 0 {
		return Coefficients{}, fmt.Errorf("calibration %s: peak_bytes_fixed is negative", path)
	}
	for name, v := range map[string]float64{
		"load_seconds_per_constraint":     c.LoadSecondsPerConstr,
		"setup_peak_bytes_per_constraint": c.SetupPeakBytesPerConstr,
	} {
		if !(v >= 0) || math.IsInf(v, 0) {
			return Coefficients{}, fmt.Errorf("calibration %s: %s = %v, want zero or a positive number", path, name, v)
		}
	}
	c.Source = "calibrated " + path
	return c, nil
}

// WriteCoefficients saves coefficients atomically.
func WriteCoefficients(path string, c Coefficients) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'), 0o644)
}

// Per-part constraint costs of the statement, read off the compiled circuit
// (circuits/testdata/constraints.csv, TestBreakdown) and checked against the
// compiled counts by TestEstimateConstraints.
const (
	poeConstraints      = 53_200 // SHA-256 over 96 bytes (two compressions over boolean wires) and the bit decompositions of its inputs
	freivaldsPerElement = 3      // B·v, A·(B·v), (2^f·C' + R)·v
	rangecheckPerValue  = 3.5    // gnark's range checker, per checked value (A, B, C', R: 4 per element)
	lookupPerQuery      = 1      // the lookup table, per query
)

// permConstraints is the R1CS cost of one Poseidon2 permutation of the sponge
// with its lane pins: three multiplications per x^5 S-box, width S-boxes in a
// full round and one in a partial round, one pin per lane (571 for BN254's
// width 16, 246 for BLS12-381's width 3; linear layers are free in R1CS).
func permConstraints(sp protocol.Sponge) int {
	return 3*(sp.FullRounds*sp.Width+sp.PartialRounds) + sp.Width
}

// EstimateConstraints predicts the R1CS size of a BN254 circuit without compiling it.
func EstimateConstraints(m protocol.Method, n, fracBits int) int {
	return EstimateConstraintsOn(protocol.BN254, m, n, fracBits)
}

// EstimateConstraintsOn predicts the R1CS size of a circuit over the
// curve's field; 0 for a shape that does not exist (protocol.Synthetic
// exists on BN254 only: EstimateSyntheticConstraints).
func EstimateConstraintsOn(curve protocol.Curve, m protocol.Method, n, fracBits int) int {
	if m == protocol.Synthetic {
		if curve != protocol.BN254 {
			return 0
		}
		return EstimateSyntheticConstraints(n, fracBits)
	}
	shape, err := circuits.New(m, n, fracBits)
	if err != nil {
		return 0
	}
	e := float64(n * n)
	b := protocol.OutputBits(n, fracBits)
	sp := curve.Sponge()
	rate, perPerm := sp.Rate(), permConstraints(sp)
	perms := func(elements int) int { return (elements + rate - 1) / rate }
	inElems := 2 * ((n*n + protocol.PerElement(protocol.InputBits) - 1) / protocol.PerElement(protocol.InputBits))
	outElems := (n*n + protocol.PerElement(b) - 1) / protocol.PerElement(b)
	total := float64(poeConstraints + perPerm*(perms(inElems)+perms(outElems)))
	if entries := shape.TableEntries(); entries > 0 {
		total += float64(entries) + e*lookupPerQuery*float64(shape.QueriesPerElement())
	} else {
		total += e * 4 * rangecheckPerValue
	}
	switch m {
	case protocol.Freivalds:
		total += e*freivaldsPerElement + float64(n)
	case protocol.Naive:
		total += e*float64(n) + e
	}
	return int(total)
}

// EstimateSyntheticConstraints predicts the R1CS size of freivalds-s2 (BN254)
// without compiling it: the parts of EstimateConstraintsOn less the input
// digest, the range checks of A and B and two of the three Freivalds
// products (checked against circuits/testdata/constraints.csv by
// TestEstimateConstraints).
func EstimateSyntheticConstraints(n, fracBits int) int {
	shape, err := circuits.NewSynthetic(n, fracBits)
	if err != nil {
		return 0
	}
	e := float64(n * n)
	b := protocol.OutputBits(n, fracBits)
	sp := protocol.BN254.Sponge()
	outElems := (n*n + protocol.PerElement(b) - 1) / protocol.PerElement(b)
	// the B-lean permutation pins no lane (circuits, permutation)
	total := float64(poeConstraints + (permConstraints(sp)-sp.Width)*((outElems+sp.Rate()-1)/sp.Rate()))
	if entries := shape.TableEntries(); entries > 0 {
		total += float64(entries) + e*lookupPerQuery*float64(shape.QueriesPerElement())
	} else {
		total += e * float64(shape.QueriesPerElement()) * rangecheckPerValue
	}
	return int(total + e + 2*float64(n))
}

// EstimateSyntheticCost is EstimateCost for freivalds-s2: the same
// per-constraint coefficients (side by side at n = 256 on one loaded
// machine, s1 proved at 33–38 µs per constraint and v5 at 32–41).
func EstimateSyntheticCost(n, fracBits int, keysCached bool, c Coefficients) Estimate {
	return EstimateCost(protocol.Synthetic, n, fracBits, keysCached, c)
}

// Estimate is what proving one task is expected to cost.
type Estimate struct {
	Constraints int
	Prove       time.Duration
	Setup       time.Duration // zero when the keys are cached
	Load        time.Duration // reading the cached keys; zero when they are not cached (the setup leaves them in memory)
	PeakMemory  int64
	Coeffs      Coefficients
}

// EstimateCost predicts proving cost with the given coefficients.
func EstimateCost(m protocol.Method, n, fracBits int, keysCached bool, c Coefficients) Estimate {
	return EstimateCostOn(protocol.BN254, m, n, fracBits, keysCached, c)
}

// BLS12-381 Groth16 against BN254, per constraint, measured side by side by
// zkpoc bench on one machine (README, "Curves side by side"): proving
// 1.3–2.7× (a larger field and groups), setup 9–12× (gnark's groth16.Setup
// against zkpoc's fixed-base BN254 setup). The coefficients are BN254's.
const (
	blsProveFactor = 2
	blsSetupFactor = 11
)

// EstimateCostOn is EstimateCost for the statement over the curve's field:
// BN254's per-constraint coefficients, scaled for BLS12-381.
func EstimateCostOn(curve protocol.Curve, m protocol.Method, n, fracBits int, keysCached bool, c Coefficients) Estimate {
	prove, setup := 1.0, 1.0
	if curve == protocol.BLS12381 {
		prove, setup = blsProveFactor, blsSetupFactor
	}
	return estimateFrom(EstimateConstraintsOn(curve, m, n, fracBits), prove, setup, keysCached, c)
}

// estimateFrom turns a constraint count into an Estimate, the prove and
// setup coefficients scaled by the factors.
func estimateFrom(nc int, proveFactor, setupFactor float64, keysCached bool, c Coefficients) Estimate {
	e := Estimate{
		Constraints: nc,
		Prove:       time.Duration(float64(nc) * c.ProveSecondsPerConstr * proveFactor * float64(time.Second)),
		PeakMemory:  int64(float64(nc)*c.PeakBytesPerConstr + c.PeakBytesFixed),
		Coeffs:      c,
	}
	if keysCached {
		e.Load = time.Duration(float64(nc) * c.LoadSecondsPerConstr * float64(time.Second))
	} else {
		e.Setup = time.Duration(float64(nc) * c.SetupSecondsPerConstr * setupFactor * float64(time.Second))
		if c.SetupPeakBytesPerConstr > c.PeakBytesPerConstr {
			e.PeakMemory = int64(float64(nc)*c.SetupPeakBytesPerConstr + c.PeakBytesFixed)
		}
	}
	return e
}

// Budget bounds what the prover may spend on one proof (setup included when
// the keys are not cached yet).
type Budget struct {
	Time   time.Duration
	Memory int64
}

// DefaultBudget allows 10 minutes and three quarters of the physical
// memory. The heap is held at the estimate while proving (heap.go), so the
// budget bounds the peak itself rather than leaving room for the
// collector's slack as the half it was before: n = 1024 (freivalds-s2,
// estimated 12.7 GiB) fits a 24 GiB host.
func DefaultBudget() Budget {
	return Budget{Time: 10 * time.Minute, Memory: physicalMemory() / 4 * 3}
}

// physicalMemory reads MemTotal from /proc/meminfo (8 GiB where unknown).
func physicalMemory() int64 {
	const fallback = 8 << 30
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return fallback
	}
	for _, line := range strings.Split(string(data), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil && kb > 0 {
			return kb << 10
		}
	}
	return fallback
}

// Fits reports whether the estimate is within the budget, and why not.
func (e Estimate) Fits(b Budget) (bool, string) {
	total := e.Prove + e.Setup + e.Load
	var over []string
	if b.Time > 0 && total > b.Time {
		over = append(over, "time")
	}
	if b.Memory > 0 && e.PeakMemory > b.Memory {
		over = append(over, "memory")
	}
	setup := ""
	if e.Setup > 0 {
		setup = fmt.Sprintf(" (%s of it key setup)", human(e.Setup))
	}
	desc := fmt.Sprintf("estimated %s%s and %s for %d constraints", human(total), setup, bytesHuman(e.PeakMemory), e.Constraints)
	budget := fmt.Sprintf("budget %s / %s", human(b.Time), bytesHuman(b.Memory))
	if len(over) > 0 {
		return false, fmt.Sprintf("%s > %s (over on %s)", desc, budget, strings.Join(over, " and "))
	}
	return true, fmt.Sprintf("%s ≤ %s", desc, budget)
}

func (e Estimate) record(b Budget, decision, reason string) *receipt.CostEstimate {
	return &receipt.CostEstimate{
		Model:             receipt.CostModelVersion,
		Coefficients:      e.Coeffs.Source,
		Constraints:       e.Constraints,
		ProveSeconds:      round3((e.Prove + e.Load).Seconds()), // loading cached keys included
		SetupSeconds:      round3(e.Setup.Seconds()),
		PeakMemoryBytes:   e.PeakMemory,
		BudgetSeconds:     round3(b.Time.Seconds()),
		BudgetMemoryBytes: b.Memory,
		Decision:          decision,
		Reason:            reason,
	}
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func human(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	case d >= time.Minute:
		return fmt.Sprintf("%.0f min", d.Minutes())
	default:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
}

func bytesHuman(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	default:
		return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
	}
}
