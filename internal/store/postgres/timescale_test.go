package postgres_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/etcd-monitor/etcd-monitor/internal/logtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

// TestTimescale runs the contract suite, and checks the hypertable, on PostgreSQL with the
// TimescaleDB extension. No TimescaleDB package exists for the machine's PostgreSQL, so the
// server is PGlite (PostgreSQL compiled to WebAssembly, with TimescaleDB built in) from
// testdata/pglite-timescale, which scripts/install-test-deps.sh installs. It takes one
// connection at a time, so the tests that hold two run on the machine's PostgreSQL only.
func TestTimescale(t *testing.T) {
	dsn := startPGliteTimescale(t)
	newTimescaleBackend := func(t *testing.T) storetest.Backend {
		// The server, and every schema in it, goes away with the test.
		return &backend{dsn: dsn, schema: "ts_test_" + store.NewID()[:12]}
	}
	t.Run("Contract", func(t *testing.T) {
		storetest.Run(t, newTimescaleBackend)
	})
	t.Run("AuditLogIsACompressedHypertable", func(t *testing.T) {
		b := newTimescaleBackend(t).(*backend)
		st := b.Open(t)
		timescale := st.(*postgres.Store).Timescale()
		_, err := st.AppendAudit(context.Background(), auditRec(1), auditRec(2))
		st.Close()
		if !timescale {
			t.Fatal("store on a server with TimescaleDB does not use it")
		}
		if err != nil {
			t.Fatalf("append: %v", err)
		}
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var hypertables, compressed, policies int
		if err := conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE compression_enabled)
			FROM timescaledb_information.hypertables WHERE hypertable_schema = $1 AND hypertable_name = 'audit_log'`,
			b.schema).Scan(&hypertables, &compressed); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM timescaledb_information.jobs
			WHERE proc_name = 'policy_compression' AND hypertable_schema = $1 AND hypertable_name = 'audit_log'`,
			b.schema).Scan(&policies); err != nil {
			t.Fatal(err)
		}
		if hypertables != 1 || compressed != 1 || policies != 1 {
			t.Fatalf("audit_log: hypertable %d, compressed %d, compression policy %d; want 1, 1, 1", hypertables, compressed, policies)
		}
	})
}

// startPGliteTimescale starts testdata/pglite-timescale/server.mjs on a free loopback port and
// returns a DSN for it; the server stops at cleanup.
func startPGliteTimescale(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("testdata", "pglite-timescale")
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Fatalf("%s has no node_modules: run scripts/install-test-deps.sh (make test does)", dir)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	cmd := exec.Command("node", "server.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
	var stderr logtest.Buffer
	cmd.Stderr = &stderr
	// The server stops when its stdin closes, so it never outlives the test process.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the PGlite server: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("PGlite server's output:\n%s", stderr.String())
		}
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == "READY" {
				ready <- true
				io.Copy(io.Discard, stdout)
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("PGlite server ended before it was ready:\n%s", stderr.String())
		}
	case <-time.After(90 * time.Second):
		t.Fatalf("PGlite server not ready after 90s:\n%s", stderr.String())
	}
	// One connection at a time; the server ignores the user and database and wants some
	// password; statements are not prepared by name, as a prepared statement would outlive
	// its connection there.
	return fmt.Sprintf("postgres://postgres:pglite@127.0.0.1:%d/postgres?sslmode=disable&pool_max_conns=1&default_query_exec_mode=exec&connect_timeout=30", port)
}
