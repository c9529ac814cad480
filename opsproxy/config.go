package opsproxy

import "github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"

// The configuration file's types live in internal/config so that every API area can read them;
// these names are the public ones.
type (
	Config            = config.Config
	AuthConfig        = config.AuthConfig
	GrafanaConfig     = config.GrafanaConfig
	AuditConfig       = config.AuditConfig
	LimitsConfig      = config.LimitsConfig
	RateConfig        = config.RateConfig
	WatchConfig       = config.WatchConfig
	MaintenanceConfig = config.MaintenanceConfig
	QueueConfig       = config.QueueConfig
)

// DefaultConfig is the configuration with every default applied and no cluster: add Clusters
// (and set Store) before passing it to New.
func DefaultConfig() Config { return config.DefaultConfig() }

// LoadConfig reads and checks a configuration file.
func LoadConfig(path string) (*Config, error) { return config.LoadConfig(path) }

// Defaults, as internal/config defines them.
const (
	DefaultTokenCacheTTL        = config.DefaultTokenCacheTTL
	DefaultFailureAuditInterval = config.DefaultFailureAuditInterval
	DefaultTokenCacheMaxStale   = config.DefaultTokenCacheMaxStale
	DefaultAuditSpoolDir        = config.DefaultAuditSpoolDir
	DefaultAuditSpoolMaxBytes   = config.DefaultAuditSpoolMaxBytes
	DefaultUserHeader           = config.DefaultUserHeader
	DefaultRoleHeader           = config.DefaultRoleHeader
	DefaultOrgHeader            = config.DefaultOrgHeader
	DefaultAuditMaxBatch        = config.DefaultAuditMaxBatch
	DefaultCommitTimeout        = config.DefaultCommitTimeout
	DefaultMaxRequestBytes      = config.DefaultMaxRequestBytes
	DefaultRangeLimit           = config.DefaultRangeLimit
	DefaultMaxRangeLimit        = config.DefaultMaxRangeLimit
	DefaultMaxWatchesPerUser    = config.DefaultMaxWatchesPerUser
	DefaultProgressInterval     = config.DefaultProgressInterval
	DefaultSnapshotDir          = config.DefaultSnapshotDir
	DefaultRestoreDir           = config.DefaultRestoreDir
	DefaultHealthTimeout        = config.DefaultHealthTimeout
	DefaultDefragTimeout        = config.DefaultDefragTimeout
)

// Defaults of the caps on open watches and of the rate limits, as internal/config defines them.
const (
	DefaultMaxWatchesPerToken = config.DefaultMaxWatchesPerToken
	DefaultMaxWatchesTotal    = config.DefaultMaxWatchesTotal
	DefaultRatePerUser        = config.DefaultRatePerUser
	DefaultRatePerUserBurst   = config.DefaultRatePerUserBurst
)
