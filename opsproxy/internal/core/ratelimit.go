package core

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// Limiter decides whether a request counted against key may go ahead now, and if not, how long
// to wait. The in-process TokenBuckets is one; a limiter shared by replicas (Redis) is another.
type Limiter interface {
	Allow(key string, now time.Time) (ok bool, retryAfter time.Duration)
}

// maxBuckets bounds the keys a TokenBuckets remembers; keys beyond it share one bucket.
const maxBuckets = 100000

// overflowKey is the bucket of the keys beyond maxBuckets.
const overflowKey = "\x00overflow"

// TokenBuckets is an in-process Limiter: a token bucket per key, refilled at a rate per second
// up to a burst. A rate of 0 lets everything through. Memory is bounded: a bucket idle long
// enough to be full again is forgotten (a new one would be the same), and once maxBuckets keys
// are remembered the others share one bucket, so that callers who invent keys (user names)
// are limited together rather than not at all.
type TokenBuckets struct {
	mu        sync.Mutex
	limit     rate.Limit
	burst     int
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

// NewTokenBuckets makes buckets of perSecond requests per second up to burst (0: perSecond
// rounded up, at least 1).
func NewTokenBuckets(perSecond float64, burst int) *TokenBuckets {
	b := &TokenBuckets{buckets: map[string]*bucket{}}
	b.SetLimit(perSecond, burst)
	return b
}

// SetLimit changes the rate and burst of every bucket (a reload).
func (b *TokenBuckets) SetLimit(perSecond float64, burst int) {
	if burst <= 0 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.limit, b.burst = rate.Limit(perSecond), burst
	if perSecond == 0 {
		clear(b.buckets)
		return
	}
	for _, k := range b.buckets {
		k.lim.SetLimit(b.limit)
		k.lim.SetBurst(b.burst)
	}
}

// Allow implements Limiter; a refused request takes nothing from the bucket.
func (b *TokenBuckets) Allow(key string, now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.limit == 0 {
		return true, 0
	}
	b.sweep(now)
	k, ok := b.buckets[key]
	if !ok {
		if len(b.buckets) >= maxBuckets {
			key = overflowKey
			k = b.buckets[key]
		}
		if k == nil {
			k = &bucket{lim: rate.NewLimiter(b.limit, b.burst)}
			b.buckets[key] = k
		}
	}
	k.last = now
	r := k.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Duration(float64(time.Second) / float64(b.limit))
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Len is the number of keys remembered.
func (b *TokenBuckets) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.buckets)
}

// sweep forgets the buckets idle long enough to be full again, at most once per refill time
// (or at once when the table is full).
func (b *TokenBuckets) sweep(now time.Time) {
	refill := time.Duration(float64(b.burst) / float64(b.limit) * float64(time.Second))
	if now.Sub(b.lastSweep) < refill && len(b.buckets) < maxBuckets {
		return
	}
	b.lastSweep = now
	for key, k := range b.buckets {
		if now.Sub(k.last) >= refill {
			delete(b.buckets, key)
		}
	}
}

// maxRefusalsAudited bounds the keys whose refusal is audited within one second.
const maxRefusalsAudited = 10000

// RateLimits are the rate limits of audited operations: per token, and per end user of a
// token acting for Grafana users. A refused request is answered 429 with Retry-After; the
// first refusal per key and second is audited, every refusal is counted in
// etcd_monitor_opsproxy_rate_limited_total, so that a flood does not become a flood of audit
// records.
type RateLimits struct {
	PerToken, PerUser Limiter

	mu      sync.Mutex
	second  int64
	audited map[string]struct{}
}

// NewRateLimits makes in-process limits as cfg says.
func NewRateLimits(cfg config.RateConfig) *RateLimits {
	return &RateLimits{
		PerToken: NewTokenBuckets(cfg.PerToken, cfg.PerTokenBurst),
		PerUser:  NewTokenBuckets(cfg.PerUser, cfg.PerUserBurst),
		audited:  map[string]struct{}{},
	}
}

// Configure applies cfg to limiters that can change their limits (a reload).
func (l *RateLimits) Configure(cfg config.RateConfig) {
	type settable interface {
		SetLimit(perSecond float64, burst int)
	}
	if s, ok := l.PerToken.(settable); ok {
		s.SetLimit(cfg.PerToken, cfg.PerTokenBurst)
	}
	if s, ok := l.PerUser.(settable); ok {
		s.SetLimit(cfg.PerUser, cfg.PerUserBurst)
	}
}

// check counts a request of p against its limits; on refusal it returns the 429 and the key
// that refused it.
func (l *RateLimits) check(r *http.Request, p *Principal, userHeader string, now time.Time) (string, error) {
	if user := r.Header.Get(userHeader); user != "" && p.Token.ActsForUsers {
		if len(user) > 64 {
			sum := sha256.Sum256([]byte(user))
			user = "sha256:" + hex.EncodeToString(sum[:])
		}
		key := "user/" + p.Token.ID + "/" + user
		if ok, wait := l.PerUser.Allow(key, now); !ok {
			return key, limited(fmt.Sprintf("user %s of token %s", p.User, p.Token.ID), wait)
		}
	}
	key := "token/" + p.Token.ID
	if ok, wait := l.PerToken.Allow(key, now); !ok {
		return key, limited("token "+p.Token.ID, wait)
	}
	return "", nil
}

// limitedError is a 429 with the time to wait.
type limitedError struct {
	err        *apihttp.Error
	retryAfter time.Duration
}

func limited(who string, wait time.Duration) error {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	return &limitedError{
		err:        apihttp.Errorf(http.StatusTooManyRequests, "rate limit of %s exceeded: retry after %d s", who, secs),
		retryAfter: time.Duration(secs) * time.Second,
	}
}

func (e *limitedError) Error() string { return e.err.Error() }

// Unwrap lets errors.As find the apihttp.Error (status and message).
func (e *limitedError) Unwrap() error { return e.err }

// retryAfterHeader is the Retry-After value, in whole seconds.
func (e *limitedError) retryAfterHeader() string {
	return strconv.Itoa(int(e.retryAfter / time.Second))
}

// firstRefusal reports whether key's refusal is the first within now's second, the one
// audited.
func (l *RateLimits) firstRefusal(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := now.Unix(); s != l.second {
		l.second = s
		clear(l.audited)
	}
	if _, seen := l.audited[key]; seen || len(l.audited) >= maxRefusalsAudited {
		return false
	}
	l.audited[key] = struct{}{}
	return true
}
