package usercap

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/etcd-monitor/etcd-monitor/internal/logtest"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
)

// process is one opsproxy's counter on the shared Redis.
func process(t *testing.T, srv *redistest.Server, lease time.Duration, log *logtest.Buffer) *Counter {
	t.Helper()
	cli := redis.NewClient(&redis.Options{Addr: srv.Addr, Password: srv.Password})
	t.Cleanup(func() { cli.Close() })
	opts := Options{Prefix: "etcd-monitor:test:open:watches:", Lease: lease}
	if log != nil {
		opts.Logger = slog.New(slog.NewTextHandler(log, nil))
	}
	return New(cli, "watches", opts)
}

// eventually polls cond until it holds, failing after 20s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A user at the cap through one process is refused by another; a release on the first lets
// the second through; other users are not affected.
func TestCounterCapsAUserAcrossProcesses(t *testing.T) {
	srv := redistest.Start(t, "")
	a, b := process(t, srv, DefaultLease, nil), process(t, srv, DefaultLease, nil)
	ctx := t.Context()
	for range 2 {
		if err := a.Acquire(ctx, "alice", 2); err != nil {
			t.Fatal(err)
		}
	}
	err := b.Acquire(ctx, "alice", 2)
	if err == nil || !strings.Contains(err.Error(), "user alice has 2 open watches across the replicas") {
		t.Fatalf("alice at the cap on a, on b: %v", err)
	}
	if err := b.Acquire(ctx, "bob", 2); err != nil {
		t.Fatalf("bob on b: %v", err)
	}
	a.Release("alice")
	if err := b.Acquire(ctx, "alice", 2); err != nil {
		t.Fatalf("alice on b after a release on a: %v", err)
	}
	if err := a.Acquire(ctx, "alice", 2); err == nil {
		t.Fatal("alice over the cap on a, one open on each")
	}
}

// The counts of a process that stops heartbeating (killed) expire with its lease; a process
// that heartbeats writes its counts back after Redis lost them (a restart without
// persistence).
func TestCounterOfAKilledProcessExpiresAndALiveOneSurvivesARedisRestart(t *testing.T) {
	srv := redistest.Start(t, "")
	ctx := t.Context()
	killed := process(t, srv, time.Second, nil)
	other := process(t, srv, time.Second, nil)
	if err := killed.Acquire(ctx, "alice", 1); err != nil {
		t.Fatal(err)
	}
	if err := other.Acquire(ctx, "alice", 1); err == nil {
		t.Fatal("alice over the cap while the first process holds her watch")
	}
	// killed never heartbeats again and never releases.
	eventually(t, "the killed process's count expires", func() bool { return other.Acquire(ctx, "alice", 1) == nil })

	alive := process(t, srv, time.Second, nil)
	go alive.Run(ctx)
	if err := alive.Acquire(ctx, "bob", 1); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	srv.Restart()
	eventually(t, "the live process's count written back", func() bool { return other.Acquire(ctx, "bob", 1) != nil })
}

// While Redis does not answer, each process counts its own, says so in the log once, and
// counts across the replicas again when Redis is back.
func TestCounterFallsBackToLocalCountsWhileRedisIsDown(t *testing.T) {
	srv := redistest.Start(t, "s3cret-redis")
	log := &logtest.Buffer{}
	a := process(t, srv, time.Second, log)
	b := process(t, srv, time.Second, nil)
	ctx := t.Context()
	srv.Stop()
	if err := a.Acquire(ctx, "alice", 1); err != nil {
		t.Fatalf("first watch with Redis down: %v", err)
	}
	if err := a.Acquire(ctx, "alice", 1); err == nil || !strings.Contains(err.Error(), "user alice has 1 open watches") {
		t.Fatalf("second watch with Redis down: %v", err)
	}
	a.Release("alice")
	if n := strings.Count(log.String(), "counted in this process only"); n != 1 {
		t.Fatalf("log says Redis is down %d times:\n%s", n, log)
	}
	srv.Restart()
	eventually(t, "Redis answers a again", func() bool { return a.client.Ping(ctx).Err() == nil })
	if err := a.Acquire(ctx, "alice", 1); err != nil {
		t.Fatalf("a with Redis back: %v", err)
	}
	if err := b.Acquire(ctx, "alice", 1); err == nil {
		t.Fatal("b lets alice over the cap with Redis back")
	}
	if !strings.Contains(log.String(), "counted across the replicas") {
		t.Fatalf("log does not say Redis is back:\n%s", log)
	}
	if strings.Contains(log.String(), "s3cret-redis") {
		t.Fatalf("the Redis password is in the log:\n%s", log)
	}
}
