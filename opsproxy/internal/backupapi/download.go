package backupapi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/maintenance"
)

// RecordedSHA256Header carries the sha256 (hex) the backup's record gives its snapshot, when
// etcd-monitor made it: the X-Snapshot-Sha256 trailer of a whole download equals it.
const RecordedSHA256Header = "X-Backup-Recorded-Sha256"

// downloadChunk is the size of the first read, done before answering so that a backup that
// cannot be read or decrypted is answered with an error rather than an empty file.
const downloadChunk = 64 << 10

// download answers GET /clusters/{cluster}/backups/{location}/{name}/download: the backup's
// etcd snapshot file, decrypted, as `etcdutl snapshot restore` takes it, with the sha256 of what
// was sent in the X-Snapshot-Sha256 trailer (as GET /clusters/{cluster}/snapshot). The attempt
// is committed to the audit log before the first byte leaves; its record keeps the location and
// name, the size and the sha256, never a key.
func (s *api) download(c *core.Call) (any, error) {
	t, e, o, err := s.backupOf(c)
	if err != nil {
		return nil, err
	}
	h, err := readHistory(c.R.Context(), s.Store, t)
	if err != nil {
		return nil, apihttp.StoreError("backup events", err)
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	p, err := e.Open(c.R.Context(), o.Name)
	if err != nil {
		return nil, unreadable(t, err)
	}
	defer p.Close()
	first := make([]byte, downloadChunk)
	n, err := io.ReadAtLeast(p, first, 1)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, unreadable(t, err)
	}

	sum := sha256.New()
	sum.Write(first[:n])
	hdr := c.W.Header()
	hdr.Set("Content-Type", "application/octet-stream")
	hdr.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", strings.TrimSuffix(o.Name, ".age")))
	if ev, ok := h.made[o.Name]; ok {
		if rec := recordOf(ev); rec != nil && rec.SHA256 != "" {
			hdr.Set(RecordedSHA256Header, rec.SHA256)
		}
	}
	hdr.Set("Trailer", maintenance.SnapshotSHA256Trailer)
	c.W.WriteHeader(http.StatusOK)
	c.Streamed = true
	if _, err := c.W.Write(first[:n]); err != nil {
		return nil, apihttp.Wrap(499, "client went away", err)
	}
	rest, err := io.Copy(io.MultiWriter(c.W, sum), p)
	size := int64(n) + rest
	c.Rec.ValueSize = size
	if err != nil {
		// The trailer stays unset: the client sees that the stream is incomplete.
		return nil, fmt.Errorf("backup %s in location %s cut after %d bytes: %w", o.Name, t.Location, size, err)
	}
	digest := hex.EncodeToString(sum.Sum(nil))
	c.Rec.ValueSHA256 = digest
	hdr.Set(maintenance.SnapshotSHA256Trailer, digest)
	return nil, nil
}

// unreadable is the answer when a backup cannot be read before any byte was sent.
func unreadable(t Target, err error) error {
	status := http.StatusServiceUnavailable
	if errors.Is(err, location.ErrNotFound) {
		status = http.StatusNotFound
	}
	return apihttp.Wrap(status, "backup location "+t.Location+": "+err.Error(), err)
}
