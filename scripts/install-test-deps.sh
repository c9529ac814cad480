#!/usr/bin/env bash
# Installs what the test suite needs, only when it is missing: Prometheus, promtool,
# Alertmanager, amtool, fio, curl (the README examples test), tmux (ctl's terminal test),
# systemd-analyze (deploy/systemd's unit checks), Chromium (the console's browser tests, at
# /usr/bin/chromium) and docker-compose (v1, which deploy/composetest runs as `docker-compose
# config`; no container engine) from Debian's packages, and the
# npm packages of the PGlite TimescaleDB server and of the Grafana app (grafana-app/). Safe to
# run again and again.
set -euo pipefail

need=()
command -v promtool     >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus   >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v fio          >/dev/null 2>&1 || need+=(fio)
command -v curl         >/dev/null 2>&1 || need+=(curl)
command -v tmux         >/dev/null 2>&1 || need+=(tmux)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)

if [ ${#need[@]} -gt 0 ]; then
  # de-duplicate
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  echo "installing: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The Debian packages start daemons through systemd, which does not run here; the tests start
# their own instances on loopback ports, so nothing else is needed.

# PostgreSQL with TimescaleDB for internal/store/postgres's TimescaleDB tests: PGlite (WASM) from
# npm, since Debian has no TimescaleDB package. Installed again only when the lock file changed.
pglite=internal/store/postgres/testdata/pglite-timescale
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "installing: nodejs npm"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if [ ! -f "$pglite/node_modules/.package-lock.json" ] || [ "$pglite/package-lock.json" -nt "$pglite/node_modules/.package-lock.json" ]; then
  echo "installing: npm packages in $pglite"
  npm ci --prefix "$pglite" --no-audit --no-fund --loglevel=error >/dev/null
fi

# The Grafana app's frontend toolchain (webpack, jest, @grafana/*), again only when the lock file
# changed. Its postinstall writes node_modules/go.mod, which keeps the Go package that one npm
# package ships out of `go vet ./...`.
app=grafana-app
if [ ! -f "$app/node_modules/.package-lock.json" ] || [ ! -f "$app/node_modules/go.mod" ] || [ "$app/package-lock.json" -nt "$app/node_modules/.package-lock.json" ]; then
  echo "installing: npm packages in $app"
  (cd "$app" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)
fi
