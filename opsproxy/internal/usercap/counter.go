package usercap

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// DefaultLease is how long the counts of a process outlive its last heartbeat.
const DefaultLease = 30 * time.Second

// redisTimeout bounds a call to Redis on the way to opening a stream: past it the stream is
// counted locally.
const redisTimeout = time.Second

// Options tune a Counter. Zero values pick the defaults.
type Options struct {
	// Prefix starts the Redis keys of the counter (required with a client).
	Prefix string
	// Lease is how long this process's counts stay in Redis without a heartbeat (default
	// DefaultLease); heartbeats come every third of it.
	Lease  time.Duration
	Logger *slog.Logger
}

// Counter counts the open streams of one sort (what names it in messages, such as "watches")
// per user, in Redis when it has a client.
type Counter struct {
	what    string
	client  *redis.Client
	prefix  string
	process string
	lease   time.Duration
	log     *slog.Logger

	mu    sync.Mutex
	local map[string]int
	// down is set while Redis does not answer (the change is logged once).
	down bool
}

// New returns a counter of what; client nil counts this process's streams only.
func New(client *redis.Client, what string, opts Options) *Counter {
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Counter{what: what, client: client, prefix: opts.Prefix, process: store.NewID(), lease: opts.Lease,
		log: opts.Logger, local: map[string]int{}}
}

// Acquire counts one more open stream of user unless the user already has limit open (in
// every process sharing the Redis, or in this one while Redis does not answer); the error
// says so.
func (c *Counter) Acquire(ctx context.Context, user string, limit int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	mine := c.local[user]
	if c.client != nil {
		rctx, cancel := context.WithTimeout(ctx, redisTimeout)
		total, err := acquireScript.Run(rctx, c.client, []string{c.processesKey()},
			c.prefix, c.process, user, limit, c.lease.Milliseconds(), mine).Int64Slice()
		cancel()
		c.redisAnswered(err)
		if err == nil {
			if total[0] == 0 {
				return fmt.Errorf("user %s has %d open %s across the replicas, the most allowed", user, total[1], c.what)
			}
			c.local[user]++
			return nil
		}
	}
	if mine >= limit {
		return fmt.Errorf("user %s has %d open %s, the most allowed", user, mine, c.what)
	}
	c.local[user]++
	return nil
}

// Release counts one stream of user fewer. Redis is told at once when it answers, and by the
// next heartbeat otherwise.
func (c *Counter) Release(user string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.local[user] - 1
	if n <= 0 {
		delete(c.local, user)
	} else {
		c.local[user] = n
	}
	if c.client == nil || c.down {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), redisTimeout)
	defer cancel()
	var err error
	if n <= 0 {
		err = c.client.HDel(ctx, c.processKey(), user).Err()
	} else {
		err = c.client.HSet(ctx, c.processKey(), user, n).Err()
	}
	c.redisAnswered(err)
}

// Run renews this process's lease and writes its counts to Redis every third of the lease,
// until ctx ends; the counts then leave Redis. It returns at once without a client.
func (c *Counter) Run(ctx context.Context) {
	if c.client == nil {
		return
	}
	t := time.NewTicker(c.lease / 3)
	defer t.Stop()
	for {
		c.heartbeat(ctx)
		select {
		case <-ctx.Done():
			c.leave()
			return
		case <-t.C:
		}
	}
}

// heartbeat writes this process's counts (the truth, whatever Redis lost or missed while it
// was down) and renews its lease.
func (c *Counter) heartbeat(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	args := []any{c.lease.Milliseconds(), c.process}
	for user, n := range c.local {
		args = append(args, user, n)
	}
	rctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	err := heartbeatScript.Run(rctx, c.client, []string{c.processesKey(), c.processKey()}, args...).Err()
	if ctx.Err() == nil {
		c.redisAnswered(err)
	}
}

// leave takes this process's counts out of Redis (a graceful stop).
func (c *Counter) leave() {
	ctx, cancel := context.WithTimeout(context.Background(), redisTimeout)
	defer cancel()
	_, _ = c.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, c.processKey())
		p.ZRem(ctx, c.processesKey(), c.process)
		return nil
	})
}

// redisAnswered logs when Redis stops or starts answering. Called under mu.
func (c *Counter) redisAnswered(err error) {
	switch {
	case err != nil && !c.down:
		c.down = true
		c.log.Warn("Redis does not answer: open "+c.what+" per user are counted in this process only until it does", "err", err)
	case err == nil && c.down:
		c.down = false
		c.log.Info("Redis answers again: open " + c.what + " per user are counted across the replicas")
	}
}

func (c *Counter) processesKey() string { return c.prefix + "processes" }
func (c *Counter) processKey() string   { return c.prefix + "process:" + c.process }

// acquireScript sums the counts of user over the processes whose lease holds (dropping the
// others), with this process's own count given as ARGV[6]; under the limit it records one
// more for this process and renews its lease. It answers {1, total} or {0, total} (refused).
// KEYS[1] is the sorted set of processes by lease end; ARGV: key prefix, process id, user,
// limit, lease in ms, this process's count. Time is Redis's, so processes' clocks do not
// matter.
var acquireScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local mine = tonumber(ARGV[6])
local total = mine
for _, p in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if p ~= ARGV[2] then
    total = total + tonumber(redis.call('HGET', ARGV[1] .. 'process:' .. p, ARGV[3]) or '0')
  end
end
if total >= tonumber(ARGV[4]) then
  return {0, total}
end
local own = ARGV[1] .. 'process:' .. ARGV[2]
redis.call('HSET', own, ARGV[3], mine + 1)
redis.call('PEXPIRE', own, ARGV[5])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), ARGV[2])
return {1, total + 1}
`)

// heartbeatScript replaces this process's counts with ARGV[3:] (user, count pairs) and
// renews its lease. KEYS: the sorted set of processes, this process's hash; ARGV: lease in
// ms, process id, then the pairs.
var heartbeatScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('DEL', KEYS[2])
if #ARGV > 2 then
  redis.call('HSET', KEYS[2], unpack(ARGV, 3))
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
return 1
`)
