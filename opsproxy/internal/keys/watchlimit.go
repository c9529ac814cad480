package keys

import (
	"fmt"
	"sync"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// watchLimiter caps the open watches of each end user, of each token (a service token carries
// the watches of all the users it acts for) and of the whole server.
type watchLimiter struct {
	mu                       sync.Mutex
	perUser, perToken, total int
	users, tokens            map[string]int
	open                     int
}

func newWatchLimiter(l config.LimitsConfig) *watchLimiter {
	w := &watchLimiter{users: map[string]int{}, tokens: map[string]int{}}
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
func (l *watchLimiter) acquire(user, token string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.open >= l.total:
		return fmt.Errorf("the server has %d open watches, the most allowed", l.total)
	case l.tokens[token] >= l.perToken:
		return fmt.Errorf("token %s has %d open watches, the most allowed", token, l.perToken)
	case l.users[user] >= l.perUser:
		return fmt.Errorf("user %s has %d open watches, the most allowed", user, l.perUser)
	}
	l.open++
	l.tokens[token]++
	l.users[user]++
	return nil
}

// release gives a slot back.
func (l *watchLimiter) release(user, token string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.users[user]--; l.users[user] <= 0 {
		delete(l.users, user)
	}
	if l.tokens[token]--; l.tokens[token] <= 0 {
		delete(l.tokens, token)
	}
}
