package ctl

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// dirEntries lists the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestSnapshotSaveWritesASnapshotEtcdReadsAndPrintsWhatEtcdctlPrints(t *testing.T) {
	p := startProxy(t, nil)
	cli, err := etcdtest.Shared(t).Client()
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	prefix := uniquePrefix(t)
	for _, k := range []string{"a", "b", "c"} {
		if _, err := cli.Put(context.Background(), prefix+k, "v"); err != nil {
			t.Fatal(err)
		}
	}
	s := p.session(t, p.admin, "c1")
	dir := t.TempDir()
	path := filepath.Join(dir, "backup.db")
	code, stdout, stderr := s.run(t, "snapshot", "save", path)
	// etcdctl prints the server's version when the member sends one; etcd sends its storage
	// version, which a just started cluster may not have written yet.
	saved := "Snapshot saved at " + path + "\n"
	if code != 0 || stdout != saved && !strings.HasPrefix(stdout, saved+"Server version 3.") || stderr != "" {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	st, err := snapshot.NewV3(zap.NewNop()).Status(path)
	if err != nil || st.TotalKey < 3 {
		t.Fatalf("etcd's snapshot status of the saved file: %+v %v", st, err)
	}
	if names := dirEntries(t, dir); len(names) != 1 {
		t.Fatalf("the directory holds %q, want only backup.db", names)
	}

	code, _, stderr = s.run(t, "snapshot", "save", filepath.Join(dir, "no-such-dir", "backup.db"))
	if code != ExitInterrupted || !strings.HasPrefix(stderr, "Error: could not create the temporary file beside ") {
		t.Fatalf("into a missing directory: exit %d stderr %q", code, stderr)
	}

	code, _, stderr = s.run(t, "snapshot", "save")
	if code != ExitBadArgs || stderr != "Error: snapshot save expects one argument <filename>\n" {
		t.Fatalf("without a file: exit %d stderr %q, want etcdctl's error and exit 128", code, stderr)
	}
}

func TestSnapshotSaveRefusedOrCutLeavesTheFileAsItWas(t *testing.T) {
	p := startProxy(t, nil)
	dir := t.TempDir()
	path := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(path, []byte("the previous backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		if b, err := os.ReadFile(path); err != nil || string(b) != "the previous backup" {
			t.Fatalf("backup.db is now %.40q (%v)", b, err)
		}
		if names := dirEntries(t, dir); len(names) != 1 {
			t.Fatalf("the directory holds %q, want only backup.db", names)
		}
	}

	viewer := p.token(t, opsproxy.TokenSpec{Name: "snap-viewer", Role: "viewer"})
	code, stdout, stderr := p.session(t, viewer, "c1").run(t, "snapshot", "save", path)
	if code != ExitError || stdout != "" || !strings.HasPrefix(stderr, "Error: role viewer may not snapshots download") || strings.Contains(stderr, viewer) {
		t.Fatalf("viewer: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	unchanged(t)

	elsewhere := p.token(t, opsproxy.TokenSpec{Name: "snap-elsewhere", Role: "admin", Clusters: []string{"c2"}})
	code, _, stderr = p.session(t, elsewhere, "c1").run(t, "snapshot", "save", path)
	if code != ExitError || !strings.Contains(stderr, `may not act on cluster "c1"`) {
		t.Fatalf("admin of another cluster: exit %d stderr %q", code, stderr)
	}
	unchanged(t)

	// A connection that opsproxy's answer does not get through whole.
	cut := cuttingProxy(t, strings.TrimPrefix(p.url, "http://"), 4<<10)
	s := p.session(t, p.admin, "c1")
	if s.Client, _ = NewClient(Config{URL: "http://" + cut, Token: p.admin}); s.Client == nil {
		t.Fatal("client")
	}
	code, stdout, stderr = s.run(t, "snapshot", "save", path)
	if code != ExitInterrupted || stdout != "" || !strings.HasPrefix(stderr, "Error: could not write snapshot") {
		t.Fatalf("cut stream: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	unchanged(t)
}

func TestSnapshotSaveInterruptedMidwayRemovesItsTemporaryFile(t *testing.T) {
	p := startProxy(t, nil)
	dir := t.TempDir()
	path := filepath.Join(dir, "backup.db")
	// The answer stops after 4 KiB and the connection stays open: the save waits in the middle.
	stalled := stallingProxy(t, strings.TrimPrefix(p.url, "http://"), 4<<10)
	c, err := NewClient(Config{URL: "http://" + stalled, Token: p.admin})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	saved := make(chan error, 1)
	go func() {
		_, err := c.SaveSnapshot(ctx, "c1", path)
		saved <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for len(dirEntries(t, dir)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no temporary file appeared")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if names := dirEntries(t, dir); !strings.HasPrefix(names[0], "backup.db.part-") {
		t.Fatalf("the temporary file is %q, want backup.db.part-* beside the file", names)
	}
	cancel() // what Ctrl-C does to the one-shot's context
	if err := <-saved; !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted save: %v", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Fatalf("left behind: %q", names)
	}
}

// stallingProxy forwards TCP connections to target and, after limit bytes of the answer, stops
// forwarding but keeps the connection open until the test ends.
func stallingProxy(t *testing.T, target string, limit int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		ln.Close()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer up.Close()
				go io.Copy(up, c)
				io.CopyN(c, up, limit)
				<-done
			}()
		}
	}()
	return ln.Addr().String()
}

// cuttingProxy forwards TCP connections to target and closes each after limit bytes of the
// answer: a network that fails midway.
func cuttingProxy(t *testing.T, target string, limit int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var closed atomic.Bool
	t.Cleanup(func() {
		closed.Store(true)
		ln.Close()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", target)
				if err != nil || closed.Load() {
					return
				}
				defer up.Close()
				go io.Copy(up, c)
				io.CopyN(c, up, limit)
			}()
		}
	}()
	return ln.Addr().String()
}
