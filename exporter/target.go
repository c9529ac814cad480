package exporter

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sync"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
)

// target is one configured cluster and what the exporter keeps about it between scrapes: its
// connection (a client pinned to each member endpoint), the last leader seen, the cached HashKV
// comparison and why each member last failed.
type target struct {
	cfg      clusterconfig.Cluster
	settings ProbeSettings
	logger   *slog.Logger
	conn     *etcdconn.Cluster

	leader   leaderTracker
	hashkv   hashkvCache
	names    memberNameCache
	failures memberFailures
	canaryID string
}

func newTarget(cfg clusterconfig.Cluster, settings ProbeSettings, logger *slog.Logger, canaryID string) (*target, error) {
	conn, err := etcdconn.New(cfg)
	if err != nil {
		return nil, err
	}
	return &target{
		cfg:      cfg,
		settings: settings,
		logger:   logger.With("cluster", cfg.Name),
		conn:     conn,
		canaryID: canaryID,
	}, nil
}

// sameConfig reports whether the target was built from exactly this configuration and the files
// it names still hold the same content, in which case a reload keeps it (and its connections and
// history); a certificate, key or password file rotated under the same path makes a new target.
func (t *target) sameConfig(cfg clusterconfig.Cluster, settings ProbeSettings) bool {
	return t.conn.SameAs(cfg) && reflect.DeepEqual(t.settings, settings)
}

// member returns the client pinned to an endpoint, waiting at most until ctx ends for it to be
// made (see etcdconn.Cluster.Member).
func (t *target) member(ctx context.Context, endpoint string) (*etcdconn.Member, error) {
	m, err := t.conn.Member(ctx, endpoint)
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", endpoint, err)
	}
	return m, nil
}

// close releases every connection of the target.
func (t *target) close() { _ = t.conn.Close() }

// memberFailures remembers why each member last failed, so that a change is logged once.
type memberFailures struct {
	mu     sync.Mutex
	reason map[string]string
}

// note records a member's outcome in a scrape and logs it when it differs from the last: a new
// or different failure as a warning naming the reason, a recovery as information.
func (f *memberFailures) note(logger *slog.Logger, endpoint string, err error) {
	reason := etcdconn.ReasonOf(err)
	f.mu.Lock()
	if f.reason == nil {
		f.reason = map[string]string{}
	}
	last := f.reason[endpoint]
	f.reason[endpoint] = reason
	f.mu.Unlock()
	switch {
	case reason == last && err != nil:
		logger.Debug("member still failing", "member", endpoint, "reason", reason, "err", err)
	case reason == last:
	case err != nil:
		logger.Warn("member failing", "member", endpoint, "reason", reason, "err", err)
	default:
		logger.Info("member answering again", "member", endpoint, "was", last)
	}
}
