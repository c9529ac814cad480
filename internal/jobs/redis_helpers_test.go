package jobs_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// sharedRedis returns a client of the test Redis (127.0.0.1:6379, or
// ETCD_MONITOR_TEST_REDIS_ADDR) and a key prefix of the test's own, whose
// keys are deleted at cleanup. An unreachable Redis fails the test.
func sharedRedis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	addr := os.Getenv("ETCD_MONITOR_TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis at %s is required (set ETCD_MONITOR_TEST_REDIS_ADDR): %v", addr, err)
	}
	prefix := "etcd-monitor-test:" + store.NewID()[:12] + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := c.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
		c.Close()
	})
	return c, prefix
}

func newRedisQueue(t *testing.T, opts jobs.Options) jobs.Queue {
	c, prefix := sharedRedis(t)
	return jobs.NewRedisQueue(c, "test", jobs.RedisOptions{Options: opts, Prefix: prefix, Poll: 50 * time.Millisecond})
}

// ownRedis is a redis-server of the test's own, which the test may stop and
// start again on the same port.
type ownRedis struct {
	t    *testing.T
	addr string
	dir  string
	cmd  *exec.Cmd
}

func startOwnRedis(t *testing.T) *ownRedis {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	r := &ownRedis{t: t, addr: addr, dir: t.TempDir()}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *ownRedis) start() {
	r.t.Helper()
	_, port, _ := net.SplitHostPort(r.addr)
	r.cmd = exec.Command("/usr/bin/redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", r.dir, "--logfile", filepath.Join(r.dir, "redis.log"))
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: r.addr})
	defer c.Close()
	deadline := time.Now().Add(30 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server on %s did not answer", r.addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop kills the server (SIGKILL) and waits for it to exit.
func (r *ownRedis) stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

func (r *ownRedis) client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: r.addr, MaxRetries: 1, DialTimeout: time.Second})
	r.t.Cleanup(func() { c.Close() })
	return c
}
