package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// OverviewUID is the cluster overview's UID; alert annotations link to /d/<uid>?var-cluster=<name>.
const OverviewUID = "etcd-monitor-cluster"

// overview is one etcd cluster at a glance, mostly from the exporter's outside view: health and
// quorum, leader, members, database size against quota and fragmentation, alarms, HashKV
// consistency, certificate expiry, the write canary, client traffic, the diskprobe agents' disk
// probes, the latest benchmarks and the backups.
func overview() *dashboard.DashboardBuilder {
	c := `cluster="$cluster"`
	return newDashboard(OverviewUID, "etcd cluster overview",
		"One etcd cluster: quorum, leader, members, database, alarms, consistency and certificates, "+
			"as the etcd-monitor exporter sees it from outside, with client traffic from etcd's own metrics.").
		WithVariable(datasourceVariable()).
		WithVariable(clusterVariable()).
		WithRow(dashboard.NewRowBuilder("Health")).
		WithPanel(boolStat("Reachable", "At least one member answered the exporter's Status request.",
			"Reachable", "Unreachable", instantQuery(`etcd_monitor_cluster_reachable{`+c+`}`, ""))).
		WithPanel(boolStat("Leader", "A majority of the answering members name the same leader.",
			"Elected", "None", instantQuery(`etcd_monitor_cluster_has_leader{`+c+`}`, ""))).
		WithPanel(statPanel("Leader disagreement", "Answering members whose leader differs from the majority's.",
			unitShort, thresholds(base(green), at(1, red)),
			instantQuery(`etcd_monitor_cluster_leader_disagreement_members{`+c+`}`, ""))).
		WithPanel(statPanel("Failure tolerance", "How many more voting members can fail before quorum is lost.",
			unitShort, thresholds(base(red), at(1, green)),
			instantQuery(`etcd_monitor_cluster_failure_tolerance{`+c+`}`, ""))).
		WithPanel(boolStat("Data consistency", "Every member returned the same HashKV at the compared revision.",
			"Consistent", "Diverged", instantQuery(`etcd_monitor_cluster_consistent{`+c+`}`, ""))).
		WithPanel(statPanel("Active alarms", "NOSPACE and CORRUPT alarms active on any member.",
			unitShort, thresholds(base(green), at(1, red)),
			instantQuery(`sum(etcd_monitor_member_alarm_active{`+c+`}) or vector(0)`, ""))).
		WithPanel(statPanel("Members", "Members in the member list, voting members and those up and healthy.",
			unitShort, thresholds(base(green)),
			instantQuery(`etcd_monitor_cluster_members{`+c+`}`, "members"),
			instantQuery(`etcd_monitor_cluster_voting_members{`+c+`}`, "voting"),
			instantQuery(`etcd_monitor_cluster_healthy_voters{`+c+`}`, "healthy voters"),
			instantQuery(`etcd_monitor_cluster_learners{`+c+`}`, "learners")).
			TextMode(common.BigValueTextModeValueAndName).
			ColorMode(common.BigValueColorModeValue).
			Span(thirdWidth)).
		WithPanel(statPanel("Leader changes", "Leader changes the exporter observed in the time range.",
			unitShort, thresholds(base(green), at(1, orange), at(4, red)),
			instantQuery(`sum(increase(etcd_monitor_cluster_leader_changes_seen_total{`+c+`}[$__range]))`, ""))).
		WithPanel(statPanel("Quota used", "Largest share of the backend quota allocated on any member.",
			unitPercent01, thresholds(base(green), at(0.8, orange), at(0.95, red)),
			instantQuery(`cluster:etcd_monitor_member_db_quota_use:max_ratio{`+c+`}`, ""))).
		WithPanel(statPanel("Fragmentation", "Largest share of a member's database file not in use (reclaimed by defragmentation).",
			unitPercent01, thresholds(base(green), at(0.5, orange)),
			instantQuery(`cluster:etcd_monitor_member_db_fragmentation:max_ratio{`+c+`}`, ""))).
		WithRow(dashboard.NewRowBuilder("Members")).
		WithPanel(timeline("Member up", "The member answered the exporter's Status request.", "Up", "Down",
			rangeQuery(`etcd_monitor_member_up{`+c+`}`, "{{endpoint}}"))).
		WithPanel(timeline("Member healthy", "The member passes etcdctl endpoint health: a linearizable read succeeds and no alarm is active.",
			"Healthy", "Unhealthy", rangeQuery(`etcd_monitor_member_healthy{`+c+`}`, "{{endpoint}}"))).
		WithPanel(timeline("Leader", "Which member believes it is the leader.", "Leader", "Follower",
			rangeQuery(`etcd_monitor_member_is_leader{`+c+`}`, "{{endpoint}}"))).
		WithPanel(tablePanel("Member versions", "Members behind each endpoint, with etcd and storage versions.",
			unitNone, thresholds(base(green)),
			tableQuery(`etcd_monitor_member_info{`+c+`}`)).
			WithTransformation(hideColumns("Time", "Value", "__name__", "job", "instance", "cluster")).
			Span(halfWidth)).
		WithPanel(graph("Revision lag", "How far each member's revision is behind the highest among answering members.",
			unitShort, rangeQuery(`etcd_monitor_member_revision_lag{`+c+`}`, "{{endpoint}}"))).
		WithPanel(graph("Raft index lag", "How far each member's raft index is behind the highest among answering members.",
			unitShort, rangeQuery(`etcd_monitor_member_raft_index_lag{`+c+`}`, "{{endpoint}}"))).
		WithRow(dashboard.NewRowBuilder("Database")).
		WithPanel(graph("Database size against quota", "Allocated and in-use size of each member's backend, and the quota.",
			unitBytes,
			rangeQuery(`etcd_monitor_member_db_size_bytes{`+c+`}`, "{{endpoint}} allocated"),
			rangeQuery(`etcd_monitor_member_db_size_in_use_bytes{`+c+`}`, "{{endpoint}} in use"),
			rangeQuery(`max(etcd_monitor_member_db_quota_bytes{`+c+`})`, "quota"))).
		WithPanel(graphWithLine("Fragmentation", "Share of each member's database file not in use; etcd's mixin warns at 50%.",
			unitPercent01, thresholds(base(green), at(0.5, orange)),
			rangeQuery(`1 - etcd_monitor_member_db_size_in_use_bytes{`+c+`} / etcd_monitor_member_db_size_bytes{`+c+`}`, "{{endpoint}}")).
			Min(0).Max(1)).
		WithRow(dashboard.NewRowBuilder("Alarms and consistency")).
		WithPanel(graph("Alarms", "1 while the alarm is active on the member.", unitShort,
			rangeQuery(`etcd_monitor_member_alarm_active{`+c+`}`, "{{alarm}} on {{member_id}}"))).
		WithPanel(timeline("HashKV agreement", "The member's HashKV matches the majority at the compared revision.",
			"Agrees", "Differs", rangeQuery(`etcd_monitor_member_consistent{`+c+`}`, "{{endpoint}}"))).
		WithPanel(graph("Consistency check age", "Time since HashKV was last compared successfully.", unitSeconds,
			rangeQuery(`time() - etcd_monitor_cluster_consistency_check_timestamp_seconds{`+c+`}`, "age"))).
		WithPanel(graph("Revision and raft index spread", "Highest minus lowest revision and raft index among answering members.",
			unitShort,
			rangeQuery(`etcd_monitor_cluster_revision_spread{`+c+`}`, "revision"),
			rangeQuery(`etcd_monitor_cluster_raft_index_spread{`+c+`}`, "raft index"))).
		WithRow(dashboard.NewRowBuilder("Certificates")).
		WithPanel(tablePanel("Certificate expiry", "Time left before each certificate expires: server (presented by the endpoint), client and CA (configured). Orange under 30 days, red under 7.",
			unitSeconds, thresholds(base(red), at(7*86400, orange), at(30*86400, green)),
			tableQuery(`etcd_monitor_tls_cert_not_after_timestamp_seconds{`+c+`} - time()`)).
			WithTransformation(hideColumns("Time", "job", "instance", "cluster"))).
		WithRow(dashboard.NewRowBuilder("Write canary")).
		WithPanel(timeline("Canary", "The canary's put, get, watch and delete all succeeded.", "OK", "Failed",
			rangeQuery(`etcd_monitor_canary_success{`+c+`}`, "canary"))).
		WithPanel(graph("Canary latency", "Duration of each canary operation, and the delay from put to watch event.",
			unitSeconds,
			rangeQuery(`etcd_monitor_canary_duration_seconds{`+c+`}`, "{{op}}"),
			rangeQuery(`etcd_monitor_canary_watch_delay_seconds{`+c+`}`, "watch delay"))).
		WithRow(dashboard.NewRowBuilder("Client traffic (etcd's own metrics)")).
		WithPanel(graph("gRPC requests", "Unary requests per second handled by the cluster, by method.", unitRequestsSec,
			rangeQuery(`sum by (grpc_method) (rate(grpc_server_handled_total{`+c+`, grpc_type="unary"}[$__rate_interval]))`, "{{grpc_method}}"))).
		WithPanel(graphWithLine("gRPC error ratio", "Share of requests failing with a server-side error code (recording rule over 5m).",
			unitPercent01, thresholds(base(green), at(0.01, orange), at(0.05, red)),
			rangeQuery(`cluster:grpc_server_handled:error_ratio_rate5m{`+c+`}`, "{{job}}"))).
		// The agents are scraped with the cluster (and member) as target labels; their probes
		// come every few minutes, so their rates take windows of 30m or more.
		WithRow(dashboard.NewRowBuilder("Disk probes (diskprobe agents on the members' hosts)")).
		WithPanel(graphWithLine("Disk probe p99", "99th percentile fdatasync latency of each agent's last scheduled probe, "+
			"and over its syncs of the last 30 minutes. The dashed line is etcd's production line of 10 ms "+
			"(etcdMonitorDiskProbeSlow fires after 15 minutes above it).",
			unitSeconds, thresholds(base(green), at(0.01, red)),
			rangeQuery(`etcd_monitor_diskprobe_last_p99_seconds{`+c+`, trigger="schedule"}`, "{{instance}} last probe"),
			rangeQuery(`histogram_quantile(0.99, sum by (instance, le) (rate(etcd_monitor_diskprobe_sync_duration_seconds_bucket{`+c+`, trigger="schedule"}[30m])))`, "{{instance}} 30m"))).
		WithPanel(graphWithLine("Probe against the member's own WAL fsync", "p99 of the agents' syncs and of the members' WAL fsyncs "+
			"(etcd_disk_wal_fsync_duration_seconds, recording rule over 5m), in the same buckets. An agent far above its member "+
			"means the member is idle or the slowness comes and goes; a member far above its agent means etcd's own load.",
			unitSeconds, thresholds(base(green), at(0.01, red)),
			rangeQuery(`histogram_quantile(0.99, sum by (instance, le) (rate(etcd_monitor_diskprobe_sync_duration_seconds_bucket{`+c+`}[30m])))`, "agent {{instance}}"),
			rangeQuery(`instance:etcd_disk_wal_fsync_duration_seconds:p99_rate5m{`+c+`}`, "member {{instance}}"))).
		WithPanel(timeline("Probe verdict", "Verdict of each agent's last probe, scheduled and on demand: p99 under its threshold.",
			"Pass", "Fail", rangeQuery(`etcd_monitor_diskprobe_last_verdict{`+c+`}`, "{{instance}} {{trigger}}"))).
		WithPanel(graph("Time since the last scheduled probe", "Age of each agent's last scheduled probe with a verdict, "+
			"and three intervals: etcdMonitorDiskProbeDown fires after 5 minutes beyond them.", unitSeconds,
			rangeQuery(`time() - etcd_monitor_diskprobe_last_run_timestamp_seconds{`+c+`, trigger="schedule"}`, "{{instance}}"),
			rangeQuery(`max(3 * etcd_monitor_diskprobe_interval_seconds{`+c+`})`, "3 intervals"))).
		WithPanel(graph("Probes per hour", "Probes that ran in the last hour by result, and those refused (busy, over the I/O budget).",
			unitShort,
			rangeQuery(`sum by (instance, trigger, result) (increase(etcd_monitor_diskprobe_runs_total{`+c+`}[1h])) > 0`, "{{instance}} {{trigger}} {{result}}"),
			rangeQuery(`sum by (instance, trigger, reason) (increase(etcd_monitor_diskprobe_refused_total{`+c+`}[1h])) > 0`, "{{instance}} {{trigger}} refused: {{reason}}"))).
		WithPanel(graph("I/O budget", "Bytes the agent's probes wrote within the last hour (with a running probe's reservation), against its budget.",
			unitBytes,
			rangeQuery(`etcd_monitor_diskprobe_budget_used_bytes{`+c+`}`, "{{instance}} used"),
			rangeQuery(`etcd_monitor_diskprobe_budget_bytes{`+c+`}`, "{{instance}} budget"))).
		// Every opsproxy replica shows the same stored runs: max over the replicas.
		WithRow(dashboard.NewRowBuilder("Benchmarks (latest run per profile, from opsproxy)")).
		WithPanel(tablePanel("SLO verdict", "The latest benchmark of each SLO profile passed (1) or failed (0).",
			unitShort, thresholds(base(red), at(1, green)),
			tableQuery(`max by (profile) (etcd_monitor_benchmark_slo_pass{`+c+`})`)).
			WithTransformation(hideColumns("Time"))).
		WithPanel(tablePanel("Regression against the baseline", "1 when the latest run of a profile and command is slower than the cluster's baseline of the same profile and command beyond 5 %.",
			unitShort, thresholds(base(green), at(1, red)),
			tableQuery(`max by (profile, command, baseline) (etcd_monitor_benchmark_regressed{`+c+`})`)).
			WithTransformation(hideColumns("Time"))).
		WithPanel(graph("Benchmark throughput", "Successful requests per second of the latest run of each profile and command; a step is a new run.",
			unitRequestsSec,
			rangeQuery(`max by (profile, command) (etcd_monitor_benchmark_throughput{`+c+`})`, "{{profile}} {{command}}"))).
		WithPanel(graph("Benchmark p99 latency", "99th percentile latency of the latest run of each profile and command, from each request's intended start.",
			unitSeconds,
			rangeQuery(`max by (profile, command) (etcd_monitor_benchmark_latency_p99_seconds{`+c+`})`, "{{profile}} {{command}}"))).
		// Every opsproxy replica shows the same locations and stored events: max (min for the
		// verdicts) over the replicas.
		WithRow(dashboard.NewRowBuilder("Backups (per location, from opsproxy)")).
		WithPanel(tablePanel("Newest backup age", "Age of the newest backup in each location; etcdMonitorBackupMissing fires when it is older than the location's max_age.",
			unitSeconds, thresholds(base(green)),
			tableQuery(`max by (location) (time() - etcd_monitor_backup_newest_timestamp_seconds{`+c+`})`)).
			WithTransformation(hideColumns("Time"))).
		WithPanel(tablePanel("Newest backup verified", "1 when the newest backup in each location passed its latest verification (sha256, etcd's integrity hash, snapshot status).",
			unitShort, thresholds(base(red), at(1, green)),
			tableQuery(`min by (location) (etcd_monitor_backup_newest_verified{`+c+`})`)).
			WithTransformation(hideColumns("Time"))).
		WithPanel(tablePanel("Last restore drill", "1 when the latest restore drill in each location restored a backup that served the recorded HashKV and key count; absent when never drilled.",
			unitShort, thresholds(base(red), at(1, green)),
			tableQuery(`min by (location) (etcd_monitor_backup_drill_success{`+c+`})`)).
			WithTransformation(hideColumns("Time"))).
		WithPanel(graph("Newest backup age against max_age", "Age of the newest backup in each location, and the max_age it is allowed: a step down is a new backup.",
			unitSeconds,
			rangeQuery(`max by (location) (time() - etcd_monitor_backup_newest_timestamp_seconds{`+c+`})`, "{{location}} age"),
			rangeQuery(`max by (location) (etcd_monitor_backup_max_age_seconds{`+c+`})`, "{{location}} max_age"))).
		WithPanel(graph("Backup size", "Stored size of the newest backup and of the one before, per location; etcdMonitorBackupShrunk fires when the newest is less than half.",
			unitBytes,
			rangeQuery(`max by (location) (etcd_monitor_backup_newest_size_bytes{`+c+`})`, "{{location}} newest"),
			rangeQuery(`max by (location) (etcd_monitor_backup_previous_size_bytes{`+c+`})`, "{{location}} previous"))).
		WithPanel(graph("Backups kept", "Backups of the cluster each location holds, after retention.",
			unitShort,
			rangeQuery(`max by (location) (etcd_monitor_backup_objects{`+c+`})`, "{{location}}"))).
		WithPanel(graph("Last backup success and failure", "Time since the last successful and the last failed backup job (inspection, for locations another tool fills) per location.",
			unitSeconds,
			rangeQuery(`time() - max by (location) (etcd_monitor_backup_last_success_timestamp_seconds{`+c+`})`, "{{location}} since success"),
			rangeQuery(`time() - max by (location) (etcd_monitor_backup_last_failure_timestamp_seconds{`+c+`})`, "{{location}} since failure")))
}
