#!/usr/bin/env bash
# Runs the jobs benchmarks and prints the API's figures beside their references: enqueues/s
# through POST /api/v1/jobs onto Redis against the Redis queue alone and against the store's
# CreateJob alone (16 concurrent callers each, one transaction per job and group-committed by the
# JobWriter the API uses), and POST → handler start (p50/p99) against the
# library's Submit → start, with the spec's goals. Redis (127.0.0.1:6379) and PostgreSQL must be
# reachable, as for the tests; the API benchmarks start a redis-server of their own.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "== jobs (./internal/jobs, ./internal/store/{bolt,postgres}, ./opsproxy: BenchmarkJobAPI*)"
go test -run '^$' -bench 'BenchmarkEnqueue/Redis/parallel' -benchtime 2000x ./internal/jobs/ >>"$out"
go test -run '^$' -bench 'BenchmarkCreateJobs' -benchtime 2000x ./internal/store/bolt/ | sed 's/^BenchmarkCreateJobs\//BenchmarkCreateJobs\/bolt\//' >>"$out"
go test -run '^$' -bench 'BenchmarkCreateJobs' -benchtime 2000x ./internal/store/postgres/ | sed 's/^BenchmarkCreateJobs\//BenchmarkCreateJobs\/postgres\//' >>"$out"
go test -run '^$' -bench 'BenchmarkJobAPI' -benchtime 500x ./opsproxy/ 2>/dev/null >>"$out"
awk '
function metric(line, unit,   i, n, f) { n = split(line, f, /[ \t]+/); for (i = 1; i < n; i++) if (f[i+1] == unit) return f[i]; return "" }
/^Benchmark/ { name = $1; sub(/-[0-9]+$/, "", name); row[name] = $0 }
END {
  q = metric(row["BenchmarkEnqueue/Redis/parallel"], "enqueues/s")
  printf "\n%-46s %14s %14s %8s\n", "enqueues/s onto Redis, 16 callers", "API", "reference", "ratio"
  split("bolt postgres", stores, " ")
  for (i = 1; i <= 2; i++) {
    api = metric(row["BenchmarkJobAPIEnqueueRedis/" stores[i]], "enqueues/s")
    each = metric(row["BenchmarkCreateJobs/" stores[i] "/each"], "jobs/s")
    cj = metric(row["BenchmarkCreateJobs/" stores[i] "/writer"], "jobs/s")
    printf "%-46s %14.0f %14.0f %7.2fx  (queue alone)\n", "  store " stores[i], api, q, (q ? api / q : 0)
    printf "%-46s %14.0f %14.0f %7.2fx  (CreateJob alone, group-committed)\n", "  store " stores[i], api, cj, (cj ? api / cj : 0)
    printf "%-46s %14.0f %14.0f %7.2fx  (CreateJob alone, a transaction each)\n", "  store " stores[i], api, each, (each ? api / each : 0)
    printf "%-46s %s\n", "  goal >= 5,000/s", (api >= 5000 ? "met" : "NOT met")
  }
  printf "\n%-46s %14s %14s\n", "POST -> handler start, idle workers", "p50 ms", "p99 ms"
  for (i = 1; i <= 2; i++) {
    split("InProcess Redis", queues, " ")
    for (j = 1; j <= 2; j++) {
      r = row["BenchmarkJobAPIEnqueueToStart/" stores[i] "/" queues[j]]
      p99 = metric(r, "p99-ms")
      printf "%-46s %14s %14s  goal p99 <= 10 ms: %s\n", "  " stores[i] " " queues[j], metric(r, "p50-ms"), p99, (p99 != "" && p99 + 0 <= 10 ? "met" : "NOT met")
    }
  }
}' "$out"
