package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// BackupStore keeps the events of backups: each backup, verification,
// drill, inspection, retention pass and restore a backup job ran, with the
// backup engine's record of it. The backups API and metrics are built from
// them.
type BackupStore interface {
	// SaveBackupEvent stores e, giving it an id when it has none.
	SaveBackupEvent(ctx context.Context, e BackupEvent) (BackupEvent, error)
	// BackupEvent returns the event with the given id.
	BackupEvent(ctx context.Context, id string) (BackupEvent, error)
	// ListBackupEvents returns the events matching f, newest StartedAt first.
	ListBackupEvents(ctx context.Context, f BackupEventFilter) ([]BackupEvent, error)
}

// BackupEventKind is what a backup event records.
type BackupEventKind string

// The kinds of backup event.
const (
	BackupEventBackup    BackupEventKind = "backup"
	BackupEventVerify    BackupEventKind = "verify"
	BackupEventDrill     BackupEventKind = "drill"
	BackupEventInspect   BackupEventKind = "inspect"
	BackupEventRetention BackupEventKind = "retention"
	BackupEventRestore   BackupEventKind = "restore"
)

// Valid reports whether k is a known kind.
func (k BackupEventKind) Valid() bool {
	switch k {
	case BackupEventBackup, BackupEventVerify, BackupEventDrill, BackupEventInspect, BackupEventRetention, BackupEventRestore:
		return true
	}
	return false
}

// BackupEvent is one operation on the backups of a cluster in a location.
type BackupEvent struct {
	ID       string          `json:"id"`
	Cluster  string          `json:"cluster"`
	Location string          `json:"location"`
	Kind     BackupEventKind `json:"kind"`
	// Name is the backup object; empty for inspect and retention.
	Name       string    `json:"name,omitempty"`
	JobID      string    `json:"job_id,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	OK         bool      `json:"ok"`
	Error      string    `json:"error,omitempty"`
	// Size is the stored size of Name (backup, verify; inspect: of the newest).
	Size int64 `json:"size,omitempty"`
	// Record is the engine's record (backup.Record, VerifyRecord, DrillRecord,
	// InspectRecord, RetentionRecord, RecoverRecord).
	Record json.RawMessage `json:"record"`
}

// BackupEventFilter selects backup events. Zero fields do not filter.
type BackupEventFilter struct {
	Cluster  string
	Location string
	Kind     BackupEventKind
	Name     string
	// Since keeps the events that started at or after it.
	Since time.Time
	// Limit caps the list: 0 means DefaultJobLimit, at most MaxJobLimit.
	Limit int
}

// Match reports whether e passes f's field filters.
func (f BackupEventFilter) Match(e BackupEvent) bool {
	return (f.Cluster == "" || e.Cluster == f.Cluster) && (f.Location == "" || e.Location == f.Location) &&
		(f.Kind == "" || e.Kind == f.Kind) && (f.Name == "" || e.Name == f.Name) &&
		(f.Since.IsZero() || !e.StartedAt.Before(f.Since))
}

// CheckBackupEventFilter validates f.
func CheckBackupEventFilter(f BackupEventFilter) error {
	if f.Kind != "" && !f.Kind.Valid() {
		return fmt.Errorf("backup event filter: unknown kind %.64q: %w", f.Kind, ErrInvalid)
	}
	if f.Limit < 0 {
		return fmt.Errorf("backup event filter: limit %d is negative: %w", f.Limit, ErrInvalid)
	}
	return nil
}

// MaxBackupRecordBytes bounds the engine record kept with an event.
const MaxBackupRecordBytes = 1 << 20

// PrepareBackupEvent validates e, gives it an id when it has none,
// normalises its times, bounds its error text and turns an empty record
// into null. Backends call it in SaveBackupEvent.
func PrepareBackupEvent(e BackupEvent) (BackupEvent, error) {
	if e.ID == "" {
		e.ID = NewID()
	}
	e.StartedAt, e.FinishedAt = NormalizeTime(e.StartedAt), NormalizeTime(e.FinishedAt)
	e.Error = CutJobError(e.Error)
	if len(e.Record) == 0 {
		e.Record = json.RawMessage(`null`)
	}
	for _, f := range []struct{ name, value string }{
		{"id", e.ID}, {"cluster", e.Cluster}, {"location", e.Location}, {"name", e.Name}, {"job_id", e.JobID},
	} {
		switch {
		case f.value == "" && f.name != "name" && f.name != "job_id":
			return e, fmt.Errorf("backup event: %s: must not be empty: %w", f.name, ErrInvalid)
		case len(f.value) > MaxAuditTextLen:
			return e, fmt.Errorf("backup event: %s: over %d bytes: %w", f.name, MaxAuditTextLen, ErrInvalid)
		case cleanText(f.value) != f.value:
			return e, fmt.Errorf("backup event: %s: not valid UTF-8 text without NUL: %w", f.name, ErrInvalid)
		}
	}
	switch {
	case !e.Kind.Valid():
		return e, fmt.Errorf("backup event: unknown kind %.64q: %w", e.Kind, ErrInvalid)
	case e.StartedAt.IsZero():
		return e, fmt.Errorf("backup event: started_at is zero: %w", ErrInvalid)
	case !e.FinishedAt.IsZero() && e.FinishedAt.Before(e.StartedAt):
		return e, fmt.Errorf("backup event: finished before it started: %w", ErrInvalid)
	case e.Size < 0:
		return e, fmt.Errorf("backup event: size %d is negative: %w", e.Size, ErrInvalid)
	case len(e.Record) > MaxBackupRecordBytes:
		return e, fmt.Errorf("backup event: record over %d bytes: %w", MaxBackupRecordBytes, ErrInvalid)
	case !json.Valid(e.Record):
		return e, fmt.Errorf("backup event: record is not JSON: %w", ErrInvalid)
	}
	return e, nil
}
