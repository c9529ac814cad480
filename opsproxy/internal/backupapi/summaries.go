package backupapi

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Summary is one backup in a list: the object in the location joined with what the history
// store says of it. SnapshotSize, Revision and KeyCount are 0 when unknown: KeyCount (the live
// keys at Revision) is recorded only for backups etcd-monitor made, and SnapshotSize and Revision
// of another tool's backups once one was verified.
type Summary struct {
	Location     string    `json:"location"`
	Name         string    `json:"name"`
	Size         int64     `json:"size"`
	SnapshotSize int64     `json:"snapshot_size"`
	CreatedAt    time.Time `json:"created_at"`
	Encrypted    bool      `json:"encrypted"`
	External     bool      `json:"external"`
	Revision     int64     `json:"revision"`
	KeyCount     int64     `json:"key_count"`
	// Verified and Drill are the latest verification and restore drill; null when none.
	Verified *Check `json:"verified"`
	Drill    *Check `json:"drill"`
	// JobID is the job that made the backup (empty for another tool's).
	JobID string `json:"job_id"`
}

// Backup is one backup in full: its summary, the engine's record of it when etcd-monitor made
// it (else null), and every stored event that names it, newest first.
type Backup struct {
	Summary
	Record *backup.Record      `json:"record"`
	Events []store.BackupEvent `json:"events"`
}

// summarize joins the object o of t's location with its history.
func summarize(t Target, o location.Object, h history) Summary {
	s := Summary{Location: t.Location, Name: o.Name, Size: o.Size, CreatedAt: o.ModTime, External: t.External,
		Encrypted: strings.HasSuffix(o.Name, ".age")}
	if v, ok := h.verifiedBy[o.Name]; ok && v.OK {
		s.SnapshotSize, s.Encrypted = v.SnapshotSize, v.Encrypted
		if v.Status != nil {
			s.Revision = v.Status.Revision
		}
	}
	if e, ok := h.made[o.Name]; ok {
		s.JobID = e.JobID
		if rec := recordOf(e); rec != nil {
			s.SnapshotSize, s.Encrypted = rec.SnapshotSize, rec.Encrypted
			s.Revision, s.KeyCount = rec.Restore.Revision, rec.Restore.KeyCount
		}
	}
	if c, ok := h.verified[o.Name]; ok {
		s.Verified = &c
	}
	if c, ok := h.drilled[o.Name]; ok {
		s.Drill = &c
	}
	return s
}

// recordOf decodes the engine's record of a backup event; nil when it holds none.
func recordOf(e store.BackupEvent) *backup.Record {
	var rec backup.Record
	if len(e.Record) == 0 || json.Unmarshal(e.Record, &rec) != nil || rec.Name == "" {
		return nil
	}
	return &rec
}
