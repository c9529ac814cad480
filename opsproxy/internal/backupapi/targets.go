package backupapi

import (
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup"
)

// Target is one cluster's backups in one location, as the served configuration says. It holds
// no secret: no key, no credential and no credential file's path.
type Target struct {
	Cluster  string
	Location string
	// Kind is "dir" or "s3"; Where says where ("dir /var/backups/etcd", "s3://bucket/prefix").
	Kind, Where string
	Encrypted   bool
	// External is a location another tool fills: it is only watched.
	External        bool
	Schedule        string
	MaxAge          time.Duration
	RetentionCount  int
	RetentionMaxAge time.Duration
	DrillSchedule   string
	InspectSchedule string
}

// Source is where the API and the metrics find the configured backups. It is read again on every
// request and scrape, so a reload applies at once.
type Source interface {
	// Targets lists every cluster's backups in the served configuration, in configuration order.
	Targets() []Target
	// Engine returns the engine of cluster's backups in location; ok is false when the
	// configuration has no such pair.
	Engine(cluster, location string) (e *backup.Engine, ok bool, err error)
}

// targetsOf keeps the targets of cluster.
func targetsOf(src Source, cluster string) []Target {
	var out []Target
	for _, t := range src.Targets() {
		if t.Cluster == cluster {
			out = append(out, t)
		}
	}
	return out
}
