# Sourced by the bench scripts that measure against an `etcd-monitor demo` cluster: a work
# directory removed on exit (with the demo stopped), a free loopback port, and start_demo.
# Needs $work/etcd-monitor built by the caller.

work=$(mktemp -d)
demo_pid=""
cleanup() {
  if [ -n "$demo_pid" ]; then kill "$demo_pid" 2>/dev/null || true; wait "$demo_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A port nothing listens on (the demo refuses to start on a taken one).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# start_demo OPSPROXY_ADDR: starts the demo with opsproxy on OPSPROXY_ADDR and waits until it
# printed its etcd endpoints and admin token; sets $endpoints (comma-separated) and writes the
# token to $work/token.
start_demo() {
  : >"$work/demo.out"
  "$work/etcd-monitor" demo --log.level=warn --data-dir "$work/demo" --web.listen-address "127.0.0.1:$(free_port)" \
    --opsproxy.listen-address "$1" >"$work/demo.out" 2>&1 &
  demo_pid=$!
  local ready='grep -q "^etcd cluster:" "$work/demo.out" && grep -q "^  export TOKEN=" "$work/demo.out"'
  for _ in $(seq 1 600); do
    eval "$ready" && break
    kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.out"; echo "the demo stopped" >&2; exit 1; }
    sleep 0.1
  done
  eval "$ready" || { cat "$work/demo.out"; echo "the demo did not start" >&2; exit 1; }
  sed -n 's/^  export TOKEN=//p' "$work/demo.out" >"$work/token"
  endpoints=$(sed -n 's/^etcd cluster: *\([^ ]*\).*/\1/p' "$work/demo.out")
}
