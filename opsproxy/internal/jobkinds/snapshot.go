package jobkinds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
)

// KindSnapshot is the kind of a snapshot save into the shared snapshot directory.
const KindSnapshot = "snapshot"

// snapshotParams are the parameters of a "snapshot" job, those of POST
// /clusters/{cluster}/snapshots.
type snapshotParams struct {
	// Member is the name of the member to stream from (default: a healthy follower, else the
	// leader).
	Member string `json:"member"`
	// Name of the file (default: <cluster>-<member>-<time>.db).
	Name string `json:"name"`
}

func parseSnapshotParams(raw json.RawMessage) (snapshotParams, error) {
	var p snapshotParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if p.Name != "" {
		if err := snapshotfile.CheckName("name", p.Name); err != nil {
			return p, err
		}
	}
	if len(p.Member) > 256 {
		return p, errors.New("member: longer than 256 characters")
	}
	return p, nil
}

// snapshotProgress is the progress of a "snapshot" job.
type snapshotProgress struct {
	Member       string `json:"member"`
	Name         string `json:"name"`
	BytesWritten int64  `json:"bytes_written"`
}

func (d Deps) snapshotKind() jobs.Kind {
	return jobs.Kind{
		// The role and flags of POST /clusters/{cluster}/snapshots (snapshots.save).
		Name: KindSnapshot, Role: "admin", Cluster: true, Mutating: true,
		Validate: func(raw json.RawMessage) error { _, err := parseSnapshotParams(raw); return err },
		Handler:  d.snapshot,
	}
}

// snapshot streams a snapshot from a healthy member (a follower by preference) into the
// shared snapshot directory, as opsproxy's snapshot save does, and returns what snapshot
// status shows of it. A job that names its file and is taken over after its file was saved
// returns that file rather than failing on it.
func (d Deps) snapshot(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
	params, err := parseSnapshotParams(run.Job.Parameters)
	if err != nil {
		return nil, err
	}
	if d.SnapshotDir == "" {
		return nil, errors.New("no snapshot directory is configured")
	}
	if params.Name != "" {
		if info, ok := d.savedByJob(params.Name, run.Job.ID); ok {
			return json.Marshal(info)
		}
	}
	conn, release, err := d.cluster(run.Job.Cluster)
	if err != nil {
		return nil, err
	}
	defer release()
	states, err := conn.MemberStates(ctx)
	if err != nil {
		return nil, fmt.Errorf("member list: %w", err)
	}
	from, err := snapshotSource(run.Job.Cluster, states, params.Member)
	if err != nil {
		return nil, err
	}
	name := params.Name
	if name == "" {
		name = snapshotfile.DefaultName(run.Job.Cluster, from.Member, d.Now())
	}
	if _, err := os.Lstat(filepath.Join(d.SnapshotDir, name)); err == nil {
		return nil, fmt.Errorf("name: snapshot %q already exists", name)
	}
	if err := snapshotfile.RemoveMeta(d.SnapshotDir, name); err != nil {
		return nil, fmt.Errorf("snapshot metadata: %w", err)
	}
	prog := snapshotProgress{Member: from.Member, Name: name}
	report := func(n int64) {
		prog.BytesWritten = n
		raw, _ := json.Marshal(prog)
		run.Progress(raw)
	}
	report(0)
	m, err := conn.Member(ctx, from.Endpoint)
	if err != nil {
		return nil, err
	}
	rc, err := m.Maintenance.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot from member %s: %w", from.Member, err)
	}
	defer rc.Close()
	size, sum, err := snapshotfile.Write(d.SnapshotDir, name, rc, report)
	if err != nil {
		return nil, fmt.Errorf("snapshot from member %s: %w", from.Member, err)
	}
	path := filepath.Join(d.SnapshotDir, name)
	now := d.Now().UTC()
	meta := snapshotfile.Meta{Cluster: run.Job.Cluster, Member: from.Member, SHA256: sum, Size: size, SavedAt: now, Job: run.Job.ID}
	if err := snapshotfile.WriteMeta(d.SnapshotDir, name, meta); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("snapshot metadata: %w", err)
	}
	info := snapshotfile.Info{Name: name, Size: size, SHA256: sum, ModTime: now, Member: from.Member, Cluster: run.Job.Cluster}
	if info.Status, err = snapshotfile.StatusOf(path); err != nil {
		os.Remove(path)
		_ = snapshotfile.RemoveMeta(d.SnapshotDir, name)
		return nil, fmt.Errorf("snapshot %s from member %s is not readable by etcd: %w", name, from.Member, err)
	}
	return json.Marshal(info)
}

// snapshotSource picks the member to stream from: the one named, or the first healthy
// follower, else the leader.
func snapshotSource(cluster string, states []conns.EndpointState, member string) (*conns.EndpointState, error) {
	var from *conns.EndpointState
	for i := range states {
		st := &states[i]
		switch {
		case member != "" && st.Member == member:
			from = st
		case member == "" && st.Healthy && (from == nil || from.Status.IsLeader):
			from = st
		}
	}
	switch {
	case from == nil && member != "":
		return nil, fmt.Errorf("member: no member %q", member)
	case from == nil:
		return nil, fmt.Errorf("cluster %s is unhealthy: no healthy member to take a snapshot from", cluster)
	case !from.Healthy:
		return nil, fmt.Errorf("member %s is unhealthy: %s", from.Member, from.Error)
	}
	return from, nil
}

// savedByJob returns the snapshot called name when job saved it (a previous attempt that
// stopped after the save).
func (d Deps) savedByJob(name, job string) (snapshotfile.Info, bool) {
	meta, err := snapshotfile.ReadMeta(d.SnapshotDir, name)
	if err != nil || meta.Job != job {
		return snapshotfile.Info{}, false
	}
	path := filepath.Join(d.SnapshotDir, name)
	status, err := snapshotfile.StatusOf(path)
	if err != nil {
		return snapshotfile.Info{}, false
	}
	return snapshotfile.Info{Name: name, Size: meta.Size, SHA256: meta.SHA256, ModTime: meta.SavedAt, Member: meta.Member,
		Cluster: meta.Cluster, Status: status}, true
}
