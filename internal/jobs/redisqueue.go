package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisOptions tune a RedisQueue. Zero values pick the defaults.
type RedisOptions struct {
	Options
	// Group is the consumer group the workers read as (default "workers").
	Group string
	// Prefix starts every key of the queue (default "etcd-monitor:jobs:").
	// The queue's keys are <prefix><name>:stream, :attempts, :delayed and
	// :dead.
	Prefix string
	// MaxLen caps the stream (approximately, XADD MAXLEN ~): a bound on
	// memory if workers are gone for long, not a working limit: acked
	// entries are deleted, so the stream holds only jobs not yet done.
	// Default 1,000,000.
	MaxLen int64
	// DeadMaxLen caps the dead-letter stream (default 10,000).
	DeadMaxLen int64
	// Poll is the longest a Receive blocks on the stream before it looks
	// for expired leases and due retries again (default 1s, at most half
	// the visibility timeout).
	Poll time.Duration
}

// RedisQueue is the Queue on Redis Streams: one stream and one consumer
// group per queue; XAUTOCLAIM takes over entries whose lease (the pending
// entry's idle time) passed the visibility timeout; Extend re-claims the
// consumer's own entry (XCLAIM ... JUSTID, min-idle 0) to reset that time.
// A hash counts each queued id's deliveries and makes Enqueue idempotent;
// retries wait in a sorted set, dead letters go to a stream of their own.
type RedisQueue struct {
	c    redis.UniversalClient
	name string
	opts RedisOptions
	keys struct{ stream, attempts, delayed, dead string }

	mu     sync.Mutex
	cursor string // XAUTOCLAIM's next start
}

var _ Queue = (*RedisQueue)(nil)

// NewRedisQueue returns the queue called name on the Redis server of c. It
// does not contact the server: a queue made while Redis is down works once
// Redis is back. Close does not close c.
func NewRedisQueue(c redis.UniversalClient, name string, opts RedisOptions) *RedisQueue {
	opts.Options = opts.Options.withDefaults()
	if opts.Group == "" {
		opts.Group = "workers"
	}
	if opts.Prefix == "" {
		opts.Prefix = "etcd-monitor:jobs:"
	}
	if opts.MaxLen <= 0 {
		opts.MaxLen = 1_000_000
	}
	if opts.DeadMaxLen <= 0 {
		opts.DeadMaxLen = 10_000
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	opts.Poll = max(min(opts.Poll, opts.VisibilityTimeout/2), time.Millisecond)
	q := &RedisQueue{c: c, name: name, opts: opts, cursor: "0-0"}
	base := opts.Prefix + name
	q.keys.stream, q.keys.attempts, q.keys.delayed, q.keys.dead = base+":stream", base+":attempts", base+":delayed", base+":dead"
	return q
}

// Name implements Queue.
func (q *RedisQueue) Name() string { return q.name }

func (q *RedisQueue) errf(op string, err error) error {
	return fmt.Errorf("queue %s: %s: %w", q.name, op, err)
}

// owned is a Lua function: whether the pending entry id is leased to consumer.
const owned = `
local function owned(stream, group, id, consumer)
  local p = redis.call('XPENDING', stream, group, id, id, 1)
  return p[1] ~= nil and p[1][2] == consumer
end
`

var (
	enqueueScript = redis.NewScript(`
if redis.call('HSETNX', KEYS[1], ARGV[1], 0) == 0 then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'job', ARGV[1])
return 1`)
	// promote moves due retries from the delayed set to the stream.
	promoteScript = redis.NewScript(`
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(ids) do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'job', id)
  redis.call('ZREM', KEYS[1], id)
end
return #ids`)
	// deliver counts a delivery; a reclaimed entry whose id used its last
	// attempt is dead-lettered instead (-attempts).
	deliverScript = redis.NewScript(owned + `
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[4]) or '0')
if ARGV[6] == '1' and n >= tonumber(ARGV[5]) then
  if owned(KEYS[2], ARGV[1], ARGV[2], ARGV[3]) then
    redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
    redis.call('XDEL', KEYS[2], ARGV[2])
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[8], '*', 'job', ARGV[4], 'attempts', n, 'error', ARGV[7], 'at', redis.call('TIME')[1])
    redis.call('HDEL', KEYS[1], ARGV[4])
    return -n
  end
  return 0
end
return redis.call('HINCRBY', KEYS[1], ARGV[4], 1)`)
	extendScript = redis.NewScript(owned + `
if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
return 1`)
	ackScript = redis.NewScript(owned + `
if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[4])
return 1`)
	// nack: -1 lease lost, 1 dead-lettered, 0 retry after ARGV[6] ms.
	nackScript = redis.NewScript(owned + `
if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return -1 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
local t = redis.call('TIME')
local n = tonumber(redis.call('HGET', KEYS[2], ARGV[4]) or '0')
if n >= tonumber(ARGV[5]) then
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[8], '*', 'job', ARGV[4], 'attempts', n, 'error', ARGV[7], 'at', t[1])
  redis.call('HDEL', KEYS[2], ARGV[4])
  return 1
end
redis.call('ZADD', KEYS[3], t[1] * 1000 + math.floor(t[2] / 1000) + tonumber(ARGV[6]), ARGV[4])
return 0`)
	// release: 0 lease lost, 1 released (uncounted; back now or after ARGV[5] ms).
	releaseScript = redis.NewScript(owned + `
if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if tonumber(redis.call('HGET', KEYS[2], ARGV[4]) or '0') > 0 then
  redis.call('HINCRBY', KEYS[2], ARGV[4], -1)
end
if tonumber(ARGV[5]) > 0 then
  local t = redis.call('TIME')
  redis.call('ZADD', KEYS[3], t[1] * 1000 + math.floor(t[2] / 1000) + tonumber(ARGV[5]), ARGV[4])
else
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[6], '*', 'job', ARGV[4])
end
return 1`)
)

// Enqueue implements Queue.
func (q *RedisQueue) Enqueue(ctx context.Context, jobID string) error {
	if err := enqueueScript.Run(ctx, q.c, []string{q.keys.attempts, q.keys.stream}, jobID, q.opts.MaxLen).Err(); err != nil {
		return q.errf("enqueue "+jobID, err)
	}
	return nil
}

// Has implements Queue: the attempts hash holds every id in the queue.
func (q *RedisQueue) Has(ctx context.Context, jobID string) (bool, error) {
	ok, err := q.c.HExists(ctx, q.keys.attempts, jobID).Result()
	if err != nil {
		return false, q.errf("has "+jobID, err)
	}
	return ok, nil
}

// Options implements Queue.
func (q *RedisQueue) Options() Options { return q.opts.Options }

// ensureGroup creates the stream and its consumer group when missing (a
// new queue, or a Redis that restarted without its data).
func (q *RedisQueue) ensureGroup(ctx context.Context) error {
	err := q.c.XGroupCreateMkStream(ctx, q.keys.stream, q.opts.Group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return err
	}
	return nil
}

func isNoGroup(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "NOGROUP") }

// Receive implements Queue. Each call first moves due retries to the
// stream, then takes over one expired lease if there is one, then reads a
// new entry, blocking for at most Poll before looking again.
func (q *RedisQueue) Receive(ctx context.Context, consumer string) (Message, error) {
	for {
		if err := ctx.Err(); err != nil {
			return Message{}, err
		}
		if err := promoteScript.Run(ctx, q.c, []string{q.keys.delayed, q.keys.stream}, q.opts.MaxLen).Err(); err != nil {
			return Message{}, q.errf("receive: promote retries", err)
		}
		m, ok, err := q.reclaim(ctx, consumer)
		if isNoGroup(err) {
			if err := q.ensureGroup(ctx); err != nil {
				return Message{}, q.errf("receive: create group", err)
			}
			continue
		}
		if err != nil {
			return Message{}, q.errf("receive: reclaim", err)
		}
		if ok {
			return m, nil
		}
		streams, err := q.c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: q.opts.Group, Consumer: consumer,
			Streams: []string{q.keys.stream, ">"}, Count: 1, Block: q.opts.Poll}).Result()
		switch {
		case errors.Is(err, redis.Nil):
			continue
		case isNoGroup(err):
			if err := q.ensureGroup(ctx); err != nil {
				return Message{}, q.errf("receive: create group", err)
			}
			continue
		case err != nil:
			if ctx.Err() != nil {
				return Message{}, ctx.Err()
			}
			return Message{}, q.errf("receive", err)
		}
		for _, s := range streams {
			for _, e := range s.Messages {
				m, ok, err := q.deliver(ctx, consumer, e, false)
				if err != nil || ok {
					return m, err
				}
			}
		}
	}
}

// reclaim takes over one entry whose lease expired.
func (q *RedisQueue) reclaim(ctx context.Context, consumer string) (Message, bool, error) {
	q.mu.Lock()
	start := q.cursor
	q.mu.Unlock()
	msgs, next, err := q.c.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: q.keys.stream, Group: q.opts.Group,
		Consumer: consumer, MinIdle: q.opts.VisibilityTimeout, Start: start, Count: 1}).Result()
	if err != nil {
		return Message{}, false, err
	}
	q.mu.Lock()
	q.cursor = next
	q.mu.Unlock()
	for _, e := range msgs {
		m, ok, err := q.deliver(ctx, consumer, e, true)
		if err != nil || ok {
			return m, ok, err
		}
	}
	return Message{}, false, nil
}

// deliver counts the delivery of entry e (ok false: it is not a job
// entry, or another consumer has it). A dead-lettered one comes back as a
// message with DeadLettered set.
func (q *RedisQueue) deliver(ctx context.Context, consumer string, e redis.XMessage, reclaimed bool) (Message, bool, error) {
	id, _ := e.Values["job"].(string)
	if id == "" {
		q.c.XAck(ctx, q.keys.stream, q.opts.Group, e.ID)
		q.c.XDel(ctx, q.keys.stream, e.ID)
		return Message{}, false, nil
	}
	flag := "0"
	if reclaimed {
		flag = "1"
	}
	n, err := deliverScript.Run(ctx, q.c, []string{q.keys.attempts, q.keys.stream, q.keys.dead},
		q.opts.Group, e.ID, consumer, id, q.opts.MaxAttempts, flag, expiredReason, q.opts.DeadMaxLen).Int()
	if err != nil {
		return Message{}, false, q.errf("receive "+id, err)
	}
	switch {
	case n < 0:
		return Message{JobID: id, Attempt: -n, MaxAttempts: q.opts.MaxAttempts, Consumer: consumer, DeadLettered: true}, true, nil
	case n == 0:
		return Message{}, false, nil
	}
	return Message{JobID: id, Attempt: n, MaxAttempts: q.opts.MaxAttempts, Consumer: consumer, Receipt: e.ID}, true, nil
}

func (q *RedisQueue) run(ctx context.Context, s *redis.Script, op string, m Message, keys []string, args ...any) (int, error) {
	n, err := s.Run(ctx, q.c, keys, append([]any{q.opts.Group, m.Receipt, m.Consumer, m.JobID}, args...)...).Int()
	if err != nil {
		return 0, q.errf(op+" "+m.JobID, err)
	}
	return n, nil
}

// Extend implements Queue.
func (q *RedisQueue) Extend(ctx context.Context, m Message) error {
	n, err := q.run(ctx, extendScript, "extend", m, []string{q.keys.stream})
	if err == nil && n == 0 {
		err = q.errf("extend "+m.JobID, ErrLeaseLost)
	}
	return err
}

// Ack implements Queue.
func (q *RedisQueue) Ack(ctx context.Context, m Message) error {
	n, err := q.run(ctx, ackScript, "ack", m, []string{q.keys.stream, q.keys.attempts})
	if err == nil && n == 0 {
		err = q.errf("ack "+m.JobID, ErrLeaseLost)
	}
	return err
}

// Nack implements Queue.
func (q *RedisQueue) Nack(ctx context.Context, m Message, reason string) (bool, error) {
	n, err := q.run(ctx, nackScript, "nack", m, []string{q.keys.stream, q.keys.attempts, q.keys.delayed, q.keys.dead},
		q.opts.MaxAttempts, q.opts.Backoff(m.Attempt).Milliseconds(), reason, q.opts.DeadMaxLen)
	if err == nil && n < 0 {
		err = q.errf("nack "+m.JobID, ErrLeaseLost)
	}
	return n == 1, err
}

// Release implements Queue.
func (q *RedisQueue) Release(ctx context.Context, m Message, after time.Duration) error {
	n, err := q.run(ctx, releaseScript, "release", m, []string{q.keys.stream, q.keys.attempts, q.keys.delayed},
		after.Milliseconds(), q.opts.MaxLen)
	if err == nil && n == 0 {
		err = q.errf("release "+m.JobID, ErrLeaseLost)
	}
	return err
}

// DeadLetters implements Queue.
func (q *RedisQueue) DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error) {
	msgs, err := q.c.XRangeN(ctx, q.keys.dead, "-", "+", int64(limit)).Result()
	if err != nil {
		return nil, q.errf("dead letters", err)
	}
	out := make([]DeadLetter, 0, len(msgs))
	for _, e := range msgs {
		d := DeadLetter{}
		d.JobID, _ = e.Values["job"].(string)
		d.LastError, _ = e.Values["error"].(string)
		s, _ := e.Values["attempts"].(string)
		d.Attempts, _ = strconv.Atoi(s)
		s, _ = e.Values["at"].(string)
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
			d.At = time.Unix(sec, 0).UTC()
		}
		out = append(out, d)
	}
	return out, nil
}

// Stats implements Queue. The stream holds only entries not yet acked, so
// the waiting ones are its length less the leased (pending) ones; the
// oldest waiting one is the first after the group's last delivered entry,
// whose id carries the time it was added.
func (q *RedisQueue) Stats(ctx context.Context) (Stats, error) {
	pipe := q.c.Pipeline()
	depth := pipe.HLen(ctx, q.keys.attempts)
	dead := pipe.XLen(ctx, q.keys.dead)
	length := pipe.XLen(ctx, q.keys.stream)
	groups := pipe.XInfoGroups(ctx, q.keys.stream)
	consumers := pipe.XInfoConsumers(ctx, q.keys.stream, q.opts.Group)
	_, err := pipe.Exec(ctx)
	if err != nil && !isNoGroup(err) && !strings.HasPrefix(err.Error(), "ERR no such key") {
		return Stats{}, q.errf("stats", err)
	}
	st := Stats{Depth: depth.Val(), DeadLetters: dead.Val()}
	last := ""
	for _, g := range groups.Val() {
		if g.Name == q.opts.Group {
			st.Leased, last = g.Pending, g.LastDeliveredID
		}
	}
	st.Waiting = max(length.Val()-st.Leased, 0)
	for _, c := range consumers.Val() {
		st.Consumers++
		if c.Idle < 2*q.opts.VisibilityTimeout {
			st.ConsumersAlive++
		}
	}
	if st.Waiting == 0 {
		return st, nil
	}
	start := "-"
	if last != "" && last != "0-0" {
		start = "(" + last
	}
	first, err := q.c.XRangeN(ctx, q.keys.stream, start, "+", 1).Result()
	if err != nil {
		return Stats{}, q.errf("stats", err)
	}
	if len(first) == 1 {
		ms, _, _ := strings.Cut(first[0].ID, "-")
		if n, err := strconv.ParseInt(ms, 10, 64); err == nil {
			st.OldestWaiting = time.UnixMilli(n)
		}
	}
	return st, nil
}

// Len returns the number of ids waiting, leased or waiting for a retry.
func (q *RedisQueue) Len(ctx context.Context) (int64, error) {
	n, err := q.c.HLen(ctx, q.keys.attempts).Result()
	if err != nil {
		return 0, q.errf("length", err)
	}
	return n, nil
}

// Close implements Queue. It leaves the client open: it is the caller's.
func (q *RedisQueue) Close() error { return nil }
