package kubernetes

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/exporter"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// TestProbePathsAreServedByTheirComponents asks each component, built by its own package
// against a real etcd (and the real Redis for the worker), for every path its manifest's
// liveness and readiness probes name: each answers 200 to an unauthenticated GET, as the
// kubelet sends it.
func TestProbePathsAreServedByTheirComponents(t *testing.T) {
	etcd := etcdtest.Shared(t)
	clusters := fmt.Sprintf("clusters:\n  - name: main\n    endpoints: [%s]\n", strings.Join(etcd.Endpoints(), ", "))
	handlers := map[string]func(t *testing.T) http.Handler{
		"exporter": func(t *testing.T) http.Handler {
			cfg, err := exporter.LoadConfig(writeConfig(t, clusters))
			if err != nil {
				t.Fatal(err)
			}
			e, err := exporter.New(cfg, slog.New(slog.DiscardHandler), exporter.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(e.Close)
			h, err := e.Handler()
			if err != nil {
				t.Fatal(err)
			}
			return h
		},
		"opsproxy": func(t *testing.T) http.Handler {
			dir := t.TempDir()
			cfg, err := opsproxy.LoadConfig(writeConfig(t, clusters+stateConfig(dir)))
			if err != nil {
				t.Fatal(err)
			}
			s, err := opsproxy.New(context.Background(), cfg, nil, opsproxy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s.Handler()
		},
		"worker": func(t *testing.T) http.Handler {
			redistest.Shared(t)
			stream := strings.Trim(strings.ReplaceAll(redistest.KeyPrefix(), ":", "-"), "-")
			addr := os.Getenv(redistest.SharedAddrEnv)
			if addr == "" {
				addr = "127.0.0.1:6379"
			}
			cfg, err := opsproxy.LoadConfig(writeConfig(t, clusters+stateConfig(t.TempDir())+
				fmt.Sprintf("queue:\n  redis_url: redis://%s/0\n  stream: %s\n  workers: 0\n", addr, stream)))
			if err != nil {
				t.Fatal(err)
			}
			w, err := opsproxy.NewWorker(context.Background(), cfg, 1, nil, opsproxy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				w.Close()
				c, _ := redistest.Shared(t)
				if keys, _ := c.Keys(context.Background(), "etcd-monitor:jobs:"+stream+":*").Result(); len(keys) > 0 {
					c.Del(context.Background(), keys...)
				}
			})
			return w.Handler()
		},
	}
	for _, p := range workloads(t, render(t, baseDir)) {
		for _, c := range p.spec.Containers {
			newHandler, ok := handlers[c.Name]
			if !ok {
				t.Errorf("%s container %s: no handler to check its probes against", p.owner.ref(), c.Name)
				continue
			}
			t.Run(c.Name, func(t *testing.T) {
				srv := httptest.NewServer(newHandler(t))
				t.Cleanup(srv.Close)
				for kind, pr := range map[string]*probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
					if pr == nil || pr.HTTPGet == nil {
						t.Errorf("%s probe: want httpGet", kind)
						continue
					}
					resp, err := http.Get(srv.URL + pr.HTTPGet.Path)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						t.Errorf("%s probe GET %s: %d, want 200", kind, pr.HTTPGet.Path, resp.StatusCode)
					}
				}
			})
		}
	}
}

// stateConfig puts opsproxy's files (the embedded store, the audit spool, snapshots) in dir.
func stateConfig(dir string) string {
	return fmt.Sprintf("store:\n  path: %s\naudit:\n  spool_dir: %s\nmaintenance:\n  snapshot_dir: %s\n  restore_dir: %s\n",
		filepath.Join(dir, "db"), filepath.Join(dir, "spool"), filepath.Join(dir, "snapshots"), filepath.Join(dir, "restores"))
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
