package jobkinds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func (d Deps) backupRestoreKind() jobs.Kind {
	return jobs.Kind{
		// The role and flags of POST /snapshots/{name}/restore (snapshots.restore).
		Name: KindBackupRestore, Role: "admin", Cluster: true, Mutating: true,
		Validate: func(raw json.RawMessage) error { _, err := parseRestoreParams(raw); return err },
		Admit:    d.admitRestore,
		Handler:  d.backupRestore,
	}
}

// admitRestore refuses, before a job is made, a restore into a data directory that exists (it
// never writes into one) and a restore of a backup whose latest verification did not pass.
func (d Deps) admitRestore(cluster string, raw json.RawMessage) error {
	p, err := parseRestoreParams(raw)
	if err != nil {
		return jobs.InvalidParameters(err)
	}
	bt, err := d.backupTarget(cluster, p.Location, KindBackupRestore)
	if err != nil {
		return jobs.InvalidParameters(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return d.checkRestore(ctx, bt, p)
}

// checkRestore returns why the restore may not run now.
func (d Deps) checkRestore(ctx context.Context, bt backupTarget, p restoreParams) error {
	if d.RestoreDir == "" {
		return errors.New("no restore directory is configured (maintenance.restore_dir)")
	}
	if _, err := os.Lstat(filepath.Join(d.RestoreDir, p.DataDir)); err == nil {
		return fmt.Errorf("data_dir %q already exists: restore only writes new directories", p.DataDir)
	}
	ok, why, err := d.verified(ctx, bt, p.Name)
	switch {
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("backup %s in location %s may not be restored: %s; verify it first (a backup-verify job)", p.Name, bt.loc.Name, why)
	}
	return nil
}

// backupRestore writes a new data directory under maintenance.restore_dir from a verified
// backup, with etcd's restore code (checked against the backup's record when it is one of
// ours), as POST /snapshots/{name}/restore does from a snapshot. It never touches an existing
// directory, and removes what it wrote when it fails.
func (d Deps) backupRestore(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
	p, err := parseRestoreParams(run.Job.Parameters)
	if err != nil {
		return nil, err
	}
	bt, err := d.backupTarget(run.Job.Cluster, p.Location, KindBackupRestore)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(d.RestoreDir, p.DataDir)
	if run.Job.Attempts > 1 && d.BackupEvents != nil {
		// An attempt that wrote the directory and was lost before it finished: its
		// directory is this job's, whole only if its event says so.
		if evs, err := d.BackupEvents.ListBackupEvents(ctx, store.BackupEventFilter{Cluster: bt.cluster,
			Kind: store.BackupEventRestore, Name: p.Name, Limit: 10}); err == nil {
			for _, e := range evs {
				if e.JobID == run.Job.ID && e.OK {
					return e.Record, nil
				}
			}
		}
	}
	if err := d.checkRestore(ctx, bt, p); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(d.RestoreDir, 0o700); err != nil {
		return nil, fmt.Errorf("restore directory: %w", err)
	}
	eng, err := d.engine(bt, nil)
	if err != nil {
		return nil, err
	}
	want, err := d.backupRecord(ctx, bt, p.Name)
	if err != nil {
		return nil, err
	}
	token := p.InitialClusterToken
	if token == "" {
		token = "etcd-cluster"
	}
	started := d.Now()
	rec, rerr := eng.Recover(ctx, p.Name, want, backup.RecoverOptions{
		Members:      []backup.RecoverMember{{Name: p.MemberName, PeerURLs: p.PeerURLs, DataDir: out}},
		Token:        token,
		BumpRevision: p.BumpRevision, MarkCompacted: p.MarkCompacted, InitialCluster: p.InitialCluster,
	})
	if err := d.saveEvent(ctx, run, bt, backupEvent{kind: store.BackupEventRestore, name: p.Name, started: started,
		err: rerr, record: rec}); err != nil {
		if rerr == nil {
			os.RemoveAll(out)
		}
		return nil, err
	}
	if rerr != nil {
		return nil, rerr
	}
	return json.Marshal(rec)
}
