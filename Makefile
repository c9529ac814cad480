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

.PHONY: all build test test-deps gotest lint bench demo dashboards rules clean

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/etcd-monitor
	$(GO) build -o bin/taskmaster ./taskmaster

## test: the whole suite, after installing what it needs.
test: test-deps lint gotest

test-deps:
	bash scripts/install-test-deps.sh

gotest:
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

## lint: vet, staticcheck, and go.mod/go.sum as `go mod tidy` would leave them (-diff prints
## what it would change and fails, without touching the files).
lint:
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## bench: side-by-side ratios against the reference (direct client calls).
bench:
	bash scripts/bench.sh

## demo: an in-process 3-member etcd cluster, and the exporter and opsproxy against it.
demo:
	$(GO) run -ldflags '$(LDFLAGS)' ./cmd/etcd-monitor demo

## dashboards: render the Grafana dashboards (Go code in dashboards/) to dashboards/json.
dashboards:
	$(GO) run ./dashboards/cmd/gen

## rules: regenerate rules/*.yml from rules/config/settings.yml.
rules:
	$(GO) run ./rules/gen

clean:
	rm -rf bin
