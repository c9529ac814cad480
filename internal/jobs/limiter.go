package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limiter holds named locks with an expiry, for "at most one job of a kind
// per cluster at a time". A holder that stops refreshing loses the lock
// after its ttl, as a worker that dies loses its lease.
type Limiter interface {
	// TryAcquire takes key for holder for ttl; false when another holder
	// has it. Taking a key one already holds renews it.
	TryAcquire(ctx context.Context, key, holder string, ttl time.Duration) (bool, error)
	// Refresh renews holder's lock; ErrLockLost when it no longer has it.
	Refresh(ctx context.Context, key, holder string, ttl time.Duration) error
	// Release gives up holder's lock (nothing when it no longer has it).
	Release(ctx context.Context, key, holder string) error
}

// ErrLockLost: the lock expired and may have been taken by another holder.
var ErrLockLost = errors.New("lock lost")

// MemLimiter is the in-process Limiter.
type MemLimiter struct {
	mu    sync.Mutex
	locks map[string]memLock
}

type memLock struct {
	holder   string
	deadline time.Time
}

var _ Limiter = (*MemLimiter)(nil)

// NewMemLimiter returns an in-process limiter.
func NewMemLimiter() *MemLimiter { return &MemLimiter{locks: map[string]memLock{}} }

// TryAcquire implements Limiter.
func (l *MemLimiter) TryAcquire(ctx context.Context, key, holder string, ttl time.Duration) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if cur, ok := l.locks[key]; ok && cur.holder != holder && now.Before(cur.deadline) {
		return false, nil
	}
	l.locks[key] = memLock{holder: holder, deadline: now.Add(ttl)}
	return true, nil
}

// Refresh implements Limiter.
func (l *MemLimiter) Refresh(ctx context.Context, key, holder string, ttl time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	cur, ok := l.locks[key]
	if !ok || cur.holder != holder || !now.Before(cur.deadline) {
		return fmt.Errorf("lock %s: %w", key, ErrLockLost)
	}
	l.locks[key] = memLock{holder: holder, deadline: now.Add(ttl)}
	return nil
}

// Release implements Limiter.
func (l *MemLimiter) Release(ctx context.Context, key, holder string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur, ok := l.locks[key]; ok && cur.holder == holder {
		delete(l.locks, key)
	}
	return nil
}

// RedisLimiter is the Limiter on Redis (SET NX PX, renewed and released
// only by the holder), shared by every worker on that Redis.
type RedisLimiter struct {
	c      redis.UniversalClient
	prefix string
}

var _ Limiter = (*RedisLimiter)(nil)

// NewRedisLimiter returns a limiter whose keys start with prefix (default
// "etcd-monitor:locks:").
func NewRedisLimiter(c redis.UniversalClient, prefix string) *RedisLimiter {
	if prefix == "" {
		prefix = "etcd-monitor:locks:"
	}
	return &RedisLimiter{c: c, prefix: prefix}
}

var (
	acquireScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`)
	refreshScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`)
	unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`)
)

// TryAcquire implements Limiter.
func (l *RedisLimiter) TryAcquire(ctx context.Context, key, holder string, ttl time.Duration) (bool, error) {
	n, err := acquireScript.Run(ctx, l.c, []string{l.prefix + key}, holder, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", key, err)
	}
	return n == 1, nil
}

// Refresh implements Limiter.
func (l *RedisLimiter) Refresh(ctx context.Context, key, holder string, ttl time.Duration) error {
	n, err := refreshScript.Run(ctx, l.c, []string{l.prefix + key}, holder, ttl.Milliseconds()).Int()
	switch {
	case err != nil:
		return fmt.Errorf("lock %s: %w", key, err)
	case n == 0:
		return fmt.Errorf("lock %s: %w", key, ErrLockLost)
	}
	return nil
}

// Release implements Limiter.
func (l *RedisLimiter) Release(ctx context.Context, key, holder string) error {
	if err := unlockScript.Run(ctx, l.c, []string{l.prefix + key}, holder).Err(); err != nil {
		return fmt.Errorf("lock %s: %w", key, err)
	}
	return nil
}
