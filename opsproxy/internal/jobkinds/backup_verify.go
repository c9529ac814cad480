package jobkinds

import (
	"context"
	"encoding/json"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func (d Deps) backupVerifyKind() jobs.Kind {
	return jobs.Kind{
		// It reads a backup (decrypting it): the admin of the cluster, as a download is.
		Name: KindBackupVerify, Role: "admin", Cluster: true, Mutating: false,
		Validate: func(raw json.RawMessage) error { _, err := parseBackupParams(KindBackupVerify, raw); return err },
		Admit:    d.admitBackup(KindBackupVerify),
		Handler:  d.backupVerify,
	}
}

// backupVerify reads a stored backup back and checks it (against its record when it is one of
// ours), storing a verify event; a backup that fails fails the job, naming the file.
func (d Deps) backupVerify(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
	p, bt, eng, err := d.readingJob(run, KindBackupVerify)
	if err != nil {
		return nil, err
	}
	want, err := d.backupRecord(ctx, bt, p.Name)
	if err != nil {
		return nil, err
	}
	started := d.Now()
	rec, verr := eng.Verify(ctx, p.Name, want)
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	if err := d.saveEvent(ctx, run, bt, backupEvent{kind: store.BackupEventVerify, name: p.Name, started: started,
		err: verr, size: rec.Size, record: rec}); err != nil {
		return nil, err
	}
	if verr != nil {
		return nil, verr
	}
	return json.Marshal(rec)
}
