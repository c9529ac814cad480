package config

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/auditseal"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/store/open"
)

// Config is opsproxy's configuration file. The listen address and TLS come from the
// exporter-toolkit flags (--web.listen-address, --web.config.file), as for the exporter.
type Config struct {
	// Clusters are the etcd clusters the API operates on, in the exporter's format.
	Clusters clusterconfig.Clusters `yaml:"clusters"`
	Auth     AuthConfig             `yaml:"auth,omitempty"`
	// Store is the history store: PostgreSQL when dsn is set, otherwise the embedded file.
	Store       open.Config       `yaml:"store,omitempty"`
	Audit       AuditConfig       `yaml:"audit,omitempty"`
	Limits      LimitsConfig      `yaml:"limits,omitempty"`
	Watch       WatchConfig       `yaml:"watch,omitempty"`
	Maintenance MaintenanceConfig `yaml:"maintenance,omitempty"`
	UI          UIConfig          `yaml:"ui,omitempty"`
	Queue       QueueConfig       `yaml:"queue,omitempty"`
	Benchmarks  BenchmarksConfig  `yaml:"benchmarks,omitempty"`
	Backups     BackupsConfig     `yaml:"backups,omitempty"`
}

// AuthConfig configures token authentication.
type AuthConfig struct {
	// BootstrapTokenFile holds the admin token created on first start, when the store has no
	// token yet: its content is used when the file exists, otherwise a token is generated and
	// written there (mode 0600).
	BootstrapTokenFile string `yaml:"bootstrap_token_file,omitempty"`
	// TokenCacheTTL is how long a looked-up token is trusted before it is read again; a
	// revocation made through another opsproxy replica takes effect within this time.
	TokenCacheTTL model.Duration `yaml:"token_cache_ttl,omitempty"`
	// TokenCacheMaxStale is how long after it was last read from the store a cached token is
	// still accepted while the store is down (a store error other than "not found"); 0 stops
	// accepting cached tokens past token_cache_ttl (as does a value below it). Revocations and expiry made during that
	// time are unknown here until the store answers again; expiry set before is still applied.
	TokenCacheMaxStale model.Duration `yaml:"token_cache_max_stale,omitempty"`
	// Grafana names the headers with which a service token passes the end user.
	Grafana GrafanaConfig `yaml:"grafana,omitempty"`
	// TrustedProxies are the addresses (CIDRs, or single IP addresses) of reverse proxies whose
	// X-Forwarded-For is believed: the source of a request that comes through them is the
	// right-most address of X-Forwarded-For that is not itself a trusted proxy. Without it,
	// the source is always the peer address.
	TrustedProxies []string `yaml:"trusted_proxies,omitempty"`
	// FailureAuditInterval coalesces the audit records of failed authentications: the first
	// failure of a source and reason in an interval is recorded at once, the rest are counted
	// and recorded as one summary when the interval ends.
	FailureAuditInterval model.Duration `yaml:"failure_audit_interval,omitempty"`
}

// TrustedProxyPrefixes returns TrustedProxies parsed (a single address as a one-address
// prefix); entries that do not parse are left out (Validate rejects them).
func (a AuthConfig) TrustedProxyPrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range a.TrustedProxies {
		if p, err := parseProxy(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func parseProxy(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// GrafanaConfig says how a service token acting for Grafana users is read: the headers that
// carry the end user, the org role and the org, and, per service token, the Grafana org it
// belongs to and what each org role gets (see GrafanaServiceToken).
type GrafanaConfig struct {
	// UserHeader carries the Grafana login of the end user a service token acts for.
	UserHeader string `yaml:"user_header,omitempty"`
	// RoleHeader carries the end user's Grafana org role (Viewer, Editor, Admin).
	RoleHeader string `yaml:"role_header,omitempty"`
	// OrgHeader carries the Grafana org id of the request.
	OrgHeader string `yaml:"org_header,omitempty"`
	// ServiceTokens maps service tokens, by token id, onto a Grafana org and role grants. A
	// service token without an entry gets the default grants for any org.
	ServiceTokens []GrafanaServiceToken `yaml:"service_tokens,omitempty"`
}

// GrafanaServiceToken is one service token's Grafana org and what each org role gets. An org
// role without a grant gets the default: Viewer a viewer, Editor an editor under the token's
// key prefixes, Admin an admin of the token's clusters. Whatever the grant, a user never gets
// more than the token itself: the lower role, and key prefixes within the token's.
type GrafanaServiceToken struct {
	// TokenID is the service token's id (16 hex digits), as `etcd-monitor opsproxy token create` printed it.
	TokenID string `yaml:"token_id"`
	// OrgID is the Grafana org the token serves: a request for any other org is refused.
	OrgID int64 `yaml:"org_id"`
	// Roles grants, by Grafana org role (Viewer, Editor, Admin), an opsproxy role (none,
	// viewer, editor, admin) and the key prefixes it may write under.
	Roles map[string]GrafanaRoleGrant `yaml:"roles,omitempty"`
}

// GrafanaRoleGrant is what one Grafana org role gets through a service token.
type GrafanaRoleGrant struct {
	// Role is the opsproxy role the org role gets: none, viewer, editor or admin.
	Role string `yaml:"role"`
	// KeyPrefixes narrows writes to these prefixes (each within the token's own); empty: the
	// token's prefixes.
	KeyPrefixes []string `yaml:"key_prefixes,omitempty"`
}

// GrafanaOrgRoles are the Grafana org roles a service token may pass.
var GrafanaOrgRoles = []string{"Viewer", "Editor", "Admin"}

// ServiceToken returns the entry of the given token id, if any.
func (g GrafanaConfig) ServiceToken(id string) (GrafanaServiceToken, bool) {
	for _, st := range g.ServiceTokens {
		if st.TokenID == id {
			return st, true
		}
	}
	return GrafanaServiceToken{}, false
}

// validate checks the service token entries; the error names the field.
func (g GrafanaConfig) validate() error {
	seen := map[string]bool{}
	for i, st := range g.ServiceTokens {
		field := fmt.Sprintf("auth.grafana.service_tokens[%d]", i)
		switch {
		case strings.TrimSpace(st.TokenID) == "":
			return fmt.Errorf("%s.token_id: must not be empty", field)
		case seen[st.TokenID]:
			return fmt.Errorf("%s.token_id: %q is listed twice", field, st.TokenID)
		case st.OrgID <= 0:
			return fmt.Errorf("%s.org_id: must be a Grafana org id (1 or more)", field)
		}
		seen[st.TokenID] = true
		for _, orgRole := range slices.Sorted(maps.Keys(st.Roles)) {
			grant := st.Roles[orgRole]
			if !slices.Contains(GrafanaOrgRoles, orgRole) {
				return fmt.Errorf("%s.roles: %q is not a Grafana org role: want Viewer, Editor or Admin", field, orgRole)
			}
			if !slices.Contains([]string{"none", "viewer", "editor", "admin"}, grant.Role) {
				return fmt.Errorf("%s.roles.%s.role: %q: want none, viewer, editor or admin", field, orgRole, grant.Role)
			}
			for j, p := range grant.KeyPrefixes {
				if p == "" {
					return fmt.Errorf("%s.roles.%s.key_prefixes[%d]: must not be empty", field, orgRole, j)
				}
			}
		}
	}
	return nil
}

// AuditConfig configures the audit log.
type AuditConfig struct {
	// Retention removes records older than this (0 keeps everything).
	Retention model.Duration `yaml:"retention,omitempty"`
	// MaxBatch is the most records committed in one transaction.
	MaxBatch int `yaml:"max_batch,omitempty"`
	// CommitTimeout bounds one commit; a mutating request whose record is not committed in
	// time is refused with 503.
	CommitTimeout model.Duration `yaml:"commit_timeout,omitempty"`
	// Seal signs a checkpoint of the chain head after every committed batch and publishes it
	// to witnesses outside the database (signing_key_file, witness.file, witness.etcd).
	Seal auditseal.Config `yaml:",inline"`
	// SpoolDir keeps, while the history store is down, the records of reads (and the
	// outcomes of mutations whose attempt was committed) until they can be committed.
	SpoolDir string `yaml:"spool_dir,omitempty"`
	// SpoolMaxBytes bounds the records waiting in SpoolDir; when it is reached, reads are
	// refused with 503 like writes.
	SpoolMaxBytes int64 `yaml:"spool_max_bytes,omitempty"`
}

// LimitsConfig bounds requests.
type LimitsConfig struct {
	// MaxRequestBytes is etcd's --max-request-bytes: a put whose key and value exceed it is
	// refused with 413 before it is sent.
	MaxRequestBytes int `yaml:"max_request_bytes,omitempty"`
	// DefaultRangeLimit is the page size of a range read without a limit.
	DefaultRangeLimit int64 `yaml:"default_range_limit,omitempty"`
	// MaxRangeLimit caps the limit a client may ask for.
	MaxRangeLimit int64 `yaml:"max_range_limit,omitempty"`
	// MaxWatchesPerUser caps the open watches of one end user.
	MaxWatchesPerUser int `yaml:"max_watches_per_user,omitempty"`
	// MaxWatchesPerToken caps the open watches of one token, whichever users it acts for.
	MaxWatchesPerToken int `yaml:"max_watches_per_token,omitempty"`
	// MaxWatchesTotal caps the open watches of the whole server.
	MaxWatchesTotal int `yaml:"max_watches_total,omitempty"`
	// Rate limits audited operations per token and per end user.
	Rate RateConfig `yaml:"rate,omitempty"`
	// MergeConcurrentWrites (default true) lets puts to one cluster that arrive while
	// others are in flight go to etcd as one transaction, which multiplies the write rate
	// etcd sustains. Merged puts share one revision; set it to false when every write must
	// get a revision of its own.
	MergeConcurrentWrites *bool `yaml:"merge_concurrent_writes,omitempty"`
}

// RateConfig limits the rate of audited operations (every API call but /-/healthy and
// /metrics), so that no caller can write audit records faster than the store commits them.
// A rate of 0 turns that limit off; a burst of 0 is the rate rounded up.
type RateConfig struct {
	// PerToken is the requests per second of one token, whoever it acts for. Off by default:
	// one service token (the Grafana app's) carries every Grafana user's requests, and the
	// rate a store sustains depends on the machine; set it from
	// etcd_monitor_opsproxy_audit_commit_duration_seconds and docs/performance.md.
	PerToken float64 `yaml:"per_token,omitempty"`
	// PerTokenBurst is how many requests a token may make at once above PerToken.
	PerTokenBurst int `yaml:"per_token_burst,omitempty"`
	// PerUser is the requests per second of one end user of a token acting for Grafana
	// users (the user header), counted per token.
	PerUser float64 `yaml:"per_user,omitempty"`
	// PerUserBurst is how many requests an end user may make at once above PerUser.
	PerUserBurst int `yaml:"per_user_burst,omitempty"`
}

// MergeWrites reports whether concurrent puts are merged into transactions.
func (l LimitsConfig) MergeWrites() bool {
	return l.MergeConcurrentWrites == nil || *l.MergeConcurrentWrites
}

// UIConfig configures the standalone console served at /ui/.
type UIConfig struct {
	// Enabled (default true) serves the console; false answers 404 under /ui/. The API is the
	// same either way.
	Enabled *bool `yaml:"enabled,omitempty"`
}

// Serve reports whether the console is served.
func (u UIConfig) Serve() bool {
	return u.Enabled == nil || *u.Enabled
}

// WatchConfig tunes watches.
type WatchConfig struct {
	// ProgressInterval is how often an idle watch asks etcd for a progress notification,
	// which is passed on as a `progress` event carrying the revision.
	ProgressInterval model.Duration `yaml:"progress_interval,omitempty"`
}

// MaintenanceConfig places snapshot and restore files.
type MaintenanceConfig struct {
	// SnapshotDir receives snapshot files; snapshots are named, never given a path.
	SnapshotDir string `yaml:"snapshot_dir,omitempty"`
	// RestoreDir receives restored data directories; a restore never writes elsewhere and
	// never into an existing directory.
	RestoreDir string `yaml:"restore_dir,omitempty"`
	// HealthTimeout bounds the health check made before each member is defragmented.
	HealthTimeout model.Duration `yaml:"health_timeout,omitempty"`
	// DefragTimeout bounds the defragmentation of one member.
	DefragTimeout model.Duration `yaml:"defrag_timeout,omitempty"`
}

// Defaults.
const (
	DefaultTokenCacheTTL        = 2 * time.Second
	DefaultFailureAuditInterval = time.Minute
	DefaultTokenCacheMaxStale   = 15 * time.Minute
	DefaultAuditSpoolDir        = "audit-spool"
	DefaultAuditSpoolMaxBytes   = 64 << 20
	DefaultUserHeader           = "X-Grafana-User"
	DefaultRoleHeader           = "X-Grafana-Org-Role"
	DefaultOrgHeader            = "X-Grafana-Org-Id"
	DefaultAuditMaxBatch        = 1000
	DefaultCommitTimeout        = 5 * time.Second
	DefaultMaxRequestBytes      = 1536 * 1024 // etcd's embed.DefaultMaxRequestBytes
	DefaultRangeLimit           = 1000
	DefaultMaxRangeLimit        = 10000
	DefaultMaxWatchesPerUser    = 16
	DefaultProgressInterval     = 10 * time.Second
	DefaultSnapshotDir          = "snapshots"
	DefaultRestoreDir           = "restores"
	DefaultHealthTimeout        = 5 * time.Second
	DefaultDefragTimeout        = 5 * time.Minute
)

// Defaults of the caps on open watches beside DefaultMaxWatchesPerUser, and of the rate
// limits (no default limit per token: see RateConfig).
const (
	DefaultMaxWatchesPerToken = 256
	DefaultMaxWatchesTotal    = 1024
	DefaultRatePerUser        = 20
	DefaultRatePerUserBurst   = 100
)

// DefaultConfig is the configuration with every default applied and no cluster: add
// Clusters (and set Store) before passing it to New.
func DefaultConfig() Config {
	return Config{
		Auth: AuthConfig{
			TokenCacheTTL:        model.Duration(DefaultTokenCacheTTL),
			TokenCacheMaxStale:   model.Duration(DefaultTokenCacheMaxStale),
			FailureAuditInterval: model.Duration(DefaultFailureAuditInterval),
			Grafana:              GrafanaConfig{UserHeader: DefaultUserHeader, RoleHeader: DefaultRoleHeader, OrgHeader: DefaultOrgHeader},
		},
		Audit: AuditConfig{MaxBatch: DefaultAuditMaxBatch, CommitTimeout: model.Duration(DefaultCommitTimeout),
			SpoolDir: DefaultAuditSpoolDir, SpoolMaxBytes: DefaultAuditSpoolMaxBytes},
		Limits: LimitsConfig{
			MaxRequestBytes:    DefaultMaxRequestBytes,
			DefaultRangeLimit:  DefaultRangeLimit,
			MaxRangeLimit:      DefaultMaxRangeLimit,
			MaxWatchesPerUser:  DefaultMaxWatchesPerUser,
			MaxWatchesPerToken: DefaultMaxWatchesPerToken,
			MaxWatchesTotal:    DefaultMaxWatchesTotal,
			Rate:               RateConfig{PerUser: DefaultRatePerUser, PerUserBurst: DefaultRatePerUserBurst},
		},
		Watch: WatchConfig{ProgressInterval: model.Duration(DefaultProgressInterval)},
		Maintenance: MaintenanceConfig{
			SnapshotDir:   DefaultSnapshotDir,
			RestoreDir:    DefaultRestoreDir,
			HealthTimeout: model.Duration(DefaultHealthTimeout),
			DefragTimeout: model.Duration(DefaultDefragTimeout),
		},
		Queue: QueueConfig{Stream: DefaultQueueStream, Group: DefaultQueueGroup,
			VisibilityTimeout: model.Duration(DefaultQueueVisibilityTimeout), MaxAttempts: DefaultQueueMaxAttempts,
			ScheduleInterval: model.Duration(DefaultQueueScheduleInterval)},
	}
}

// UnmarshalYAML applies defaults, decodes strictly and validates the whole file.
func (c *Config) UnmarshalYAML(unmarshal func(any) error) error {
	type plain Config
	*c = DefaultConfig()
	if err := unmarshal((*plain)(c)); err != nil {
		return err
	}
	return c.Validate()
}

// Validate checks the configuration; the error names the field.
func (c *Config) Validate() error {
	if len(c.Clusters) == 0 {
		return errors.New("clusters: must not be empty")
	}
	for _, h := range []struct{ field, value string }{
		{"auth.grafana.user_header", c.Auth.Grafana.UserHeader},
		{"auth.grafana.role_header", c.Auth.Grafana.RoleHeader},
		{"auth.grafana.org_header", c.Auth.Grafana.OrgHeader},
	} {
		if strings.TrimSpace(h.value) == "" {
			return fmt.Errorf("%s: must not be empty", h.field)
		}
		if http.CanonicalHeaderKey(h.value) == "Authorization" {
			return fmt.Errorf("%s: must not be Authorization", h.field)
		}
	}
	if strings.EqualFold(c.Auth.Grafana.UserHeader, c.Auth.Grafana.RoleHeader) {
		return errors.New("auth.grafana.role_header: must differ from user_header")
	}
	if strings.EqualFold(c.Auth.Grafana.OrgHeader, c.Auth.Grafana.UserHeader) || strings.EqualFold(c.Auth.Grafana.OrgHeader, c.Auth.Grafana.RoleHeader) {
		return errors.New("auth.grafana.org_header: must differ from user_header and role_header")
	}
	if err := c.Auth.Grafana.validate(); err != nil {
		return err
	}
	for i, p := range c.Auth.TrustedProxies {
		if _, err := parseProxy(p); err != nil {
			return fmt.Errorf("auth.trusted_proxies[%d]: %q is not a CIDR or an IP address", i, p)
		}
	}
	if c.Auth.FailureAuditInterval <= 0 {
		return errors.New("auth.failure_audit_interval: must be greater than 0")
	}
	switch {
	case c.Audit.MaxBatch <= 0:
		return errors.New("audit.max_batch: must be greater than 0")
	case c.Audit.CommitTimeout <= 0:
		return errors.New("audit.commit_timeout: must be greater than 0")
	case strings.TrimSpace(c.Audit.SpoolDir) == "":
		return errors.New("audit.spool_dir: must not be empty")
	case c.Audit.SpoolMaxBytes <= 0:
		return errors.New("audit.spool_max_bytes: must be greater than 0")
	case c.Limits.MaxRequestBytes <= 0:
		return errors.New("limits.max_request_bytes: must be greater than 0")
	case c.Limits.DefaultRangeLimit <= 0:
		return errors.New("limits.default_range_limit: must be greater than 0")
	case c.Limits.MaxRangeLimit < c.Limits.DefaultRangeLimit:
		return errors.New("limits.max_range_limit: must be at least default_range_limit")
	case c.Limits.MaxWatchesPerUser <= 0:
		return errors.New("limits.max_watches_per_user: must be greater than 0")
	case c.Limits.MaxWatchesPerToken <= 0:
		return errors.New("limits.max_watches_per_token: must be greater than 0")
	case c.Limits.MaxWatchesTotal <= 0:
		return errors.New("limits.max_watches_total: must be greater than 0")
	case !(c.Limits.Rate.PerToken >= 0) || math.IsInf(c.Limits.Rate.PerToken, 0):
		return errors.New("limits.rate.per_token: must be 0 (off) or a positive number of requests per second")
	case c.Limits.Rate.PerTokenBurst < 0:
		return errors.New("limits.rate.per_token_burst: must not be negative")
	case !(c.Limits.Rate.PerUser >= 0) || math.IsInf(c.Limits.Rate.PerUser, 0):
		return errors.New("limits.rate.per_user: must be 0 (off) or a positive number of requests per second")
	case c.Limits.Rate.PerUserBurst < 0:
		return errors.New("limits.rate.per_user_burst: must not be negative")
	case c.Watch.ProgressInterval <= 0:
		return errors.New("watch.progress_interval: must be greater than 0")
	case strings.TrimSpace(c.Maintenance.SnapshotDir) == "":
		return errors.New("maintenance.snapshot_dir: must not be empty")
	case strings.TrimSpace(c.Maintenance.RestoreDir) == "":
		return errors.New("maintenance.restore_dir: must not be empty")
	case filepath.Clean(c.Maintenance.SnapshotDir) == filepath.Clean(c.Maintenance.RestoreDir):
		return errors.New("maintenance.restore_dir: must differ from snapshot_dir")
	case c.Maintenance.HealthTimeout <= 0:
		return errors.New("maintenance.health_timeout: must be greater than 0")
	case c.Maintenance.DefragTimeout <= 0:
		return errors.New("maintenance.defrag_timeout: must be greater than 0")
	}
	if err := c.Audit.Seal.Validate(); err != nil {
		return fmt.Errorf("audit.%w", err)
	}
	if err := c.Queue.validate(); err != nil {
		return err
	}
	if err := c.Benchmarks.load(c.Clusters); err != nil {
		return err
	}
	return c.Backups.load(c.Clusters, c.Store)
}

// LoadConfig reads and checks a configuration file.
func LoadConfig(path string) (*Config, error) {
	var c Config
	if err := clusterconfig.DecodeFile(path, &c); err != nil {
		return nil, err
	}
	return &c, nil
}
