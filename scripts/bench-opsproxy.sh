#!/usr/bin/env bash
# Runs opsproxy's benchmarks (GET and PUT through opsproxy with token auth, RBAC and audit to
# PostgreSQL, against direct clientv3 calls on the same in-process 3-member cluster, with the
# same number of concurrent clients and the same warm-up; each direct run is followed at once
# by its proxy runs, over HTTP/1.1 and over HTTP/2 without TLS) and prints the figures side by side with ratios and the goals of the spec.
# PostgreSQL must be reachable (see internal/store/storetest). BENCHTIME (default 5s) sets
# -benchtime.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== opsproxy (go test -bench 'BenchmarkOpsproxy|BenchmarkAuditAppend' -benchtime=${BENCHTIME:-5s} ./opsproxy/)"
out=$(go test ./opsproxy/ -run '^$' -bench '^(BenchmarkOpsproxy|BenchmarkAuditAppend)$' -benchtime "${BENCHTIME:-5s}" -count 1)
echo "$out" | grep -E '^(Benchmark|ok|FAIL)' >&2
echo "$out" | awk '
function metric(line, unit,   i, n, f) {
  n = split(line, f, /[ \t]+/)
  for (i = 2; i <= n; i++) if (f[i] == unit) return f[i-1]
  return ""
}
function goal(ok) { return ok ? "met" : "NOT met" }
/^BenchmarkOpsproxy\// {
  split($1, p, "/"); op = p[2]; mode = p[3]; c = p[4]; sub(/-[0-9]+$/, "", c); sub(/clients=/, "", c)
  ops[op, mode, c] = metric($0, "ops/s"); p99[op, mode, c] = metric($0, "p99-ms"); p50[op, mode, c] = metric($0, "p50-ms")
  seen[op, c] = 1
}
/^BenchmarkAuditAppend/ { audit = metric($0, "ops/s") }
END {
  printf "\n%-4s %7s %-6s %11s %11s %6s %10s %10s %10s %10s %10s\n", "op", "clients", "proxy", "direct op/s", "proxy op/s", "ratio", "direct p50", "proxy p50", "direct p99", "proxy p99", "added p99"
  split("get put", opsl, " "); split("1 50", cl, " "); split("http1 http2", pl, " ")
  for (i = 1; i <= 2; i++) for (j = 1; j <= 2; j++) for (k = 1; k <= 2; k++) {
    o = opsl[i]; c = cl[j]; m = "proxy-" pl[k]
    if (!((o, m, c) in ops)) continue
    d = ops[o, "direct", c]; x = ops[o, m, c]
    ratio[o, pl[k], c] = (d > 0 ? 100 * x / d : 0); added[o, pl[k], c] = p99[o, m, c] - p99[o, "direct", c]
    printf "%-4s %7s %-6s %11.0f %11.0f %5.0f%% %8.2fms %8.2fms %8.2fms %8.2fms %8.2fms\n", o, c, pl[k], d, x, ratio[o, pl[k], c], p50[o, "direct", c], p50[o, m, c], p99[o, "direct", c], p99[o, m, c], added[o, pl[k], c]
  }
  printf "\n"
  for (k = 1; k <= 2; k++) if (("put", "proxy-" pl[k], "50") in ops) printf "audited writes/s through opsproxy over %s (50 clients, 2 audit records each): %.0f\n", pl[k], ops["put", "proxy-" pl[k], "50"]
  if (audit != "") printf "audit records/s committed to PostgreSQL alone (50 waiting writers): %.0f\n", audit
  printf "\ngoals (HTTP/1.1 | HTTP/2 without TLS):\n"
  if (("get", "1") in seen) printf "  added p99 for reads <= 2 ms (1 client): %.2f ms: %s | %.2f ms: %s\n", added["get", "http1", "1"], goal(added["get", "http1", "1"] <= 2), added["get", "http2", "1"], goal(added["get", "http2", "1"] <= 2)
  if (("get", "50") in seen) printf "  read throughput >= 70%% of direct (50 clients): %.0f%%: %s | %.0f%%: %s\n", ratio["get", "http1", "50"], goal(ratio["get", "http1", "50"] >= 70), ratio["get", "http2", "50"], goal(ratio["get", "http2", "50"] >= 70)
  if (("put", "50") in seen) printf "  write throughput >= 70%% of direct (50 clients): %.0f%%: %s | %.0f%%: %s\n", ratio["put", "http1", "50"], goal(ratio["put", "http1", "50"] >= 70), ratio["put", "http2", "50"], goal(ratio["put", "http2", "50"] >= 70)
  if (("put", "50") in seen) printf "  audited writes/s >= 5000 (50 clients): %.0f: %s | %.0f: %s\n", ops["put", "proxy-http1", "50"], goal(ops["put", "proxy-http1", "50"] >= 5000), ops["put", "proxy-http2", "50"], goal(ops["put", "proxy-http2", "50"] >= 5000)
}'
