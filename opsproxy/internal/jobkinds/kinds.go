package jobkinds

import "github.com/etcd-monitor/etcd-monitor/internal/jobs"

// Kinds returns the job kinds that opsproxy enqueues and workers run: "defragment",
// "snapshot", "benchmark" and "disktest". The API and every worker build them from the same function.
func Kinds(d Deps) []jobs.Kind {
	d = d.withDefaults()
	return []jobs.Kind{d.defragmentKind(), d.snapshotKind(), d.benchmarkKind(), d.disktestKind()}
}
