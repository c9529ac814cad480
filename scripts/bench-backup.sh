#!/usr/bin/env bash
# Backups: our snapshot save (backup engine, into a directory, unencrypted) against
# `etcdctl snapshot save` (3.7.3, built from the Go module proxy) on the same one-member cluster,
# alternating, for databases of BACKUP_BENCH_SIZES MiB (default "64 256"). Prints throughput of
# each, their ratio (issue #17's goal: >= 0.9), the whole backup with its verification (which
# reads the stored copy back), and peak RSS of ours and of etcdctl, per size: ours should not
# grow with the database. Then uploads of a 256 MiB stream (S3_BENCH_MIB) into the locations:
# S3 (gofakes3, memory backend, in its own process; on loopback and with 20 ms added per request)
# against the SDK's own multipart calls and one PutObject, and a directory against cp (io.Copy
# and fsync), S3_RUNS runs each (default 2). On a shared machine the figures move; run it when
# the machine is quiet.
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
go test -c -o "$work/location.test" ./backup/location/

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

s3mib=${S3_BENCH_MIB:-256}
s3runs=${S3_RUNS:-2}
echo
echo "== upload of a ${s3mib} MiB stream into a location ($s3runs runs of each way, alternating)"
(cd "$work" && LOCATION_BENCH_MIB="$s3mib" ./location.test -test.run '^$' -test.bench 'BenchmarkS3Upload|BenchmarkDirUpload' \
  -test.benchtime="${s3runs}x") | awk '
/^BenchmarkS3Upload\// {
  for (i = 3; i < NF; i += 2) v[$(i+1)] = $i
  lat = $1; sub(/^BenchmarkS3Upload\/latency=/, "", lat); sub(/-[0-9]+$/, "", lat)
  if (!s3) {
    printf "\nS3 (gofakes3)  %14s %14s %14s %14s %10s %10s %10s\n", "ours, 4 parts", "ours, 1 part", "sdk 4 parts", "sdk PutObject", "4 vs 1", "vs parts", "vs Put"
    s3 = 1
  }
  printf "%-14s %9.1fMiB/s %9.1fMiB/s %9.1fMiB/s %9.1fMiB/s %9.2fx %9.2fx %9.2fx\n", "+" lat "/request", v["ours-4-parts-MiB/s"], v["ours-1-part-MiB/s"], v["sdk-parts-MiB/s"], v["sdk-putobject-MiB/s"], v["ours-4-parts-vs-1-part-ratio"], v["ours-vs-sdk-parts-ratio"], v["ours-vs-sdk-putobject-ratio"]
  printf "  peak anon    %11.0fMiB %11.0fMiB %11.0fMiB %11.0fMiB\n", v["ours-4-parts-peak-anon-MiB"], v["ours-1-part-peak-anon-MiB"], v["sdk-parts-peak-anon-MiB"], v["sdk-putobject-peak-anon-MiB"]
  printf "  server cores %14.2f %14.2f %14.2f %14.2f\n", v["ours-4-parts-server-cores"], v["ours-1-part-server-cores"], v["sdk-parts-server-cores"], v["sdk-putobject-server-cores"]
  printf "  client cores %14.2f %14.2f %14.2f %14.2f\n", v["ours-4-parts-client-cores"], v["ours-1-part-client-cores"], v["sdk-parts-client-cores"], v["sdk-putobject-client-cores"]
  delete v
}
/^BenchmarkDirUpload/ {
  for (i = 3; i < NF; i += 2) v[$(i+1)] = $i
  printf "\n%-14s %14s %14s %10s\n", "directory", "ours", "cp (+fsync)", "ratio"
  printf "%-14s %9.1fMiB/s %9.1fMiB/s %9.2fx\n", "", v["ours-MiB/s"], v["cp-MiB/s"], v["ours-vs-cp-ratio"]
  printf "  peak anon    %11.0fMiB %11.0fMiB\n", v["ours-peak-anon-MiB"], v["cp-peak-anon-MiB"]
  delete v
}'
echo
echo "S3: ours is Put with 4 parts of 5 MiB at once (upload_concurrency's default) and one after the other;"
echo "the ratios are of ours, 4 parts. sdk 4 parts is CreateMultipartUpload/UploadPart/CompleteMultipartUpload"
echo "driven from goroutines, a new buffer a part;"
echo "sdk PutObject reads the whole stream into memory first. Peak anon is this process's (the server runs in"
echo "its own); cores are CPU seconds per second of upload, of the server and of this process."
