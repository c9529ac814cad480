package htmlreport

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Chart geometry, in SVG user units: the plot area sits inside margins that hold the axis labels.
const (
	chartWidth   = 720
	chartHeight  = 260
	marginLeft   = 64
	marginRight  = 28
	marginTop    = 12
	marginBottom = 36
)

// palette colours the runs in order; it repeats after its end.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"}

func runColor(i int) string { return palette[i%len(palette)] }

// chart is an SVG line chart ready for the template: every coordinate is computed here.
type chart struct {
	Title         string
	YLabel        string
	Width, Height int
	// PlotLeft … PlotBottom bound the plot area.
	PlotLeft, PlotRight, PlotTop, PlotBottom float64
	XTicks, YTicks                           []tick
	Series                                   []series
	// Empty says there was nothing to draw.
	Empty bool
}

type tick struct {
	Pos   float64
	Label string
}

type series struct {
	Name   string
	Color  string
	Points string
	// Dots are the points again, for series short enough that a marker helps.
	Dots []point
}

type point struct{ X, Y float64 }

// line is one run's data in data units.
type line struct {
	name string
	xs   []float64
	ys   []float64
}

// newChart scales lines into a chart; xLabels, when set, names the x positions 0, 1, … (a
// categorical axis such as percentiles) instead of numeric ticks. logY draws the y axis in
// decades, for latencies that span several (a percentile curve's tail).
func newChart(title, yLabel string, lines []line, xLabels []string, logY bool) chart {
	c := chart{Title: title, YLabel: yLabel, Width: chartWidth, Height: chartHeight,
		PlotLeft: marginLeft, PlotRight: chartWidth - marginRight, PlotTop: marginTop, PlotBottom: chartHeight - marginBottom}
	xMin, xMax, yMax, yMinPositive := math.Inf(1), math.Inf(-1), 0.0, math.Inf(1)
	for _, l := range lines {
		for i := range l.xs {
			xMin, xMax, yMax = math.Min(xMin, l.xs[i]), math.Max(xMax, l.xs[i]), math.Max(yMax, l.ys[i])
			if l.ys[i] > 0 {
				yMinPositive = math.Min(yMinPositive, l.ys[i])
			}
		}
	}
	if math.IsInf(xMin, 1) {
		c.Empty = true
		return c
	}
	if xLabels != nil {
		xMin, xMax = 0, float64(max(len(xLabels)-1, 1))
	}
	if xMax == xMin {
		xMax = xMin + 1
	}
	sx := func(x float64) float64 { return c.PlotLeft + (x-xMin)/(xMax-xMin)*(c.PlotRight-c.PlotLeft) }
	var sy func(float64) float64
	if logY && !math.IsInf(yMinPositive, 1) {
		lo, hi := math.Floor(math.Log10(yMinPositive)), math.Ceil(math.Log10(yMax))
		if hi <= lo {
			hi = lo + 1
		}
		sy = func(y float64) float64 {
			return c.PlotBottom - (math.Log10(math.Max(y, math.Pow(10, lo)))-lo)/(hi-lo)*(c.PlotBottom-c.PlotTop)
		}
		for d := lo; d <= hi; d++ {
			c.YTicks = append(c.YTicks, tick{Pos: round1(sy(math.Pow(10, d))), Label: formatAxis(math.Pow(10, d))})
		}
	} else {
		yTop := niceCeiling(yMax)
		sy = func(y float64) float64 { return c.PlotBottom - y/yTop*(c.PlotBottom-c.PlotTop) }
		for i := 0; i <= 4; i++ {
			y := yTop * float64(i) / 4
			c.YTicks = append(c.YTicks, tick{Pos: round1(sy(y)), Label: formatAxis(y)})
		}
	}
	if xLabels != nil {
		for i, l := range xLabels {
			c.XTicks = append(c.XTicks, tick{Pos: round1(sx(float64(i))), Label: l})
		}
	} else {
		step := niceCeiling((xMax - xMin) / 6)
		for x := math.Ceil(xMin/step) * step; x <= xMax+1e-9; x += step {
			c.XTicks = append(c.XTicks, tick{Pos: round1(sx(x)), Label: formatAxis(x)})
		}
	}
	for i, l := range lines {
		s := series{Name: l.name, Color: runColor(i)}
		pts := make([]string, len(l.xs))
		for j := range l.xs {
			p := point{round1(sx(l.xs[j])), round1(sy(l.ys[j]))}
			pts[j] = strconv.FormatFloat(p.X, 'f', -1, 64) + "," + strconv.FormatFloat(p.Y, 'f', -1, 64)
			if len(l.xs) <= 20 {
				s.Dots = append(s.Dots, p)
			}
		}
		s.Points = strings.Join(pts, " ")
		c.Series = append(c.Series, s)
	}
	return c
}

// niceCeiling rounds v up to 1, 2, 2.5 or 5 times a power of ten, for round axis labels.
func niceCeiling(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// formatAxis prints an axis value compactly with three significant digits at most:
// 12000 → "12k", 3750 → "3750", 0.25 → "0.25".
func formatAxis(v float64) string {
	suffix := ""
	switch {
	case v >= 1e6:
		v, suffix = v/1e6, "M"
	case v >= 1e4:
		v, suffix = v/1e3, "k"
	}
	if v != 0 {
		scale := math.Pow(10, 3-math.Ceil(math.Log10(math.Abs(v))))
		v = math.Round(v*scale) / scale
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + suffix
}

// formatMillis prints seconds as milliseconds with three significant digits.
func formatMillis(s float64) string { return fmt.Sprintf("%.3g ms", s*1000) }
