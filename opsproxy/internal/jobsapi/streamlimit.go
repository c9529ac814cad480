package jobsapi

import (
	"fmt"
	"sync"
)

// streamLimiter caps the event streams each end user holds open at once, at the cap of their
// watches (limits.max_watches_per_user), read at every acquire so that a reload applies.
type streamLimiter struct {
	limit func() int
	mu    sync.Mutex
	users map[string]int
}

func newStreamLimiter(limit func() int) *streamLimiter {
	return &streamLimiter{limit: limit, users: map[string]int{}}
}

func (l *streamLimiter) acquire(user string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := l.limit(); l.users[user] >= n {
		return fmt.Errorf("user %s has %d open job event streams, the most allowed (limits.max_watches_per_user)", user, n)
	}
	l.users[user]++
	return nil
}

func (l *streamLimiter) release(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users[user]--; l.users[user] <= 0 {
		delete(l.users, user)
	}
}
