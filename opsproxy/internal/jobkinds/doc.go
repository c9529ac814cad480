// Package jobkinds defines the job kinds opsproxy enqueues and workers run: "defragment" (a
// cluster-wide, ordered, rule-driven defragmentation), "snapshot" (a snapshot saved into the
// shared snapshot directory), "benchmark" (load from benchrunner, its reports stored) and
// "disktest" (a probe by the diskprobe agent on each member's host, through
// opsproxy/internal/diskagent, its results stored) and the backup kinds "backup",
// "backup-verify", "backup-drill", "backup-inspect" and "backup-restore" (the backup engine on
// the configuration's backups section, one backup event stored per step; backup*.go).
// Kinds(Deps) gives them to the jobs API,
// which checks a caller's role and parameters with them, and to every jobs.Runner, which runs
// them.
//
// # Deps
//
// Deps holds no opsproxy server: a Cluster function that gives a connection from
// opsproxy/internal/conns, the shared snapshot directory and the maintenance timeouts. opsproxy
// passes a function over its live (reloadable) connections; a standalone worker loads the same
// configuration file, makes the same connections with conns.Connect and passes
// StaticClusters(set). Both then see the same clusters and write snapshots where opsproxy's
// snapshot endpoints list, check and restore them (the snapshot directory must be shared).
//
// # The defragmentation rule
//
// A member is defragmented only when a rule holds over its figures, as etcd-defrag's
// --defrag-rule: an expression over dbSize, dbSizeInUse, dbQuota (as the member reports it;
// etcd's 2 GiB default when it reports none) and dbSizeFree (dbSize - dbSizeInUse), with
// numbers, + - * /, comparisons, && || ! and parentheses. The default is
// defrag.DefaultRule: "dbSize - dbSizeInUse > 0.5*dbSize || dbSize > 0.8*dbQuota". An
// expression rather than a set of named rules, because operators already write etcd-defrag's
// rules and thresholds differ per cluster; it is parsed into a tree by opsproxy/internal/defrag
// and evaluated there, never run as code, and a parse error gives the position.
//
// # Room for a copy
//
// A defragmentation writes a copy of the member's live data (about dbSizeInUse bytes) beside
// its database file before swapping them, so the member's disk needs that much free. etcd does
// not report free disk space, so it can only be known where the worker sees the member's data
// directory: Deps.DiskFree answers for those members. For the others the disk is taken to be
// sized for at least the quota (etcd's documented minimum), so a copy fits when dbSize +
// dbSizeInUse <= dbQuota; a member past that is skipped with the reason, unless the job sets
// assume_disk_room. This is a judgement from the quota, not a measurement, and the reason
// says so.
//
// # Fencing and take-over
//
// Each member's step (pending, skipped, running, done, failed) is written to the job's record
// with the attempt's fencing token (jobs.Run.SaveProgress) before the step is taken, so a
// worker that loses the job cannot write over its successor, and the successor knows exactly
// where its predecessor was. A worker that takes a job over (attempt > 1) keeps the members
// done. For a member that was running, it cannot tell from outside whether etcd is still
// defragmenting it (etcd has no such status, and cannot be asked to stop), but a member that is
// defragmenting answers no health check (its backend is locked): so the worker waits, up to
// Deps.DefragTimeout, until every member answers a health check, then reads the member's
// figures again. When the rule no longer holds, the member is marked done (defragmented by the
// previous attempt); otherwise it is defragmented now (the previous attempt stopped before
// etcd began). A cancel never interrupts a member: the job stops after the current member.
package jobkinds
