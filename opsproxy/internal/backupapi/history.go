package backupapi

import (
	"context"
	"encoding/json"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Bounds of the events read for one location: the newest of each kind.
const (
	historyEvents        = store.MaxJobLimit
	historyInspectEvents = 100
)

// history is what the stored events of one cluster's backups in one location say, by backup.
type history struct {
	// made is the successful backup event of each backup etcd-monitor made.
	made map[string]store.BackupEvent
	// verified is the latest verification of each backup (by a backup, verify or inspect job),
	// and verifiedBy the verification's record.
	verified   map[string]backup.Check
	verifiedBy map[string]backup.VerifyRecord
	// drilled is the latest drill of each backup; lastDrill the latest drill of any.
	drilled   map[string]backup.Check
	lastDrill *backup.Check
	// lastSuccess and lastFailure end the latest successful and failed backup jobs (for an
	// external location: inspections); zero when there is none.
	lastSuccess, lastFailure time.Time
}

// readHistory reads the events of cluster's backups in t's location, the newest of each kind.
func readHistory(ctx context.Context, st store.BackupStore, t Target) (history, error) {
	var all []store.BackupEvent
	for _, k := range []struct {
		kind  store.BackupEventKind
		limit int
	}{
		{store.BackupEventBackup, historyEvents},
		{store.BackupEventVerify, historyEvents},
		{store.BackupEventDrill, historyEvents},
		{store.BackupEventInspect, historyInspectEvents},
	} {
		evs, err := st.ListBackupEvents(ctx, store.BackupEventFilter{Cluster: t.Cluster, Location: t.Location, Kind: k.kind, Limit: k.limit})
		if err != nil {
			return history{}, err
		}
		all = append(all, evs...)
	}
	return indexHistory(t, all), nil
}

// indexHistory indexes events (of one cluster and location, each kind newest first).
func indexHistory(t Target, events []store.BackupEvent) history {
	h := history{made: map[string]store.BackupEvent{}, verified: map[string]backup.Check{},
		verifiedBy: map[string]backup.VerifyRecord{}, drilled: map[string]backup.Check{}}
	verification := func(v backup.VerifyRecord) {
		if v.Name == "" || v.VerifiedAt.IsZero() {
			return
		}
		if old, ok := h.verified[v.Name]; ok && !v.VerifiedAt.After(old.At) {
			return
		}
		h.verified[v.Name] = backup.Check{OK: v.OK, At: v.VerifiedAt, Error: v.Error}
		h.verifiedBy[v.Name] = v
	}
	outcome := func(e store.BackupEvent) {
		at := e.FinishedAt
		if at.IsZero() {
			at = e.StartedAt
		}
		if e.OK && at.After(h.lastSuccess) {
			h.lastSuccess = at
		}
		if !e.OK && at.After(h.lastFailure) {
			h.lastFailure = at
		}
	}
	for _, e := range events {
		switch e.Kind {
		case store.BackupEventBackup:
			if !t.External {
				outcome(e)
			}
			if !e.OK || e.Name == "" {
				continue
			}
			if _, seen := h.made[e.Name]; !seen {
				h.made[e.Name] = e
			}
			var rec backup.Record
			if json.Unmarshal(e.Record, &rec) == nil {
				if rec.Verification.Name == "" {
					rec.Verification.Name = e.Name
				}
				verification(rec.Verification)
			}
		case store.BackupEventVerify:
			var v backup.VerifyRecord
			_ = json.Unmarshal(e.Record, &v)
			if v.Name == "" {
				v.Name = e.Name
			}
			if v.VerifiedAt.IsZero() {
				v.VerifiedAt = e.FinishedAt
			}
			// The event's outcome is the verification's.
			v.OK = e.OK
			if !e.OK && v.Error == "" {
				v.Error = e.Error
			}
			verification(v)
		case store.BackupEventInspect:
			if t.External {
				outcome(e)
			}
			var rec backup.InspectRecord
			if json.Unmarshal(e.Record, &rec) == nil && rec.Verification != nil {
				verification(*rec.Verification)
			}
		case store.BackupEventDrill:
			name := e.Name
			if name == "" {
				var d backup.DrillRecord
				_ = json.Unmarshal(e.Record, &d)
				name = d.Name
			}
			c := backup.Check{OK: e.OK, At: e.FinishedAt, Error: e.Error}
			if c.At.IsZero() {
				c.At = e.StartedAt
			}
			if h.lastDrill == nil || c.At.After(h.lastDrill.At) {
				h.lastDrill = &c
			}
			if old, ok := h.drilled[name]; name != "" && (!ok || c.At.After(old.At)) {
				h.drilled[name] = c
			}
		}
	}
	return h
}
