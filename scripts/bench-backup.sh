#!/usr/bin/env bash
# Backups: our snapshot save (backup engine, into a directory, unencrypted) against
# `etcdctl snapshot save` (3.7.3, built from the Go module proxy) on the same one-member cluster,
# alternating, for databases of BACKUP_BENCH_SIZES MiB (default "64 256"). Prints throughput of
# each, their ratio (issue #17's goal: >= 0.9), the whole backup with its verification (which
# reads the stored copy back), and peak RSS of ours and of etcdctl, per size: ours should not
# grow with the database. On a shared machine the figures move; run it when the machine is quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${BACKUP_BENCH_SIZES:-"64 256"}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== backup (snapshot save vs etcdctl snapshot save, $runs runs each, alternating)"
# `go install go.etcd.io/etcd/etcdctl/v3@v3.7.3` refuses the module (its go.mod has replace
# directives), so etcdctl is built inside a throwaway module that requires it.
mkdir "$work/etcdctl-build"
(
  cd "$work/etcdctl-build"
  go mod init etcdctl-build >/dev/null 2>&1
  go get go.etcd.io/etcd/etcdctl/v3@v3.7.3 >/dev/null 2>&1
  go build -o "$work/etcdctl" go.etcd.io/etcd/etcdctl/v3
)
go test -c -o "$work/backup.test" ./backup/

printf "\n%-8s %12s %12s %8s %16s %18s %16s\n" "db" "ours" "etcdctl" "ratio" "ours+verify" "ours anon (rss)" "etcdctl anon (rss)"
for mib in $sizes; do
  line=$(cd "$work" && ETCDCTL="$work/etcdctl" BACKUP_BENCH_MIB="$mib" ./backup.test -test.run '^$' \
    -test.bench BenchmarkSnapshotSave -test.benchtime="${runs}x" | grep '^BenchmarkSnapshotSave')
  echo "$line" | awk '{
    for (i = 3; i < NF; i += 2) v[$(i+1)] = $i
    printf "%5.0fMiB %8.1fMiB/s %8.1fMiB/s %7.2fx %12.1fMiB/s %7.0f (%4.0f) MiB %7.0f (%4.0f) MiB\n", v["db-MiB"], v["ours-save-MiB/s"], v["etcdctl-MiB/s"], v["save-throughput-ratio"], v["ours-backup+verify-MiB/s"], v["ours-peak-anon-MiB"], v["ours-peak-rss-MiB"], v["etcdctl-peak-anon-MiB"], v["etcdctl-peak-rss-MiB"]
    ratio = v["save-throughput-ratio"]
    if (ratio < 0.9) low = 1
  } END { if (low) print "  (ratio under the 0.9 goal at this size)" }'
done
echo
echo "Peak memory during our backups (the whole test process: client, engine, Go runtime; etcd runs in"
echo "its own process) and of the etcdctl process: anonymous memory (heap, buffers), and in brackets"
echo "all resident memory, which also counts the pages of the snapshot file etcd's snapshot code maps"
echo "while verifying (file cache the kernel reclaims at will). etcdctl's time is its whole process."
echo "goal: save throughput ratio >= 0.9, and our anonymous memory flat across sizes."
