#!/usr/bin/env bash
# ctl one-shot: `etcd-monitor-ctl get /k` and `etcd-monitor ctl get /k` (each a whole process:
# start, token file, one POST to opsproxy's console, which checks the role, audits and reads from
# etcd) against `etcdctl get /k` (a whole process talking to etcd directly), in turn, N runs each
# (default 50), against the same `etcd-monitor demo` cluster. etcd-monitor-ctl is ctl alone;
# `etcd-monitor ctl` is the suite's one binary, which initialises every package it links
# (etcd's server among them) at each start. etcdctl 3.7.3 is built from the Go module proxy. Prints the
# median and p90 of each and their ratios (issue #14's goal: <= 1.5x), and checks both print the
# same bytes. On a shared machine the figures move; run it when the machine is quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-50}
. scripts/lib/demo.sh

echo "== ctl one-shot (etcd-monitor-ctl get and etcd-monitor ctl get vs etcdctl get, $runs runs each, in turn)"
go build -o "$work/etcd-monitor" ./cmd/etcd-monitor
go build -o "$work/etcd-monitor-ctl" ./cmd/etcd-monitor-ctl
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
small=("$work/etcd-monitor-ctl" get /bench/k)
ctl=("$work/etcd-monitor" ctl get /bench/k)
direct=("$work/etcdctl" --endpoints "$endpoints" get /bench/k)
"$work/etcdctl" --endpoints "$endpoints" put /bench/k "a value to read" >/dev/null

for c in small ctl; do
  declare -n cmd=$c
  if ! diff <("${cmd[@]}") <("${direct[@]}") >"$work/diff"; then
    echo "${cmd[0]##*/} and etcdctl print different output:" >&2; cat "$work/diff" >&2; exit 1
  fi
done
# Warm-up: the page cache and the opsproxy token cache, for all three.
for _ in 1 2 3; do "${small[@]}" >/dev/null; "${ctl[@]}" >/dev/null; "${direct[@]}" >/dev/null; done

: >"$work/small.ns"; : >"$work/ctl.ns"; : >"$work/etcdctl.ns"
for ((i = 0; i < runs; i++)); do
  t0=$(date +%s%N); "${small[@]}" >/dev/null; t1=$(date +%s%N)
  "${ctl[@]}" >/dev/null; t2=$(date +%s%N)
  "${direct[@]}" >/dev/null; t3=$(date +%s%N)
  echo $((t1 - t0)) >>"$work/small.ns"; echo $((t2 - t1)) >>"$work/ctl.ns"; echo $((t3 - t2)) >>"$work/etcdctl.ns"
done

stat() { sort -n "$1" | awk -v q="$2" '{ v[NR] = $1 } END { i = int(NR * q + 0.999999); if (i < 1) i = 1; printf "%.2f", v[i] / 1e6 }'; }
awk -v sm="$(stat "$work/small.ns" 0.5)" -v sp="$(stat "$work/small.ns" 0.9)" \
    -v cm="$(stat "$work/ctl.ns" 0.5)" -v cp="$(stat "$work/ctl.ns" 0.9)" \
    -v dm="$(stat "$work/etcdctl.ns" 0.5)" -v dp="$(stat "$work/etcdctl.ns" 0.9)" -v n="$runs" 'BEGIN {
  printf "\nget, whole process (%d runs each)   %10s %10s %8s\n", n, "median", "p90", "ratio"
  printf "%-34s %8.2fms %8.2fms %7.2fx\n", "etcd-monitor-ctl get", sm, sp, sm / dm
  printf "%-34s %8.2fms %8.2fms %7.2fx\n", "etcd-monitor ctl get", cm, cp, cm / dm
  printf "%-34s %8.2fms %8.2fms %7.2fx\n", "etcdctl get (direct to etcd)", dm, dp, 1
  printf "\ngoal: median ratio <= 1.5x: etcd-monitor-ctl %s, etcd-monitor ctl %s\n", (sm / dm <= 1.5 ? "met" : "NOT met"), (cm / dm <= 1.5 ? "met" : "NOT met")
}'
