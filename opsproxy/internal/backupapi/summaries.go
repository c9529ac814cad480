package backupapi

import (
	"encoding/json"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Backup is one backup in full: its summary, the engine's record of it when etcd-monitor made
// it (else null), and every stored event that names it, newest first.
type Backup struct {
	backup.Summary
	Record *backup.Record      `json:"record"`
	Events []store.BackupEvent `json:"events"`
}

// summarize joins the object o of t's location with its history.
func summarize(t Target, o location.Object, h history) backup.Summary {
	s := backup.SummaryOf(t.Location, t.External, o)
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
