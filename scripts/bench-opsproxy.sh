#!/usr/bin/env bash
# Runs opsproxy's benchmarks (GET and PUT through opsproxy with token auth, RBAC and audit to
# PostgreSQL, against direct clientv3 calls on the same in-process 3-member cluster) and prints
# the figures side by side. PostgreSQL must be reachable (see internal/store/storetest).
# BENCHTIME (default 5s) sets -benchtime.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(go test ./opsproxy/ -run '^$' -bench '^(BenchmarkOpsproxy|BenchmarkAuditAppend)$' -benchtime "${BENCHTIME:-5s}" -count 1)
echo "$out" | grep -E '^(Benchmark|ok|FAIL)' >&2
echo "$out" | awk '
function metric(line, unit,   i, n, f) {
  n = split(line, f, /[ \t]+/)
  for (i = 2; i <= n; i++) if (f[i] == unit) return f[i-1]
  return ""
}
/^BenchmarkOpsproxy\// {
  split($1, p, "/"); op = p[2]; mode = p[3]; c = p[4]; sub(/-[0-9]+$/, "", c); sub(/clients=/, "", c)
  ops[op, mode, c] = metric($0, "ops/s"); p99[op, mode, c] = metric($0, "p99-ms"); p50[op, mode, c] = metric($0, "p50-ms")
  seen[op, c] = 1
}
/^BenchmarkAuditAppend/ { audit = metric($0, "ops/s") }
END {
  printf "%-4s %7s %12s %12s %7s %10s %10s %10s\n", "op", "clients", "direct op/s", "proxy op/s", "ratio", "direct p99", "proxy p99", "added p99"
  split("get put", opsl, " "); split("1 50", cl, " ")
  for (i = 1; i <= 2; i++) for (j = 1; j <= 2; j++) {
    o = opsl[i]; c = cl[j]
    if (!((o, c) in seen)) continue
    d = ops[o, "direct", c]; x = ops[o, "proxy", c]
    printf "%-4s %7s %12.0f %12.0f %6.0f%% %8.2fms %8.2fms %8.2fms\n", o, c, d, x, (d > 0 ? 100 * x / d : 0), p99[o, "direct", c], p99[o, "proxy", c], p99[o, "proxy", c] - p99[o, "direct", c]
  }
  if (("put", "50") in seen) printf "audited writes/s through opsproxy (50 clients, 2 records each): %.0f\n", ops["put", "proxy", "50"]
  if (audit != "") printf "audit records/s committed to PostgreSQL alone (50 writers): %.0f\n", audit
}'
