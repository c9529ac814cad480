package e2e

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/exporter"
)

// Exporter is our exporter serving on a loopback port inside the test process.
type Exporter struct {
	Addr string
	exp  *exporter.Exporter
	srv  *http.Server
	done chan struct{}
}

// StartExporter loads configYAML the way the exporter's --config.file does (defaults applied),
// and serves the exporter's routes on a free loopback port until Stop or test cleanup. Its log
// is shown only when the test fails.
func StartExporter(t testing.TB, configYAML string) *Exporter {
	t.Helper()
	path := filepath.Join(t.TempDir(), "exporter.yml")
	if err := os.WriteFile(path, []byte(configYAML), 0o600); err != nil {
		t.Fatalf("exporter config: %v", err)
	}
	cfg, err := exporter.LoadConfig(path)
	if err != nil {
		t.Fatalf("exporter config: %v", err)
	}
	logs := newTailBuffer(64 << 10)
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	exp, err := exporter.New(cfg, logger, exporter.Options{ConfigFile: path, TimeoutOffset: 500 * time.Millisecond})
	if err != nil {
		t.Fatalf("exporter: %v", err)
	}
	t.Cleanup(exp.Close)
	h, err := exp.Handler()
	if err != nil {
		t.Fatalf("exporter handler: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("exporter listen: %v", err)
	}
	e := &Exporter{Addr: ln.Addr().String(), exp: exp, srv: &http.Server{Handler: h}, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		if err := e.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("exporter server", "err", err)
		}
	}()
	t.Cleanup(func() {
		e.Stop()
		if t.Failed() {
			t.Logf("exporter log (tail):\n%s", tail(logs.String(), 16<<10))
		}
	})
	return e
}

// Stop closes the exporter's listener and connections: from then on Prometheus cannot scrape it.
func (e *Exporter) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		_ = e.srv.Close()
	}
	<-e.done
}
