package jobkinds

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// backupProgress is the progress of a "backup" job.
type backupProgress struct {
	Phase string `json:"phase"` // saving, verifying, retention
	Bytes int64  `json:"bytes"`
}

// backupResult is the result of a "backup" job: what the engine recorded of the backup and of
// the retention pass that followed it.
type backupResult struct {
	Location  string                  `json:"location"`
	Backup    backup.Record           `json:"backup"`
	Retention *backup.RetentionRecord `json:"retention,omitempty"`
}

func (d Deps) backupKind() jobs.Kind {
	return jobs.Kind{
		// A backup reads the whole database from a member and writes the location: admin.
		Name: KindBackup, Role: "admin", Cluster: true, Mutating: true,
		Validate: func(raw json.RawMessage) error { _, err := parseBackupParams(KindBackup, raw); return err },
		Admit:    d.admitBackup(KindBackup),
		Handler:  d.backup,
	}
}

// backup streams a snapshot from a healthy member (a follower first, the next member when one
// fails mid-stream) into the location, verifies the stored copy and applies the retention
// policy, storing one event for each. A failure stores a failed event (the metrics read them)
// and fails the job with the engine's error, which names the location.
func (d Deps) backup(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
	p, err := parseBackupParams(KindBackup, run.Job.Parameters)
	if err != nil {
		return nil, err
	}
	bt, err := d.backupTarget(run.Job.Cluster, p.Location, KindBackup)
	if err != nil {
		return nil, err
	}
	conn, release, err := d.cluster(run.Job.Cluster)
	if err != nil {
		return nil, err
	}
	defer release()
	progress := func(phase string, n int64) {
		raw, _ := json.Marshal(backupProgress{Phase: phase, Bytes: n})
		run.Progress(raw)
	}
	progress("saving", 0)
	eng, err := d.engine(bt, conn.Cluster())
	if err != nil {
		return nil, d.failBackup(ctx, run, bt, d.Now(), err)
	}
	started := d.Now()
	rec, err := eng.Backup(ctx)
	if err != nil {
		return nil, d.failBackup(ctx, run, bt, started, err, rec)
	}
	if err := d.saveEvent(ctx, run, bt, backupEvent{kind: store.BackupEventBackup, name: rec.Name, started: rec.StartedAt,
		finished: rec.FinishedAt, size: rec.Size, record: rec}); err != nil {
		return nil, err
	}
	progress("verifying", rec.Size)
	v := rec.Verification
	if err := d.saveEvent(ctx, run, bt, backupEvent{kind: store.BackupEventVerify, name: rec.Name, started: v.VerifiedAt,
		finished: v.VerifiedAt.Add(time.Duration(rec.VerifySeconds * float64(time.Second))), errText: v.Error, size: v.Size,
		record: v}); err != nil {
		return nil, err
	}
	out := backupResult{Location: bt.loc.Name, Backup: rec}
	progress("retention", rec.Size)
	policy := backup.Retention{KeepLast: bt.target.Retention.Count, MaxAge: time.Duration(bt.target.Retention.MaxAge)}
	started = d.Now()
	ret, err := eng.ApplyRetention(ctx, policy, rec.Name)
	if serr := d.saveEvent(ctx, run, bt, backupEvent{kind: store.BackupEventRetention, started: started, err: err, record: ret}); serr != nil {
		return nil, serr
	}
	if err != nil {
		return nil, fmt.Errorf("backup %s stored and verified; retention failed: %w", rec.Name, err)
	}
	out.Retention = &ret
	return json.Marshal(out)
}

// failBackup stores the failed backup's event and returns err.
func (d Deps) failBackup(ctx context.Context, run *jobs.Run, bt backupTarget, started time.Time, err error, rec ...backup.Record) error {
	ev := backupEvent{kind: store.BackupEventBackup, started: started, err: err}
	if len(rec) > 0 {
		ev.record = rec[0]
	}
	if serr := d.saveEvent(ctx, run, bt, ev); serr != nil {
		d.Logger.Error("backup failed and its event was not stored", "cluster", bt.cluster, "location", bt.loc.Name, "err", serr)
	}
	return err
}
