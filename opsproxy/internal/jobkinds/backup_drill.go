package jobkinds

import (
	"context"
	"encoding/json"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func (d Deps) backupDrillKind() jobs.Kind {
	return jobs.Kind{
		// It reads a backup and runs a throwaway member on this host: admin.
		Name: KindBackupDrill, Role: "admin", Cluster: true, Mutating: true,
		Validate: func(raw json.RawMessage) error { _, err := parseBackupParams(KindBackupDrill, raw); return err },
		Admit:    d.admitBackup(KindBackupDrill),
		Handler:  d.backupDrill,
	}
}

// backupDrill restores a backup (the newest verified one when none is named) into a throwaway
// member and checks it against its record, storing a drill event; a drill that fails fails the
// job, saying why.
func (d Deps) backupDrill(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
	p, bt, eng, err := d.readingJob(run, KindBackupDrill)
	if err != nil {
		return nil, err
	}
	started := d.Now()
	name := p.Name
	if name == "" {
		if name, err = d.newestVerified(ctx, bt, eng); err != nil {
			if serr := d.saveEvent(ctx, run, bt, backupEvent{kind: store.BackupEventDrill, started: started, err: err}); serr != nil {
				return nil, serr
			}
			return nil, err
		}
	}
	want, err := d.backupRecord(ctx, bt, name)
	if err != nil {
		return nil, err
	}
	rec, derr := eng.Drill(ctx, name, want)
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	if err := d.saveEvent(ctx, run, bt, backupEvent{kind: store.BackupEventDrill, name: name, started: rec.StartedAt,
		finished: rec.FinishedAt, err: derr, record: rec}); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	return json.Marshal(rec)
}
