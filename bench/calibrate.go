package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
)

// CalibrationSizes are the Freivalds sizes Calibrate measures: two points
// with different constraint counts (about 209k and 313k).
var CalibrationSizes = []int{16, 64}

// Calibrate measures the cost-model coefficients on this host: one Groth16
// setup and proof of the Freivalds circuit at each of CalibrationSizes, then
// FitCoefficients. It takes a few minutes (two key setups).
func Calibrate(ctx context.Context, progress io.Writer) (prover.Coefficients, error) {
	return CalibrateSizes(ctx, CalibrationSizes, progress)
}

// CalibrateSizes is Calibrate at chosen sizes (one is enough for a fit).
func CalibrateSizes(ctx context.Context, sizes []int, progress io.Writer) (prover.Coefficients, error) {
	if len(sizes) == 0 {
		return prover.Coefficients{}, errors.New("calibrate: no sizes")
	}
	rep, err := Run(ctx, Config{
		Sizes:        sizes,
		Circuits:     []protocol.Method{protocol.Freivalds},
		Systems:      []protocol.System{protocol.Groth16},
		Runs:         1,
		MemoryBudget: -1,
	}, progress)
	if err != nil {
		return prover.Coefficients{}, fmt.Errorf("calibrate: %w", err)
	}
	return FitCoefficients(rep)
}

// FitCoefficients fits the cost model to a report's measured Groth16 rows:
// prove and setup seconds per constraint by least squares through the
// origin (Σxy / Σx²), peak bytes per constraint the same way on the peak RSS
// above the row's baseline, and the fixed bytes as the mean baseline (what
// the process holds before compiling).
func FitCoefficients(rep *Report) (prover.Coefficients, error) {
	var sxx, sxProve, sxSetup, sxMem, base float64
	var used []string
	for _, r := range rep.Measured() {
		if r.System != protocol.Groth16 || r.Constraints <= 0 {
			continue
		}
		x := float64(r.Constraints)
		sxx += x * x
		sxProve += x * r.ProveSeconds.Median
		sxSetup += x * r.SetupSeconds.Median
		sxMem += x * float64(max(r.PeakRSSBytes-r.BaselineRSSBytes, 0))
		base += float64(r.BaselineRSSBytes)
		used = append(used, fmt.Sprintf("%s n=%d", r.Circuit, r.N))
	}
	if len(used) == 0 {
		return prover.Coefficients{}, errors.New("calibrate: no measured Groth16 rows to fit")
	}
	c := prover.Coefficients{
		Source: fmt.Sprintf("bench calibrate %s on %s (%d cores) from %s",
			time.Now().UTC().Format("2006-01-02"), rep.Machine.Hardware.CPUBrand, rep.Machine.Hardware.GOMAXPROCS, strings.Join(used, ", ")),
		ProveSecondsPerConstr: sxProve / sxx,
		SetupSecondsPerConstr: sxSetup / sxx,
		PeakBytesPerConstr:    sxMem / sxx,
		PeakBytesFixed:        base / float64(len(used)),
	}
	for name, v := range map[string]float64{
		"prove seconds per constraint": c.ProveSecondsPerConstr,
		"setup seconds per constraint": c.SetupSecondsPerConstr,
		"peak bytes per constraint":    c.PeakBytesPerConstr,
	} {
		if !(v > 0) || math.IsInf(v, 0) {
			return c, fmt.Errorf("calibrate: fitted %s = %v, want a positive number", name, v)
		}
	}
	return c, nil
}
