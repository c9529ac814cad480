package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/statetimeline"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Grafana colours used by thresholds and value mappings.
const (
	green  = "green"
	orange = "orange"
	red    = "red"
)

// Units of Grafana's unit picker used by the panels.
const (
	unitSeconds     = "s"
	unitBytes       = "bytes"
	unitBytesPerSec = "Bps"
	unitPercent01   = "percentunit"
	unitOpsPerSec   = "ops"
	unitRequestsSec = "reqps"
	unitShort       = "short"
	unitNone        = "none"
	unitDateFromNow = "dateTimeFromNow"
)

// Panel sizes on Grafana's 24-column grid.
const (
	statHeight  = 4
	graphHeight = 8
	statWidth   = 4
	// wideStatWidth fits a stat showing two named values.
	wideStatWidth = 6
	thirdWidth    = 8
	halfWidth     = 12
	fullWidth     = 24
	// timelineRowHeight is the share of a state timeline's row each series' band fills.
	timelineRowHeight = 0.8
)

// step is one threshold: from value on (nil: from minus infinity), the panel shows color.
type step struct {
	from  *float64
	color string
}

// base is the colour below the first threshold.
func base(color string) step { return step{color: color} }

// at starts color at value.
func at(value float64, color string) step { return step{from: cog.ToPtr(value), color: color} }

func thresholds(steps ...step) *dashboard.ThresholdsConfigBuilder {
	out := make([]dashboard.Threshold, len(steps))
	for i, s := range steps {
		out[i] = dashboard.Threshold{Value: s.from, Color: s.color}
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(out)
}

// boolMapping shows 1 as good in green and 0 as bad in red, for the exporter's 0/1 gauges.
func boolMapping(good, bad string) []dashboard.ValueMapping {
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{
		Type: dashboard.MappingTypeValueToText,
		Options: map[string]dashboard.ValueMappingResult{
			"0": {Text: cog.ToPtr(bad), Color: cog.ToPtr(red), Index: cog.ToPtr[int32](0)},
			"1": {Text: cog.ToPtr(good), Color: cog.ToPtr(green), Index: cog.ToPtr[int32](1)},
		},
	}}}
}

// statPanel shows the last value of each series in big numbers, coloured by thresholds.
func statPanel(title, description, unit string, th *dashboard.ThresholdsConfigBuilder, targets ...target) *stat.PanelBuilder {
	p := stat.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasourceRef()).
		Unit(unit).
		Height(statHeight).
		Span(statWidth).
		ColorMode(common.BigValueColorModeBackground).
		GraphMode(common.BigValueGraphModeNone).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false)).
		Thresholds(th)
	for i, t := range targets {
		p.WithTarget(t.build(i))
	}
	return p
}

// targetsUpStat shows how many of the scrape targets selected by sel are up, out of all of them.
func targetsUpStat(title, description, sel string) *stat.PanelBuilder {
	return statPanel(title, description, unitShort, thresholds(base(green)),
		instantQuery(`sum(up{`+sel+`})`, "up"),
		instantQuery(`count(up{`+sel+`})`, "targets")).
		Span(wideStatWidth).
		TextMode(common.BigValueTextModeValueAndName).
		ColorMode(common.BigValueColorModeValue)
}

// buildTable lists the build_info series selected by sel: the version of each instance.
func buildTable(description, buildInfo, sel string) *table.PanelBuilder {
	return tablePanel("Build", description, unitNone, thresholds(base(green)),
		tableQuery(buildInfo+`{`+sel+`}`)).
		WithTransformation(hideColumns("Time", "Value", "__name__", "job", "goos", "goarch", "tags")).
		Span(thirdWidth)
}

// boolStat is a stat of a 0/1 gauge, shown as words.
func boolStat(title, description, good, bad string, targets ...target) *stat.PanelBuilder {
	return statPanel(title, description, unitNone, thresholds(base(red), at(1, green)), targets...).
		Mappings(boolMapping(good, bad))
}

// graph plots series over time, with the legend as a table of last and max values.
func graph(title, description, unit string, targets ...target) *timeseries.PanelBuilder {
	p := timeseries.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasourceRef()).
		Unit(unit).
		Height(graphHeight).
		Span(halfWidth).
		FillOpacity(10).
		ShowPoints(common.VisibilityModeNever).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeTable).
			Placement(common.LegendPlacementBottom).
			ShowLegend(true).
			Calcs([]string{"lastNotNull", "max"})).
		Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderDescending))
	for i, t := range targets {
		p.WithTarget(t.build(i))
	}
	return p
}

// graphWithLine is a graph that draws its thresholds as dashed lines, e.g. a latency target.
func graphWithLine(title, description, unit string, th *dashboard.ThresholdsConfigBuilder, targets ...target) *timeseries.PanelBuilder {
	return graph(title, description, unit, targets...).
		Thresholds(th).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed))
}

// timeline shows 0/1 gauges per series as coloured bands over time.
func timeline(title, description, good, bad string, targets ...target) *statetimeline.PanelBuilder {
	p := statetimeline.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasourceRef()).
		Height(graphHeight).
		Span(halfWidth).
		ShowValue(common.VisibilityModeNever).
		RowHeight(timelineRowHeight).
		MergeValues(true).
		Mappings(boolMapping(good, bad)).
		Thresholds(thresholds(base(red), at(1, green))).
		ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdThresholds))
	for i, t := range targets {
		p.WithTarget(t.build(i))
	}
	return p
}

// tablePanel lists the series of instant table queries, one row each.
func tablePanel(title, description, unit string, th *dashboard.ThresholdsConfigBuilder, targets ...target) *table.PanelBuilder {
	p := table.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasourceRef()).
		Unit(unit).
		Height(graphHeight).
		Span(fullWidth).
		Thresholds(th).
		Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"sum"})).
		CellOptions(common.TableCellOptions{TableColorTextCellOptions: &common.TableColorTextCellOptions{
			Type: common.TableCellDisplayModeColorText,
		}})
	for i, t := range targets {
		p.WithTarget(t.build(i))
	}
	return p
}

// hideColumns is the "organize fields" transformation hiding a table's bookkeeping columns: the
// timestamp, the value of an info metric, and labels that only name the scrape.
func hideColumns(names ...string) dashboard.DataTransformerConfig {
	exclude := map[string]bool{}
	for _, n := range names {
		exclude[n] = true
	}
	return dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{"excludeByName": exclude}}
}
