#!/usr/bin/env bash
# Runs the Grafana app backend's benchmark and prints what the plugin adds to a resource call:
# the same GET of one key, as the same Grafana user, through the App's CallResource and straight
# to a real opsproxy (in front of a real etcd member), alternating call by call; p50 and p99 of
# each path, the difference, and the spec's goal (at most 2 ms added at p99). BENCHTIME (default
# 2000x) sets -benchtime.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "== grafana-app plugin backend (go test -bench BenchmarkPluginResourceOverhead -benchtime=${BENCHTIME:-2000x} ./grafana-app/pkg/plugin/)"
go test -run '^$' -bench 'BenchmarkPluginResourceOverhead' -benchtime "${BENCHTIME:-2000x}" ./grafana-app/pkg/plugin/ | tee "$out" | grep -E '^Benchmark' >&2
awk '
function metric(line, unit,   i, n, f) { n = split(line, f, /[ \t]+/); for (i = 2; i <= n; i++) if (f[i] == unit) return f[i-1]; return "" }
/^BenchmarkPluginResourceOverhead/ { row = $0 }
END {
  printf "\n%-40s %12s %12s %12s %8s\n", "GET one key, as a Grafana Viewer", "plugin", "direct", "added", "ratio"
  split("p50 p99", ps, " ")
  for (i = 1; i <= 2; i++) {
    p = metric(row, "plugin-" ps[i] "-ms"); d = metric(row, "direct-" ps[i] "-ms"); a = metric(row, "added-" ps[i] "-ms")
    printf "%-40s %10.3fms %10.3fms %10.3fms %7.2fx\n", "  " ps[i], p, d, a, (d ? p / d : 0)
  }
  a = metric(row, "added-p99-ms")
  printf "goal: at most 2 ms added at p99: %s\n", (a != "" && a + 0 <= 2 ? "met" : "NOT met")
}' "$out"
