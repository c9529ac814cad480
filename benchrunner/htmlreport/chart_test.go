package htmlreport

import (
	"strings"
	"testing"
)

func TestNiceCeilingRoundsUpToReadableSteps(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 0.7: 1, 1: 1, 1.3: 2, 2.2: 2.5, 3: 5, 7: 10, 1234: 2000, 0.012: 0.02} {
		if got := niceCeiling(in); got != want {
			t.Errorf("niceCeiling(%g) = %g, want %g", in, got, want)
		}
	}
}

func TestChartKeepsPointsInsideThePlot(t *testing.T) {
	c := newChart("t", "ms", []line{{name: "a", xs: []float64{0, 1, 2}, ys: []float64{0, 5, 9}}}, nil, false)
	if c.Empty || len(c.Series) != 1 {
		t.Fatalf("chart = %+v", c)
	}
	for _, p := range c.Series[0].Dots {
		if p.X < c.PlotLeft || p.X > c.PlotRight || p.Y < c.PlotTop || p.Y > c.PlotBottom {
			t.Errorf("point %+v outside the plot area", p)
		}
	}
	if got := c.Series[0].Points; got != "64,224 378,118 692,33.2" {
		t.Errorf("points = %q", got)
	}
}

func TestChartOfNothingIsEmpty(t *testing.T) {
	if c := newChart("t", "", []line{{name: "a"}}, nil, false); !c.Empty {
		t.Error("a chart without points should be empty")
	}
}

func TestFormatAxisIsCompact(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 3750: "3750", 1250: "1250", 12000: "12k", 2.5e6: "2.5M", 0.25: "0.25", 0.0123456: "0.0123", 1234.5: "1230"} {
		if got := formatAxis(in); got != want {
			t.Errorf("formatAxis(%g) = %q, want %q", in, got, want)
		}
	}
}

func TestLogChartHasADecadePerTick(t *testing.T) {
	c := newChart("t", "ms", []line{{name: "a", xs: []float64{0, 1, 2}, ys: []float64{0.3, 4, 250}}}, []string{"50", "99", "99.9"}, true)
	var labels []string
	for _, tk := range c.YTicks {
		labels = append(labels, tk.Label)
	}
	if strings.Join(labels, " ") != "0.1 1 10 100 1000" {
		t.Errorf("ticks %v, want a decade each from 0.1 to 1000", labels)
	}
	for _, p := range c.Series[0].Dots {
		if p.Y < c.PlotTop || p.Y > c.PlotBottom {
			t.Errorf("point %+v outside the plot", p)
		}
	}
}
