# syntax=docker/dockerfile:1
# etcd-monitor's one image: the `etcd-monitor` binary (exporter, opsproxy, worker, ctl, diskprobe…
# as subcommands) on distroless/static, non-root. A second target, `grafana`, is Grafana with the
# etcd-monitor app installed; docker-compose.yml builds both.
#
#   docker build -t etcd-monitor --build-arg VERSION=$(git describe --tags --always --dirty) \
#     --build-arg REVISION=$(git rev-parse HEAD) --build-arg BRANCH=$(git rev-parse --abbrev-ref HEAD) .
#
# Without the build arguments the version reads "dev" (the build context has no .git).

ARG GO_VERSION=1.26.8
ARG NODE_VERSION=20.20.2
ARG GRAFANA_VERSION=13.1.1

# --- web: the Grafana app's frontend (grafana-app/dist) and the standalone console that
# opsproxy embeds (opsproxy/internal/ui/dist), as `make grafana-app` and `make console` build them.
FROM node:${NODE_VERSION}-bookworm-slim AS web
WORKDIR /src/grafana-app
COPY grafana-app/package.json grafana-app/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY grafana-app/ ./
# The app copies the dashboards rendered by `make dashboards` into dist/dashboards.
COPY dashboards/json/ /src/dashboards/json/
RUN npm run --silent build && npm run --silent build:console

# --- build: static binaries, stamped as the Makefile's `build` target stamps them.
FROM golang:${GO_VERSION} AS build
ARG VERSION=dev
ARG REVISION=unknown
ARG BRANCH=unknown
ARG TARGETOS=linux
ARG TARGETARCH=amd64
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/opsproxy/internal/ui/dist/ opsproxy/internal/ui/dist/
ENV CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH}
RUN LDFLAGS="-X github.com/prometheus/common/version.Version=${VERSION} \
      -X github.com/prometheus/common/version.Revision=${REVISION} \
      -X github.com/prometheus/common/version.Branch=${BRANCH}" && \
    go build -trimpath -ldflags "-s -w ${LDFLAGS}" -o /out/bin/etcd-monitor ./cmd/etcd-monitor && \
    go build -trimpath -ldflags "-s -w ${LDFLAGS}" -o /out/bin/etcd-monitor-ctl ./cmd/etcd-monitor-ctl && \
    go build -trimpath -ldflags "-s -w ${LDFLAGS}" -o /out/plugin/gpx_etcd_${TARGETOS}_${TARGETARCH} ./grafana-app/pkg
# The working and data directories of the final image, owned by distroless's nonroot user
# (65532): a named volume mounted there starts with this owner.
RUN mkdir -p /out/data/snapshots /out/data/restores

# --- grafana: Grafana with the app (frontend, dashboards, backend) in a plugins directory of
# its own, so that the /var/lib/grafana volume never keeps an old copy of the app.
FROM grafana/grafana:${GRAFANA_VERSION} AS grafana
ENV GF_PATHS_PLUGINS=/opt/etcd-monitor/grafana-plugins \
    GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=etcdmonitor-etcd-app
COPY --from=web /src/grafana-app/dist/ /opt/etcd-monitor/grafana-plugins/etcdmonitor-etcd-app/
COPY --from=build /out/plugin/ /opt/etcd-monitor/grafana-plugins/etcdmonitor-etcd-app/
# For the health check: whichever base Grafana's image has, this static binary runs on it.
COPY --from=build /out/bin/etcd-monitor /opt/etcd-monitor/bin/etcd-monitor
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
    CMD ["/opt/etcd-monitor/bin/etcd-monitor", "healthcheck", "http://127.0.0.1:3000/api/health"]

# --- etcd-monitor (the default target): the binaries, CA certificates and nothing else.
FROM gcr.io/distroless/static-debian12:nonroot AS etcd-monitor
LABEL org.opencontainers.image.title="etcd-monitor" \
      org.opencontainers.image.source="https://github.com/etcd-monitor/etcd-monitor" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build --chown=65532:65532 /out/data/ /var/lib/etcd-monitor/
WORKDIR /var/lib/etcd-monitor
USER 65532:65532
EXPOSE 9979 9980 9981
# The image has no shell and no curl: `etcd-monitor healthcheck` GETs a URL and exits 0 on a 2xx.
# The default checks the exporter; docker-compose.yml sets each service's own URL.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/etcd-monitor", "healthcheck", "http://127.0.0.1:9979/-/healthy"]
ENTRYPOINT ["/usr/local/bin/etcd-monitor"]
CMD ["exporter", "--config.file=/etc/etcd-monitor/exporter.yml"]
