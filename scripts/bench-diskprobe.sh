#!/usr/bin/env bash
# diskprobe: native against fio on the same directory with the same job (etcd's documented check:
# 22 MiB in 2,300-byte writes, each followed by fdatasync), alternating, PAIRS pairs (default 3).
# Prints p50 and p99 of fdatasync (from each engine's own report) and each run's wall time (the
# whole `etcd-monitor diskprobe` process, fio's start included), side by side with the ratios
# native/fio, against issue #16's goals: p50 and p99 within +-15 %, native wall <= fio wall.
# DIR (default: a temporary directory under /var/tmp, removed after) chooses the disk; PROFILE
# (default etcd) the job. Disk latency moves with whatever else the machine does: run it quiet.
# Then the engine's own per-sync overhead on tmpfs: go test -bench BenchmarkNative ./diskprobe/.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${PAIRS:-3}
profile=${PROFILE:-etcd}

if ! command -v fio >/dev/null 2>&1; then
  echo "== diskprobe: skipped (fio is not installed; scripts/install-test-deps.sh installs it)"
  exit 0
fi
work=$(mktemp -d)
probe_dir=${DIR:-}
if [ -z "$probe_dir" ]; then probe_dir=$(mktemp -d /var/tmp/diskprobe-bench.XXXXXX); fi
cleanup() {
  rm -rf "$work"
  if [ -z "${DIR:-}" ]; then rm -rf "$probe_dir"; fi
}
trap cleanup EXIT
go build -o "$work/etcd-monitor" ./cmd/etcd-monitor

echo "== diskprobe (native vs $(fio --version), profile $profile, $pairs pairs alternating, in $probe_dir)"
# sync_fig FILE KEY: the fdatasync percentile KEY ("50", "99") of a -w json report, in ms.
sync_fig() {
  awk -v key="\"$2\":" '
    /^  "sync": \{/ { in_sync = 1 }
    in_sync && $1 == key { v = $2; sub(/,$/, "", v); printf "%.4f", v * 1000; exit }
  ' "$1"
}
: >"$work/rows"
for ((i = 1; i <= pairs; i++)); do
  for engine in native fio; do
    t0=$(date +%s%N)
    code=0
    "$work/etcd-monitor" diskprobe --dir "$probe_dir" --profile "$profile" --engine "$engine" -w json \
      >"$work/$engine.$i.json" 2>"$work/$engine.$i.err" || code=$?
    t1=$(date +%s%N)
    if [ "$code" -gt 1 ]; then echo "$engine run $i failed:" >&2; cat "$work/$engine.$i.err" >&2; exit 1; fi
    echo "$i $engine $(sync_fig "$work/$engine.$i.json" 50) $(sync_fig "$work/$engine.$i.json" 99) $(((t1 - t0) / 1000000))" >>"$work/rows"
  done
done

awk '
{ p50[$1, $2] = $3; p99[$1, $2] = $4; wall[$1, $2] = $5; n = ($1 > n ? $1 : n) }
END {
  printf "\n%-6s %-6s %12s %12s %12s\n", "pair", "engine", "p50", "p99", "wall"
  for (i = 1; i <= n; i++) {
    for (e = 0; e < 2; e++) {
      en = (e == 0 ? "native" : "fio")
      printf "%-6d %-6s %10.3fms %10.3fms %10dms\n", i, en, p50[i, en], p99[i, en], wall[i, en]
    }
  }
  printf "\n%-34s %12s %12s %8s %14s\n", "measure (mean of " n " pairs)", "native", "fio", "ratio", "median ratio"
  for (i = 1; i <= n; i++) {
    a50 += p50[i, "native"]; b50 += p50[i, "fio"]; a99 += p99[i, "native"]; b99 += p99[i, "fio"]; aw += wall[i, "native"]; bw += wall[i, "fio"]
    q50[i] = p50[i, "native"] / p50[i, "fio"]; q99[i] = p99[i, "native"] / p99[i, "fio"]; qw[i] = wall[i, "native"] / wall[i, "fio"]
  }
  r50 = a50 / b50; r99 = a99 / b99; rw = aw / bw
  m50 = median(q50, n); m99 = median(q99, n); mw = median(qw, n)
  printf "%-34s %10.3fms %10.3fms %7.2fx %13.2fx\n", "fdatasync p50", a50 / n, b50 / n, r50, m50
  printf "%-34s %10.3fms %10.3fms %7.2fx %13.2fx\n", "fdatasync p99", a99 / n, b99 / n, r99, m99
  printf "%-34s %10.0fms %10.0fms %7.2fx %13.2fx\n", "wall time (whole process)", aw / n, bw / n, rw, mw
  printf "(ratio: of the means; median ratio: the median of the %d pairs'"'"' own ratios, which one disturbed run cannot move)\n", n
  printf "\ngoal: p50 within +-15 %%: mean %s, median %s\n", ok(r50 >= 0.85 && r50 <= 1.15), ok(m50 >= 0.85 && m50 <= 1.15)
  printf "goal: p99 within +-15 %%: mean %s, median %s\n", ok(r99 >= 0.85 && r99 <= 1.15), ok(m99 >= 0.85 && m99 <= 1.15)
  printf "goal: native wall <= fio wall: mean %s, median %s\n", ok(rw <= 1), ok(mw <= 1)
}
function ok(c) { return c ? "met" : "NOT met" }
function median(a, n,    i, j, t, b) {
  for (i = 1; i <= n; i++) b[i] = a[i]
  for (i = 2; i <= n; i++) for (j = i; j > 1 && b[j - 1] > b[j]; j--) { t = b[j]; b[j] = b[j - 1]; b[j - 1] = t }
  return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}' "$work/rows"

# The engine's own cost per write + fdatasync, where the disk costs next to nothing (tmpfs,
# OVERHEAD_DIR; default /dev/shm when it is tmpfs), so that what remains is the engine's.
overhead_dir=${OVERHEAD_DIR:-}
if [ -z "$overhead_dir" ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then overhead_dir=/dev/shm; fi
overhead_dir=${overhead_dir:-$probe_dir}
echo
echo "== diskprobe engine overhead (go test -bench BenchmarkNative ./diskprobe/, in $overhead_dir)"
DISKPROBE_BENCH_DIR="$overhead_dir" go test -run '^$' -bench 'BenchmarkNative' -benchtime="${BENCHTIME:-20000x}" ./diskprobe/ | tee "$work/bench" | grep -E '^(goos|goarch|cpu):' || true
awk '
/^BenchmarkNative/ {
  name = $1; sub(/-[0-9]+$/, "", name); ns[name] = $3
  for (i = 5; i <= NF; i += 2) if ($(i + 1) == "write-phase-ns/sync") phase[name] = $i
}
END {
  e = phase["BenchmarkNativeEngineSync"]; b = ns["BenchmarkNativeBareWriteFdatasync"]
  printf "\n%-34s %12s %12s %8s\n", "measure (per write + fdatasync)", "engine", "bare loop", "ratio"
  printf "%-34s %10.1fus %10.1fus %7.2fx  (bare loop: WriteAt + unix.Fdatasync, nothing else)\n", "native engine", e / 1000, b / 1000, e / b
}' "$work/bench"
