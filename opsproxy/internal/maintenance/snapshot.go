package maintenance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"
)

// snapshotName is what a snapshot file or restored data directory may be called: a plain name,
// never a path.
var snapshotName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

func checkName(field, name string) error {
	if !snapshotName.MatchString(name) {
		return apihttp.Errorf(http.StatusBadRequest, "%s %q: want letters, digits, '.', '_' or '-' (at most 128, not starting with a dot)", field, name)
	}
	return nil
}

// SnapshotInfo describes a snapshot file; the status comes from etcd's own snapshot code.
type SnapshotInfo struct {
	Name    string          `json:"name"`
	Size    int64           `json:"size"`
	SHA256  string          `json:"sha256"`
	ModTime time.Time       `json:"mod_time"`
	Status  *snapshotStatus `json:"status,omitempty"`
	Member  string          `json:"member,omitempty"`
	Cluster string          `json:"cluster,omitempty"`
}

type snapshotStatus struct {
	Revision  int64  `json:"revision"`
	Hash      uint32 `json:"hash"`
	TotalKeys int    `json:"total_keys"`
	TotalSize int64  `json:"total_size"`
	Version   string `json:"version,omitempty"`
}

func statusOfSnapshot(path string) (*snapshotStatus, error) {
	st, err := snapshot.NewV3(zap.NewNop()).Status(path)
	if err != nil {
		return nil, err
	}
	return &snapshotStatus{Revision: st.Revision, Hash: st.Hash, TotalKeys: st.TotalKey, TotalSize: st.TotalSize, Version: st.Version}, nil
}

// snapshotMeta is what opsproxy records of a snapshot beyond its file: the cluster and member
// it was saved from. It is kept beside the snapshots as .meta/<name>.json (a name no snapshot
// can have), written atomically once the snapshot file is in place. A snapshot without one
// (copied in by hand, or saved before snapshots were scoped) belongs to no known cluster: only
// tokens not limited to clusters may use it.
type snapshotMeta struct {
	Cluster string    `json:"cluster"`
	Member  string    `json:"member"`
	SHA256  string    `json:"sha256"`
	Size    int64     `json:"size"`
	SavedAt time.Time `json:"saved_at"`
}

// SnapshotMetaDir is the directory of the metadata files, inside the snapshot directory.
const SnapshotMetaDir = ".meta"

// snapshotMetaPath is where the metadata of the snapshot called name (a checked name) lives.
func (s *api) snapshotMetaPath(name string) string {
	return filepath.Join(s.Config().Maintenance.SnapshotDir, SnapshotMetaDir, name+".json")
}

// writeSnapshotMeta writes m through a temporary file renamed into place, so that a reader
// sees the whole file or none.
func writeSnapshotMeta(path string, m snapshotMeta) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".part-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// snapshotMetaOf reads the metadata of the snapshot called name; a snapshot without readable
// metadata has none (zero value, cluster unknown).
func (s *api) snapshotMetaOf(name string) snapshotMeta {
	var m snapshotMeta
	raw, err := os.ReadFile(s.snapshotMetaPath(name))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			s.Logger.Warn("snapshot metadata unreadable", "snapshot", name, "err", err)
		}
		return snapshotMeta{}
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		s.Logger.Warn("snapshot metadata unreadable", "snapshot", name, "err", err)
		return snapshotMeta{}
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
		name = fmt.Sprintf("%s-%s-%s.db", c.Cluster.Config().Name, from.Member, time.Now().UTC().Format("20060102T150405.000Z"))
		if checkName("name", name) != nil {
			name = fmt.Sprintf("snapshot-%s.db", time.Now().UTC().Format("20060102T150405.000Z"))
		}
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
	if err := os.Remove(s.snapshotMetaPath(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("snapshot metadata: %w", err)
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	size, sum, err := s.streamSnapshot(c.R.Context(), c.Cluster, from.Endpoint, path)
	if err != nil {
		return nil, err
	}
	c.Rec.ValueSize, c.Rec.ValueSHA256 = size, sum
	now := time.Now().UTC()
	meta := snapshotMeta{Cluster: c.Cluster.Config().Name, Member: from.Member, SHA256: sum, Size: size, SavedAt: now}
	if err := writeSnapshotMeta(s.snapshotMetaPath(name), meta); err != nil {
		// A snapshot of no known cluster would be hidden from the tokens of its cluster.
		os.Remove(path)
		return nil, fmt.Errorf("snapshot metadata: %w", err)
	}
	info := SnapshotInfo{Name: name, Size: size, SHA256: sum, ModTime: now, Member: from.Member, Cluster: c.Cluster.Config().Name}
	if info.Status, err = statusOfSnapshot(path); err != nil {
		return nil, apihttp.Errorf(http.StatusBadGateway, "snapshot %s was saved but etcd cannot read it: %v", name, err)
	}
	c.Status = http.StatusCreated
	return info, nil
}

// streamSnapshot copies a member's snapshot to path (through a temporary file renamed at the
// end) and returns its size and sha256.
func (s *api) streamSnapshot(ctx context.Context, conn *conns.Conn, endpoint, path string) (int64, string, error) {
	m, err := conn.Member(ctx, endpoint)
	if err != nil {
		return 0, "", err
	}
	rc, err := m.Maintenance.Snapshot(ctx)
	if err != nil {
		return 0, "", err
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), ".part-*")
	if err != nil {
		return 0, "", fmt.Errorf("snapshot file: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), rc)
	if err != nil {
		tmp.Close()
		return 0, "", fmt.Errorf("stream snapshot from %s: %w", endpoint, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, "", fmt.Errorf("snapshot file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, "", fmt.Errorf("snapshot file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return 0, "", apihttp.Errorf(http.StatusConflict, "snapshot %q already exists", filepath.Base(path))
		}
		return 0, "", fmt.Errorf("snapshot file: %w", err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (s *api) listSnapshots(c *core.Call) (any, error) {
	entries, err := os.ReadDir(s.Config().Maintenance.SnapshotDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("snapshot directory: %w", err)
	}
	out := []SnapshotInfo{}
	for _, e := range entries {
		if e.IsDir() || !snapshotName.MatchString(e.Name()) {
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
func (s *api) snapshotPath(c *core.Call) (string, os.FileInfo, snapshotMeta, error) {
	name := c.R.PathValue("name")
	c.Rec.Key = []byte(name)
	if err := checkName("snapshot", name); err != nil {
		return "", nil, snapshotMeta{}, err
	}
	path := filepath.Join(s.Config().Maintenance.SnapshotDir, name)
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return "", nil, snapshotMeta{}, apihttp.Errorf(http.StatusNotFound, "no snapshot %q", name)
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
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	info := SnapshotInfo{Name: fi.Name(), Size: fi.Size(), SHA256: sum, ModTime: fi.ModTime().UTC(), Member: meta.Member, Cluster: meta.Cluster}
	if info.Status, err = statusOfSnapshot(path); err != nil {
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
