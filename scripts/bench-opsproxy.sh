#!/usr/bin/env bash
# Runs opsproxy's benchmarks (GET and PUT through opsproxy with token auth, RBAC and audit to
# PostgreSQL, against direct clientv3 calls on the same in-process 3-member cluster, with the
# same number of concurrent clients and the same warm-up; each direct run is followed at once
# by its proxy runs, over HTTP/1.1 and over HTTP/2 without TLS) and prints the figures side by
# side with ratios and the goals of the spec.
# On a shared 2-core machine one run's figures move by 10-20 %, so the whole benchmark runs
# ROUNDS times (default 3), each round a new process with a fresh cluster and schema; every ratio
# is taken within its round and the table shows the median with the range over all rounds.
# PostgreSQL must be reachable (see internal/store/storetest). BENCHTIME (default 5s) sets
# -benchtime.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
echo "== opsproxy (go test -bench 'BenchmarkOpsproxy|BenchmarkAuditAppend(Sealed)?' -benchtime=${BENCHTIME:-5s} ./opsproxy/, $rounds rounds)"
bin=$(mktemp -d)/opsproxy.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./opsproxy/
out=""
for ((i = 1; i <= rounds; i++)); do
  # A round is one whole run (-count would repeat each sub-benchmark back to back instead,
  # so that a direct run would no longer be followed at once by its proxy runs).
  round=$(cd opsproxy && "$bin" -test.run '^$' -test.bench '^(BenchmarkOpsproxy|BenchmarkAuditAppend|BenchmarkAuditAppendSealed)$' -test.benchtime "${BENCHTIME:-5s}")
  echo "$round" | grep -E '^(Benchmark|PASS|FAIL)' >&2
  out+="$round"$'\n'
done
echo "$out" | awk -v rounds="$rounds" '
function metric(line, unit,   i, n, f) {
  n = split(line, f, /[ \t]+/)
  for (i = 2; i <= n; i++) if (f[i] == unit) return f[i-1]
  return ""
}
# median and range of the values v[key, 1..n[key]]
function sortvals(key,   i, j, t) {
  for (i = 1; i <= n[key]; i++) s[i] = v[key, i]
  for (i = 2; i <= n[key]; i++) for (j = i; j > 1 && s[j-1] > s[j]; j--) { t = s[j]; s[j] = s[j-1]; s[j-1] = t }
}
function med(key) { if (!(key in n)) return ""; sortvals(key); return s[int((n[key] + 1) / 2)] }
function lo(key) { sortvals(key); return s[1] }
function hi(key) { sortvals(key); return s[n[key]] }
function add(key, x) { n[key]++; v[key, n[key]] = x }
function goal(ok) { return ok ? "met" : "NOT met" }
/^BenchmarkOpsproxy\// {
  split($1, p, "/"); op = p[2]; mode = p[3]; c = p[4]; sub(/-[0-9]+$/, "", c); sub(/clients=/, "", c)
  r = ++seen[op, mode, c]
  ops[op, mode, c, r] = metric($0, "ops/s"); p99[op, mode, c, r] = metric($0, "p99-ms")
  has[op, c] = 1
  if (c == 50) {
    add("cpu" SUBSEP op SUBSEP mode, metric($0, "cpu-us/op")); add("pgcpu" SUBSEP op SUBSEP mode, metric($0, "pg-cpu-us/op") + 0)
    add("call" SUBSEP op SUBSEP mode, 1000 * c / metric($0, "ops/s"))
    if (metric($0, "audit-wait-ms") != "") add("wait" SUBSEP op SUBSEP mode, metric($0, "audit-wait-ms"))
  }
}
/^BenchmarkAuditAppend-/ { add("audit", metric($0, "ops/s")); audit_r = metric($0, "ops/s") }
/^BenchmarkAuditAppendSealed-/ { add("sealed", metric($0, "ops/s")); if (audit_r > 0) add("sealratio", 100 * metric($0, "ops/s") / audit_r) }
END {
  split("get put", opsl, " "); split("1 50", cl, " "); split("http1 http2", pl, " ")
  for (i = 1; i <= 2; i++) for (j = 1; j <= 2; j++) for (k = 1; k <= 2; k++) {
    o = opsl[i]; c = cl[j]; m = "proxy-" pl[k]
    for (r = 1; r <= seen[o, m, c]; r++) {
      d = ops[o, "direct", c, r]; x = ops[o, m, c, r]
      add("direct" SUBSEP o SUBSEP c SUBSEP pl[k], d); add("proxy" SUBSEP o SUBSEP c SUBSEP pl[k], x)
      add("ratio" SUBSEP o SUBSEP c SUBSEP pl[k], d > 0 ? 100 * x / d : 0)
      add("added" SUBSEP o SUBSEP c SUBSEP pl[k], p99[o, m, c, r] - p99[o, "direct", c, r])
    }
  }
  printf "\n%d round(s); median, with [lowest-highest] over the rounds\n", rounds
  printf "%-4s %7s %-6s %11s %11s %15s %21s\n", "op", "clients", "proxy", "direct op/s", "proxy op/s", "ratio", "added p99"
  for (i = 1; i <= 2; i++) for (j = 1; j <= 2; j++) for (k = 1; k <= 2; k++) {
    key = opsl[i] SUBSEP cl[j] SUBSEP pl[k]
    if (!(("ratio" SUBSEP key) in n)) continue
    printf "%-4s %7s %-6s %11.0f %11.0f %4.0f%% [%2.0f-%2.0f] %6.2fms [%.2f-%.2f]\n", opsl[i], cl[j], pl[k],
      med("direct" SUBSEP key), med("proxy" SUBSEP key), med("ratio" SUBSEP key), lo("ratio" SUBSEP key), hi("ratio" SUBSEP key),
      med("added" SUBSEP key), lo("added" SUBSEP key), hi("added" SUBSEP key)
  }
  printf "\n"
  for (k = 1; k <= 2; k++) { key = "proxy" SUBSEP "put" SUBSEP "50" SUBSEP pl[k]; if (key in n) printf "audited writes/s through opsproxy over %s (50 clients, 2 audit records each): %.0f [%.0f-%.0f]\n", pl[k], med(key), lo(key), hi(key) }
  if ("audit" in n) printf "audit records/s committed to PostgreSQL alone (50 waiting writers): %.0f [%.0f-%.0f]\n", med("audit"), lo("audit"), hi("audit")
  if ("sealed" in n) printf "the same, sealed (a signed checkpoint per batch to a witness file and the store): %.0f [%.0f-%.0f], %.0f%% of unsealed\n", med("sealed"), lo("sealed"), hi("sealed"), med("sealratio")
  printf "\nat 50 clients, per call: CPU time of this process (clients, opsproxy, etcd) and of PostgreSQL,\n"
  printf "the mean time a call took (clients / throughput) and, for proxied writes, how long it waited for its audit record\n"
  printf "%-4s %-12s %11s %11s %10s %10s\n", "op", "path", "process us", "postgres us", "call ms", "audit ms"
  split("direct proxy-http1 proxy-http2", ml, " ")
  for (i = 1; i <= 2; i++) for (k = 1; k <= 3; k++) {
    key = opsl[i] SUBSEP ml[k]
    if (!(("cpu" SUBSEP key) in n)) continue
    wait = (("wait" SUBSEP key) in n) ? sprintf("%10.2f", med("wait" SUBSEP key)) : sprintf("%10s", "-")
    printf "%-4s %-12s %11.0f %11.0f %10.2f %s\n", opsl[i], ml[k], med("cpu" SUBSEP key), med("pgcpu" SUBSEP key), med("call" SUBSEP key), wait
  }
  printf "\ngoals, on the median round (HTTP/1.1 | HTTP/2 without TLS):\n"
  a1 = med("added" SUBSEP "get" SUBSEP "1" SUBSEP "http1"); a2 = med("added" SUBSEP "get" SUBSEP "1" SUBSEP "http2")
  if (("get", "1") in has) printf "  added p99 for reads <= 2 ms (1 client): %.2f ms: %s | %.2f ms: %s\n", a1, goal(a1 <= 2), a2, goal(a2 <= 2)
  g1 = med("ratio" SUBSEP "get" SUBSEP "50" SUBSEP "http1"); g2 = med("ratio" SUBSEP "get" SUBSEP "50" SUBSEP "http2")
  if (("get", "50") in has) printf "  read throughput >= 70%% of direct (50 clients): %.0f%%: %s | %.0f%%: %s\n", g1, goal(g1 >= 70), g2, goal(g2 >= 70)
  w1 = med("ratio" SUBSEP "put" SUBSEP "50" SUBSEP "http1"); w2 = med("ratio" SUBSEP "put" SUBSEP "50" SUBSEP "http2")
  if (("put", "50") in has) printf "  write throughput >= 70%% of direct (50 clients): %.0f%%: %s | %.0f%%: %s\n", w1, goal(w1 >= 70), w2, goal(w2 >= 70)
  x1 = med("proxy" SUBSEP "put" SUBSEP "50" SUBSEP "http1"); x2 = med("proxy" SUBSEP "put" SUBSEP "50" SUBSEP "http2")
  if (("put", "50") in has) printf "  audited writes/s >= 5000 (50 clients): %.0f: %s | %.0f: %s\n", x1, goal(x1 >= 5000), x2, goal(x2 >= 5000)
}'
