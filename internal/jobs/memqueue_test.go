package jobs_test

import (
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
)

func TestMemQueueContract(t *testing.T) {
	runQueueContract(t, func(t *testing.T, opts jobs.Options) jobs.Queue {
		q := jobs.NewMemQueue("test", opts)
		t.Cleanup(func() { _ = q.Close() })
		return q
	})
}
