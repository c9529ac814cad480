package backupapi

import (
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// configSource reads the backups section of the configuration co serves, again on every call.
type configSource struct{ co *core.Core }

// ConfigSource is the Source of the configuration co serves.
func ConfigSource(co *core.Core) Source { return configSource{co} }

// Targets lists the configured backups, clusters sorted, each cluster's in configuration order.
func (s configSource) Targets() []Target {
	b := s.co.Config().Backups
	var out []Target
	for _, cluster := range b.ClusterNames() {
		for _, t := range b.Clusters[cluster] {
			l, ok := b.LocationByName(t.Location)
			if !ok {
				continue // the loader refuses this
			}
			kind := "dir"
			if l.S3 != nil {
				kind = "s3"
			}
			out = append(out, Target{Cluster: cluster, Location: l.Name, Kind: kind, Where: l.Where(),
				Encrypted: l.Encryption != nil, External: l.External, Schedule: t.Schedule, MaxAge: time.Duration(t.MaxAge),
				RetentionCount: t.Retention.Count, RetentionMaxAge: time.Duration(t.Retention.MaxAge),
				DrillSchedule: t.DrillSchedule, InspectSchedule: t.InspectSchedule})
		}
	}
	return out
}

// Engine makes the engine of the cluster's backups in the location, without a connection to the
// cluster: listing and reading backups back need none.
func (s configSource) Engine(cluster, loc string) (*backup.Engine, bool, error) {
	b := s.co.Config().Backups
	t, ok := b.Target(cluster, loc)
	if !ok {
		return nil, false, nil
	}
	l, ok := b.LocationByName(loc)
	if !ok {
		return nil, false, nil
	}
	cfg := l.Engine(cluster, t, b.ScratchDir)
	cfg.Logger = s.co.Logger
	e, err := backup.New(cfg)
	return e, true, err
}
