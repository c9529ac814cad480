package conns

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// silentEndpoint is a loopback endpoint that accepts connections and never answers, as a
// member stuck before it serves does.
func silentEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return "http://" + l.Addr().String()
}

// A request waits for the cluster's client only within its own context: with the cluster's
// login still under way it is answered 503 when the request ends first.
func TestRequestWaitsForTheClusterClientOnlyWithinItsContext(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := clusterconfig.Cluster{Name: "slow", Endpoints: []string{silentEndpoint(t)}, Username: "root", PasswordFile: pw,
		DialTimeout: model.Duration(time.Minute), RequestTimeout: model.Duration(time.Minute)}
	conn, err := New(cfg, config.DefaultConfig().Limits, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = conn.Client(ctx)
	code, msg := apihttp.StatusOf(err)
	if code != 503 || msg != "cluster slow: still connecting to etcd" {
		t.Fatalf("client of a cluster still connecting: %d %q", code, msg)
	}
}
