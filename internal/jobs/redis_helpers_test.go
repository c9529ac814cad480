package jobs_test

import (
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
)

// newRedisQueue is a queue on the shared test Redis under a key prefix of the test's own.
func newRedisQueue(t *testing.T, opts jobs.Options) jobs.Queue {
	c, prefix := redistest.Shared(t)
	return jobs.NewRedisQueue(c, "test", jobs.RedisOptions{Options: opts, Prefix: prefix, Poll: 50 * time.Millisecond})
}
