package maintenance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"
)

func checkName(field, name string) error {
	if err := snapshotfile.CheckName(field, name); err != nil {
		return apihttp.Errorf(http.StatusBadRequest, "%v", err)
	}
	return nil
}

// SnapshotInfo describes a snapshot file; the status comes from etcd's own snapshot code.
type SnapshotInfo = snapshotfile.Info

// SnapshotMetaDir is the directory of the metadata files, inside the snapshot directory.
const SnapshotMetaDir = snapshotfile.MetaDir

// snapshotMetaOf reads the metadata of the snapshot called name; a snapshot without readable
// metadata has none (zero value, cluster unknown).
func (s *api) snapshotMetaOf(name string) snapshotfile.Meta {
	m, err := snapshotfile.ReadMeta(s.Config().Maintenance.SnapshotDir, name)
	if err != nil {
		s.Logger.Warn("snapshot metadata unreadable", "snapshot", name, "err", err)
		return snapshotfile.Meta{}
	}
	return m
}

// mayUseSnapshotOf reports whether the token's cluster scope covers a snapshot of cluster; one
// of no known cluster is for tokens not limited to clusters.
func mayUseSnapshotOf(p *core.Principal, cluster string) bool {
	if cluster == "" {
		return len(p.Token.Clusters) == 0
	}
	return p.MayUseCluster(cluster)
}

// saveSnapshotRequest is the body of POST /clusters/{cluster}/snapshots.
type saveSnapshotRequest struct {
	// Member is the member to stream from (default: the first healthy follower, else the leader).
	Member string `json:"member"`
	// Name of the file (default: <cluster>-<member>-<time>.db).
	Name string `json:"name"`
}

// saveSnapshot streams a snapshot from one member into a new file of the snapshot directory,
// hashing it on the way, then reads its status with etcd's snapshot code.
func (s *api) saveSnapshot(c *core.Call) (any, error) {
	var req saveSnapshotRequest
	if err := apihttp.DecodeJSON(c.R, &req, 4<<10); err != nil && !isEmptyBody(err) {
		return nil, err
	}
	if req.Name != "" {
		if err := checkName("name", req.Name); err != nil {
			return nil, err
		}
	}
	states, err := c.Cluster.MemberStates(c.R.Context())
	if err != nil {
		return nil, err
	}
	var from *conns.EndpointState
	for i := range states {
		st := &states[i]
		switch {
		case req.Member != "" && st.Member == req.Member:
			from = st
		case req.Member == "" && st.Healthy && (from == nil || from.Status.IsLeader):
			from = st
		}
	}
	switch {
	case from == nil && req.Member != "":
		return nil, apihttp.Errorf(http.StatusNotFound, "member: no member %q", req.Member)
	case from == nil:
		return nil, apihttp.Errorf(http.StatusServiceUnavailable, "no healthy member to take a snapshot from")
	case !from.Healthy:
		return nil, apihttp.Errorf(http.StatusConflict, "member %s is unhealthy: %s", from.Member, from.Error)
	}
	name := req.Name
	if name == "" {
		name = snapshotfile.DefaultName(c.Cluster.Config().Name, from.Member, time.Now())
	}
	c.Rec.Key = []byte(name)
	dir := s.Config().Maintenance.SnapshotDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("snapshot directory: %w", err)
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return nil, apihttp.Errorf(http.StatusConflict, "snapshot %q already exists", name)
	}
	// Metadata left by a snapshot file removed by hand must not describe the new one.
	if err := snapshotfile.RemoveMeta(dir, name); err != nil {
		return nil, fmt.Errorf("snapshot metadata: %w", err)
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	size, sum, err := streamSnapshot(c.R.Context(), c.Cluster, from.Endpoint, dir, name)
	if err != nil {
		return nil, err
	}
	c.Rec.ValueSize, c.Rec.ValueSHA256 = size, sum
	now := time.Now().UTC()
	meta := snapshotfile.Meta{Cluster: c.Cluster.Config().Name, Member: from.Member, SHA256: sum, Size: size, SavedAt: now}
	if err := snapshotfile.WriteMeta(dir, name, meta); err != nil {
		// A snapshot of no known cluster would be hidden from the tokens of its cluster.
		os.Remove(path)
		return nil, fmt.Errorf("snapshot metadata: %w", err)
	}
	info := SnapshotInfo{Name: name, Size: size, SHA256: sum, ModTime: now, Member: from.Member, Cluster: c.Cluster.Config().Name}
	if info.Status, err = snapshotfile.StatusOf(path); err != nil {
		return nil, apihttp.Errorf(http.StatusBadGateway, "snapshot %s was saved but etcd cannot read it: %v", name, err)
	}
	c.Status = http.StatusCreated
	return info, nil
}

// streamSnapshot copies a member's snapshot into the snapshot called name in dir (see
// snapshotfile.Write) and returns its size and sha256.
func streamSnapshot(ctx context.Context, conn *conns.Conn, endpoint, dir, name string) (int64, string, error) {
	m, err := conn.Member(ctx, endpoint)
	if err != nil {
		return 0, "", err
	}
	rc, err := m.Maintenance.Snapshot(ctx)
	if err != nil {
		return 0, "", err
	}
	defer rc.Close()
	n, sum, err := snapshotfile.Write(dir, name, rc, nil)
	switch {
	case errors.Is(err, snapshotfile.ErrExists):
		return 0, "", apihttp.Errorf(http.StatusConflict, "snapshot %q already exists", name)
	case err != nil:
		return 0, "", fmt.Errorf("snapshot from %s: %w", endpoint, err)
	}
	return n, sum, nil
}

func (s *api) listSnapshots(c *core.Call) (any, error) {
	entries, err := os.ReadDir(s.Config().Maintenance.SnapshotDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("snapshot directory: %w", err)
	}
	out := []SnapshotInfo{}
	for _, e := range entries {
		if e.IsDir() || !snapshotfile.ValidName(e.Name()) {
			continue
		}
		meta := s.snapshotMetaOf(e.Name())
		if !mayUseSnapshotOf(c.P, meta.Cluster) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, SnapshotInfo{Name: e.Name(), Size: fi.Size(), ModTime: fi.ModTime().UTC(), Member: meta.Member, Cluster: meta.Cluster})
	}
	slices.SortFunc(out, func(a, b SnapshotInfo) int { return strings.Compare(a.Name, b.Name) })
	return map[string]any{"snapshots": out}, nil
}

// snapshotPath resolves the {name} path value inside the snapshot directory, and refuses a
// snapshot of a cluster outside the token's scope (recorded as that cluster's).
func (s *api) snapshotPath(c *core.Call) (string, os.FileInfo, snapshotfile.Meta, error) {
	name := c.R.PathValue("name")
	c.Rec.Key = []byte(name)
	if err := checkName("snapshot", name); err != nil {
		return "", nil, snapshotfile.Meta{}, err
	}
	path := filepath.Join(s.Config().Maintenance.SnapshotDir, name)
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return "", nil, snapshotfile.Meta{}, apihttp.Errorf(http.StatusNotFound, "no snapshot %q", name)
	}
	meta := s.snapshotMetaOf(name)
	c.Rec.Cluster = meta.Cluster
	if !mayUseSnapshotOf(c.P, meta.Cluster) {
		if meta.Cluster == "" {
			return "", nil, meta, apihttp.Deniedf("token %s may not use snapshot %q: it is of no known cluster, and the token is limited to clusters", c.P.Token.ID, name)
		}
		return "", nil, meta, apihttp.Deniedf("token %s may not use snapshot %q of cluster %q", c.P.Token.ID, name, meta.Cluster)
	}
	return path, fi, meta, nil
}

func (s *api) snapshotStatus(c *core.Call) (any, error) {
	path, fi, meta, err := s.snapshotPath(c)
	if err != nil {
		return nil, err
	}
	sum, err := snapshotfile.SHA256Of(path)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	info := SnapshotInfo{Name: fi.Name(), Size: fi.Size(), SHA256: sum, ModTime: fi.ModTime().UTC(), Member: meta.Member, Cluster: meta.Cluster}
	if info.Status, err = snapshotfile.StatusOf(path); err != nil {
		return nil, apihttp.Errorf(http.StatusUnprocessableEntity, "snapshot %s is not readable by etcd: %v", fi.Name(), err)
	}
	return info, nil
}

// restoreRequest is the body of POST /snapshots/{name}/restore: what etcdutl snapshot restore
// takes, with the output a new directory under the restore directory.
type restoreRequest struct {
	// DataDir is the name of the new data directory under maintenance.restore_dir.
	DataDir string `json:"data_dir"`
	// Name is the member name the data directory is for.
	Name                string   `json:"name"`
	InitialCluster      string   `json:"initial_cluster"`
	InitialClusterToken string   `json:"initial_cluster_token"`
	PeerURLs            []string `json:"initial_advertise_peer_urls"`
	// SkipHashCheck is for a db file copied from a data directory rather than saved as a snapshot.
	SkipHashCheck bool `json:"skip_hash_check"`
}

// restoreSnapshot writes a new data directory from a snapshot, with etcd's own restore code. It
// only ever creates a directory under the restore directory that did not exist: it never
// touches a running member.
func (s *api) restoreSnapshot(c *core.Call) (any, error) {
	path, _, _, err := s.snapshotPath(c)
	if err != nil {
		return nil, err
	}
	var req restoreRequest
	if err := apihttp.DecodeJSON(c.R, &req, 16<<10); err != nil {
		return nil, err
	}
	if err := checkName("data_dir", req.DataDir); err != nil {
		return nil, err
	}
	switch {
	case req.Name == "":
		return nil, apihttp.Errorf(http.StatusBadRequest, "name: must not be empty")
	case len(req.PeerURLs) == 0:
		return nil, apihttp.Errorf(http.StatusBadRequest, "initial_advertise_peer_urls: must not be empty")
	case req.InitialCluster == "":
		req.InitialCluster = req.Name + "=" + req.PeerURLs[0]
	}
	if req.InitialClusterToken == "" {
		req.InitialClusterToken = "etcd-cluster"
	}
	root := s.Config().Maintenance.RestoreDir
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("restore directory: %w", err)
	}
	out := filepath.Join(root, req.DataDir)
	c.Rec.RangeEnd = []byte(req.DataDir)
	if _, err := os.Lstat(out); err == nil {
		return nil, apihttp.Errorf(http.StatusConflict, "data_dir %q already exists: restore only writes new directories", req.DataDir)
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	err = snapshot.NewV3(zap.NewNop()).Restore(snapshot.RestoreConfig{
		SnapshotPath:        path,
		Name:                req.Name,
		OutputDataDir:       out,
		PeerURLs:            req.PeerURLs,
		InitialCluster:      req.InitialCluster,
		InitialClusterToken: req.InitialClusterToken,
		SkipHashCheck:       req.SkipHashCheck,
	})
	if err != nil {
		os.RemoveAll(out)
		return nil, apihttp.Errorf(http.StatusUnprocessableEntity, "restore: %v", err)
	}
	c.Status = http.StatusCreated
	return map[string]any{"data_dir": out, "name": req.Name, "initial_cluster": req.InitialCluster,
		"initial_cluster_token": req.InitialClusterToken}, nil
}
