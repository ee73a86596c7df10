package bench

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/protocol"
)

// WritePlots writes prove_seconds and constraints against n, log-log, one
// series per circuit and proof system, as PNG and SVG into dir. It returns
// the paths written. Without measured rows the plots say so in their title.
func (r *Report) WritePlots(dir string) ([]string, error) {
	var paths []string
	for _, spec := range []struct {
		file, title, ylabel string
		y                   func(Row) (v, lo, hi float64)
	}{
		{FilePlotProve, "prove seconds vs n (median, min..max)", "prove seconds",
			func(r Row) (float64, float64, float64) {
				return r.ProveSeconds.Median, r.ProveSeconds.Min, r.ProveSeconds.Max
			}},
		{FilePlotConstraints, "constraints vs n", "constraints",
			func(r Row) (float64, float64, float64) {
				c := float64(r.Constraints)
				return c, c, c
			}},
	} {
		p, err := r.plot(spec.title, spec.ylabel, spec.y)
		if err != nil {
			return paths, fmt.Errorf("plot %s: %w", spec.file, err)
		}
		base := strings.TrimSuffix(spec.file, filepath.Ext(spec.file))
		for _, format := range []string{"png", "svg"} {
			path := filepath.Join(dir, base+"."+format)
			wt, err := p.WriterTo(18*vg.Centimeter, 12*vg.Centimeter, format)
			if err != nil {
				return paths, fmt.Errorf("plot %s: %w", path, err)
			}
			if err := atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
				_, err := wt.WriteTo(w)
				return err
			}); err != nil {
				return paths, fmt.Errorf("plot %s: %w", path, err)
			}
			paths = append(paths, path)
		}
	}
	return paths, nil
}

// series palette: colour by circuit, dashes by system; BLS12-381 rows get
// crosses and dotted lines.
func seriesStyle(circuit string, system protocol.System, curve string) (color.Color, []vg.Length, draw.GlyphDrawer) {
	c, dashes, glyph := seriesStyleBN254(circuit, system)
	if curve != "" && curve != Curve {
		glyph, dashes = draw.CrossGlyph{}, []vg.Length{vg.Points(2), vg.Points(2)}
		if system == protocol.Plonk {
			dashes = []vg.Length{vg.Points(6), vg.Points(2), vg.Points(2), vg.Points(2)}
		}
	}
	return c, dashes, glyph
}

func seriesStyleBN254(circuit string, system protocol.System) (color.Color, []vg.Length, draw.GlyphDrawer) {
	c := color.Color(color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}) // Freivalds: blue
	var glyph draw.GlyphDrawer = draw.CircleGlyph{}
	if circuit == protocol.Naive.Name() {
		c = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff} // naive: red
		glyph = draw.SquareGlyph{}
	}
	var dashes []vg.Length
	if system == protocol.Plonk {
		dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		if circuit == protocol.Naive.Name() {
			c = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
		} else {
			c = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
		}
		glyph = draw.TriangleGlyph{}
	}
	return c, dashes, glyph
}

type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

func (r *Report) plot(title, ylabel string, y func(Row) (v, lo, hi float64)) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "n (matrix size)"
	p.Y.Label.Text = ylabel
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())

	series := map[string][]Row{}
	var order []string
	ymin, ymax := math.Inf(1), math.Inf(-1)
	var ns []float64
	for _, row := range r.Measured() {
		v, lo, _ := y(row)
		if !(v > 0) || !(lo > 0) {
			continue
		}
		if _, ok := series[row.Label()]; !ok {
			order = append(order, row.Label())
		}
		series[row.Label()] = append(series[row.Label()], row)
	}
	sort.Strings(order)
	for _, label := range order {
		rows := series[label]
		sort.Slice(rows, func(i, j int) bool { return rows[i].N < rows[j].N })
		pts := errPoints{XYs: make(plotter.XYs, len(rows)), YErrors: make(plotter.YErrors, len(rows))}
		for i, row := range rows {
			v, lo, hi := y(row)
			pts.XYs[i] = plotter.XY{X: float64(row.N), Y: v}
			pts.YErrors[i] = struct{ Low, High float64 }{v - lo, hi - v}
			ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
			ns = append(ns, float64(row.N))
		}
		line, scatter, err := plotter.NewLinePoints(pts.XYs)
		if err != nil {
			return nil, err
		}
		c, dashes, glyph := seriesStyle(rows[0].Circuit, rows[0].System, rows[0].Curve)
		line.Color, line.Dashes, line.Width = c, dashes, vg.Points(1.5)
		scatter.Color, scatter.Shape, scatter.Radius = c, glyph, vg.Points(3)
		p.Add(line, scatter)
		if hasSpread(pts.YErrors) {
			eb, err := plotter.NewYErrorBars(pts)
			if err != nil {
				return nil, err
			}
			eb.Color = c
			p.Add(eb)
		}
		p.Legend.Add(label, line, scatter)
	}
	if len(order) == 0 {
		p.Title.Text = title + " — no measured rows"
		p.X.Scale, p.Y.Scale = plot.LinearScale{}, plot.LinearScale{}
		return p, nil
	}
	p.X.Tick.Marker = valueTicks(ns)
	lo, hi := math.Log10(ymin), math.Log10(ymax)
	pad := math.Max(0.08*(hi-lo), 0.05)
	p.Y.Min, p.Y.Max = math.Pow(10, lo-pad), math.Pow(10, hi+3*pad) // headroom for the legend
	p.Y.Tick.Marker = logTicks{}
	p.X.Min, p.X.Max = minOf(ns)/1.3, maxOf(ns)*1.3
	return p, nil
}

func hasSpread(e plotter.YErrors) bool {
	for _, x := range e {
		if x.Low > 0 || x.High > 0 {
			return true
		}
	}
	return false
}

func minOf(xs []float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		m = math.Min(m, x)
	}
	return m
}

func maxOf(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, x)
	}
	return m
}

// valueTicks labels exactly the measured n.
type valueTicks []float64

func (v valueTicks) Ticks(min, max float64) []plot.Tick {
	seen := map[float64]bool{}
	var ticks []plot.Tick
	for _, x := range v {
		if x >= min && x <= max && !seen[x] {
			seen[x] = true
			ticks = append(ticks, plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'f', -1, 64)})
		}
	}
	sort.Slice(ticks, func(i, j int) bool { return ticks[i].Value < ticks[j].Value })
	return ticks
}

// logTicks puts labelled ticks at 1, 2 and 5 × 10^k (and unlabelled minor
// ticks at the other integers), so narrow ranges still get labels.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max > min) {
		return nil
	}
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		base := math.Pow(10, e)
		for m := 1.0; m < 10; m++ {
			v := m * base
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = tickLabel(v)
			}
			ticks = append(ticks, t)
		}
	}
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 2 { // very narrow range: label the ends
		ticks = append(ticks, plot.Tick{Value: min, Label: tickLabel(min)}, plot.Tick{Value: max, Label: tickLabel(max)})
	}
	return ticks
}

func tickLabel(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 3, 64) + "M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'g', 3, 64) + "k"
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}
