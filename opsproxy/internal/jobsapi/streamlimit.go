package jobsapi

import (
	"context"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/usercap"
)

// streamLimiter caps the event streams each end user holds open at once (across the replicas
// when the counter has Redis), at the cap of their watches (limits.max_watches_per_user), read
// at every acquire so that a reload applies.
type streamLimiter struct {
	limit func() int
	users *usercap.Counter
}

func (l *streamLimiter) acquire(ctx context.Context, user string) error {
	return l.users.Acquire(ctx, user, l.limit())
}

func (l *streamLimiter) release(user string) { l.users.Release(user) }
