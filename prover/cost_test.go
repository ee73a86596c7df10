package prover_test

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
)

// TestEstimateConstraints checks the cost model's formula against every
// compiled count pinned in circuits/testdata/constraints.csv: within 5%.
func TestEstimateConstraints(t *testing.T) {
	f, err := os.Open("../circuits/testdata/constraints.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, row := range rows[1:] {
		n, _ := strconv.Atoi(row[1])
		fb, _ := strconv.Atoi(row[2])
		want, _ := strconv.Atoi(row[4])
		curve, err := protocol.ParseCurve(row[3])
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if row[0] == protocol.SyntheticCircuitID {
			got = prover.EstimateSyntheticConstraints(n, fb)
		} else {
			m, err := protocol.ParseMethod(row[0])
			if err != nil {
				t.Fatal(err)
			}
			got = prover.EstimateConstraintsOn(curve, m, n, fb)
		}
		dev := math.Abs(float64(got-want)) / float64(want)
		t.Logf("%s %s n=%d: estimated %d, compiled %d (%.2f%%)", row[0], curve, n, got, want, 100*dev)
		if dev > 0.05 {
			t.Errorf("%s %s n=%d: estimate %d is %.1f%% off the compiled %d", row[0], curve, n, got, 100*dev, want)
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d rows checked", checked)
	}
}

// TestEstimateSyntheticLarge: the freivalds-s2 estimate against the counts
// compiled at the sizes too slow to compile in a test (README,
// "Performance": 256 in 20 s, 512 in 60 s, 1024 in 5.7 min).
func TestEstimateSyntheticLarge(t *testing.T) {
	for _, tc := range []struct{ n, compiled int }{{256, 728_359}, {512, 2_620_311}, {1024, 9_924_525}} {
		got := prover.EstimateSyntheticConstraints(tc.n, 8)
		dev := math.Abs(float64(got-tc.compiled)) / float64(tc.compiled)
		t.Logf("n=%d: estimated %d, compiled %d (%.2f%%)", tc.n, got, tc.compiled, 100*dev)
		if dev > 0.05 {
			t.Errorf("n=%d: estimate %d is %.1f%% off the compiled %d", tc.n, got, 100*dev, tc.compiled)
		}
	}
}

func TestBudgetDecision(t *testing.T) {
	c := prover.DefaultCoefficients
	small := prover.EstimateCost(protocol.Freivalds, 16, 8, true, c)
	if ok, why := small.Fits(prover.Budget{Time: time.Hour, Memory: 16 << 30}); !ok {
		t.Errorf("n=16 with cached keys should fit an hour / 16 GiB: %s", why)
	}
	big := prover.EstimateCost(protocol.Freivalds, 512, 8, false, c)
	ok, why := big.Fits(prover.Budget{Time: time.Minute, Memory: 1 << 30})
	if ok {
		t.Fatal("n=512 with setup cannot fit a minute / 1 GiB")
	}
	for _, want := range []string{"estimated", "budget 1 min / 1.0 GiB", "time and memory"} {
		if !strings.Contains(why, want) {
			t.Errorf("reason %q lacks %q", why, want)
		}
	}
	if big.Setup == 0 {
		t.Error("uncached keys must include setup time")
	}
}

func TestCoefficientsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "calibration.json")
	want := prover.DefaultCoefficients
	want.ProveSecondsPerConstr = 1e-5
	if err := prover.WriteCoefficients(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := prover.ReadCoefficients(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.ProveSecondsPerConstr != want.ProveSecondsPerConstr || !strings.HasPrefix(got.Source, "calibrated") {
		t.Errorf("round trip: %+v", got)
	}
	for name, body := range map[string]string{
		"negative": `{"prove_seconds_per_constraint": -1, "setup_seconds_per_constraint": 1, "peak_bytes_per_constraint": 1}`,
		"missing":  `{}`,
		"garbage":  `{{`,
	} {
		p := filepath.Join(dir, name+".json")
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := prover.ReadCoefficients(p); err == nil {
			t.Errorf("%s calibration accepted", name)
		}
	}
}

// FuzzCoefficients: arbitrary calibration files give coefficients that are
// all positive and finite, or an error.
func FuzzCoefficients(f *testing.F) {
	f.Add([]byte(`{"prove_seconds_per_constraint": 2.5e-5, "setup_seconds_per_constraint": 3e-4, "peak_bytes_per_constraint": 2600}`))
	f.Add([]byte(`{"prove_seconds_per_constraint": 1e309}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "c.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := prover.ReadCoefficients(path)
		if err != nil {
			return
		}
		for _, v := range []float64{c.ProveSecondsPerConstr, c.SetupSecondsPerConstr, c.PeakBytesPerConstr} {
			if !(v > 0) || math.IsInf(v, 0) {
				t.Fatalf("accepted coefficient %v", v)
			}
		}
		if c.PeakBytesFixed < 0 || math.IsInf(c.PeakBytesFixed, 0) || math.IsNaN(c.PeakBytesFixed) {
			t.Fatalf("accepted peak_bytes_fixed %v", c.PeakBytesFixed)
		}
	})
}
