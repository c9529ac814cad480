package opsproxy

import (
	"fmt"
	"time"

	"github.com/etcd-monitor/etcd-monitor/benchrunner/slo"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobkinds"
)

// jobKinds are the kinds of job that s enqueues and that its workers, and those of
// `etcd-monitor worker`, run: both get them here, so neither meets a kind the other does not
// know. Snapshot jobs write to maintenance.snapshot_dir, which every worker and opsproxy must
// share, so that what a worker saved is listed and restorable everywhere.
func jobKinds(s *Server) []jobs.Kind {
	m := s.core.Config().Maintenance
	return jobkinds.Kinds(jobkinds.Deps{
		Cluster:       s.jobCluster,
		SnapshotDir:   m.SnapshotDir,
		HealthTimeout: time.Duration(m.HealthTimeout),
		DefragTimeout: time.Duration(m.DefragTimeout),
		Logger:        s.logger,
		Results:       s.store,
		Protected:     s.clusterProtected,
		// The profiles of the configuration served now: a reload that changes them applies to
		// the next job.
		Profiles: func(cluster string) []slo.Profile { return benchmarkProfiles(s.core.Config().Benchmarks, cluster) },
		// The disk agents of the configuration served now, as for the profiles.
		DiskAgents: s.diskAgents,
		// The backups section served now: a reload that changes it applies to the next job.
		Backups:      func() config.BackupsConfig { return s.core.Config().Backups },
		BackupEvents: s.store,
		RestoreDir:   m.RestoreDir,
		DrillCommand: s.drillCommand,
	})
}

// benchmarkProfiles are the configured profiles b offers on the cluster called name (its own
// before the global ones), or, for an empty name, those of every cluster.
func benchmarkProfiles(b config.BenchmarksConfig, cluster string) []slo.Profile {
	if cluster != "" {
		return b.CustomProfiles(cluster)
	}
	out := append([]slo.Profile(nil), b.Profiles...)
	for _, cb := range b.Clusters {
		out = append(out, cb.Profiles...)
	}
	return out
}

// clusterProtected reports whether the cluster called name is configured as protected, in
// the configuration served now (a reload that protects a cluster applies to the next job).
func (s *Server) clusterProtected(name string) bool {
	for _, c := range s.core.Config().Clusters {
		if c.Name == name {
			return bool(c.Protected)
		}
	}
	return false
}

// diskAgents are the disk agents configured on the cluster called name, in the configuration
// served now.
func (s *Server) diskAgents(name string) []clusterconfig.DiskAgent {
	for _, c := range s.core.Config().Clusters {
		if c.Name == name {
			return c.DiskAgents
		}
	}
	return nil
}

// jobCluster holds the connection of a configured cluster for the length of a job: a reload
// that retires it meanwhile closes it only once the job has let go.
func (s *Server) jobCluster(name string) (*conns.Conn, func(), error) {
	for {
		conn, ok := s.core.State().Clusters[name]
		if !ok {
			return nil, nil, fmt.Errorf("cluster %q is not configured", name)
		}
		if conn.Acquire() {
			return conn, conn.Release, nil
		}
		// Retired and closed since the load: the next load sees its replacement.
	}
}
