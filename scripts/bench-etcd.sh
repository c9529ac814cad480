#!/usr/bin/env bash
# `etcd-monitor bench` against etcd's own `benchmark` tool (v3.6.7, built from the Go module
# proxy inside a throwaway module: its go.mod has replace directives, so `go install` refuses
# it), on one 3-member `etcd-monitor demo` cluster, the two tools alternating:
#   - noise floor: the official tool against itself (the spread a ratio must beat);
#   - put, range (linearizable and serializable) and txn-put: requests/s (median of ROUNDS
#     alternations, default 3) and CPU per request, ours against the official tool's;
#   - peak RSS at --total 1e5 and 1e6 (SIZES; 3e6 added with BIG=1) for both (the official tool keeps
#     every latency in memory; ours keeps fixed-size histograms);
#   - at the same offered load (--rate below saturation), our service-time p50/p99 against the
#     official tool's latency p50/p99 (they should agree within ±10 %);
#   - instructions per request under valgrind's callgrind (needs valgrind; skipped without it):
#     CPU per request that other work on the machine does not move.
# SECTIONS picks the parts (default "noise compare rss rate instructions"). Heavy: run it when the machine is
# quiet, and say how loaded it was when quoting the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
total=${TOTAL:-20000}
rate=${RATE:-500}
sections=" ${SECTIONS:-noise compare rss rate instructions} "
read -r -a sizes <<<"${SIZES:-100000 1000000}"
[ "${BIG:-0}" = 1 ] && sizes+=(3000000)
[ -x /usr/bin/time ] || { echo "bench-etcd: needs GNU time at /usr/bin/time (Debian package: time)" >&2; exit 1; }

. scripts/lib/demo.sh

echo "== etcd benchmark tool (etcd-monitor bench vs etcd's benchmark v3.6.7, $rounds alternating rounds)"
go build -o "$work/etcd-monitor" ./cmd/etcd-monitor
mkdir "$work/official-build"
(
  cd "$work/official-build"
  cat >go.mod <<'EOF'
module benchmark-build

go 1.24

require go.etcd.io/etcd/v3 v3.6.7

replace (
	go.etcd.io/etcd/api/v3 => go.etcd.io/etcd/api/v3 v3.6.7
	go.etcd.io/etcd/client/pkg/v3 => go.etcd.io/etcd/client/pkg/v3 v3.6.7
	go.etcd.io/etcd/client/v3 => go.etcd.io/etcd/client/v3 v3.6.7
	go.etcd.io/etcd/etcdctl/v3 => go.etcd.io/etcd/etcdctl/v3 v3.6.7
	go.etcd.io/etcd/etcdutl/v3 => go.etcd.io/etcd/etcdutl/v3 v3.6.7
	go.etcd.io/etcd/pkg/v3 => go.etcd.io/etcd/pkg/v3 v3.6.7
	go.etcd.io/etcd/server/v3 => go.etcd.io/etcd/server/v3 v3.6.7
	go.etcd.io/etcd/tests/v3 => go.etcd.io/etcd/tests/v3 v3.6.7
)
EOF
  GOFLAGS=-mod=mod go build -o "$work/benchmark" go.etcd.io/etcd/v3/tools/benchmark 2>"$work/official-build.log" ||
    { cat "$work/official-build.log" >&2; exit 1; }
)
go version -m "$work/benchmark" | awk '$1 == "mod" { print "official tool: " $2 " " $3 }'

start_demo "127.0.0.1:$(free_port)"
echo "cluster: 3 members ($endpoints); load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"

# run NAME TOOL ARGS…: runs one tool, keeps its report in $work/NAME.out and "wall user sys
# maxrss-KiB" in $work/NAME.time.
run() {
  local name=$1 tool=$2; shift 2
  local bin=("$work/benchmark")
  [ "$tool" = ours ] && bin=("$work/etcd-monitor" bench)
  /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "${bin[@]}" --endpoints "$endpoints" "$@" \
    >"$work/$name.out" 2>"$work/$name.err" || { cat "$work/$name.err" >&2; echo "bench-etcd: $name failed" >&2; exit 1; }
}
rps() { awk -F'\t' '/Requests\/sec:/ { print $2; exit }' "$work/$1.out"; }
cpu_us_per_req() { awk -v n="$2" '{ printf "%.1f\n", ($2 + $3) * 1e6 / n }' "$work/$1.time"; }
rss_mib() { awk '{ printf "%.0f", $4 / 1024 }' "$work/$1.time"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# pct NAME P [BLOCK]: the P% line of the report's latency distribution (or of the service-time
# block with BLOCK=service).
pct() {
  awk -v p="  $2% in" -v block="${3:-latency}" '
    /^Service time distribution:/ { in_svc = 1 }
    index($0, p) == 1 && ((block == "service") == (in_svc == 1)) { v = $3 }
    END { print v }' "$work/$1.out"
}

load=(--conns 10 --clients 100)
if [[ $sections == *" noise "* ]]; then
echo
echo "-- noise floor: the official tool against itself, put, ${load[*]} --total $total"
for ((i = 0; i < rounds; i++)); do
  run "noise-a$i" official "${load[@]}" put --total "$total" --key-space-size 1000
  run "noise-b$i" official "${load[@]}" put --total "$total" --key-space-size 1000
done
na=$(for ((i = 0; i < rounds; i++)); do rps "noise-a$i"; done | median)
nb=$(for ((i = 0; i < rounds; i++)); do rps "noise-b$i"; done | median)
spread=$(for ((i = 0; i < rounds; i++)); do awk -v a="$(rps "noise-a$i")" -v b="$(rps "noise-b$i")" 'BEGIN { print (a > b ? a / b : b / a) - 1 }'; done | sort -g | tail -1)
awk -v a="$na" -v b="$nb" -v s="$spread" 'BEGIN { printf "official A %.0f req/s, official B %.0f req/s: median ratio %.3f, widest round %.1f %%\n", a, b, a / b, s * 100 }'

fi

if [[ $sections == *" compare "* ]]; then
workloads=(
  "put|put --total $total --key-space-size 1000"
  "range-l|range foo --total $total"
  "range-s|range foo --consistency s --total $total"
  "txn-put|txn-put --total $total --key-space-size 1000"
)
echo
printf '%-10s %14s %14s %8s %16s %16s\n' "command" "ours req/s" "official" "ratio" "ours CPU µs/req" "official"
for w in "${workloads[@]}"; do
  name=${w%%|*}; read -r -a args <<<"${w#*|}"
  for ((i = 0; i < rounds; i++)); do
    run "$name-official$i" official "${load[@]}" "${args[@]}"
    run "$name-ours$i" ours "${load[@]}" "${args[@]}"
  done
  o=$(for ((i = 0; i < rounds; i++)); do rps "$name-ours$i"; done | median)
  e=$(for ((i = 0; i < rounds; i++)); do rps "$name-official$i"; done | median)
  oc=$(for ((i = 0; i < rounds; i++)); do cpu_us_per_req "$name-ours$i" "$total"; done | median)
  ec=$(for ((i = 0; i < rounds; i++)); do cpu_us_per_req "$name-official$i" "$total"; done | median)
  printf '%-10s %14.0f %14.0f %7.2fx %16s %16s\n' "$name" "$o" "$e" "$(awk -v o="$o" -v e="$e" 'BEGIN { print o / e }')" "$oc" "$ec"
done

fi

if [[ $sections == *" rss "* ]]; then
echo
printf '%-28s %14s %14s\n' "peak RSS, range -s, ${load[*]}" "ours MiB" "official MiB"
for n in "${sizes[@]}"; do
  run "rss-ours-$n" ours "${load[@]}" range foo --consistency s --total "$n"
  run "rss-official-$n" official "${load[@]}" range foo --consistency s --total "$n"
  printf '%-28s %14s %14s\n' "  --total $n" "$(rss_mib "rss-ours-$n")" "$(rss_mib "rss-official-$n")"
done

fi

if [[ $sections == *" rate "* ]]; then
echo
# --precise: at these latencies etcd's four decimals of a second are a tenth of a millisecond.
echo "-- same offered load: put --rate $rate --total $((rate * 10)) (below saturation), ${load[*]} --precise"
for ((i = 0; i < rounds; i++)); do
  run "rate-official$i" official "${load[@]}" --precise put --rate "$rate" --total $((rate * 10)) --key-space-size 1000
  run "rate-ours$i" ours "${load[@]}" --precise put --rate "$rate" --total $((rate * 10)) --key-space-size 1000
done
# range: the rounds' lowest and highest, in ms: the spread of one tool against itself.
range_ms() { sort -g | awk '{ v[NR] = $1 } END { printf "%.2f-%.2f", v[1] * 1000, v[NR] * 1000 }'; }
printf '%-10s %18s %18s %8s %22s %22s\n' "" "ours service time" "official latency" "diff" "ours, rounds" "official, rounds"
for p in 50 99; do
  o=$(for ((i = 0; i < rounds; i++)); do pct "rate-ours$i" "$p" service; done | median)
  e=$(for ((i = 0; i < rounds; i++)); do pct "rate-official$i" "$p"; done | median)
  printf '%-10s %16.2fms %16.2fms %+7.1f%% %20sms %20sms\n' "p$p" "$(awk -v v="$o" 'BEGIN { print v * 1000 }')" "$(awk -v v="$e" 'BEGIN { print v * 1000 }')" \
    "$(awk -v o="$o" -v e="$e" 'BEGIN { print (o / e - 1) * 100 }')" \
    "$(for ((i = 0; i < rounds; i++)); do pct "rate-ours$i" "$p" service; done | range_ms)" \
    "$(for ((i = 0; i < rounds; i++)); do pct "rate-official$i" "$p"; done | range_ms)"
done
o=$(for ((i = 0; i < rounds; i++)); do pct "rate-ours$i" 99; done | median)
printf '%-10s %16.2fms %18s  (ours from each request'"'"'s intended start)\n' "p99 lat." "$(awk -v v="$o" 'BEGIN { print v * 1000 }')" ""
fi

if [[ $sections == *" instructions "* ]]; then
echo
# CPU per request as instructions, which the load of other work does not move: each tool under
# valgrind's callgrind at two --total values; the difference over the difference in requests is
# the cost of one more request (start-up and the report cancel out). Go's asynchronous
# preemption signals trip callgrind, hence GODEBUG=asyncpreemptoff=1 for both.
if ! command -v valgrind >/dev/null 2>&1; then
  echo "-- instructions per request: skipped (needs valgrind: apt-get install valgrind)"
else
  small=${INSTR_SMALL:-2000} large=${INSTR_LARGE:-8000}
  echo "-- instructions per request (callgrind, marginal between --total $small and $large), ${load[*]}"
  irs() {
    local name=$1 tool=$2 n=$3; shift 3
    local bin=("$work/benchmark")
    [ "$tool" = ours ] && bin=("$work/etcd-monitor" bench)
    GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$work/$name.cg" \
      "${bin[@]}" --endpoints "$endpoints" "${load[@]}" "$@" --total "$n" >"$work/$name.out" 2>"$work/$name.err" ||
      { tail -20 "$work/$name.err" >&2; echo "bench-etcd: $name failed under valgrind" >&2; exit 1; }
    awk '/^(summary|totals):/ { print $2; exit }' "$work/$name.cg"
  }
  printf '%-10s %16s %16s %8s\n' "command" "ours instr/req" "official" "ratio"
  for w in "range|range foo" "range-s|range foo --consistency s" "put|put --key-space-size 1000" "txn-put|txn-put --key-space-size 1000"; do
    name=${w%%|*}; read -r -a args <<<"${w#*|}"
    declare -A per=()
    for tool in ours official; do
      a=$(irs "ir-$name-$tool-s" "$tool" "$small" "${args[@]}")
      b=$(irs "ir-$name-$tool-l" "$tool" "$large" "${args[@]}")
      per[$tool]=$(( (b - a) / (large - small) ))
    done
    printf '%-10s %16d %16d %7.2fx\n' "$name" "${per[ours]}" "${per[official]}" "$(awk -v o="${per[ours]}" -v e="${per[official]}" 'BEGIN { print o / e }')"
  done
fi
fi
