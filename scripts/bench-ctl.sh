#!/usr/bin/env bash
# ctl one-shot: `etcd-monitor ctl get /k` (a whole process: start, token file, one POST to
# opsproxy's console, which checks the role, audits and reads from etcd) against `etcdctl get /k`
# (a whole process talking to etcd directly), alternately, N runs each (default 50), against the
# same `etcd-monitor demo` cluster. etcdctl 3.7.3 is built from the Go module proxy. Prints the
# median and p90 of each and their ratios (issue #14's goal: <= 1.5x), and checks both print the
# same bytes. On a shared machine the figures move; run it when the machine is quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-50}
. scripts/lib/demo.sh

echo "== ctl one-shot (etcd-monitor ctl get vs etcdctl get, $runs runs each, alternating)"
go build -o "$work/etcd-monitor" ./cmd/etcd-monitor
# `go install go.etcd.io/etcd/etcdctl/v3@v3.7.3` refuses the module (its go.mod has replace
# directives), so etcdctl is built inside a throwaway module that requires it.
mkdir "$work/etcdctl-build"
(
  cd "$work/etcdctl-build"
  go mod init etcdctl-build >/dev/null 2>&1
  go get go.etcd.io/etcd/etcdctl/v3@v3.7.3 >/dev/null 2>&1
  go build -o "$work/etcdctl" go.etcd.io/etcd/etcdctl/v3
)

ops="127.0.0.1:$(free_port)"
start_demo "$ops"

export ETCD_MONITOR_URL="http://$ops" ETCD_MONITOR_TOKEN_FILE="$work/token" ETCD_MONITOR_CLUSTER=demo
ctl=("$work/etcd-monitor" ctl get /bench/k)
direct=("$work/etcdctl" --endpoints "$endpoints" get /bench/k)
"$work/etcdctl" --endpoints "$endpoints" put /bench/k "a value to read" >/dev/null

if ! diff <("${ctl[@]}") <("${direct[@]}") >"$work/diff"; then
  echo "ctl and etcdctl print different output:" >&2; cat "$work/diff" >&2; exit 1
fi
# Warm-up: the page cache and the opsproxy token cache, for both.
for _ in 1 2 3; do "${ctl[@]}" >/dev/null; "${direct[@]}" >/dev/null; done

: >"$work/ctl.ns"; : >"$work/etcdctl.ns"
for ((i = 0; i < runs; i++)); do
  t0=$(date +%s%N); "${ctl[@]}" >/dev/null; t1=$(date +%s%N)
  "${direct[@]}" >/dev/null; t2=$(date +%s%N)
  echo $((t1 - t0)) >>"$work/ctl.ns"; echo $((t2 - t1)) >>"$work/etcdctl.ns"
done

stat() { sort -n "$1" | awk -v q="$2" '{ v[NR] = $1 } END { i = int(NR * q + 0.999999); if (i < 1) i = 1; printf "%.2f", v[i] / 1e6 }'; }
ctl_med=$(stat "$work/ctl.ns" 0.5); ctl_p90=$(stat "$work/ctl.ns" 0.9)
dir_med=$(stat "$work/etcdctl.ns" 0.5); dir_p90=$(stat "$work/etcdctl.ns" 0.9)
awk -v cm="$ctl_med" -v cp="$ctl_p90" -v dm="$dir_med" -v dp="$dir_p90" -v n="$runs" 'BEGIN {
  printf "\n%-28s %12s %12s %8s\n", "measure (" n " runs each)", "ctl", "etcdctl", "ratio"
  printf "%-28s %10.2fms %10.2fms %7.2fx\n", "get, whole process, median", cm, dm, cm / dm
  printf "%-28s %10.2fms %10.2fms %7.2fx\n", "get, whole process, p90", cp, dp, cp / dp
  printf "\ngoal: median ratio <= 1.5x: %s\n", (cm / dm <= 1.5 ? "met" : "NOT met")
}'
