package jobkinds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// backupTarget is one cluster's backups in one location, as configured now.
type backupTarget struct {
	cluster string
	loc     config.BackupLocation
	target  config.BackupTarget
	scratch string
}

// backupTarget finds the cluster's configured backups in the location called name; an empty
// name picks the cluster's one location that is not external (for a backup) or its one
// location (otherwise). Errors name the location parameter.
func (d Deps) backupTarget(cluster, name, kind string) (backupTarget, error) {
	var b config.BackupsConfig
	if d.Backups != nil {
		b = d.Backups()
	}
	targets := b.Clusters[cluster]
	if len(targets) == 0 {
		return backupTarget{}, fmt.Errorf("location: cluster %s has no backup location configured (backups.clusters)", cluster)
	}
	if name == "" {
		var fit []string
		for _, t := range targets {
			if l, _ := b.LocationByName(t.Location); kind != KindBackup || !l.External {
				fit = append(fit, t.Location)
			}
		}
		if len(fit) != 1 {
			return backupTarget{}, fmt.Errorf("location: must be set: cluster %s has backups in %s", cluster, strings.Join(fit, ", "))
		}
		name = fit[0]
	}
	t, ok := b.Target(cluster, name)
	if !ok {
		return backupTarget{}, fmt.Errorf("location: cluster %s has no backup location %q", cluster, name)
	}
	l, _ := b.LocationByName(name)
	if l.External && kind == KindBackup {
		return backupTarget{}, fmt.Errorf("location: %s is external: another tool fills it, we only watch it", name)
	}
	return backupTarget{cluster: cluster, loc: l, target: t, scratch: b.ScratchDir}, nil
}

// engine makes the backup engine of bt; conn is nil where the cluster is not needed.
func (d Deps) engine(bt backupTarget, conn *etcdconn.Cluster) (*backup.Engine, error) {
	if err := os.MkdirAll(bt.scratch, 0o700); err != nil {
		return nil, fmt.Errorf("backups.scratch_dir: %w", err)
	}
	cfg := bt.loc.Engine(bt.cluster, bt.target, bt.scratch)
	cfg.Conn, cfg.Drill, cfg.Logger, cfg.Now = conn, d.DrillCommand, d.Logger, d.Now
	e, err := backup.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("backup location %s: %w", bt.loc.Name, err)
	}
	return e, nil
}

// admitBackup checks that the cluster has the location a backup job names, as configured now.
func (d Deps) admitBackup(kind string) func(cluster string, raw json.RawMessage) error {
	return func(cluster string, raw json.RawMessage) error {
		p, err := parseBackupParams(kind, raw)
		if err != nil {
			return jobs.InvalidParameters(err)
		}
		if _, err := d.backupTarget(cluster, p.Location, kind); err != nil {
			return jobs.InvalidParameters(err)
		}
		return nil
	}
}

// backupEvent is one event a backup job stores.
type backupEvent struct {
	kind     store.BackupEventKind
	name     string
	started  time.Time
	finished time.Time
	err      error
	errText  string
	size     int64
	record   any
}

// saveEvent stores ev of the job's run in bt. Its id is the job's, its attempt's and the
// kind's, so that a worker that takes the job over after the event was stored does not store it
// twice. It is stored even when the job was cancelled meanwhile.
func (d Deps) saveEvent(ctx context.Context, run *jobs.Run, bt backupTarget, ev backupEvent) error {
	if d.BackupEvents == nil {
		return errors.New("no history store to keep backup events in")
	}
	raw, err := json.Marshal(ev.record)
	if err != nil {
		return fmt.Errorf("encode the %s record: %w", ev.kind, err)
	}
	e := store.BackupEvent{
		ID:      fmt.Sprintf("%s.%d.%s", run.Job.ID, run.Job.Attempts, ev.kind),
		Cluster: bt.cluster, Location: bt.loc.Name, Kind: ev.kind, Name: ev.name, JobID: run.Job.ID,
		StartedAt: ev.started, FinishedAt: ev.finished, OK: ev.err == nil && ev.errText == "", Error: ev.errText,
		Size: ev.size, Record: raw,
	}
	if ev.err != nil {
		e.Error = ev.err.Error()
	}
	if e.FinishedAt.IsZero() {
		e.FinishedAt = d.Now()
	}
	if e.StartedAt.IsZero() {
		e.StartedAt = e.FinishedAt
	}
	_, err = d.BackupEvents.SaveBackupEvent(context.WithoutCancel(ctx), e)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("store the %s event: %w", ev.kind, err)
	}
	return nil
}

// backupRecord is the record of the backup called name in bt, from its stored backup event;
// nil when it is not one of ours (another tool's, or one whose event is gone).
func (d Deps) backupRecord(ctx context.Context, bt backupTarget, name string) (*backup.Record, error) {
	if d.BackupEvents == nil {
		return nil, nil
	}
	evs, err := d.BackupEvents.ListBackupEvents(ctx, store.BackupEventFilter{Cluster: bt.cluster, Location: bt.loc.Name,
		Kind: store.BackupEventBackup, Name: name, Limit: 10})
	if err != nil {
		return nil, fmt.Errorf("backup events: %w", err)
	}
	for _, e := range evs {
		if !e.OK {
			continue
		}
		var rec backup.Record
		if err := json.Unmarshal(e.Record, &rec); err != nil {
			return nil, fmt.Errorf("backup event %s: record: %w", e.ID, err)
		}
		return &rec, nil
	}
	return nil, nil
}

// verified reports whether the latest verification of the backup called name in bt passed,
// and when there is none, says so.
func (d Deps) verified(ctx context.Context, bt backupTarget, name string) (bool, string, error) {
	if d.BackupEvents == nil {
		return false, "no history store", nil
	}
	evs, err := d.BackupEvents.ListBackupEvents(ctx, store.BackupEventFilter{Cluster: bt.cluster, Location: bt.loc.Name,
		Kind: store.BackupEventVerify, Name: name, Limit: 1})
	if err != nil {
		return false, "", fmt.Errorf("backup events: %w", err)
	}
	switch {
	case len(evs) == 0:
		return false, "it was never verified", nil
	case !evs[0].OK:
		return false, "its latest verification failed: " + evs[0].Error, nil
	}
	return true, "", nil
}

// newestVerified is the newest backup of bt that the location still holds and whose latest
// verification passed.
func (d Deps) newestVerified(ctx context.Context, bt backupTarget, e *backup.Engine) (string, error) {
	objs, err := e.List(ctx)
	if err != nil {
		return "", err
	}
	for _, o := range objs {
		ok, _, err := d.verified(ctx, bt, o.Name)
		if err != nil {
			return "", err
		}
		if ok {
			return o.Name, nil
		}
	}
	return "", fmt.Errorf("no backup in %s has passed verification", bt.loc.Location)
}

// readingJob is how the backup kinds that only read a location (verify, drill, inspect)
// start: the job's parameters, the cluster's target of the location they name, and an engine
// for it without an etcd connection.
func (d Deps) readingJob(run *jobs.Run, kind string) (backupParams, backupTarget, *backup.Engine, error) {
	p, err := parseBackupParams(kind, run.Job.Parameters)
	if err != nil {
		return p, backupTarget{}, nil, err
	}
	bt, err := d.backupTarget(run.Job.Cluster, p.Location, kind)
	if err != nil {
		return p, bt, nil, err
	}
	eng, err := d.engine(bt, nil)
	return p, bt, eng, err
}
