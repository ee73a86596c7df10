package bench

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
)

// The expensive fixture: one Groth16 row at n = 4 (a key setup of about
// 200k constraints, ~70 s on 2 cores), then the context is cancelled from
// OnRow so the n = 8 row never starts. Every test needing measured rows
// shares it.
var (
	fixtureOnce sync.Once
	fixtureRep  *Report
	fixtureErr  error
	fixtureLog  bytes.Buffer
	fixtureKeys *keys.Cache // the fixture's keys, for TestReusedKeys
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureKeys != nil {
		os.RemoveAll(fixtureKeys.Dir)
	}
	os.Exit(code)
}

func groth16Fixture(t *testing.T) *Report {
	t.Helper()
	if testing.Short() {
		t.Skip("runs a Groth16 key setup (about a minute)")
	}
	fixtureOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		dir, err := os.MkdirTemp("", "zkpoc-bench-keys")
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureKeys = &keys.Cache{Dir: dir}
		fixtureRep, fixtureErr = Run(ctx, Config{
			Sizes:    []int{4, 8},
			Circuits: []protocol.Method{protocol.Freivalds},
			Systems:  []protocol.System{protocol.Groth16},
			Runs:     1,
			Keys:     fixtureKeys,
			OnRow:    func(*Report, Row) { cancel() },
		}, &fixtureLog)
	})
	if fixtureRep == nil {
		t.Fatalf("Run returned no report: %v\n%s", fixtureErr, fixtureLog.String())
	}
	return fixtureRep
}

func TestRunGroth16N4(t *testing.T) {
	rep := groth16Fixture(t)
	rows := rep.Measured()
	if len(rows) != 1 {
		t.Fatalf("want 1 measured row, have %d: %+v\n%s", len(rows), rep.Rows, fixtureLog.String())
	}
	r := rows[0]
	if r.N != 4 || r.Circuit != protocol.Freivalds.Name() || r.System != protocol.Groth16 || r.Curve != Curve {
		t.Errorf("row identity: %+v", r)
	}
	for name, v := range map[string]float64{
		"compile": r.CompileSeconds.Median, "setup": r.SetupSeconds.Median, "witness": r.WitnessSeconds.Median,
		"prove": r.ProveSeconds.Median, "verify": r.VerifySeconds.Median, "native": r.NativeSeconds.Median,
		"overhead": r.OverheadRatio, "per element": r.ConstraintsPerElement, "per MAC": r.ConstraintsPerMAC,
	} {
		if !(v > 0) {
			t.Errorf("%s = %v, want > 0", name, v)
		}
	}
	for name, v := range map[string]int64{
		"proof bytes": r.ProofBytes, "pk bytes": r.PKBytes, "vk bytes": r.VKBytes,
		"peak rss": r.PeakRSSBytes, "prove peak rss": r.ProvePeakRSSBytes, "prove alloc": r.ProveAllocBytes,
	} {
		if v <= 0 {
			t.Errorf("%s = %d, want > 0", name, v)
		}
	}
	if r.ProveSeconds.N != 1 || r.ProveSeconds.Min > r.ProveSeconds.Median || r.ProveSeconds.Median > r.ProveSeconds.Max {
		t.Errorf("prove stat %+v", r.ProveSeconds)
	}
	if r.KeyFingerprint == "" || r.Setup == "" || r.NativeExecutor == "" {
		t.Errorf("fingerprint %q, setup %q, executor %q", r.KeyFingerprint, r.Setup, r.NativeExecutor)
	}
	ccs, err := prover.Compile(protocol.Freivalds, 4, DefaultFracBits)()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Constraints, ccs.GetNbConstraints(); got != want {
		t.Errorf("constraints %d, compiled %d", got, want)
	}
	if want := prover.EstimateConstraints(protocol.Freivalds, 4, DefaultFracBits); r.EstimatedConstraints != want {
		t.Errorf("estimated constraints %d, want %d", r.EstimatedConstraints, want)
	}
	if rep.Machine.GoVersion == "" || rep.Machine.GnarkVersion == "" || rep.Machine.Hardware.LogicalCores <= 0 || rep.Started == "" {
		t.Errorf("machine header incomplete: %+v", rep.Machine)
	}
}

// TestReusedKeys: a second run over the fixture's key cache skips the
// setup, says so in every output, and proves under the same key.
func TestReusedKeys(t *testing.T) {
	first := groth16Fixture(t).Measured()
	if len(first) != 1 || first[0].SetupCached() || first[0].SetupSeconds.N != 1 {
		t.Fatalf("the fixture's row should have run its setup: %+v", first)
	}
	var log bytes.Buffer
	rep, err := Run(context.Background(), Config{Sizes: []int{4}, Circuits: []protocol.Method{protocol.Freivalds},
		Systems: []protocol.System{protocol.Groth16}, Runs: 1, Keys: fixtureKeys}, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	rows := rep.Measured()
	if len(rows) != 1 {
		t.Fatalf("want 1 measured row, have %+v", rep.Rows)
	}
	r := rows[0]
	if !r.SetupCached() || r.SetupSeconds.N != 0 || r.KeyFingerprint != first[0].KeyFingerprint || r.ProveSeconds.Median <= 0 {
		t.Fatalf("second run: setup %q (%+v), fingerprint %s vs %s, prove %v", r.Setup, r.SetupSeconds, r.KeyFingerprint, first[0].KeyFingerprint, r.ProveSeconds)
	}
	if cells := markdownCells(r); !slices.Contains(cells, "cached") {
		t.Errorf("markdown row %v does not say the setup was cached", cells)
	}
	dir := t.TempDir()
	if _, err := rep.WriteAll(dir); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(filepath.Join(dir, FileCSV))
	if err != nil || len(back) != 1 || !back[0].SetupCached() || back[0].SetupSeconds.N != 0 {
		t.Fatalf("CSV round trip of a cached row: %v %+v", err, back)
	}
}

func TestCancelMidRunKeepsFinishedRows(t *testing.T) {
	rep := groth16Fixture(t)
	if !errors.Is(fixtureErr, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", fixtureErr)
	}
	if !rep.Interrupted || rep.Finished == "" {
		t.Errorf("interrupted %v finished %q", rep.Interrupted, rep.Finished)
	}
	if len(rep.Rows) != 1 || rep.Rows[0].N != 4 || rep.Rows[0].Status != StatusOK {
		t.Errorf("rows after cancel: %+v", rep.Rows)
	}
	// The kept rows are written out like any others.
	dir := t.TempDir()
	if _, err := rep.WriteAll(dir); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(filepath.Join(dir, FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if !back.Interrupted || len(back.Rows) != 1 {
		t.Errorf("written report: interrupted %v, %d rows", back.Interrupted, len(back.Rows))
	}
}

func TestOutputsOfMeasuredRun(t *testing.T) {
	checkOutputs(t, groth16Fixture(t))
}

func TestFitCoefficients(t *testing.T) {
	rep := groth16Fixture(t)
	c, err := FitCoefficients(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !(c.ProveSecondsPerConstr > 0 && c.SetupSecondsPerConstr > 0 && c.PeakBytesPerConstr > 0 && c.PeakBytesFixed >= 0) || c.Source == "" {
		t.Errorf("coefficients %+v", c)
	}
	path := filepath.Join(t.TempDir(), "calibration.json")
	if err := prover.WriteCoefficients(path, c); err != nil {
		t.Fatal(err)
	}
	back, err := prover.ReadCoefficients(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.ProveSecondsPerConstr != c.ProveSecondsPerConstr || back.PeakBytesPerConstr != c.PeakBytesPerConstr {
		t.Errorf("read back %+v, wrote %+v", back, c)
	}
	if _, err := FitCoefficients(&Report{}); err == nil {
		t.Error("fit without rows succeeded")
	}
}

// TestCalibrate runs the real calibration (two key setups, several minutes).
func TestCalibrate(t *testing.T) {
	if os.Getenv("ZKPOC_BENCH_CALIBRATE") == "" {
		t.Skip("set ZKPOC_BENCH_CALIBRATE=1 (two key setups, several minutes)")
	}
	c, err := Calibrate(context.Background(), testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	if !(c.ProveSecondsPerConstr > 0 && c.SetupSecondsPerConstr > 0 && c.PeakBytesPerConstr > 0) {
		t.Errorf("coefficients %+v", c)
	}
	t.Logf("%+v", c)
}

// TestPlonkN4 measures one PLONK row (SCS compile, unsafe SRS, setup, proof).
func TestPlonkN4(t *testing.T) {
	if os.Getenv("ZKPOC_BENCH_PLONK") == "" {
		t.Skip("set ZKPOC_BENCH_PLONK=1 (PLONK setup and proof at n = 4, a few minutes on 2 cores)")
	}
	rep, err := Run(context.Background(), Config{
		Sizes: []int{4}, Circuits: []protocol.Method{protocol.Freivalds}, Systems: []protocol.System{protocol.Plonk}, Runs: 1,
	}, testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	rows := rep.Measured()
	if len(rows) != 1 {
		t.Fatalf("rows %+v", rep.Rows)
	}
	r := rows[0]
	if !(r.ProveSeconds.Median > 0 && r.VerifySeconds.Median > 0 && r.Constraints > 0 && r.ProofBytes > 0) || r.Setup != "unsafe-dev-kzg-srs" {
		t.Errorf("plonk row %+v", r)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "UNSAFE dev KZG SRS") {
		t.Error("report does not label the unsafe SRS")
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

func TestCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	rep, err := Run(ctx, Config{Sizes: []int{4}}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if rep == nil || len(rep.Rows) != 0 || !rep.Interrupted {
		t.Fatalf("report %+v", rep)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("cancelled run took %s", time.Since(start))
	}
}

func TestConfigRejectsBadInput(t *testing.T) {
	for name, cfg := range map[string]Config{
		"n=0":         {Sizes: []int{0}},
		"n too large": {Sizes: []int{protocol.MaxN + 1}},
		"negative n":  {Sizes: []int{-4}},
		"system":      {Systems: []protocol.System{"stark"}},
		"circuit":     {Circuits: []protocol.Method{protocol.Method(7)}},
		"runs":        {Runs: -1},
		"frac bits":   {FracBits: 40},
		"row time":    {MaxRowTime: -time.Second},
	} {
		rep, err := Run(context.Background(), cfg, nil)
		if err == nil || rep != nil {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
}

// TestSkips: the naive limit, the quick PLONK limit and the memory budget
// are decided before compiling anything.
func TestSkips(t *testing.T) {
	var log bytes.Buffer
	start := time.Now()
	rep, err := Run(context.Background(), Config{
		Sizes:        []int{32, 128},
		Circuits:     []protocol.Method{protocol.Freivalds, protocol.Naive},
		Quick:        true,
		MemoryBudget: 1 << 20,
	}, &log)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("skipping took %s: something was compiled", time.Since(start))
	}
	if len(rep.Rows) != 8 || len(rep.Measured()) != 0 {
		t.Fatalf("rows %+v", rep.Rows)
	}
	reasons := map[string]string{}
	for _, r := range rep.Rows {
		if r.Status != StatusSkipped || r.Reason == "" {
			t.Errorf("row %+v", r)
		}
		reasons[r.Circuit+"/"+string(r.System)+"/"+strconv.Itoa(r.N)] = r.Reason
	}
	for key, want := range map[string]string{
		"freivalds-v5/groth16/32": "budget 0.00 GiB",
		"naive-v5/groth16/128":    "naive reference skipped above n=64",
		"freivalds-v5/plonk/32":   "quick: PLONK skipped above n=16",
	} {
		if !strings.Contains(reasons[key], want) {
			t.Errorf("%s: reason %q, want %q", key, reasons[key], want)
		}
	}
	if !strings.Contains(reasons["freivalds-v5/groth16/32"], "estimated") {
		t.Errorf("budget reason %q", reasons["freivalds-v5/groth16/32"])
	}
	if !strings.Contains(rep.Markdown(), "Not measured") || !strings.Contains(log.String(), "skipped") {
		t.Error("skips are not reported")
	}
	if rep.Config.Runs != 1 || rep.Config.PlonkMaxN != QuickPlonkMaxN {
		t.Errorf("quick config %+v", rep.Config)
	}
}

func TestStat(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want Stat
	}{
		{nil, Stat{}},
		{[]float64{2}, Stat{2, 2, 2, 1}},
		{[]float64{3, 1, 2}, Stat{2, 1, 3, 3}},
		{[]float64{4, 1, 2, 3}, Stat{2.5, 1, 4, 4}},
	} {
		if got := newStat(tc.in); got != tc.want {
			t.Errorf("newStat(%v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// syntheticReport has measured rows for both circuits and systems, and a
// skipped one, without proving anything.
func syntheticReport() *Report {
	rep := &Report{
		Started: "2026-01-02T03:04:05Z", Finished: "2026-01-02T03:14:05Z",
		Machine: Machine{GoVersion: "go1.26.8", GnarkVersion: "v0.16.1", GnarkCryptoVersion: "v0.21.0", PeakMethod: "VmHWM"},
		Config:  ConfigSummary{Sizes: []int{4, 8, 16}, Circuits: []string{"freivalds-v5", "naive-v5"}, Systems: []protocol.System{protocol.Groth16, protocol.Plonk}, Curve: Curve, Runs: 3, FracBits: 8},
		Notes:   []string{"synthetic"},
	}
	for _, sys := range []protocol.System{protocol.Groth16, protocol.Plonk} {
		for _, c := range []string{"freivalds-v5", "naive-v5"} {
			for _, n := range []int{4, 8, 16} {
				x := float64(n)
				k := 1.0
				if c == "naive-v5" {
					k = 1.5
				}
				if sys == protocol.Plonk {
					k *= 3
				}
				row := Row{
					Circuit: c, System: sys, Curve: Curve, N: n, Status: StatusOK,
					Constraints: int(200000*k + x*x*x), EstimatedConstraints: 200000, EstimatedPeakBytes: 1 << 29,
					CompileSeconds: single(1.25), SetupSeconds: single(60 * k), WitnessSeconds: Stat{0.01, 0.009, 0.02, 3},
					ProveSeconds: Stat{4 * k * x / 4, 3.9 * k * x / 4, 4.3 * k * x / 4, 3}, VerifySeconds: Stat{0.002, 0.0019, 0.0031, 3},
					NativeSeconds: Stat{1e-6 * x, 0.9e-6 * x, 1.1e-6 * x, 3}, NativeExecutor: "cpu-avx512",
					ProofBytes: 356, PKBytes: 1 << 26, VKBytes: 620, BaselineRSSBytes: 30 << 20, PeakRSSBytes: 600 << 20,
					ProvePeakRSSBytes: 500 << 20, ProveAllocBytes: 1 << 30, OverheadRatio: 4e6,
					ConstraintsPerElement: 200000 / (x * x), ConstraintsPerMAC: 200000 / (x * x * x),
					Setup: "dev-single-party", KeyFingerprint: "ab12",
				}
				if sys == protocol.Plonk {
					row.SRSSeconds, row.Setup, row.KeyFingerprint = single(12.5), "unsafe-dev-kzg-srs", ""
				}
				rep.Rows = append(rep.Rows, row)
			}
		}
	}
	rep.Rows = append(rep.Rows, Row{Circuit: "naive-v5", System: protocol.Groth16, Curve: Curve, N: 128, Status: StatusSkipped,
		Reason: "naive reference skipped above n=64, with \"quotes\", commas", EstimatedConstraints: 2300000, EstimatedPeakBytes: 6 << 30})
	return rep
}

func TestSyntheticOutputs(t *testing.T) {
	rep := syntheticReport()
	checkOutputs(t, rep)
	if dir := os.Getenv("ZKPOC_BENCH_SYNTHETIC_OUT"); dir != "" { // to look at the plots
		if _, err := rep.WriteAll(dir); err != nil {
			t.Fatal(err)
		}
	}
}

// checkOutputs writes every output of rep and reads them back.
func checkOutputs(t *testing.T, rep *Report) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := rep.WriteAll(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 7 {
		t.Errorf("wrote %v", paths)
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v (size %d)", p, err, sizeOf(st))
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}

	back, err := ReadJSON(filepath.Join(dir, FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, rep) {
		t.Errorf("JSON round trip differs:\n got %+v\nwant %+v", back, rep)
	}

	rows, err := ReadCSV(filepath.Join(dir, FileCSV))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rows, rep.Rows) {
		t.Errorf("CSV round trip differs:\n got %+v\nwant %+v", rows, rep.Rows)
	}

	md, err := os.ReadFile(filepath.Join(dir, FileMarkdown))
	if err != nil {
		t.Fatal(err)
	}
	if string(md) != rep.Markdown() {
		t.Error("markdown file differs from Markdown()")
	}
	tableRows := 0
	for _, line := range strings.Split(string(md), "\n") {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| circuit") {
			tableRows++
			if cells := strings.Count(line, "|") - 1; cells != len(MarkdownColumns) {
				t.Errorf("table line has %d cells, want %d: %s", cells, len(MarkdownColumns), line)
			}
		}
	}
	if tableRows != len(rep.Measured()) {
		t.Errorf("markdown table has %d rows, want %d", tableRows, len(rep.Measured()))
	}
	for _, want := range []string{rep.Machine.GoVersion, "gnark " + rep.Machine.GnarkVersion, groupThousands(int64(rep.Measured()[0].Constraints))} {
		if !strings.Contains(string(md), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}

	for _, name := range []string{FilePlotProve, FilePlotConstraints} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 100 {
			t.Errorf("%s: %v", name, b)
		}
		svg, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(name, ".png")+".svg"))
		if err != nil || !bytes.Contains(svg, []byte("<svg")) {
			t.Errorf("%s svg: %v", name, err)
		}
	}
}

func sizeOf(st os.FileInfo) int64 {
	if st == nil {
		return -1
	}
	return st.Size()
}

func TestReadCSVRejectsGarbage(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"empty":      "",
		"header":     "a,b,c\n1,2,3\n",
		"short row":  strings.Join(csvColumns, ",") + "\nfreivalds-v5,groth16\n",
		"not number": strings.Join(csvColumns, ",") + "\n" + strings.Repeat("x,", len(csvColumns)-1) + "x\n",
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".csv")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadCSV(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	p := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(p, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJSON(p); err == nil {
		t.Error("bad JSON accepted")
	}
}

func TestEmptyReportPlots(t *testing.T) {
	rep := &Report{}
	paths, err := rep.WritePlots(t.TempDir())
	if err != nil || len(paths) != 4 {
		t.Fatalf("%v %v", paths, err)
	}
}

// TestOutputsOfSavedReport re-checks the outputs of a report measured
// earlier (ZKPOC_BENCH_REPORT=dir/bench.json), without proving anything.
func TestOutputsOfSavedReport(t *testing.T) {
	path := os.Getenv("ZKPOC_BENCH_REPORT")
	if path == "" {
		t.Skip("set ZKPOC_BENCH_REPORT to a bench.json written by zkpoc bench")
	}
	rep, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Measured()) == 0 {
		t.Fatal("no measured rows")
	}
	for _, r := range rep.Measured() {
		if !(r.ProveSeconds.Median > 0 && r.SetupSeconds.Median > 0 && r.VerifySeconds.Median > 0) || r.Constraints <= 0 {
			t.Errorf("row %+v", r)
		}
		if r.System == protocol.Groth16 {
			if want := prover.EstimateConstraints(protocol.Freivalds, r.N, rep.Config.FracBits); r.Circuit == protocol.Freivalds.Name() && !near(r.Constraints, want) {
				t.Errorf("%s n=%d: %d constraints, the model predicts %d", r.Circuit, r.N, r.Constraints, want)
			}
		}
	}
	checkOutputs(t, rep)
	if _, err := FitCoefficients(rep); err != nil {
		t.Error(err)
	}
}

// near: within 0.1% (the cost model's constraint formula is checked to 0.02%).
func near(a, b int) bool { d := float64(a - b); return d*d <= 1e-6*float64(b)*float64(b) }

// TestRunBLS12381 measures one Groth16 row over BLS12-381: the statement
// compiles to the pinned count, proves, verifies, and its proof has the
// curve's compressed size (Ar 48 + Bs 96 + Krs 48 + count 4 + one
// commitment 48 + its proof of knowledge 48 = 292 bytes).
func TestRunBLS12381(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a BLS12-381 Groth16 setup and proof")
	}
	var log bytes.Buffer
	rep, err := Run(context.Background(), Config{
		Sizes: []int{2}, Circuits: []protocol.Method{protocol.Freivalds}, Systems: []protocol.System{protocol.Groth16},
		Curves: []protocol.Curve{protocol.BLS12381}, Runs: 1,
	}, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	rows := rep.Measured()
	if len(rows) != 1 {
		t.Fatalf("want 1 measured row, have %+v\n%s", rep.Rows, log.String())
	}
	r := rows[0]
	if r.Curve != string(protocol.BLS12381) || r.ProofBytes != 292 || !(r.ProveSeconds.Median > 0) || !(r.SetupSeconds.Median > 0) {
		t.Errorf("row: curve %s, proof %d bytes, prove %v, setup %v", r.Curve, r.ProofBytes, r.ProveSeconds, r.SetupSeconds)
	}
	if want := prover.EstimateConstraintsOn(protocol.BLS12381, protocol.Freivalds, 2, 8); r.Constraints < want*95/100 || r.Constraints > want*105/100 {
		t.Errorf("%d constraints, the cost model says %d", r.Constraints, want)
	}
	if got := rep.Config.Curves; len(got) != 1 || got[0] != string(protocol.BLS12381) {
		t.Errorf("config curves %v", got)
	}
	if r.Label() != "freivalds-v5/groth16/bls12-381" {
		t.Errorf("label %q", r.Label())
	}
}

// TestRunSynthetic: a freivalds-s2 row at n = 4 proves and verifies as an
// offline verifier does (verifier.VerifySynthetic), with the compiled and
// estimated counts; its PLONK and BLS12-381 rows are skipped with the
// reason, since the statement is Groth16 on BN254 only.
func TestRunSynthetic(t *testing.T) {
	if testing.Short() {
		t.Skip("a Groth16 key setup and proof")
	}
	var log bytes.Buffer
	cache := keys.Cache{Dir: t.TempDir()}
	rep, err := Run(context.Background(), Config{
		Sizes:    []int{4},
		Circuits: []protocol.Method{protocol.Synthetic},
		Systems:  []protocol.System{protocol.Groth16, protocol.Plonk},
		Curves:   []protocol.Curve{protocol.BN254, protocol.BLS12381},
		Runs:     1,
		Keys:     &cache,
	}, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if len(rep.Rows) != 4 {
		t.Fatalf("%d rows, want 4: %+v", len(rep.Rows), rep.Rows)
	}
	rows := rep.Measured()
	if len(rows) != 1 {
		t.Fatalf("measured %d rows, want 1 (groth16 bn254): %+v\n%s", len(rows), rep.Rows, log.String())
	}
	r := rows[0]
	if r.Circuit != protocol.SyntheticCircuitID || r.System != protocol.Groth16 || r.Curve != string(protocol.BN254) {
		t.Errorf("measured row %+v", r)
	}
	ccs, err := prover.Compile(protocol.Synthetic, 4, DefaultFracBits)()
	if err != nil {
		t.Fatal(err)
	}
	if r.Constraints != ccs.GetNbConstraints() || r.EstimatedConstraints != prover.EstimateSyntheticConstraints(4, DefaultFracBits) {
		t.Errorf("constraints %d (compiled %d), estimated %d", r.Constraints, ccs.GetNbConstraints(), r.EstimatedConstraints)
	}
	if !(r.ProveSeconds.Median > 0) || !(r.VerifySeconds.Median > 0) || r.ProofBytes <= 0 {
		t.Errorf("prove %v s, verify %v s, proof %d B", r.ProveSeconds.Median, r.VerifySeconds.Median, r.ProofBytes)
	}
	for _, row := range rep.Rows {
		if row.Status == StatusSkipped && !strings.Contains(row.Reason, "does not support") {
			t.Errorf("skipped %s/%s: reason %q", row.System, row.Curve, row.Reason)
		}
	}
}
