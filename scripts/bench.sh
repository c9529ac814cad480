#!/usr/bin/env bash
# make bench: runs the benchmarks and prints each against its reference, side by side, with ratios.
#   exporter: probing one 3-member cluster vs one direct Status request and vs what etcdctl does
#             (endpoint status + endpoint health + member list, member after member); scrape time,
#             CPU, RSS and requests per member per scrape for 1, 10, 100 and 500 cluster entries.
# Other components add their own section when they have one (scripts/bench-*.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

BENCHTIME=${BENCHTIME:-50x}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "== exporter (go test -bench BenchmarkScrape -benchtime=$BENCHTIME ./exporter/)"
go test -run '^$' -bench 'BenchmarkScrape' -benchtime="$BENCHTIME" ./exporter/ | tee "$out" | grep -E '^(goos|goarch|cpu):' || true

awk '
/^BenchmarkScrape\// {
  name=$1; sub(/^BenchmarkScrape\//, "", name); sub(/-[0-9]+$/, "", name)
  ns[name]=$3
  for (i=5; i<=NF; i+=2) extra[name, $(i+1)]=$i
}
END {
  ms = 1e6
  printf "\n%-40s %12s %12s %8s\n", "measure", "etcd-monitor", "reference", "ratio"
  printf "%-40s %10.2fms %10.2fms %7.2fx  (reference: one direct Status; goal <= 2x)\n", "status probe, 1 cluster x 3 members", ns["probe-status"]/ms, ns["direct-status"]/ms, ns["probe-status"]/ns["direct-status"]
  printf "%-40s %10.2fms %10.2fms %7.2fx  (reference: 3 direct Status at once, the floor here)\n", "status probe, 1 cluster x 3 members", ns["probe-status"]/ms, ns["direct-status-3"]/ms, ns["probe-status"]/ns["direct-status-3"]
  printf "%-40s %10.2fms %10.2fms %7.2fx  (reference: one direct Status)\n", "every probe, 1 cluster x 3 members", ns["probe-all"]/ms, ns["direct-status"]/ms, ns["probe-all"]/ns["direct-status"]
  printf "%-40s %10.2fms %10.2fms %7.2fx  (reference: etcdctl status+health+member list)\n", "every probe, 1 cluster x 3 members", ns["probe-all"]/ms, ns["direct-etcdctl"]/ms, ns["probe-all"]/ns["direct-etcdctl"]
  printf "\n%-10s %14s %14s %10s %24s\n", "entries", "scrape", "cpu/scrape", "rss", "requests/member/scrape"
  n = split("1 10 100 500", entries, " ")
  for (i=1; i<=n; i++) {
    k = "entries=" entries[i]
    printf "%-10s %12.1fms %12.1fms %7.0fMiB %24.2f\n", entries[i], ns[k]/ms, extra[k, "cpu-ms/scrape"], extra[k, "rss-MiB"], extra[k, "requests/member/scrape"]
  }
  printf "\ngoal: 500 entries scrape in under 2 s: %s\n", (ns["entries=500"] < 2e9 ? "met" : "NOT met")
}' "$out"

for extra in scripts/bench-*.sh; do
  [ -e "$extra" ] || continue
  echo
  bash "$extra"
done
