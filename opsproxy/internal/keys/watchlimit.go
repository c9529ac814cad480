package keys

import (
	"context"
	"fmt"
	"sync"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/usercap"
)

// watchLimiter caps the open watches of each end user (counted across the replicas by users),
// of each token (a service token carries the watches of all the users it acts for) and of the
// whole server.
type watchLimiter struct {
	users                    *usercap.Counter
	mu                       sync.Mutex
	perUser, perToken, total int
	tokens                   map[string]int
	open                     int
}

func newWatchLimiter(l config.LimitsConfig, users *usercap.Counter) *watchLimiter {
	w := &watchLimiter{users: users, tokens: map[string]int{}}
	w.setLimits(l)
	return w
}

// setLimits changes the caps (on reload); watches already open above them stay open.
func (l *watchLimiter) setLimits(c config.LimitsConfig) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.perUser, l.perToken, l.total = c.MaxWatchesPerUser, c.MaxWatchesPerToken, c.MaxWatchesTotal
}

// acquire takes a watch slot for user through token; the error says which cap was reached.
func (l *watchLimiter) acquire(ctx context.Context, user, token string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.open >= l.total:
		return fmt.Errorf("the server has %d open watches, the most allowed", l.total)
	case l.tokens[token] >= l.perToken:
		return fmt.Errorf("token %s has %d open watches, the most allowed", token, l.perToken)
	}
	if err := l.users.Acquire(ctx, user, l.perUser); err != nil {
		return err
	}
	l.open++
	l.tokens[token]++
	return nil
}

// release gives a slot back.
func (l *watchLimiter) release(user, token string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	l.users.Release(user)
	if l.tokens[token]--; l.tokens[token] <= 0 {
		delete(l.tokens, token)
	}
}
