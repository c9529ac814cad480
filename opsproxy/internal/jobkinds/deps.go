package jobkinds

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/benchrunner/slo"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
)

// Deps is what the job kinds need from the process that runs them.
type Deps struct {
	// Cluster gives the connection to a configured cluster for the length of a job.
	Cluster ClusterFunc
	// SnapshotDir is the shared snapshot directory (maintenance.snapshot_dir): every worker and
	// every opsproxy must see the same directory.
	SnapshotDir string
	// HealthTimeout bounds a member's health check (default maintenance.health_timeout's).
	HealthTimeout time.Duration
	// DefragTimeout bounds one member's defragmentation, and how long a worker that takes a
	// defragmentation over waits for a member the previous worker was defragmenting (default
	// maintenance.defrag_timeout's).
	DefragTimeout time.Duration
	// Settle is a pause after each defragmented member before the next one is checked, letting
	// it catch up with the cluster (default none).
	Settle time.Duration
	// DiskFree, when set, tells the free bytes of the disk holding a member's data directory,
	// for the members whose directory this process can see (ok false for the others). Without
	// it the room for a defragmentation is judged from the quota (see doc.go).
	DiskFree func(cluster, member string) (free int64, ok bool)
	Logger   *slog.Logger
	// Results keeps the reports of benchmark jobs (the history store).
	Results store.ResultStore
	// Protected says whether the configured cluster called name is protected: benchmarks on
	// it need force. Nil protects none.
	Protected func(name string) bool
	// Profiles returns the SLO profiles the configuration offers on the cluster called name
	// (its benchmarks.clusters file's, then benchmarks.profiles_file's), looked up by name in
	// that order before the built-in ones. An empty name asks for those of every cluster, for
	// the checks made before the job's cluster is known. Nil offers the built-in ones only.
	Profiles func(cluster string) []slo.Profile
	// DiskAgents returns the diskprobe agents configured on the cluster called name (its
	// disk_agents), which disk-test jobs call. Nil configures none.
	DiskAgents func(cluster string) []clusterconfig.DiskAgent
	// Backups returns the backups section of the configuration served now (a reload applies
	// to the next job). Nil configures no backup.
	Backups func() config.BackupsConfig
	// BackupEvents keeps the events of backup jobs (the history store).
	BackupEvents store.BackupStore
	// RestoreDir receives the data directories backup-restore jobs write
	// (maintenance.restore_dir).
	RestoreDir string
	// DrillCommand is how a drill starts its throwaway member (default: this program
	// re-executed as `etcd-monitor backup-drill-member`).
	DrillCommand backup.DrillCommand
	// CleanupWait is how long a benchmark that lost its cluster waits for it to come back to
	// delete its keys (default maintenance.health_timeout × 30: 5 minutes by default).
	CleanupWait time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// ClusterFunc returns the connection to the configured cluster called name and a function to
// call when the job is done with it (a reload may retire the connection meanwhile). An unknown
// name is an error naming it.
type ClusterFunc func(name string) (conn *conns.Conn, release func(), err error)

// StaticClusters is the ClusterFunc of a fixed set of connections, as a worker process makes
// them with conns.Connect from the same configuration file as opsproxy.
func StaticClusters(set map[string]*conns.Conn) ClusterFunc {
	return func(name string) (*conns.Conn, func(), error) {
		c, ok := set[name]
		if !ok {
			return nil, nil, fmt.Errorf("cluster %q is not configured", name)
		}
		return c, func() {}, nil
	}
}

func (d Deps) withDefaults() Deps {
	if d.HealthTimeout <= 0 {
		d.HealthTimeout = config.DefaultHealthTimeout
	}
	if d.DefragTimeout <= 0 {
		d.DefragTimeout = config.DefaultDefragTimeout
	}
	if d.CleanupWait <= 0 {
		d.CleanupWait = 30 * d.HealthTimeout
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return d
}

// errNoCluster is the error of a job whose cluster Deps cannot give.
var errNoCluster = errors.New("no connection to the cluster")

// cluster returns the connection to the job's cluster.
func (d Deps) cluster(name string) (*conns.Conn, func(), error) {
	if d.Cluster == nil {
		return nil, nil, fmt.Errorf("cluster %q: %w", name, errNoCluster)
	}
	return d.Cluster(name)
}
