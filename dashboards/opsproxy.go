package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// OpsproxyUID is the opsproxy dashboard's UID.
const OpsproxyUID = "etcd-monitor-opsproxy"

// opsproxy is the operations API itself: requests by operation and status, their latency, and
// the audit log every request goes through (a write waits for its audit commit before it reaches
// etcd, and is refused when that commit fails).
func opsproxy() *dashboard.DashboardBuilder {
	j := `job=~"$job", instance=~"$instance"`
	jobs := multi(labelValues(varJob, "job", "etcd_monitor_opsproxy_build_info")).Label("opsproxy job")
	instances := multi(labelValues(varInstance, "instance", `etcd_monitor_opsproxy_build_info{job=~"$job"}`)).Label("Instance")
	p99 := func(metric, by string) string {
		return `histogram_quantile(0.99, sum by (` + by + `le) (rate(` + metric + `_bucket{` + j + `}[$__rate_interval])))`
	}
	return newDashboard(OpsproxyUID, "etcd-monitor opsproxy",
		"The operations API: requests by operation and status, latency, audit commits (every write waits for one) and open watches.").
		Variables([]cog.Builder[dashboard.VariableModel]{datasourceVariable(), jobs, instances}).
		WithRow(dashboard.NewRowBuilder("Overview")).
		WithPanel(targetsUpStat("Instances up", "opsproxy targets Prometheus scraped successfully, out of all opsproxy targets.", j)).
		WithPanel(statPanel("Requests/s", "Requests answered per second, all operations.", unitRequestsSec, thresholds(base(green)),
			instantQuery(`sum(rate(etcd_monitor_opsproxy_http_requests_total{`+j+`}[$__rate_interval]))`, ""))).
		WithPanel(statPanel("Refused writes/s", "Audit records that could not be committed per second: writes are answered 503 while this is above 0.",
			unitShort, thresholds(base(green), at(0.001, red)),
			instantQuery(`sum(rate(etcd_monitor_opsproxy_audit_records_not_committed_total{`+j+`}[$__rate_interval]))`, ""))).
		WithPanel(statPanel("Audit commit p99", "99th percentile of audit batch commits; every write waits for one.",
			unitSeconds, thresholds(base(green), at(0.1, orange), at(0.25, red)),
			instantQuery(p99("etcd_monitor_opsproxy_audit_commit_duration_seconds", ""), ""))).
		WithPanel(statPanel("Open watches", "Watch streams being served.", unitShort, thresholds(base(green)),
			instantQuery(`sum(etcd_monitor_opsproxy_watches_open{`+j+`})`, ""))).
		WithRow(dashboard.NewRowBuilder("Requests")).
		WithPanel(graph("Requests by operation", "Requests answered per second, by operation (the names of the audit log).",
			unitRequestsSec, rangeQuery(`sum by (operation) (rate(etcd_monitor_opsproxy_http_requests_total{`+j+`}[$__rate_interval]))`, "{{operation}}")).
			Span(halfWidth)).
		WithPanel(graph("Requests by status", "Requests answered per second, by status code: 401/403 are refused tokens and roles, 503 an unavailable audit log or cluster.",
			unitRequestsSec, rangeQuery(`sum by (code) (rate(etcd_monitor_opsproxy_http_requests_total{`+j+`}[$__rate_interval]))`, "{{code}}")).
			Span(halfWidth)).
		WithPanel(graph("p99 latency by operation", "99th percentile of the time to answer, by operation; watches last as long as their streams and are left out.",
			unitSeconds, rangeQuery(`histogram_quantile(0.99, sum by (operation, le) (rate(etcd_monitor_opsproxy_http_request_duration_seconds_bucket{`+j+`, operation!="keys.watch"}[$__rate_interval])))`, "{{operation}}")).
			Span(halfWidth)).
		WithPanel(graph("Errors by operation", "Answers of 500 and above per second, by operation.",
			unitRequestsSec, rangeQuery(`sum by (operation, code) (rate(etcd_monitor_opsproxy_http_requests_total{`+j+`, code=~"5.."}[$__rate_interval]))`, "{{operation}} {{code}}")).
			Span(halfWidth)).
		WithRow(dashboard.NewRowBuilder("Audit log")).
		WithPanel(graph("Audit commit duration", "p50 and p99 of audit batch commits to the history store, by instance.",
			unitSeconds,
			rangeQuery(p99("etcd_monitor_opsproxy_audit_commit_duration_seconds", "instance, "), "p99 {{instance}}"),
			rangeQuery(`histogram_quantile(0.5, sum by (instance, le) (rate(etcd_monitor_opsproxy_audit_commit_duration_seconds_bucket{`+j+`}[$__rate_interval])))`, "p50 {{instance}}")).
			Span(halfWidth)).
		WithPanel(graph("Audit wait by operation", "p99 of the time a write waited for its attempt to be committed before it was sent to etcd: the latency the audit adds to each write.",
			unitSeconds, rangeQuery(p99("etcd_monitor_opsproxy_audit_wait_seconds", "operation, "), "{{operation}}")).
			Span(halfWidth)).
		WithPanel(graph("Audit records per commit", "Average records committed together; small batches under load cost the store more per record.",
			unitShort, rangeQuery(`sum by (instance) (rate(etcd_monitor_opsproxy_audit_batch_records_sum{`+j+`}[$__rate_interval])) / sum by (instance) (rate(etcd_monitor_opsproxy_audit_batch_records_count{`+j+`}[$__rate_interval]))`, "{{instance}}")).
			Span(halfWidth)).
		WithPanel(graph("Audit records not committed", "Records per second the store refused; a write whose record is among them was answered 503.",
			unitShort, rangeQuery(`sum by (instance) (rate(etcd_monitor_opsproxy_audit_records_not_committed_total{`+j+`}[$__rate_interval]))`, "{{instance}}")).
			Span(halfWidth)).
		WithRow(dashboard.NewRowBuilder("Jobs")).
		WithPanel(statPanel("Jobs waiting", "Jobs in the queue ready for a worker (the queue is shared: every instance reports the same).",
			unitShort, thresholds(base(green)), instantQuery(`max(etcd_monitor_jobs_queue_waiting{`+j+`})`, ""))).
		WithPanel(statPanel("Oldest waiting", "How long the job that has waited longest for a worker has waited.",
			unitSeconds, thresholds(base(green), at(300, orange), at(900, red)), instantQuery(`max(etcd_monitor_jobs_oldest_waiting_age_seconds{`+j+`})`, ""))).
		WithPanel(statPanel("Workers alive", "Workers that took or renewed a job within two visibility timeouts, opsproxy and etcd-monitor worker processes together.",
			unitShort, thresholds(base(red), at(1, green)), instantQuery(`max(etcd_monitor_jobs_workers{`+j+`, state="alive"})`, ""))).
		WithPanel(statPanel("Oldest heartbeat", "Time since the last heartbeat of the running job heard from longest ago: a worker that hangs or died holding its job.",
			unitSeconds, thresholds(base(green), at(60, orange), at(300, red)), instantQuery(`max(etcd_monitor_jobs_oldest_heartbeat_age_seconds{`+j+`})`, ""))).
		WithPanel(statPanel("Dead letters", "Jobs that failed every attempt, kept in the queue's dead letters with their last error.",
			unitShort, thresholds(base(green), at(1, orange)), instantQuery(`max(etcd_monitor_jobs_dead_letters{`+j+`})`, ""))).
		WithPanel(graph("Queue", "Jobs in the queue (waiting, held by a worker or waiting for a retry), those waiting, and those running.",
			unitShort,
			rangeQuery(`max(etcd_monitor_jobs_queue_depth{`+j+`})`, "in queue"),
			rangeQuery(`max(etcd_monitor_jobs_queue_waiting{`+j+`})`, "waiting"),
			rangeQuery(`max(etcd_monitor_jobs_running{`+j+`})`, "running")).
			Span(halfWidth)).
		WithPanel(graph("Jobs finished by kind and outcome", "Jobs finished per second by every process's workers and reconcilers, by kind and outcome.",
			unitShort, rangeQuery(`sum by (kind, outcome) (rate(etcd_monitor_jobs_finished_total[$__rate_interval]))`, "{{kind}} {{outcome}}")).
			Span(halfWidth)).
		WithRow(dashboard.NewRowBuilder("Instances")).
		WithPanel(timeline("Configuration reload", "Whether each instance's last configuration reload succeeded.", "OK", "Failed",
			rangeQuery(`etcd_monitor_opsproxy_config_last_reload_successful{`+j+`}`, "{{instance}}")).
			Span(thirdWidth)).
		WithPanel(graph("Open watches", "Watch streams being served, by instance.", unitShort,
			rangeQuery(`etcd_monitor_opsproxy_watches_open{`+j+`}`, "{{instance}}")).
			Span(thirdWidth)).
		WithPanel(buildTable("Version of each instance.", "etcd_monitor_opsproxy_build_info", j))
}
