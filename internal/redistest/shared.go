package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// SharedAddrEnv names the environment variable that points tests at another shared Redis
// than 127.0.0.1:6379.
const SharedAddrEnv = "ETCD_MONITOR_TEST_REDIS_ADDR"

// Shared returns a client of the shared test Redis (127.0.0.1:6379, or SharedAddrEnv) and a
// key prefix of the test's own, whose keys are deleted at cleanup. An unreachable Redis fails
// the test.
func Shared(t testing.TB) (*redis.Client, string) {
	t.Helper()
	addr := os.Getenv(SharedAddrEnv)
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		t.Fatalf("Redis at %s is required (set %s): %v", addr, SharedAddrEnv, err)
	}
	prefix := KeyPrefix()
	t.Cleanup(func() {
		ctx := context.Background()
		if keys, _ := c.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			c.Del(ctx, keys...)
		}
		c.Close()
	})
	return c, prefix
}

// KeyPrefix is a new key prefix of a test's own, "etcd-monitor-test:<12 hex digits>:".
func KeyPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "etcd-monitor-test:" + hex.EncodeToString(b[:]) + ":"
}
