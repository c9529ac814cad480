#!/usr/bin/env bash
# diskprobe agent (etcd-monitor diskprobe serve), two figures:
#  1. Its own cost on the host: the real agent process serving on loopback, CPU (the sum of its
#     threads' on-CPU time from /proc/<pid>/task/*/schedstat, in ns) while idle between probes,
#     scraped every 15 s as Prometheus would, over IDLE_SECONDS (default 60), and per probe of
#     the agent profile (POST /probe, PROBES times, default 5); RSS (VmRSS idle, VmHWM after the
#     probes). Extrapolated to an hour at the default interval (5m: 12 probes an hour) — a short
#     window scaled up, not an hour measured.
#  2. What a probe costs an etcd member sharing the disk: BenchmarkProbeCostToMember (one real
#     member in its own process, real fdatasync, a steady put load; windows without probes
#     alternate with windows of back-to-back probes), the member's own WAL fsync p99 and mean
#     and the client's put p99, without and with probes, side by side.
# The probe directory and the member's data are under TMPDIR (default /var/tmp: a real disk on
# most systems, where /tmp may be tmpfs). On a shared machine the figures move.
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${IDLE_SECONDS:-60}
probes=${PROBES:-5}
export TMPDIR=${TMPDIR:-/var/tmp}
work=$(mktemp -d "$TMPDIR/bench-diskprobe-agent.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== diskprobe agent: idle cost and probe cost (real agent, ${idle}s idle window, $probes probes)"
go build -o "$work/etcd-monitor" ./cmd/etcd-monitor
mkdir "$work/probe"
port=$((20000 + RANDOM % 40000))
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((20000 + RANDOM % 40000)); done
url="http://127.0.0.1:$port"
# Interval 1h, jitter 0: the first scheduled probe runs at once, then none in the window.
"$work/etcd-monitor" diskprobe serve --dir "$work/probe" --web.listen-address "127.0.0.1:$port" \
  --probe.interval=1h --probe.jitter=0 --log.level=warn >"$work/agent.log" 2>&1 &
pid=$!
scheduled='etcd_monitor_diskprobe_runs_total{result="pass",trigger="schedule"} 1'
for _ in $(seq 1 300); do
  curl -sf "$url/metrics" 2>/dev/null | grep -qF "$scheduled" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/agent.log"; echo "the agent stopped" >&2; exit 1; }
  sleep 0.1
done
curl -sf "$url/metrics" | grep -qF "$scheduled" || { cat "$work/agent.log"; echo "no scheduled probe passed" >&2; exit 1; }

cpu_ns() { cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'; }
status() { awk -v k="$1:" '$1 == k { print $2 * 1024 }' /proc/"$pid"/status; }

sleep 2
c0=$(cpu_ns); t0=$(date +%s%N)
for ((s = 0; s < idle; s += 15)); do
  curl -sf "$url/metrics" >/dev/null
  sleep $((idle - s < 15 ? idle - s : 15))
done
c1=$(cpu_ns); t1=$(date +%s%N)
rss_idle=$(status VmRSS)

probe_ns=0
for ((i = 0; i < probes; i++)); do
  a=$(cpu_ns)
  curl -sf -X POST "$url/probe" -d '{"profile": "agent"}' >"$work/result.json"
  b=$(cpu_ns)
  probe_ns=$((probe_ns + b - a))
done
hwm=$(status VmHWM)
p99=$(sed -n 's/^ *"99": \([0-9.e+-]*\).*/\1/p' "$work/result.json" | head -1)

awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v pn="$probe_ns" -v n="$probes" -v rss="$rss_idle" -v hwm="$hwm" -v p99="$p99" 'BEGIN {
  idle_s = (t1 - t0) / 1e9
  idle_cpu_h = (c1 - c0) / 1e9 / idle_s * 3600
  probe_cpu = pn / 1e9 / n
  printf "\n%-52s %14s\n", "measure", "agent"
  printf "%-52s %12.3f s  (%.0f s window scaled to an hour, scraped every 15 s)\n", "CPU per hour, idle between probes", idle_cpu_h, idle_s
  printf "%-52s %12.3f s  (mean of %d; last probe p99 %s s)\n", "CPU per probe, agent profile (2 MiB, 911 syncs)", probe_cpu, n, p99
  printf "%-52s %12.3f s  (idle + 12 probes)\n", "CPU per hour at the default interval (5m)", idle_cpu_h + 12 * probe_cpu
  printf "%-52s %12.1f MiB\n", "RSS while idle (VmRSS)", rss / 1048576
  printf "%-52s %12.1f MiB\n", "peak RSS after the probes (VmHWM)", hwm / 1048576
}'
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

window=${DISKPROBE_BENCH_WINDOW:-10s}
pairs=${DISKPROBE_BENCH_PAIRS:-3}
rate=${DISKPROBE_BENCH_RATE:-200}
echo
echo "== diskprobe agent: cost to an etcd member on the same disk (go test -bench BenchmarkProbeCostToMember, $pairs pairs of ${window} windows, $rate puts/s)"
out="$work/bench.out"
DISKPROBE_BENCH_WINDOW=$window DISKPROBE_BENCH_PAIRS=$pairs DISKPROBE_BENCH_RATE=$rate \
  go test -run '^$' -bench 'BenchmarkProbeCostToMember' -benchtime=1x ./diskprobe/agent/ >"$out"
awk '
function metric(line, unit,   i, n, f) { n = split(line, f, /[ \t]+/); for (i = 1; i < n; i++) if (f[i+1] == unit) return f[i]; return "" }
/^BenchmarkProbeCostToMember\// { name = $1; sub(/^BenchmarkProbeCostToMember\/profile=/, "", name); sub(/-[0-9]+$/, "", name); row[name] = $0; order[++n] = name }
END {
  printf "\n%-40s %12s %12s %8s\n", "member figure (probes back to back)", "with", "without", "ratio"
  for (i = 1; i <= n; i++) {
    r = row[order[i]]
    printf "profile %s (%s probes, median probe p99 %s ms, member at %s fsyncs/s)\n", order[i], metric(r, "probes"), metric(r, "probe-p99-ms-median"), metric(r, "fsyncs/s-without")
    split("fsync-p99 fsync-mean put-p99", ms, " ")
    for (j = 1; j <= 3; j++) {
      w = metric(r, ms[j] "-ms-with"); wo = metric(r, ms[j] "-ms-without")
      printf "  %-38s %10.2fms %10.2fms %7.2fx\n", ms[j], w, wo, (wo > 0 ? w / wo : 0)
    }
  }
}' "$out"
