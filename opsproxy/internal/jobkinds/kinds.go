package jobkinds

import "github.com/etcd-monitor/etcd-monitor/internal/jobs"

// Kinds returns the job kinds that opsproxy enqueues and workers run: "defragment",
// "snapshot", "benchmark", "disktest" and the backup kinds ("backup", "backup-verify",
// "backup-drill", "backup-inspect", "backup-restore"). The API and every worker build them from the same function.
func Kinds(d Deps) []jobs.Kind {
	d = d.withDefaults()
	return []jobs.Kind{d.defragmentKind(), d.snapshotKind(), d.benchmarkKind(), d.disktestKind(),
		d.backupKind(), d.backupVerifyKind(), d.backupDrillKind(), d.backupInspectKind(), d.backupRestoreKind()}
}
