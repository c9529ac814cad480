package keys

import "sync"

// watchLimiter caps the open watches of each end user.
type watchLimiter struct {
	mu   sync.Mutex
	max  int
	open map[string]int
}

func newWatchLimiter(max int) *watchLimiter {
	return &watchLimiter{max: max, open: map[string]int{}}
}

// setMax changes the cap (on reload); watches already open above it stay open.
func (l *watchLimiter) setMax(max int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.max = max
}

// acquire takes a watch slot for user; false when the user is at the cap.
func (l *watchLimiter) acquire(user string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[user] >= l.max {
		return false
	}
	l.open[user]++
	return true
}

// release gives a slot back.
func (l *watchLimiter) release(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[user]--; l.open[user] <= 0 {
		delete(l.open, user)
	}
}
