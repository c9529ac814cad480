package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// ExporterUID is the exporter probe health dashboard's UID.
const ExporterUID = "etcd-monitor-exporter"

// exporter is the health of the etcd-monitor exporters themselves: are they scraped, did their
// configuration reload, and does each collector succeed, and how fast, for each cluster.
func exporter() *dashboard.DashboardBuilder {
	j := `job=~"$job"`
	jc := `job=~"$job", cluster=~"$cluster"`
	clusters := multi(labelValues(varCluster, "cluster", `etcd_monitor_scrape_collector_success{`+j+`}`)).Label("Cluster")
	return newDashboard(ExporterUID, "etcd-monitor exporter health",
		"The etcd-monitor exporters: scrape and configuration reload status, and each collector's success and duration per cluster.").
		Variables([]cog.Builder[dashboard.VariableModel]{datasourceVariable(), jobVariable(), clusters}).
		WithRow(dashboard.NewRowBuilder("Exporters")).
		WithPanel(targetsUpStat("Exporters up", "Exporter targets Prometheus scraped successfully, out of all exporter targets.", j)).
		WithPanel(boolStat("Config reload", "The last configuration reload of every exporter succeeded.", "OK", "Failed",
			instantQuery(`min(etcd_monitor_config_last_reload_successful{`+j+`})`, ""))).
		WithPanel(statPanel("Last successful reload", "When the least recently reloaded exporter last loaded its configuration.",
			unitDateFromNow, thresholds(base(green)),
			instantQuery(`min(etcd_monitor_config_last_reload_success_timestamp_seconds{`+j+`}) * 1000`, "")).
			ColorMode(common.BigValueColorModeNone)).
		WithPanel(statPanel("Clusters reachable", "Clusters with at least one member answering, out of the clusters probed.",
			unitShort, thresholds(base(green)),
			instantQuery(`sum(etcd_monitor_cluster_reachable{`+jc+`})`, "reachable"),
			instantQuery(`count(etcd_monitor_cluster_reachable{`+jc+`})`, "probed")).
			Span(wideStatWidth).
			TextMode(common.BigValueTextModeValueAndName).
			ColorMode(common.BigValueColorModeValue)).
		WithPanel(statPanel("Failing collectors", "Collector runs that failed in the last scrape, over all clusters.",
			unitShort, thresholds(base(green), at(1, red)),
			instantQuery(`count(etcd_monitor_scrape_collector_success{`+jc+`} == 0) or vector(0)`, ""))).
		WithPanel(timeline("Configuration reload", "Whether each exporter's last configuration reload succeeded.", "OK", "Failed",
			rangeQuery(`etcd_monitor_config_last_reload_successful{`+j+`}`, "{{instance}}")).
			Span(thirdWidth)).
		WithPanel(graph("Scrape duration", "How long Prometheus took to scrape each exporter target; near scrape_timeout means probes time out.",
			unitSeconds, rangeQuery(`scrape_duration_seconds{`+j+`}`, "{{instance}}")).
			Span(thirdWidth)).
		WithPanel(buildTable("Version of each exporter.", "etcd_monitor_build_info", j)).
		WithRow(dashboard.NewRowBuilder("Collectors")).
		WithPanel(timeline("Collector success", "Whether each collector succeeded for each cluster.", "OK", "Failed",
			rangeQuery(`etcd_monitor_scrape_collector_success{`+jc+`}`, "{{cluster}} {{collector}}")).
			Span(fullWidth).
			Height(2 * graphHeight)).
		WithPanel(graph("Collector duration", "How long each collector took for each cluster.", unitSeconds,
			rangeQuery(`etcd_monitor_scrape_collector_duration_seconds{`+jc+`}`, "{{cluster}} {{collector}}"))).
		WithPanel(graph("Slowest collectors", "The longest collector duration over all clusters, by collector.", unitSeconds,
			rangeQuery(`max by (collector) (etcd_monitor_scrape_collector_duration_seconds{`+jc+`})`, "{{collector}}"))).
		WithRow(dashboard.NewRowBuilder("Clusters")).
		WithPanel(timeline("Cluster reachable", "At least one member of the cluster answered a Status request.", "Reachable", "Unreachable",
			rangeQuery(`etcd_monitor_cluster_reachable{`+jc+`}`, "{{cluster}}"))).
		WithPanel(timeline("Probe success", "Multi-target /probe scrapes only: the cluster was reachable. Needs the cluster as a target label (see the README).",
			"OK", "Failed", rangeQuery(`probe_success{`+jc+`}`, "{{cluster}}"))).
		WithPanel(graph("Probe duration", "Multi-target /probe scrapes only: how long the probe took.", unitSeconds,
			rangeQuery(`probe_duration_seconds{`+jc+`}`, "{{cluster}}")))
}
