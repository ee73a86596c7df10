package bench

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/protocol"
)

// MaxReportBytes bounds a report file read back by ReadJSON or ReadCSV.
const MaxReportBytes = 16 << 20

// File names WriteAll uses inside its directory.
const (
	FileCSV             = "bench.csv"
	FileJSON            = "bench.json"
	FileMarkdown        = "bench.md"
	FilePlotProve       = "prove_seconds.png"
	FilePlotConstraints = "constraints.png"
)

// WriteAll writes the CSV, JSON, Markdown and the plots (PNG and SVG) into
// dir, creating it, and returns the paths written.
func (r *Report) WriteAll(dir string) ([]string, error) {
	var paths []string
	for _, f := range []struct {
		name  string
		write func(string) error
	}{{FileCSV, r.WriteCSV}, {FileJSON, r.WriteJSON}, {FileMarkdown, r.WriteMarkdown}} {
		p := filepath.Join(dir, f.name)
		if err := f.write(p); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	plots, err := r.WritePlots(dir)
	return append(paths, plots...), err
}

// WriteJSON writes the whole report as indented JSON, atomically.
func (r *Report) WriteJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("bench json: %w", err)
	}
	if err := atomicfile.Write(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("bench json: %w", err)
	}
	return nil
}

// ReadJSON reads a report written by WriteJSON.
func ReadJSON(path string) (*Report, error) {
	data, err := atomicfile.ReadLimited(path, MaxReportBytes)
	if err != nil {
		return nil, fmt.Errorf("read bench report: %w", err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("bench report %s: %w", path, err)
	}
	return &r, nil
}

// csvColumns are the CSV header, one row per Row; Stat fields become
// _median, _min and _max columns.
var csvColumns = []string{
	"circuit", "system", "curve", "n", "status", "reason",
	"constraints", "estimated_constraints", "estimated_peak_bytes",
	"constraints_per_element", "constraints_per_mac",
	"compile_s", "srs_s", "setup_s",
	"witness_s_median", "witness_s_min", "witness_s_max",
	"prove_s_median", "prove_s_min", "prove_s_max",
	"verify_s_median", "verify_s_min", "verify_s_max",
	"native_s_median", "native_s_min", "native_s_max", "native_executor",
	"overhead_ratio", "runs",
	"proof_bytes", "pk_bytes", "vk_bytes",
	"baseline_rss_bytes", "peak_rss_bytes", "prove_peak_rss_bytes", "prove_alloc_bytes",
	"setup", "key_fingerprint",
}

func ff(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
func fi(x int64) string   { return strconv.FormatInt(x, 10) }

func csvRecord(r Row) []string {
	return []string{
		r.Circuit, string(r.System), r.Curve, strconv.Itoa(r.N), r.Status, r.Reason,
		strconv.Itoa(r.Constraints), strconv.Itoa(r.EstimatedConstraints), fi(r.EstimatedPeakBytes),
		ff(r.ConstraintsPerElement), ff(r.ConstraintsPerMAC),
		ff(r.CompileSeconds.Median), ff(r.SRSSeconds.Median), ff(r.SetupSeconds.Median),
		ff(r.WitnessSeconds.Median), ff(r.WitnessSeconds.Min), ff(r.WitnessSeconds.Max),
		ff(r.ProveSeconds.Median), ff(r.ProveSeconds.Min), ff(r.ProveSeconds.Max),
		ff(r.VerifySeconds.Median), ff(r.VerifySeconds.Min), ff(r.VerifySeconds.Max),
		ff(r.NativeSeconds.Median), ff(r.NativeSeconds.Min), ff(r.NativeSeconds.Max), r.NativeExecutor,
		ff(r.OverheadRatio), strconv.Itoa(r.ProveSeconds.N),
		fi(r.ProofBytes), fi(r.PKBytes), fi(r.VKBytes),
		fi(r.BaselineRSSBytes), fi(r.PeakRSSBytes), fi(r.ProvePeakRSSBytes), fi(r.ProveAllocBytes),
		r.Setup, r.KeyFingerprint,
	}
}

// WriteCSV writes one line per row (skipped and failed rows included, with
// their reason), atomically.
func (r *Report) WriteCSV(path string) error {
	err := atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(csvColumns); err != nil {
			return err
		}
		for _, row := range r.Rows {
			if err := cw.Write(csvRecord(row)); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return fmt.Errorf("bench csv: %w", err)
	}
	return nil
}

// ReadCSV reads the rows of a file written by WriteCSV.
func ReadCSV(path string) ([]Row, error) {
	data, err := atomicfile.ReadLimited(path, MaxReportBytes)
	if err != nil {
		return nil, fmt.Errorf("read bench csv: %w", err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("bench csv %s: %w", path, err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(csvColumns, ",") {
		return nil, fmt.Errorf("bench csv %s: unexpected header", path)
	}
	var rows []Row
	for i, rec := range recs[1:] {
		row, err := parseRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("bench csv %s line %d: %w", path, i+2, err)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

type recordParser struct {
	rec []string
	i   int
	err error
}

func (p *recordParser) str() string {
	s := p.rec[p.i]
	p.i++
	return s
}

func (p *recordParser) float() float64 {
	col := csvColumns[p.i]
	s := p.str()
	if p.err != nil {
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) {
		p.err = fmt.Errorf("%s: %q is not a number", col, s)
	}
	return v
}

func (p *recordParser) int() int64 {
	col := csvColumns[p.i]
	s := p.str()
	if p.err != nil {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		p.err = fmt.Errorf("%s: %q is not an integer", col, s)
	}
	return v
}

func parseRecord(rec []string) (Row, error) {
	if len(rec) != len(csvColumns) {
		return Row{}, fmt.Errorf("%d fields, want %d", len(rec), len(csvColumns))
	}
	p := &recordParser{rec: rec}
	var r Row
	r.Circuit, r.System, r.Curve = p.str(), protocol.System(p.str()), p.str()
	r.N = int(p.int())
	r.Status, r.Reason = p.str(), p.str()
	r.Constraints, r.EstimatedConstraints, r.EstimatedPeakBytes = int(p.int()), int(p.int()), p.int()
	r.ConstraintsPerElement, r.ConstraintsPerMAC = p.float(), p.float()
	compile, srs, setup := p.float(), p.float(), p.float()
	stat := func() Stat { return Stat{Median: p.float(), Min: p.float(), Max: p.float()} }
	r.WitnessSeconds, r.ProveSeconds, r.VerifySeconds, r.NativeSeconds = stat(), stat(), stat(), stat()
	r.NativeExecutor = p.str()
	r.OverheadRatio = p.float()
	runs := int(p.int())
	r.ProofBytes, r.PKBytes, r.VKBytes = p.int(), p.int(), p.int()
	r.BaselineRSSBytes, r.PeakRSSBytes, r.ProvePeakRSSBytes, r.ProveAllocBytes = p.int(), p.int(), p.int(), p.int()
	r.Setup, r.KeyFingerprint = p.str(), p.str()
	if p.err != nil {
		return Row{}, p.err
	}
	if r.Status == StatusOK {
		r.CompileSeconds = single(compile)
		if !r.SetupCached() {
			r.SetupSeconds = single(setup)
		}
		if srs > 0 || r.System == protocol.Plonk {
			r.SRSSeconds = single(srs)
		}
		for _, s := range []*Stat{&r.WitnessSeconds, &r.ProveSeconds, &r.VerifySeconds, &r.NativeSeconds} {
			s.N = runs
		}
	}
	return r, nil
}

// WriteMarkdown writes a header (machine, versions, notes), the table and
// the skipped rows with their reasons, atomically.
func (r *Report) WriteMarkdown(path string) error {
	if err := atomicfile.Write(path, []byte(r.Markdown()), 0o644); err != nil {
		return fmt.Errorf("bench markdown: %w", err)
	}
	return nil
}

// MarkdownColumns are the table's headers.
var MarkdownColumns = []string{
	"circuit", "system", "curve", "n", "constraints", "per elem", "per MAC", "compile s", "setup s",
	"witness ms", "prove s (min..max)", "verify ms", "proof B", "pk MiB", "vk B", "peak RSS MiB",
	"native µs", "prove/native",
}

// Markdown renders the report.
func (r *Report) Markdown() string {
	var b strings.Builder
	m := r.Machine
	hw := m.Hardware
	fmt.Fprintf(&b, "# zkpoc proof-cost benchmark\n\n")
	fmt.Fprintf(&b, "- date: %s to %s\n", r.Started, orDash(r.Finished))
	fmt.Fprintf(&b, "- CPU: %s (%s), %d physical / %d logical cores, GOMAXPROCS %d, features %s\n",
		orDash(hw.CPUBrand), orDash(hw.CPUVendor), hw.PhysicalCores, hw.LogicalCores, hw.GOMAXPROCS, orDash(strings.Join(hw.Features, " ")))
	if len(hw.GPUs) > 0 {
		var g []string
		for _, x := range hw.GPUs {
			g = append(g, x.Model)
		}
		fmt.Fprintf(&b, "- GPUs: %s (not used by gnark here)\n", strings.Join(g, ", "))
	}
	fmt.Fprintf(&b, "- memory: %.1f GiB; budget %s per row (estimated peak)\n", float64(m.MemTotalBytes)/(1<<30), budgetText(r.Config.MemoryBudgetBytes))
	fmt.Fprintf(&b, "- load average at start / end: %s / %s\n", orDash(m.LoadAvgStart), orDash(m.LoadAvgEnd))
	fmt.Fprintf(&b, "- %s, gnark %s, gnark-crypto %s, curves %s, f = %d, runs %d%s\n",
		m.GoVersion, m.GnarkVersion, m.GnarkCryptoVersion, strings.ToUpper(strings.Join(r.Config.curves(), ", ")), r.Config.FracBits, r.Config.Runs,
		map[bool]string{true: " (quick)", false: ""}[r.Config.Quick])
	fmt.Fprintf(&b, "- peak memory: %s\n", m.PeakMethod)
	fmt.Fprintf(&b, "- cost-model coefficients for the skip decisions: %s\n", orDash(r.Config.Coefficients.Source))
	if r.Interrupted {
		fmt.Fprintf(&b, "- **interrupted**: only the rows below were finished\n")
	}
	b.WriteString("\n")
	b.WriteString("| " + strings.Join(MarkdownColumns, " | ") + " |\n")
	b.WriteString("|" + strings.Repeat("---|", len(MarkdownColumns)) + "\n")
	var skipped []Row
	rows := append([]Row(nil), r.Rows...)
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.System != b.System {
			return a.System < b.System
		}
		if a.Curve != b.Curve {
			return a.Curve < b.Curve
		}
		if a.Circuit != b.Circuit {
			return a.Circuit < b.Circuit
		}
		return a.N < b.N
	})
	for _, row := range rows {
		if row.Status != StatusOK {
			skipped = append(skipped, row)
			continue
		}
		b.WriteString("| " + strings.Join(markdownCells(row), " | ") + " |\n")
	}
	if len(skipped) > 0 {
		b.WriteString("\nNot measured:\n\n")
		for _, row := range skipped {
			fmt.Fprintf(&b, "- %s %s %s n=%d: %s: %s\n", row.Circuit, row.System, row.Curve, row.N, row.Status, row.Reason)
		}
	}
	b.WriteString("\nNotes:\n\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	b.WriteString("\n" + ReadingGuide)
	return b.String()
}

// ReadingGuide explains the columns; the CLI's help prints it too.
const ReadingGuide = `How to read it:

- constraints: the compiled circuit's size (R1CS for protocol.Groth16, SCS for protocol.Plonk);
  about 53,200 of every protocol.Groth16 count is the fixed PoE (SHA-256 over 96 bytes
  and the bit decompositions of its inputs), so small n are dominated by it.
- per elem = constraints / n² and per MAC = constraints / n³: Freivalds's cost
  per output element levels off (O(n²) circuit), while the naive reference pays
  about one constraint per multiply-accumulate; per MAC falling with n is the
  whole point of Freivalds.
- prove/native = median prove seconds / median native product seconds on the
  fastest executor: how many times more the proof costs than just computing.
- setup s runs once per row (protocol.Groth16: dev single-party setup; protocol.Plonk: plonk.Setup
  plus the unsafe SRS generation, split into setup_s and srs_s in the CSV);
  prove, verify, witness and native are the median of the runs with min..max.
- peak RSS includes what the process holds (constraint system, keys), so it is
  an upper bound for proving alone with cached keys.
`

func markdownCells(r Row) []string {
	spread := func(s Stat, scale float64, prec int) string {
		if s.Min == s.Max {
			return strconv.FormatFloat(s.Median*scale, 'f', prec, 64)
		}
		return fmt.Sprintf("%s (%s..%s)", strconv.FormatFloat(s.Median*scale, 'f', prec, 64),
			strconv.FormatFloat(s.Min*scale, 'f', prec, 64), strconv.FormatFloat(s.Max*scale, 'f', prec, 64))
	}
	return []string{
		r.Circuit, string(r.System), r.Curve, strconv.Itoa(r.N), groupThousands(int64(r.Constraints)),
		fmt.Sprintf("%.1f", r.ConstraintsPerElement), fmt.Sprintf("%.3g", r.ConstraintsPerMAC),
		fmt.Sprintf("%.1f", r.CompileSeconds.Median), setupCell(r),
		spread(r.WitnessSeconds, 1e3, 1), spread(r.ProveSeconds, 1, 2), spread(r.VerifySeconds, 1e3, 1),
		strconv.FormatInt(r.ProofBytes, 10), fmt.Sprintf("%.1f", float64(r.PKBytes)/(1<<20)), strconv.FormatInt(r.VKBytes, 10),
		fmt.Sprintf("%.0f", float64(r.PeakRSSBytes)/(1<<20)),
		fmt.Sprintf("%.3g", r.NativeSeconds.Median*1e6), fmt.Sprintf("%.3g", r.OverheadRatio),
	}
}

func setupCell(r Row) string {
	if r.SetupCached() {
		return "cached"
	}
	return fmt.Sprintf("%.1f", r.SetupSeconds.Median+r.SRSSeconds.Median)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func budgetText(b int64) string {
	if b <= 0 {
		return "none"
	}
	return gib(b)
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	out = append([]string{s}, out...)
	res := strings.Join(out, ",")
	if neg {
		res = "-" + res
	}
	return res
}
