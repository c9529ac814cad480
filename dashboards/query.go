package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

// datasourceRef points panels and variables at the Prometheus picked in the datasource variable.
func datasourceRef() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${" + varDatasource + "}")}
}

// target is one PromQL query of a panel.
type target struct {
	expr   string
	legend string
	// instant asks for one value at the end of the range, for stats and tables.
	instant bool
	// table returns the result as a table, one row per series.
	table bool
}

// rangeQuery is a PromQL query evaluated over the dashboard's time range.
func rangeQuery(expr, legend string) target { return target{expr: expr, legend: legend} }

// instantQuery is a PromQL query evaluated once, at the end of the time range.
func instantQuery(expr, legend string) target {
	return target{expr: expr, legend: legend, instant: true}
}

// tableQuery is an instant query whose series become the rows of a table.
func tableQuery(expr string) target { return target{expr: expr, instant: true, table: true} }

// build turns a target into the SDK's Prometheus query with a stable refId (A, B, ...).
func (t target) build(index int) *prometheus.DataqueryBuilder {
	q := prometheus.NewDataqueryBuilder().
		Datasource(datasourceRef()).
		RefId(string(rune('A' + index))).
		Expr(t.expr)
	if t.legend != "" {
		q.LegendFormat(t.legend)
	}
	if t.instant {
		q.Instant()
	} else {
		q.Range()
	}
	if t.table {
		q.Format(prometheus.PromQueryFormatTable)
	}
	return q
}
