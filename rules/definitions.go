package rules

// alert is one alerting rule at one severity. Expressions and texts use placeholders that
// Generate replaces from the settings:
//
//	$etcd          etcd_selector          $exporter      exporter_selector
//	$opsproxy      opsproxy_selector      $diskprobe     diskprobe_selector
//	$instance      etcd_instance_labels   $peerrange     4 × scrape_interval
//	$threshold     level threshold        $revthreshold  level revision_threshold
//	$minbytes      level min_bytes        $for           level for
//
// `{{ ... }}` is Prometheus's own alert templating and is left alone.
type alert struct {
	name     string
	severity string
	// scope is "member" for symptoms of one member that a cluster-wide failure explains (the
	// Alertmanager inhibition silences them while the cluster has no leader or no quorum),
	// "service" for an etcd-monitor service that serves many clusters (opsproxy; its texts name
	// the instance, not a cluster), "cluster" otherwise.
	scope       string
	expr        string
	summary     string
	description string
}

const failedGRPCCodes = `Unknown|FailedPrecondition|ResourceExhausted|Internal|Unavailable|DataLoss|DeadlineExceeded`

// mixinAlerts keep the names, expressions and meaning of etcd's own mixin (contrib/mixin) so that
// existing runbooks and silences keep working.
var mixinAlerts = []alert{
	{
		name: "etcdMembersDown", severity: "critical", scope: "member",
		expr: `max without (endpoint) (
  sum without ($instance) (up{$etcd} == bool 0)
or
  count without (To) (
    sum without ($instance) (rate(etcd_network_peer_sent_failures_total{$etcd}[$peerrange])) > $threshold
  )
)
> 0`,
		summary:     `etcd cluster {{ $labels.cluster }}: {{ $value }} members are down.`,
		description: `etcd cluster "{{ $labels.cluster }}" (job {{ $labels.job }}): {{ $value }} members cannot be scraped or cannot be reached by their peers for $for.`,
	},
	{
		name: "etcdInsufficientMembers", severity: "critical", scope: "cluster",
		expr:        `sum(up{$etcd} == bool 1) without ($instance) < ((count(up{$etcd}) without ($instance) + 1) / 2)`,
		summary:     `etcd cluster {{ $labels.cluster }} has insufficient members for quorum.`,
		description: `etcd cluster "{{ $labels.cluster }}" (job {{ $labels.job }}): only {{ $value }} members are up, fewer than a quorum, for $for. The cluster cannot accept writes.`,
	},
	{
		name: "etcdNoLeader", severity: "critical", scope: "member",
		expr:        `etcd_server_has_leader{$etcd} == 0`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} has no leader.`,
		description: `etcd cluster "{{ $labels.cluster }}": member {{ $labels.instance }} has had no leader for $for. It cannot serve linearizable reads or writes.`,
	},
	{
		name: "etcdHighNumberOfLeaderChanges", severity: "warning", scope: "cluster",
		expr:        `increase((max without ($instance) (etcd_server_leader_changes_seen_total{$etcd}) or 0*absent(etcd_server_leader_changes_seen_total{$etcd}))[15m:1m]) >= $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }} has a high number of leader changes.`,
		description: `etcd cluster "{{ $labels.cluster }}" (job {{ $labels.job }}): {{ $value }} leader changes within the last 15 minutes. Frequent elections point at starved resources, slow disks or network latency.`,
	},
	{
		name: "etcdHighNumberOfFailedGRPCRequests", severity: "warning", scope: "member",
		expr: `100 * sum(rate(grpc_server_handled_total{$etcd, grpc_code=~"` + failedGRPCCodes + `"}[5m])) without (grpc_type, grpc_code)
  /
sum(rate(grpc_server_handled_total{$etcd}[5m])) without (grpc_type, grpc_code)
  > $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} fails {{ $labels.grpc_method }} requests.`,
		description: `etcd cluster "{{ $labels.cluster }}": {{ $value | humanize }}% of {{ $labels.grpc_method }} requests failed on member {{ $labels.instance }} over $for (threshold $threshold%).`,
	},
	{
		name: "etcdHighNumberOfFailedGRPCRequests", severity: "critical", scope: "member",
		expr: `100 * sum(rate(grpc_server_handled_total{$etcd, grpc_code=~"` + failedGRPCCodes + `"}[5m])) without (grpc_type, grpc_code)
  /
sum(rate(grpc_server_handled_total{$etcd}[5m])) without (grpc_type, grpc_code)
  > $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} fails {{ $labels.grpc_method }} requests.`,
		description: `etcd cluster "{{ $labels.cluster }}": {{ $value | humanize }}% of {{ $labels.grpc_method }} requests failed on member {{ $labels.instance }} over $for (threshold $threshold%).`,
	},
	{
		name: "etcdGRPCRequestsSlow", severity: "critical", scope: "member",
		expr: `histogram_quantile(0.99, sum(rate(grpc_server_handling_seconds_bucket{$etcd, grpc_method!="Defragment", grpc_type="unary"}[5m])) without (grpc_type))
> $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} serves {{ $labels.grpc_method }} slowly.`,
		description: `etcd cluster "{{ $labels.cluster }}": the 99th percentile of {{ $labels.grpc_method }} requests is {{ $value | humanizeDuration }} on member {{ $labels.instance }} (threshold $thresholds).`,
	},
	{
		name: "etcdMemberCommunicationSlow", severity: "warning", scope: "member",
		expr: `histogram_quantile(0.99, rate(etcd_network_peer_round_trip_time_seconds_bucket{$etcd}[5m]))
> $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} talks slowly to peer {{ $labels.To }}.`,
		description: `etcd cluster "{{ $labels.cluster }}": the 99th percentile round trip from member {{ $labels.instance }} to peer {{ $labels.To }} is {{ $value | humanizeDuration }} (threshold $thresholds).`,
	},
	{
		name: "etcdHighNumberOfFailedProposals", severity: "warning", scope: "member",
		expr:        `rate(etcd_server_proposals_failed_total{$etcd}[15m]) > $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} has many failed proposals.`,
		description: `etcd cluster "{{ $labels.cluster }}": {{ $value | humanize }} proposals per second failed on member {{ $labels.instance }} over the last 15 minutes (threshold $threshold/s).`,
	},
	{
		name: "etcdHighFsyncDurations", severity: "warning", scope: "member",
		expr: `histogram_quantile(0.99, rate(etcd_disk_wal_fsync_duration_seconds_bucket{$etcd}[5m]))
> $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} has slow WAL fsyncs.`,
		description: `etcd cluster "{{ $labels.cluster }}": the 99th percentile WAL fsync duration is {{ $value | humanizeDuration }} on member {{ $labels.instance }} (threshold $thresholds).`,
	},
	{
		name: "etcdHighFsyncDurations", severity: "critical", scope: "member",
		expr: `histogram_quantile(0.99, rate(etcd_disk_wal_fsync_duration_seconds_bucket{$etcd}[5m]))
> $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} has slow WAL fsyncs.`,
		description: `etcd cluster "{{ $labels.cluster }}": the 99th percentile WAL fsync duration is {{ $value | humanizeDuration }} on member {{ $labels.instance }} (threshold $thresholds).`,
	},
	{
		name: "etcdHighCommitDurations", severity: "warning", scope: "member",
		expr: `histogram_quantile(0.99, rate(etcd_disk_backend_commit_duration_seconds_bucket{$etcd}[5m]))
> $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} has slow backend commits.`,
		description: `etcd cluster "{{ $labels.cluster }}": the 99th percentile backend commit duration is {{ $value | humanizeDuration }} on member {{ $labels.instance }} (threshold $thresholds).`,
	},
	{
		name: "etcdDatabaseQuotaLowSpace", severity: "critical", scope: "member",
		expr:        `(last_over_time(etcd_mvcc_db_total_size_in_bytes{$etcd}[5m]) / last_over_time(etcd_server_quota_backend_bytes{$etcd}[5m]))*100 > $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} database is running out of quota.`,
		description: `etcd cluster "{{ $labels.cluster }}": the database of member {{ $labels.instance }} uses {{ $value | humanize }}% of its quota (threshold $threshold%). At 100% etcd raises NOSPACE and rejects writes; compact and defragment, or raise --quota-backend-bytes.`,
	},
	{
		name: "etcdExcessiveDatabaseGrowth", severity: "warning", scope: "member",
		expr:        `predict_linear(etcd_mvcc_db_total_size_in_bytes{$etcd}[4h], 4*60*60) > etcd_server_quota_backend_bytes{$etcd}`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} database grows very fast.`,
		description: `etcd cluster "{{ $labels.cluster }}": at the growth rate of the last four hours, the database of member {{ $labels.instance }} reaches its quota within four hours (predicted {{ $value | humanize1024 }}B).`,
	},
	{
		name: "etcdDatabaseHighFragmentationRatio", severity: "warning", scope: "member",
		expr:        `(last_over_time(etcd_mvcc_db_total_size_in_use_in_bytes{$etcd}[5m]) / last_over_time(etcd_mvcc_db_total_size_in_bytes{$etcd}[5m])) < $threshold and etcd_mvcc_db_total_size_in_use_in_bytes{$etcd} > $minbytes`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} database is fragmented.`,
		description: `etcd cluster "{{ $labels.cluster }}": only {{ $value | humanizePercentage }} of the database file of member {{ $labels.instance }} is in use. Defragment the member (etcdctl defrag) to give the space back.`,
	},
}

// monitorAlerts are etcd-monitor's own alerts, mostly on the exporter's metrics.
var monitorAlerts = []alert{
	{
		name: "etcdMonitorExporterDown", severity: "warning", scope: "cluster",
		expr:        `up{$exporter} == 0`,
		summary:     `etcd-monitor target {{ $labels.instance }} (cluster {{ $labels.cluster }}) cannot be scraped.`,
		description: `Prometheus has failed to scrape etcd-monitor target {{ $labels.instance }} (job {{ $labels.job }}, cluster "{{ $labels.cluster }}") for $for. The etcdMonitor* alerts are blind for the clusters behind it.`,
	},
	{
		name: "etcdMonitorClusterUnreachable", severity: "critical", scope: "cluster",
		expr:        `etcd_monitor_cluster_reachable{$exporter} == 0`,
		summary:     `etcd cluster {{ $labels.cluster }} is unreachable from etcd-monitor.`,
		description: `etcd-monitor ({{ $labels.instance }}) has not reached any member of etcd cluster "{{ $labels.cluster }}" for $for: every Status request failed.`,
	},
	{
		name: "etcdMonitorLeaderDisagreement", severity: "warning", scope: "cluster",
		expr:        `etcd_monitor_cluster_leader_disagreement_members{$exporter} > 0`,
		summary:     `etcd cluster {{ $labels.cluster }}: members disagree about the leader.`,
		description: `etcd cluster "{{ $labels.cluster }}": {{ $value }} answering members have named a different leader than the majority for $for. This points at a network partition or a member stuck in an old term.`,
	},
	{
		name: "etcdMonitorDataInconsistent", severity: "critical", scope: "member",
		expr:        `etcd_monitor_member_consistent{$exporter} == 0`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.endpoint }} holds different data.`,
		description: `etcd cluster "{{ $labels.cluster }}": the HashKV of member {{ $labels.endpoint }} has differed from the majority's at the same revision for $for. The members hold different data; reads depend on which member answers.`,
	},
	{
		name: "etcdMonitorMemberLagging", severity: "warning", scope: "member",
		expr: `(
  etcd_monitor_member_raft_index_lag{$exporter} > $threshold
or
  etcd_monitor_member_revision_lag{$exporter} > $revthreshold
)
unless on (cluster, endpoint)
  etcd_monitor_member_is_learner{$exporter} == 1`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.endpoint }} is lagging.`,
		description: `etcd cluster "{{ $labels.cluster }}": member {{ $labels.endpoint }} has been {{ $value }} entries behind the most advanced member for $for (thresholds: raft index $threshold, revision $revthreshold).`,
	},
	{
		name: "etcdMonitorAlarmActive", severity: "critical", scope: "member",
		expr:        `etcd_monitor_member_alarm_active{$exporter} == 1`,
		summary:     `etcd cluster {{ $labels.cluster }}: {{ $labels.alarm }} alarm on member {{ $labels.member_id }}.`,
		description: `etcd cluster "{{ $labels.cluster }}": the {{ $labels.alarm }} alarm has been active on member {{ $labels.member_id }} for $for. NOSPACE makes the cluster reject writes; CORRUPT means a member's data differs and etcd has stopped serving writes.`,
	},
	{
		name: "etcdMonitorQuorumAtRisk", severity: "critical", scope: "cluster",
		expr: `etcd_monitor_cluster_quorum_at_risk{$exporter} == 1
and on (cluster)
  etcd_monitor_cluster_voting_members{$exporter} > 1`,
		summary:     `etcd cluster {{ $labels.cluster }}: one more member failure loses quorum.`,
		description: `etcd cluster "{{ $labels.cluster }}": for $for the cluster has had no failure tolerance left; one more voting member failure makes it unavailable.`,
	},
	{
		name: "etcdMonitorCertificateExpiration", severity: "warning", scope: "cluster",
		expr:        `etcd_monitor_tls_cert_not_after_timestamp_seconds{$exporter} - time() < $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: {{ $labels.kind }} certificate {{ $labels.subject }} expires soon.`,
		description: `etcd cluster "{{ $labels.cluster }}": the {{ $labels.kind }} certificate "{{ $labels.subject }}"{{ if $labels.endpoint }} presented by {{ $labels.endpoint }}{{ else }} configured for etcd-monitor{{ end }} {{ if lt $value 0.0 }}has expired{{ else }}expires in {{ $value | humanizeDuration }}{{ end }} (threshold $threshold seconds).`,
	},
	{
		name: "etcdMonitorCertificateExpiration", severity: "critical", scope: "cluster",
		expr:        `etcd_monitor_tls_cert_not_after_timestamp_seconds{$exporter} - time() < $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: {{ $labels.kind }} certificate {{ $labels.subject }} expires soon.`,
		description: `etcd cluster "{{ $labels.cluster }}": the {{ $labels.kind }} certificate "{{ $labels.subject }}"{{ if $labels.endpoint }} presented by {{ $labels.endpoint }}{{ else }} configured for etcd-monitor{{ end }} {{ if lt $value 0.0 }}has expired{{ else }}expires in {{ $value | humanizeDuration }}{{ end }} (threshold $threshold seconds).`,
	},
	{
		name: "etcdMonitorFsyncAboveReadinessLine", severity: "warning", scope: "member",
		expr: `histogram_quantile(0.99, rate(etcd_disk_wal_fsync_duration_seconds_bucket{$etcd}[5m]))
> $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: member {{ $labels.instance }} WAL fsync p99 is above the production line.`,
		description: `etcd cluster "{{ $labels.cluster }}": the 99th percentile WAL fsync duration on member {{ $labels.instance }} has stayed at {{ $value | humanizeDuration }} for $for, above etcd's production-readiness line of $thresholds. The disk is too slow for etcd under load.`,
	},
	{
		name: "etcdMonitorLearnerNotCatchingUp", severity: "warning", scope: "member",
		expr: `etcd_monitor_member_raft_index_lag{$exporter} > $threshold
and on (cluster, endpoint)
  etcd_monitor_member_is_learner{$exporter} == 1`,
		summary:     `etcd cluster {{ $labels.cluster }}: learner {{ $labels.endpoint }} is not catching up.`,
		description: `etcd cluster "{{ $labels.cluster }}": learner {{ $labels.endpoint }} has been {{ $value }} raft entries behind the leader for $for and cannot be promoted.`,
	},
	{
		name: "etcdMonitorOpsproxyAuditFailing", severity: "critical", scope: "service",
		expr:        `rate(etcd_monitor_opsproxy_audit_records_not_committed_total{$opsproxy}[$peerrange]) > 0`,
		summary:     `opsproxy {{ $labels.instance }} cannot commit audit records; it refuses writes.`,
		description: `opsproxy {{ $labels.instance }} (job {{ $labels.job }}) has failed to commit audit records for $for ({{ $value | humanize }} records/s): writes through it are refused with 503; the records of reads wait in its local audit spool. Its log says "audit record not committed" with the cause.`,
	},
	{
		name: "etcdMonitorOpsproxyAuditCommitsSlow", severity: "warning", scope: "service",
		expr: `histogram_quantile(0.99,
  sum by (job, instance, le) (rate(etcd_monitor_opsproxy_audit_commit_duration_seconds_bucket{$opsproxy}[$peerrange]))
) > $threshold`,
		summary:     `opsproxy {{ $labels.instance }}: audit commits are slow.`,
		description: `opsproxy {{ $labels.instance }} (job {{ $labels.job }}): the 99th percentile of audit commits to the history store has been {{ $value | humanizeDuration }} for $for (threshold $threshold s). Every write waits for one before it reaches etcd.`,
	},
	{
		name: "etcdMonitorOpsproxyAuthFailures", severity: "warning", scope: "service",
		expr:        `max by (job, instance) (etcd_monitor_opsproxy_auth_failures_top_source_rate{$opsproxy}) > $threshold`,
		summary:     `opsproxy {{ $labels.instance }}: one source keeps presenting bad tokens.`,
		description: `opsproxy {{ $labels.instance }} (job {{ $labels.job }}) has refused {{ $value | humanize }} requests/s from a single source address with a missing, malformed, unknown, revoked or expired token, for $for (threshold $threshold/s from one source). The audit log names the source: GET /api/v1/audit?operation=auth.failed (one record per source and reason per auth.failure_audit_interval, then a summary with the count).`,
	},
	{
		name: "etcdMonitorOpsproxyStoreDown", severity: "critical", scope: "service",
		expr:        `etcd_monitor_opsproxy_store_up{$opsproxy} == 0`,
		summary:     `opsproxy {{ $labels.instance }} cannot reach its history store; it refuses writes.`,
		description: `opsproxy {{ $labels.instance }} (job {{ $labels.job }}) has not reached its history store for $for: writes through it are refused with 503, reads go on with cached tokens and their audit records wait in the local spool.`,
	},
	{
		name: "etcdMonitorOpsproxyAuditSpoolFilling", severity: "warning", scope: "service",
		expr: `etcd_monitor_opsproxy_audit_spool_bytes{$opsproxy}
/ etcd_monitor_opsproxy_audit_spool_max_bytes{$opsproxy} > $threshold`,
		summary:     `opsproxy {{ $labels.instance }}: the audit spool is filling up.`,
		description: `opsproxy {{ $labels.instance }} (job {{ $labels.job }}): audit records waiting for the history store fill {{ $value | humanizePercentage }} of audit.spool_max_bytes (threshold $threshold, for $for). When the spool is full, reads are refused too.`,
	},
	{
		name: "etcdMonitorJobStuck", severity: "warning", scope: "service",
		expr:        `etcd_monitor_jobs_oldest_heartbeat_age_seconds{$opsproxy} > $threshold`,
		summary:     `{{ $labels.instance }}: a running job has not sent a heartbeat for {{ $value | humanizeDuration }}.`,
		description: `{{ $labels.instance }} (job {{ $labels.job }}) sees a job whose record says running but whose worker has not sent a heartbeat for {{ $value | humanizeDuration }} (threshold $threshold s, for $for): its worker hangs, or died and neither the queue nor the reconciler has handed the job on. GET /api/v1/jobs?status=running names it and its worker.`,
	},
	{
		name: "etcdMonitorJobsWaitingTooLong", severity: "warning", scope: "service",
		expr:        `etcd_monitor_jobs_oldest_waiting_age_seconds{$opsproxy} > $threshold`,
		summary:     `{{ $labels.instance }}: jobs wait for a worker for {{ $value | humanizeDuration }}.`,
		description: `{{ $labels.instance }} (job {{ $labels.job }}): the job that has waited longest in the queue has waited {{ $value | humanizeDuration }} for a worker (threshold $threshold s, for $for). No worker is alive, all are busy, or a per-cluster limit holds the jobs back.`,
	},
	{
		name: "etcdMonitorJobsDeadLettered", severity: "warning", scope: "service",
		expr:        `etcd_monitor_jobs_dead_letters{$opsproxy} - etcd_monitor_jobs_dead_letters{$opsproxy} offset 15m > 0`,
		summary:     `{{ $labels.instance }}: jobs ran out of attempts.`,
		description: `{{ $labels.instance }} (job {{ $labels.job }}): {{ $value }} jobs went to the queue's dead letters in the last 15 minutes, after failing every attempt. Their records say failed with the last error: GET /api/v1/jobs?status=failed.`,
	},
	{
		// Every opsproxy replica shows the same runs (read from the shared history store): the
		// replicas are aggregated away so that one failing run is one alert.
		name: "etcdMonitorBenchmarkSLOFailing", severity: "warning", scope: "cluster",
		expr:        `max by (cluster, profile) (etcd_monitor_benchmark_slo_pass{$opsproxy}) == 0`,
		summary:     `etcd cluster {{ $labels.cluster }} failed its {{ $labels.profile }} benchmark SLO.`,
		description: `The latest benchmark of etcd cluster "{{ $labels.cluster }}" against the SLO profile {{ $labels.profile }} failed (for $for). GET /api/v1/benchmarks?cluster={{ $labels.cluster }}&profile={{ $labels.profile }} lists the runs; each run's verdict says which rule failed and by how much, and whether the load generator itself was the limit.`,
	},
	{
		name: "etcdMonitorBenchmarkRegressed", severity: "warning", scope: "cluster",
		expr:        `max by (cluster, profile, command, baseline) (etcd_monitor_benchmark_regressed{$opsproxy}) == 1`,
		summary:     `etcd cluster {{ $labels.cluster }}: the latest {{ $labels.profile }} {{ $labels.command }} benchmark regressed against baseline {{ $labels.baseline }}.`,
		description: `The latest {{ $labels.command }} run of profile {{ $labels.profile }} on etcd cluster "{{ $labels.cluster }}" is slower than its baseline {{ $labels.baseline }} beyond the minimum effect of 5 %, by the block-bootstrap test on the per-second samples (for $for). GET /api/v1/benchmarks/<id>/compare?baseline={{ $labels.baseline }} gives the change and its interval per metric.`,
	},
	{
		// The backup metrics are read from the shared history store and the configuration, so
		// every opsproxy replica shows the same figures: the replicas are aggregated away. A
		// location that holds no backup of the cluster at all fires too (value 0).
		name: "etcdMonitorBackupMissing", severity: "critical", scope: "cluster",
		expr: `(
  max by (cluster, location) (time() - etcd_monitor_backup_newest_timestamp_seconds{$opsproxy})
    > max by (cluster, location) (etcd_monitor_backup_max_age_seconds{$opsproxy})
)
or
max by (cluster, location) (etcd_monitor_backup_objects{$opsproxy}) == 0`,
		summary:     `etcd cluster {{ $labels.cluster }} has no recent backup in {{ $labels.location }}.`,
		description: `Backup location {{ $labels.location }} of etcd cluster "{{ $labels.cluster }}" {{ if eq $value 0.0 }}holds no backup of the cluster at all{{ else }}holds no backup newer than {{ $value | humanizeDuration }}, older than its max_age allows{{ end }} (for $for). A restore now would lose everything written since. GET /api/v1/clusters/{{ $labels.cluster }}/backup-events?location={{ $labels.location }} shows the last backup jobs and their errors.`,
	},
	{
		name: "etcdMonitorBackupFailing", severity: "warning", scope: "cluster",
		expr: `max by (cluster, location) (etcd_monitor_backup_last_failure_timestamp_seconds{$opsproxy})
  > max by (cluster, location) (etcd_monitor_backup_last_success_timestamp_seconds{$opsproxy})
or
(
  max by (cluster, location) (etcd_monitor_backup_last_failure_timestamp_seconds{$opsproxy})
    unless on (cluster, location) etcd_monitor_backup_last_success_timestamp_seconds{$opsproxy}
)`,
		summary:     `etcd cluster {{ $labels.cluster }}: backups to {{ $labels.location }} are failing.`,
		description: `The last backup (or, for a location another tool fills, the last inspection) of etcd cluster "{{ $labels.cluster }}" in location {{ $labels.location }} failed, and none has succeeded since (for $for). GET /api/v1/clusters/{{ $labels.cluster }}/backup-events?location={{ $labels.location }} gives the error of each attempt, with the path or member it names.`,
	},
	{
		name: "etcdMonitorBackupShrunk", severity: "warning", scope: "cluster",
		expr: `max by (cluster, location) (etcd_monitor_backup_newest_size_bytes{$opsproxy})
  < $threshold * max by (cluster, location) (etcd_monitor_backup_previous_size_bytes{$opsproxy})`,
		summary:     `etcd cluster {{ $labels.cluster }}: the newest backup in {{ $labels.location }} is much smaller than the one before.`,
		description: `The newest backup of etcd cluster "{{ $labels.cluster }}" in location {{ $labels.location }} is {{ $value | humanize1024 }}B, less than $threshold of the one before it (for $for). A backup that shrinks suddenly is the classic sign of backing up the wrong thing (another cluster, an empty member, a truncated file). Compare the two backups' revision and key_count: GET /api/v1/clusters/{{ $labels.cluster }}/backups?location={{ $labels.location }}.`,
	},
	{
		name: "etcdMonitorBackupVerificationFailed", severity: "critical", scope: "cluster",
		expr:        `min by (cluster, location) (etcd_monitor_backup_newest_verified{$opsproxy}) == 0`,
		summary:     `etcd cluster {{ $labels.cluster }}: the newest backup in {{ $labels.location }} is not verified.`,
		description: `The newest backup of etcd cluster "{{ $labels.cluster }}" in location {{ $labels.location }} failed verification or has not been verified (for $for): its stored copy does not match its recorded sha256, is cut short, or is not a snapshot etcd can read. It cannot be trusted for a restore. GET /api/v1/clusters/{{ $labels.cluster }}/backup-events?location={{ $labels.location }}&kind=verify names the file and the failed check.`,
	},
	{
		name: "etcdMonitorBackupDrillFailed", severity: "warning", scope: "cluster",
		expr:        `min by (cluster, location) (etcd_monitor_backup_drill_success{$opsproxy}) == 0`,
		summary:     `etcd cluster {{ $labels.cluster }}: the last restore drill of a backup in {{ $labels.location }} failed.`,
		description: `The last restore drill of a backup of etcd cluster "{{ $labels.cluster }}" in location {{ $labels.location }} failed (for $for): the backup did not restore with etcd's restore code, the restored member did not serve, or its HashKV or key count differ from what was recorded when the backup was made. GET /api/v1/clusters/{{ $labels.cluster }}/backup-events?location={{ $labels.location }}&kind=drill says why.`,
	},
	{
		// The scheduled probes only: an on-demand probe may use another job and threshold.
		name: "etcdMonitorDiskProbeSlow", severity: "warning", scope: "member",
		expr:        `etcd_monitor_diskprobe_last_p99_seconds{$diskprobe, trigger="schedule"} > $threshold`,
		summary:     `etcd cluster {{ $labels.cluster }}: the disk probe on {{ $labels.instance }} is slower than etcd's production line.`,
		description: `etcd cluster "{{ $labels.cluster }}": the scheduled WAL-style probes of the diskprobe agent on {{ $labels.instance }}{{ with $labels.member }} (member {{ . }}){{ end }} have measured a 99th percentile fdatasync latency of {{ $value | humanizeDuration }} for $for, above etcd's production line of $thresholds. etcd's WAL writes on that disk are as slow: expect slow commits, leader elections and etcdHighFsyncDurations.`,
	},
	{
		name: "etcdMonitorDiskProbeDown", severity: "warning", scope: "cluster",
		expr: `up{$diskprobe} == 0
or
(
  time() - etcd_monitor_diskprobe_last_run_timestamp_seconds{$diskprobe, trigger="schedule"}
    > ignoring (trigger) 3 * etcd_monitor_diskprobe_interval_seconds{$diskprobe}
)`,
		summary:     `etcd cluster {{ $labels.cluster }}: the diskprobe agent on {{ $labels.instance }} is down or not probing.`,
		description: `etcd cluster "{{ $labels.cluster }}": the diskprobe agent on {{ $labels.instance }}{{ with $labels.member }} (member {{ . }}){{ end }} {{ if eq $value 0.0 }}cannot be scraped{{ else }}has not finished a scheduled probe for {{ $value | humanizeDuration }}, more than three intervals{{ end }} (for $for). Its disk is not watched: etcdMonitorDiskProbeSlow is blind for that host.`,
	},
}

// recording rules are the expensive expressions the dashboards use, per member and per cluster.
type recording struct {
	record string
	expr   string
}

var recordings = []recording{
	{
		record: "instance:etcd_disk_wal_fsync_duration_seconds:p99_rate5m",
		expr:   `histogram_quantile(0.99, sum by (cluster, job, $instance, le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket{$etcd}[5m])))`,
	},
	{
		record: "instance:etcd_disk_backend_commit_duration_seconds:p99_rate5m",
		expr:   `histogram_quantile(0.99, sum by (cluster, job, $instance, le) (rate(etcd_disk_backend_commit_duration_seconds_bucket{$etcd}[5m])))`,
	},
	{
		record: "instance:etcd_mvcc_db_fragmentation:ratio",
		expr:   `1 - (etcd_mvcc_db_total_size_in_use_in_bytes{$etcd} / etcd_mvcc_db_total_size_in_bytes{$etcd})`,
	},
	{
		record: "instance:etcd_mvcc_db_quota_use:ratio",
		expr:   `etcd_mvcc_db_total_size_in_bytes{$etcd} / etcd_server_quota_backend_bytes{$etcd}`,
	},
	{
		record: "instance:grpc_server_handled:error_ratio_rate5m",
		expr: `(
  sum by (cluster, job, $instance) (rate(grpc_server_handled_total{$etcd, grpc_code=~"` + failedGRPCCodes + `"}[5m]))
or
  0 * sum by (cluster, job, $instance) (rate(grpc_server_handled_total{$etcd}[5m]))
)
  /
sum by (cluster, job, $instance) (rate(grpc_server_handled_total{$etcd}[5m]))`,
	},
	{
		record: "cluster:grpc_server_handled:error_ratio_rate5m",
		expr: `(
  sum by (cluster, job) (rate(grpc_server_handled_total{$etcd, grpc_code=~"` + failedGRPCCodes + `"}[5m]))
or
  0 * sum by (cluster, job) (rate(grpc_server_handled_total{$etcd}[5m]))
)
  /
sum by (cluster, job) (rate(grpc_server_handled_total{$etcd}[5m]))`,
	},
	{
		record: "cluster:etcd_monitor_member_db_fragmentation:max_ratio",
		expr:   `max by (cluster) (1 - (etcd_monitor_member_db_size_in_use_bytes{$exporter} / etcd_monitor_member_db_size_bytes{$exporter}))`,
	},
	{
		record: "cluster:etcd_monitor_member_db_quota_use:max_ratio",
		expr:   `max by (cluster) (etcd_monitor_member_db_size_bytes{$exporter} / etcd_monitor_member_db_quota_bytes{$exporter})`,
	},
}
