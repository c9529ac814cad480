package maintenance

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// SnapshotSHA256Trailer is the trailer of a snapshot download: the sha256 (hex) of every byte
// sent, set only once the whole snapshot was sent. A client that reads the body to its end
// without this trailer, or with another sum, got a cut stream and must discard what it read:
// once the first byte is out the status cannot say so any more.
const SnapshotSHA256Trailer = "X-Snapshot-Sha256"

// SnapshotMemberHeader names the member a downloaded snapshot was taken from.
const SnapshotMemberHeader = "X-Snapshot-Member"

// SnapshotVersionHeader is the etcd version the member reports with its snapshot, which
// `etcdctl snapshot save` prints as "Server version".
const SnapshotVersionHeader = "X-Etcd-Server-Version"

// downloadChunk is the size of the first read, done before answering so that a member whose
// stream fails at once is answered 503 rather than with an empty file.
const downloadChunk = 64 << 10

// downloadSnapshot streams a snapshot of the cluster's database from one healthy member (a
// follower when there is one, so the leader keeps its disk to itself) to the client, as
// `etcdctl snapshot save` receives it. Nothing is kept on opsproxy's side. The attempt is
// committed to the audit log before the first byte leaves.
func (s *api) downloadSnapshot(c *core.Call) (any, error) {
	states, err := c.Cluster.MemberStates(c.R.Context())
	if err != nil {
		return nil, err
	}
	from := snapshotSource(states)
	if from == nil {
		return nil, apihttp.Errorf(http.StatusServiceUnavailable, "no healthy member to take a snapshot from")
	}
	c.Rec.Key = []byte(from.Member)
	m, err := c.Cluster.Member(c.R.Context(), from.Endpoint)
	if err != nil {
		return nil, unavailable(from, err)
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	snap, err := m.Maintenance.SnapshotWithVersion(c.R.Context())
	if err != nil {
		return nil, unavailable(from, err)
	}
	rc := snap.Snapshot
	defer rc.Close()
	first := make([]byte, downloadChunk)
	n, err := io.ReadAtLeast(rc, first, 1)
	if err != nil {
		return nil, unavailable(from, err)
	}

	h := sha256.New()
	h.Write(first[:n])
	hdr := c.W.Header()
	hdr.Set("Content-Type", "application/octet-stream")
	hdr.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", snapshotfile.DefaultName(c.Cluster.Config().Name, from.Member, time.Now())))
	hdr.Set(SnapshotMemberHeader, from.Member)
	if snap.Version != "" {
		hdr.Set(SnapshotVersionHeader, snap.Version)
	}
	hdr.Set("Trailer", SnapshotSHA256Trailer)
	c.W.WriteHeader(http.StatusOK)
	c.Streamed = true
	if _, err := c.W.Write(first[:n]); err != nil {
		return nil, apihttp.Wrap(499, "client went away", err)
	}
	rest, err := io.Copy(io.MultiWriter(c.W, h), rc)
	size := int64(n) + rest
	c.Rec.ValueSize = size
	if err != nil {
		// The trailer stays unset: the client sees that the stream is incomplete.
		return nil, fmt.Errorf("snapshot from %s cut after %d bytes: %w", from.Member, size, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	c.Rec.ValueSHA256 = sum
	hdr.Set(SnapshotSHA256Trailer, sum)
	return nil, nil
}

// snapshotSource is the member to stream a snapshot from: the first healthy follower, else
// the healthy leader; nil when no member is healthy.
func snapshotSource(states []conns.EndpointState) *conns.EndpointState {
	var from *conns.EndpointState
	for i := range states {
		st := &states[i]
		if st.Healthy && (from == nil || from.Status != nil && from.Status.IsLeader) {
			from = st
		}
	}
	return from
}

// unavailable is the answer when a member fails before any byte was sent.
func unavailable(from *conns.EndpointState, err error) error {
	var ae *apihttp.Error
	if errors.As(err, &ae) {
		return err
	}
	_, msg := apihttp.StatusOf(err)
	return apihttp.Wrap(http.StatusServiceUnavailable, fmt.Sprintf("snapshot from member %s: %s", from.Member, msg), err)
}
