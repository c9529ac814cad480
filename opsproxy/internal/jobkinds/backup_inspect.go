package jobkinds

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func (d Deps) backupInspectKind() jobs.Kind {
	return jobs.Kind{
		// It lists a location and reads its newest backup: admin, as the backups API is.
		Name: KindBackupInspect, Role: "admin", Cluster: true, Mutating: false,
		Validate: func(raw json.RawMessage) error { _, err := parseBackupParams(KindBackupInspect, raw); return err },
		Admit:    d.admitBackup(KindBackupInspect),
		Handler:  d.backupInspect,
	}
}

// backupInspect looks at a location (one another tool fills, or ours): how many of the
// cluster's backups it holds, the newest one's age and size, and the verification of the
// newest. It stores an inspect event and a verify event of the newest; a newest backup that
// fails verification fails the job, naming the file.
func (d Deps) backupInspect(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
	_, bt, eng, err := d.readingJob(run, KindBackupInspect)
	if err != nil {
		return nil, err
	}
	started := d.Now()
	rec, ierr := eng.Inspect(ctx, backup.InspectOptions{Pattern: bt.target.NamePrefix() + "*", Verify: true})
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	ev := backupEvent{kind: store.BackupEventInspect, started: started, err: ierr, record: rec}
	if rec.Newest != nil {
		ev.size = rec.Newest.Size
	}
	if err := d.saveEvent(ctx, run, bt, ev); err != nil {
		return nil, err
	}
	if ierr != nil {
		return nil, ierr
	}
	if v := rec.Verification; v != nil {
		if err := d.saveEvent(ctx, run, bt, backupEvent{kind: store.BackupEventVerify, name: v.Name, started: v.VerifiedAt,
			errText: v.Error, size: v.Size, record: v}); err != nil {
			return nil, err
		}
		if !v.OK {
			return nil, errors.New(v.Error)
		}
	}
	return json.Marshal(rec)
}
