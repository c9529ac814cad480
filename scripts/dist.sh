#!/usr/bin/env bash
# dist.sh: the release files in $DIST_DIR (default dist/):
#   etcd-monitor-<version>.<os>-<arch>.tar.gz   etcd-monitor and etcd-monitor-ctl, LICENSE, README.md
#   etcdmonitor-etcd-app-<app version>.zip       the Grafana app, backends for every platform
#   SHA256SUMS                                   sha256sum -c accepts it
# Built in $DIST_DIR.tmp and moved into place at the end, so a failed run leaves no half-made dist.
#
# Environment: VERSION, LDFLAGS (from the Makefile), DIST_PLATFORMS (default linux and darwin on
# amd64 and arm64), GRAFANA_APP_ZIP (an app zip already built; without it `make grafana-app-all`
# builds one, which needs the app's node_modules), GO (default go), DIST_TRIMPATH (default 1; the
# test sets 0 to reuse the build cache of the other tests).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
DIST_DIR=${DIST_DIR:-dist}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
LDFLAGS=${LDFLAGS:-}
DIST_PLATFORMS=${DIST_PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}

if [ -n "${GRAFANA_APP_ZIP:-}" ] && [ ! -f "$GRAFANA_APP_ZIP" ]; then
  echo "dist: GRAFANA_APP_ZIP: $GRAFANA_APP_ZIP: no such file" >&2
  exit 1
fi
trimpath=-trimpath
[ "${DIST_TRIMPATH:-1}" = 0 ] && trimpath=

tmp="${DIST_DIR}.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

for p in $DIST_PLATFORMS; do
  os=${p%/*}; arch=${p#*/}
  name="etcd-monitor-${VERSION}.${os}-${arch}"
  echo "dist: $name"
  mkdir -p "$tmp/$name"
  for cmd in etcd-monitor etcd-monitor-ctl; do
    CGO_ENABLED=0 GOOS=$os GOARCH=$arch "$GO" build $trimpath -ldflags "$LDFLAGS" \
      -o "$tmp/$name/$cmd" "./cmd/$cmd"
  done
  cp LICENSE README.md "$tmp/$name/"
  tar -C "$tmp" -czf "$tmp/$name.tar.gz" "$name"
  rm -rf "${tmp:?}/$name"
done

if [ -n "${GRAFANA_APP_ZIP:-}" ]; then
  cp "$GRAFANA_APP_ZIP" "$tmp/"
else
  make grafana-app-all
  cp grafana-app/artifacts/etcdmonitor-etcd-app-*.zip "$tmp/"
fi

(cd "$tmp" && sha256sum -- *.tar.gz *.zip > SHA256SUMS)

rm -rf "$DIST_DIR"
mv "$tmp" "$DIST_DIR"
trap - EXIT
echo "dist: $(cd "$DIST_DIR" && ls | tr '\n' ' ')"
