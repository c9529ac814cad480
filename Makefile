# etcd-monitor — the targets people expect. `make demo` needs nothing but Go;
# `make test` installs what the suite needs (Debian packages, npm packages) idempotently.

GO        ?= go
BIN       := bin/etcd-monitor
PKG       := github.com/etcd-monitor/etcd-monitor
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH    ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -X github.com/prometheus/common/version.Version=$(VERSION) \
             -X github.com/prometheus/common/version.Revision=$(REVISION) \
             -X github.com/prometheus/common/version.Branch=$(BRANCH)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
TEST_TIMEOUT ?= 20m

.PHONY: all build test test-deps gotest lint bench demo dashboards rules kubernetes docs dist clean grafana-app grafana-app-all grafana-app-test console browser-test

# The Grafana app (grafana-app/): its id, its backend executable (plugin.json's "executable"),
# its version (package.json's) and the platforms whose backend binaries go into dist/.
GRAFANA_APP_ID        := etcdmonitor-etcd-app
GRAFANA_APP_EXE       := gpx_etcd
GRAFANA_APP_VERSION    = $(shell sed -n 's/^  "version": "\(.*\)",$$/\1/p' grafana-app/package.json)
GRAFANA_APP_PLATFORMS ?= linux/amd64
GRAFANA_APP_ALL_PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/etcd-monitor
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/etcd-monitor-ctl ./cmd/etcd-monitor-ctl
	$(GO) build -o bin/taskmaster ./taskmaster

## test: the whole suite, after installing what it needs. The Grafana app is built (linux/amd64)
## and the console built into opsproxy before the Go tests, which check the app's package; the
## console's browser scenarios run last.
test: test-deps lint grafana-app-test console gotest browser-test

test-deps:
	bash scripts/install-test-deps.sh

gotest:
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

## grafana-app: the app's dist/ (frontend bundle, plugin.json, the backend for
## GRAFANA_APP_PLATFORMS, named gpx_<executable>_<os>_<arch>[.exe]) and
## grafana-app/artifacts/<id>-<version>.zip, whose top folder is the plugin id. Needs node_modules
## (`make test-deps`, or `npm ci` in grafana-app).
grafana-app:
	cd grafana-app && npm run --silent build
	@set -e; for p in $(GRAFANA_APP_PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
	  echo "backend $$os/$$arch"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '-s -w $(LDFLAGS)' \
	    -o grafana-app/dist/$(GRAFANA_APP_EXE)_$${os}_$${arch}$$ext ./grafana-app/pkg; \
	done
	rm -f grafana-app/artifacts/$(GRAFANA_APP_ID)-*.zip
	$(GO) run ./grafana-app/packaging/cmd/pluginzip -dist grafana-app/dist -package-json grafana-app/package.json \
	  -id $(GRAFANA_APP_ID) -out grafana-app/artifacts/$(GRAFANA_APP_ID)-$(GRAFANA_APP_VERSION).zip \
	  -platforms "$(subst /,_,$(shell echo $(GRAFANA_APP_PLATFORMS) | tr ' ' ','))"

## grafana-app-all: the release package, with the backend for every platform Grafana runs on.
grafana-app-all:
	$(MAKE) grafana-app GRAFANA_APP_PLATFORMS="$(GRAFANA_APP_ALL_PLATFORMS)"

## grafana-app-test: the app's typecheck, eslint, prettier and jest tests, then its linux/amd64 package.
grafana-app-test:
	cd grafana-app && npm run --silent typecheck && npm run --silent lint && npx prettier --check src && npm run --silent test:ci
	$(MAKE) grafana-app

## console: the standalone console (grafana-app/src/console) bundled into
## opsproxy/internal/ui/dist, which the opsproxy binary embeds and serves at /ui/. Needs Node.js
## and the app's node_modules (`make test-deps`); without it, /ui/ says to run this.
console:
	cd grafana-app && npm run --silent build:console

## browser-test: the console's scenarios (grafana-app/e2e/*.test.mjs) in Debian's Chromium,
## against a real opsproxy serving the console built by `make console` and a real 3-member
## etcd. Screenshots go to grafana-app/e2e/screenshots/; the figures are printed.
browser-test:
	$(GO) test -count=1 -tags browser -timeout $(TEST_TIMEOUT) -v ./grafana-app/internal/browsertest/

## lint: vet, staticcheck, and go.mod/go.sum as `go mod tidy` would leave them (-diff prints
## what it would change and fails, without touching the files).
lint:
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## bench: side-by-side ratios against the reference (direct client calls).
bench:
	bash scripts/bench.sh

## demo: an in-process 3-member etcd cluster, and the exporter and opsproxy against it. Built,
## then run, rather than `go run`: go run exits 1 after Ctrl-C, so make reported an error for
## a demo that stopped cleanly.
demo:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/etcd-monitor
	$(BIN) demo

## dashboards: render the Grafana dashboards (Go code in dashboards/) to dashboards/json, and
## their ConfigMaps in deploy/kubernetes.
dashboards:
	$(GO) run ./dashboards/cmd/gen
	$(MAKE) kubernetes

## dist: the release in dist/: etcd-monitor and etcd-monitor-ctl for linux and darwin on amd64
## and arm64 (one tar.gz each), the Grafana app zip (grafana-app-all) and SHA256SUMS.
dist:
	VERSION='$(VERSION)' LDFLAGS='-s -w $(LDFLAGS)' GO='$(GO)' bash scripts/dist.sh

## docs: regenerate docs/configuration.md from the configuration types (docs/gen's test fails
## when the committed file differs).
docs:
	$(GO) run ./docs/gen

## rules: regenerate rules/*.yml from rules/config/settings.yml, and their PrometheusRules in
## deploy/kubernetes.
rules:
	$(GO) run ./rules/gen
	$(MAKE) kubernetes

## kubernetes: the manifests of deploy/kubernetes/base made from rules/*.yml (PrometheusRules) and
## dashboards/json (ConfigMaps for Grafana's dashboard sidecar); a test fails when they drift.
kubernetes:
	$(GO) run ./deploy/kubernetes/gen

clean:
	rm -rf bin dist grafana-app/dist grafana-app/artifacts grafana-app/e2e/screenshots
	find opsproxy/internal/ui/dist -mindepth 1 ! -name .gitkeep -delete
