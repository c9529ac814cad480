package completion

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// clusterReader is the Cluster of one request: the cluster's client, taken only when a
// candidate needs it, and the snapshot directory.
type clusterReader struct {
	conn        *conns.Conn
	p           *core.Principal
	snapshotDir string
	logger      *slog.Logger
	cli         *clientv3.Client
	// scanned and scannedEnd are the range of the first key read, for the audit record.
	scanned, scannedEnd []byte
}

var _ Cluster = (*clusterReader)(nil)

func (r *clusterReader) client(ctx context.Context) (*clientv3.Client, error) {
	if r.cli != nil {
		return r.cli, nil
	}
	cli := r.conn.ReadyClient()
	if cli == nil {
		var err error
		if cli, err = r.conn.Client(ctx); err != nil {
			return nil, err
		}
	}
	r.cli = cli
	return cli, nil
}

// KeyNames implements Cluster: a keys-only, serializable range read. etcd counts every key of
// the range (its answer's count) whatever the limit, so the skip-scan keeps its ranges narrow.
// (etcd 3.7's RangeStream counts nothing while it streams, but a stream cancelled early keeps
// the server reading on: measured slower than a counted read of the same range.)
func (r *clusterReader) KeyNames(ctx context.Context, start, end string, limit int64) ([]string, bool, error) {
	if r.scanned == nil {
		r.scanned, r.scannedEnd = []byte(start), []byte(end)
	}
	cli, err := r.client(ctx)
	if err != nil {
		return nil, false, err
	}
	resp, err := cli.Get(ctx, start, clientv3.WithRange(end), clientv3.WithKeysOnly(), clientv3.WithSerializable(), clientv3.WithLimit(limit))
	if err != nil {
		return nil, false, err
	}
	keys := make([]string, len(resp.Kvs))
	for i, kv := range resp.Kvs {
		keys[i] = string(kv.Key)
	}
	return keys, resp.More, nil
}

// Members implements Cluster: the member list as the member that answers knows it.
func (r *clusterReader) Members(ctx context.Context) ([]Member, error) {
	cli, err := r.client(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := cli.MemberList(ctx, clientv3.WithSerializable())
	if err != nil {
		return nil, err
	}
	out := make([]Member, len(resp.Members))
	for i, m := range resp.Members {
		out[i] = Member{ID: m.ID, Name: m.Name, PeerURLs: m.PeerURLs, IsLearner: m.IsLearner}
	}
	return out, nil
}

// LeaseIDs implements Cluster.
func (r *clusterReader) LeaseIDs(ctx context.Context) ([]int64, error) {
	cli, err := r.client(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := cli.Leases(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(resp.Leases))
	for i, l := range resp.Leases {
		ids[i] = int64(l.ID)
	}
	return ids, nil
}

// Snapshots implements Cluster: the snapshot directory's snapshots, for admins only (the role
// snapshots need), and of those only the ones the token's cluster scope covers, as the
// snapshot routes decide (a snapshot of no known cluster is for tokens of every cluster).
func (r *clusterReader) Snapshots(ctx context.Context) ([]Snapshot, error) {
	if r.p.Role < core.RoleAdmin || r.snapshotDir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(r.snapshotDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		// The directory's path is opsproxy's business, not the caller's: log it, offer none.
		r.logger.Warn("snapshot directory unreadable for completion", "err", err)
		return nil, nil
	}
	var out []Snapshot
	for _, e := range entries {
		if e.IsDir() || !snapshotfile.ValidName(e.Name()) {
			continue
		}
		meta, _ := snapshotfile.ReadMeta(r.snapshotDir, e.Name())
		if meta.Cluster == "" && len(r.p.Token.Clusters) > 0 || meta.Cluster != "" && !r.p.MayUseCluster(meta.Cluster) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, Snapshot{Name: e.Name(), Cluster: meta.Cluster, Size: fi.Size()})
	}
	slices.SortFunc(out, func(a, b Snapshot) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
