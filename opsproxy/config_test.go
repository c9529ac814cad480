package opsproxy

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/configtest"
)

func TestConfigAppliesDefaultsAroundGivenSettings(t *testing.T) {
	cfg, err := LoadConfig("testdata/valid.yml")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"clusters", len(cfg.Clusters), 2},
		{"bootstrap token file", cfg.Auth.BootstrapTokenFile, "/var/lib/etcd-monitor/bootstrap-token"},
		{"grafana user header default", cfg.Auth.Grafana.UserHeader, DefaultUserHeader},
		{"grafana role header default", cfg.Auth.Grafana.RoleHeader, DefaultRoleHeader},
		{"token cache ttl default", time.Duration(cfg.Auth.TokenCacheTTL), DefaultTokenCacheTTL},
		{"failure audit interval default", time.Duration(cfg.Auth.FailureAuditInterval), DefaultFailureAuditInterval},
		{"trusted proxies", len(cfg.Auth.TrustedProxyPrefixes()), 2},
		{"token cache max stale default", time.Duration(cfg.Auth.TokenCacheMaxStale), DefaultTokenCacheMaxStale},
		{"audit spool dir default", cfg.Audit.SpoolDir, DefaultAuditSpoolDir},
		{"audit spool max bytes default", cfg.Audit.SpoolMaxBytes, int64(DefaultAuditSpoolMaxBytes)},
		{"store dsn", cfg.Store.DSN, "postgres://etcd_monitor@db:5432/etcd_monitor"},
		{"audit retention", time.Duration(cfg.Audit.Retention), 90 * 24 * time.Hour},
		{"audit max batch default", cfg.Audit.MaxBatch, DefaultAuditMaxBatch},
		{"max request bytes default", cfg.Limits.MaxRequestBytes, DefaultMaxRequestBytes},
		{"watches per user", cfg.Limits.MaxWatchesPerUser, 4},
		{"watches per token default", cfg.Limits.MaxWatchesPerToken, DefaultMaxWatchesPerToken},
		{"watches in total default", cfg.Limits.MaxWatchesTotal, DefaultMaxWatchesTotal},
		{"rate per token default (off)", cfg.Limits.Rate.PerToken, 0.0},
		{"rate per user default", cfg.Limits.Rate.PerUser, float64(DefaultRatePerUser)},
		{"rate per user burst default", cfg.Limits.Rate.PerUserBurst, DefaultRatePerUserBurst},
		{"merge concurrent writes", cfg.Limits.MergeWrites(), false},
		{"merge concurrent writes default", DefaultConfig().Limits.MergeWrites(), true},
		{"range limit default", cfg.Limits.DefaultRangeLimit, int64(DefaultRangeLimit)},
		{"snapshot dir", cfg.Maintenance.SnapshotDir, "/var/lib/etcd-monitor/snapshots"},
		{"restore dir default", cfg.Maintenance.RestoreDir, DefaultRestoreDir},
		{"progress interval default", time.Duration(cfg.Watch.ProgressInterval), DefaultProgressInterval},
		{"queue redis url", cfg.Queue.RedisURL, "redis://:pw@redis:6379/2"},
		{"queue workers (only enqueue)", cfg.Queue.WorkerCount(), 0},
		{"queue workers default", DefaultConfig().Queue.WorkerCount(), 2},
		{"queue stream default", cfg.Queue.Stream, "default"},
		{"queue group default", cfg.Queue.Group, "workers"},
		{"queue visibility timeout default", time.Duration(cfg.Queue.VisibilityTimeout), 30 * time.Second},
		{"queue max attempts default", cfg.Queue.MaxAttempts, 5},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// Each invalid file fails at load with its exact message, which names the field.
func TestConfigRejectsInvalidFiles(t *testing.T) {
	want := map[string]string{
		"invalid-clusters-missing.yml":                         "clusters: must not be empty",
		"invalid-cluster-endpoints-empty.yml":                  "clusters[0].endpoints: must not be empty",
		"invalid-cluster-protected-not-bool.yml":               "clusters[0].protected: want true or false",
		"invalid-benchmarks-profiles-file-missing.yml":         "benchmarks.profiles_file: profiles file: open testdata/no-such-profiles.yml: no such file or directory",
		"invalid-benchmarks-profile-bad-flag.yml":              "benchmarks.profiles_file: profiles file testdata/profiles-bad-flag.yml: profiles[0].runs[0].duration: needs a positive flags.rate",
		"invalid-benchmarks-cluster-unknown.yml":               "benchmarks.clusters.zz: no cluster of that name in clusters",
		"invalid-benchmarks-cluster-profiles-file-missing.yml": "benchmarks.clusters.a.profiles_file: profiles file: open testdata/no-such-profiles.yml: no such file or directory",
		"invalid-benchmarks-cluster-profile-bad-flag.yml":      "benchmarks.clusters.a.profiles_file: profiles file testdata/profiles-bad-flag.yml: profiles[0].runs[0].duration: needs a positive flags.rate",
		"invalid-benchmarks-cluster-profiles-file-empty.yml":   "benchmarks.clusters.a.profiles_file: must be set",
		"invalid-unknown-field.yml":                            "field retension not found",
		"invalid-audit-max-batch-zero.yml":                     "audit.max_batch: must be greater than 0",
		"invalid-audit-seal-no-witness.yml":                    "audit.witness: set file or etcd",
		"invalid-audit-witness-without-key.yml":                "audit.signing_key_file: must be set when a witness is",
		"invalid-audit-retention-bad.yml":                      `not a valid duration string: "forever"`,
		"invalid-grafana-user-header-empty.yml":                "auth.grafana.user_header: must not be empty",
		"invalid-grafana-headers-same.yml":                     "auth.grafana.role_header: must differ from user_header",
		"invalid-grafana-header-authorization.yml":             "auth.grafana.role_header: must not be Authorization",
		"invalid-grafana-org-header-same.yml":                  "auth.grafana.org_header: must differ from user_header and role_header",
		"invalid-grafana-service-token-org-zero.yml":           "auth.grafana.service_tokens[0].org_id: must be a Grafana org id (1 or more)",
		"invalid-grafana-service-token-id-empty.yml":           "auth.grafana.service_tokens[0].token_id: must not be empty",
		"invalid-grafana-service-token-twice.yml":              `auth.grafana.service_tokens[1].token_id: "tok1" is listed twice`,
		"invalid-grafana-service-token-org-role.yml":           `auth.grafana.service_tokens[0].roles: "Owner" is not a Grafana org role: want Viewer, Editor or Admin`,
		"invalid-grafana-service-token-role.yml":               `auth.grafana.service_tokens[0].roles.Editor.role: "writer": want none, viewer, editor or admin`,
		"invalid-grafana-service-token-prefix-empty.yml":       "auth.grafana.service_tokens[0].roles.Editor.key_prefixes[1]: must not be empty",
		"invalid-auth-trusted-proxies-bad.yml":                 `auth.trusted_proxies[1]: "ingress.local" is not a CIDR or an IP address`,
		"invalid-auth-failure-audit-interval-zero.yml":         "auth.failure_audit_interval: must be greater than 0",
		"invalid-limits-request-bytes-negative.yml":            "limits.max_request_bytes: must be greater than 0",
		"invalid-limits-range-max-below-default.yml":           "limits.max_range_limit: must be at least default_range_limit",
		"invalid-limits-watches-zero.yml":                      "limits.max_watches_per_user: must be greater than 0",
		"invalid-maintenance-same-dirs.yml":                    "maintenance.restore_dir: must differ from snapshot_dir",
		"invalid-store-unknown-field.yml":                      "field dns not found",
		"invalid-limits-watches-per-token-zero.yml":            "limits.max_watches_per_token: must be greater than 0",
		"invalid-limits-watches-total-negative.yml":            "limits.max_watches_total: must be greater than 0",
		"invalid-limits-rate-per-token-negative.yml":           "limits.rate.per_token: must be 0 (off) or a positive number of requests per second",
		"invalid-limits-rate-per-user-burst-negative.yml":      "limits.rate.per_user_burst: must not be negative",
		"invalid-limits-rate-per-user-infinite.yml":            "limits.rate.per_user: must be 0 (off) or a positive number of requests per second",
		"invalid-audit-spool-dir-empty.yml":                    "audit.spool_dir: must not be empty",
		"invalid-audit-spool-max-bytes-zero.yml":               "audit.spool_max_bytes: must be greater than 0",
		"invalid-auth-max-stale-bad.yml":                       `not a valid duration string: "a while"`,
		"invalid-queue-redis-url-bad.yml":                      "queue.redis_url: want redis://[user:password@]host:port[/db]",
		"invalid-queue-redis-url-scheme.yml":                   "queue.redis_url: want redis://[user:password@]host:port[/db]",
		"invalid-queue-stream-bad.yml":                         "queue.stream: want letters, digits",
		"invalid-queue-group-bad.yml":                          "queue.group: want letters, digits",
		"invalid-queue-visibility-timeout-short.yml":           "queue.visibility_timeout: must be at least 1s",
		"invalid-queue-max-attempts-zero.yml":                  "queue.max_attempts: must be greater than 0",
		"invalid-queue-workers-negative.yml":                   "queue.workers: must not be negative",
		"invalid-queue-unknown-field.yml":                      "field redis_pasword not found",
		"invalid-queue-schedule-interval-short.yml":            "queue.schedule_interval: must be between 1s and 1m",
		"invalid-queue-schedule-interval-long.yml":             "queue.schedule_interval: must be between 1s and 1m",
		"invalid-queue-scheduler-not-bool.yml":                 "cannot unmarshal !!str `sometimes` into bool",
	}
	configtest.CheckInvalidFiles(t, "testdata/invalid-*.yml", want, func(path string) error {
		_, err := LoadConfig(path)
		return err
	})
}

func TestDefaultConfigWithAClusterIsValid(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err == nil || err.Error() != "clusters: must not be empty" {
		t.Fatalf("default config without clusters: %v", err)
	}
	cfg.Clusters = append(cfg.Clusters, clusterconfig.Cluster{Name: "a", Endpoints: []string{"http://127.0.0.1:2379"},
		DialTimeout: model.Duration(time.Second), RequestTimeout: model.Duration(time.Second)})
	if err := cfg.Validate(); err != nil {
		t.Fatalf("default config with a cluster: %v", err)
	}
}

// A Redis URL that does not parse is refused naming the field, never showing its password.
func TestConfigQueueRedisURLErrorHidesPassword(t *testing.T) {
	_, err := LoadConfig("testdata/invalid-queue-redis-url-bad.yml")
	if err == nil {
		t.Fatal("loaded a bad redis_url")
	}
	if strings.Contains(err.Error(), "s3cretpw") {
		t.Fatalf("error shows the Redis password: %v", err)
	}
}
