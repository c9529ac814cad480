package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// MemberUID is the member detail dashboard's UID.
const MemberUID = "etcd-monitor-member"

// member is the inside view of chosen members from etcd's own /metrics — disk, peer network,
// gRPC, raft proposals, database and process resources — and the exporter's outside view of the
// same members. Members are chosen by name; see memberVariables for how names map to series.
func member() *dashboard.DashboardBuilder {
	m := `cluster="$cluster", instance=~"$instance"`
	e := `cluster="$cluster", endpoint=~"$endpoint"`
	return newDashboard(MemberUID, "etcd member detail",
		"Chosen members of one etcd cluster from etcd's own /metrics: fsync and commit latency, peer round trip, "+
			"gRPC, proposals, database and memory; and the exporter's view of the same members.").
		Variables(append([]cog.Builder[dashboard.VariableModel]{datasourceVariable(), clusterVariable()}, memberVariables()...)).
		WithRow(dashboard.NewRowBuilder("Disk")).
		WithPanel(graphWithLine("WAL fsync latency", "p99 (recording rule over 5m) and p50 of the WAL fdatasync. "+
			"The dashed line is etcd's production-readiness line of 10 ms; the mixin alerts at 0.5 s and 1 s.",
			unitSeconds, thresholds(base(green), at(0.01, orange), at(0.5, red)),
			rangeQuery(`instance:etcd_disk_wal_fsync_duration_seconds:p99_rate5m{`+m+`}`, "{{instance}} p99"),
			rangeQuery(`histogram_quantile(0.5, sum by (instance, le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket{`+m+`}[$__rate_interval])))`, "{{instance}} p50"))).
		WithPanel(graphWithLine("Backend commit latency", "p99 (recording rule over 5m) and p50 of bbolt commits. "+
			"etcd recommends a p99 under 25 ms; the mixin warns at 0.25 s.",
			unitSeconds, thresholds(base(green), at(0.025, orange), at(0.25, red)),
			rangeQuery(`instance:etcd_disk_backend_commit_duration_seconds:p99_rate5m{`+m+`}`, "{{instance}} p99"),
			rangeQuery(`histogram_quantile(0.5, sum by (instance, le) (rate(etcd_disk_backend_commit_duration_seconds_bucket{`+m+`}[$__rate_interval])))`, "{{instance}} p50"))).
		WithRow(dashboard.NewRowBuilder("Peer network")).
		WithPanel(graphWithLine("Peer round trip", "p99 round trip of raft messages to each peer; the mixin warns at 0.15 s.",
			unitSeconds, thresholds(base(green), at(0.15, orange)),
			rangeQuery(`histogram_quantile(0.99, sum by (instance, To, le) (rate(etcd_network_peer_round_trip_time_seconds_bucket{`+m+`}[$__rate_interval])))`, "{{instance}} to {{To}}"))).
		WithPanel(graph("Peer traffic", "Bytes per second sent to and received from peers.", unitBytesPerSec,
			rangeQuery(`sum by (instance) (rate(etcd_network_peer_sent_bytes_total{`+m+`}[$__rate_interval]))`, "{{instance}} sent"),
			rangeQuery(`sum by (instance) (rate(etcd_network_peer_received_bytes_total{`+m+`}[$__rate_interval]))`, "{{instance}} received"))).
		WithRow(dashboard.NewRowBuilder("gRPC")).
		WithPanel(graph("gRPC request rate", "Unary requests started per second, by method.", unitRequestsSec,
			rangeQuery(`sum by (instance, grpc_method) (rate(grpc_server_started_total{`+m+`, grpc_type="unary"}[$__rate_interval]))`, "{{instance}} {{grpc_method}}"))).
		WithPanel(graph("gRPC errors", "Requests per second finished with a code other than OK, by method and code.", unitRequestsSec,
			rangeQuery(`sum by (instance, grpc_method, grpc_code) (rate(grpc_server_handled_total{`+m+`, grpc_code!="OK"}[$__rate_interval]))`, "{{instance}} {{grpc_method}} {{grpc_code}}"))).
		WithPanel(graphWithLine("gRPC error ratio", "Share of requests failing with a server-side error code (recording rule over 5m).",
			unitPercent01, thresholds(base(green), at(0.01, orange), at(0.05, red)),
			rangeQuery(`instance:grpc_server_handled:error_ratio_rate5m{`+m+`}`, "{{instance}}"))).
		WithPanel(graphWithLine("Request latency", "p99 server-side latency of Range, Txn, Put and other requests, by type. "+
			"etcd only exposes grpc_server_handling_seconds with --metrics=extensive; this histogram is always there.",
			unitSeconds, thresholds(base(green), at(0.15, orange)),
			rangeQuery(`histogram_quantile(0.99, sum by (instance, type, le) (rate(etcd_server_request_duration_seconds_bucket{`+m+`}[$__rate_interval])))`, "{{instance}} {{type}}"))).
		WithPanel(graph("Client traffic", "Bytes per second received from and sent to gRPC clients.", unitBytesPerSec,
			rangeQuery(`rate(etcd_network_client_grpc_received_bytes_total{`+m+`}[$__rate_interval])`, "{{instance}} received"),
			rangeQuery(`rate(etcd_network_client_grpc_sent_bytes_total{`+m+`}[$__rate_interval])`, "{{instance}} sent")).
			Span(fullWidth)).
		WithRow(dashboard.NewRowBuilder("Raft proposals")).
		WithPanel(graph("Proposals", "Proposals committed and applied per second; a growing gap means the member applies slower than it commits.",
			unitOpsPerSec,
			rangeQuery(`rate(etcd_server_proposals_committed_total{`+m+`}[$__rate_interval])`, "{{instance}} committed"),
			rangeQuery(`rate(etcd_server_proposals_applied_total{`+m+`}[$__rate_interval])`, "{{instance}} applied"))).
		WithPanel(graph("Failed and pending proposals", "Failed proposals per second (lost leader, no quorum) and proposals waiting to commit.",
			unitShort,
			rangeQuery(`rate(etcd_server_proposals_failed_total{`+m+`}[$__rate_interval])`, "{{instance}} failed/s"),
			rangeQuery(`etcd_server_proposals_pending{`+m+`}`, "{{instance}} pending"))).
		WithPanel(timeline("Leader", "Whether the member is the leader, as etcd reports itself.", "Leader", "Follower",
			rangeQuery(`etcd_server_is_leader{`+m+`}`, "{{instance}}"))).
		WithPanel(graph("Leader changes and slow applies", "Leader changes this member saw, and applies and read indexes slower than expected.",
			unitShort,
			rangeQuery(`increase(etcd_server_leader_changes_seen_total{`+m+`}[$__rate_interval])`, "{{instance}} leader changes"),
			rangeQuery(`increase(etcd_server_slow_apply_total{`+m+`}[$__rate_interval])`, "{{instance}} slow applies"),
			rangeQuery(`increase(etcd_server_slow_read_indexes_total{`+m+`}[$__rate_interval])`, "{{instance}} slow read indexes"))).
		WithRow(dashboard.NewRowBuilder("Database and resources")).
		WithPanel(graph("Database size", "Allocated and in-use size of the backend, and the quota.", unitBytes,
			rangeQuery(`etcd_mvcc_db_total_size_in_bytes{`+m+`}`, "{{instance}} allocated"),
			rangeQuery(`etcd_mvcc_db_total_size_in_use_in_bytes{`+m+`}`, "{{instance}} in use"),
			rangeQuery(`etcd_server_quota_backend_bytes{`+m+`}`, "{{instance}} quota"))).
		WithPanel(graph("Quota use and fragmentation", "Share of the quota allocated and share of the file not in use (recording rules).",
			unitPercent01,
			rangeQuery(`instance:etcd_mvcc_db_quota_use:ratio{`+m+`}`, "{{instance}} quota used"),
			rangeQuery(`instance:etcd_mvcc_db_fragmentation:ratio{`+m+`}`, "{{instance}} fragmentation")).
			Min(0).Max(1)).
		WithPanel(graph("Memory", "Resident memory of the etcd process and Go heap in use.", unitBytes,
			rangeQuery(`process_resident_memory_bytes{`+m+`}`, "{{instance}} resident"),
			rangeQuery(`go_memstats_heap_inuse_bytes{`+m+`}`, "{{instance}} heap in use"))).
		WithPanel(graph("CPU and file descriptors", "CPU cores used, and file descriptors open against the limit.", unitShort,
			rangeQuery(`rate(process_cpu_seconds_total{`+m+`}[$__rate_interval])`, "{{instance}} CPU cores"),
			rangeQuery(`os_fd_used{`+m+`} / os_fd_limit{`+m+`}`, "{{instance}} fd use"))).
		WithRow(dashboard.NewRowBuilder("Exporter's view of these members")).
		WithPanel(timeline("Up and healthy", "Status answered, and etcdctl endpoint health passed, from the exporter.", "OK", "Failing",
			rangeQuery(`etcd_monitor_member_up{`+e+`}`, "{{endpoint}} up"),
			rangeQuery(`etcd_monitor_member_healthy{`+e+`}`, "{{endpoint}} healthy"))).
		WithPanel(graph("Exporter round trips", "Duration of the exporter's Status request and health-check read.", unitSeconds,
			rangeQuery(`etcd_monitor_member_status_duration_seconds{`+e+`}`, "{{endpoint}} status"),
			rangeQuery(`etcd_monitor_member_health_check_duration_seconds{`+e+`}`, "{{endpoint}} health read")))
}
