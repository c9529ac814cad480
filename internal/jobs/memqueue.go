package jobs

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemQueue is the in-process Queue: one process's workers, nothing kept
// across a restart (the records in the store are; see Enqueue).
type MemQueue struct {
	name string
	opts Options

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced at every change
	ready    []string
	since    map[string]time.Time // id in ready → when it became ready
	seen     map[string]time.Time // consumer → its last receive or extend
	delayed  map[string]time.Time // job id → when it is ready again
	leases   map[string]*memLease // receipt → lease
	attempts map[string]int       // every id in the queue → deliveries counted
	dead     []DeadLetter
	notices  []Message // dead-lettered by expiry, for the next Receive
	seq      int64
	closed   bool
}

type memLease struct {
	jobID, consumer string
	deadline        time.Time
}

var _ Queue = (*MemQueue)(nil)

// NewMemQueue returns an empty in-process queue.
func NewMemQueue(name string, opts Options) *MemQueue {
	return &MemQueue{name: name, opts: opts.withDefaults(), changed: make(chan struct{}),
		delayed: map[string]time.Time{}, leases: map[string]*memLease{}, attempts: map[string]int{},
		since: map[string]time.Time{}, seen: map[string]time.Time{}}
}

// Name implements Queue.
func (q *MemQueue) Name() string { return q.name }

func (q *MemQueue) signal() {
	close(q.changed)
	q.changed = make(chan struct{})
}

func (q *MemQueue) errf(op string, err error) error {
	return fmt.Errorf("queue %s: %s: %w", q.name, op, err)
}

// Enqueue implements Queue.
func (q *MemQueue) Enqueue(ctx context.Context, jobID string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return q.errf("enqueue "+jobID, errQueueClosed)
	}
	if _, ok := q.attempts[jobID]; ok {
		return nil
	}
	q.attempts[jobID] = 0
	q.makeReady(jobID, time.Now(), false)
	q.signal()
	return nil
}

// Has implements Queue.
func (q *MemQueue) Has(ctx context.Context, jobID string) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	_, ok := q.attempts[jobID]
	return ok, nil
}

// Options implements Queue.
func (q *MemQueue) Options() Options { return q.opts }

var errQueueClosed = fmt.Errorf("closed")

// Receive implements Queue.
func (q *MemQueue) Receive(ctx context.Context, consumer string) (Message, error) {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return Message{}, q.errf("receive", errQueueClosed)
		}
		next := q.sweep(time.Now())
		q.seen[consumer] = time.Now()
		if len(q.notices) > 0 {
			m := q.notices[0]
			q.notices = q.notices[1:]
			m.Consumer = consumer
			q.mu.Unlock()
			return m, nil
		}
		if len(q.ready) > 0 {
			m := q.deliver(consumer)
			q.mu.Unlock()
			return m, nil
		}
		changed := q.changed
		q.mu.Unlock()
		wait := time.Second
		if !next.IsZero() {
			wait = min(wait, time.Until(next))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return Message{}, ctx.Err()
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}

// sweep returns expired leases and due retries to ready and returns the
// time of the next such event (zero: none).
func (q *MemQueue) sweep(now time.Time) time.Time {
	var next time.Time
	soonest := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	var expired []string
	for r, l := range q.leases {
		if now.Before(l.deadline) {
			soonest(l.deadline)
			continue
		}
		expired = append(expired, r)
	}
	slices.Sort(expired) // receipts are in delivery order
	for _, r := range expired {
		l := q.leases[r]
		delete(q.leases, r)
		if n := q.attempts[l.jobID]; n >= q.opts.MaxAttempts {
			q.bury(l.jobID, expiredReason, now)
			q.notices = append(q.notices, Message{JobID: l.jobID, Attempt: n, MaxAttempts: q.opts.MaxAttempts, DeadLettered: true})
			continue
		}
		q.makeReady(l.jobID, now, false)
	}
	var due []string
	for id, at := range q.delayed {
		if now.Before(at) {
			soonest(at)
			continue
		}
		due = append(due, id)
	}
	slices.Sort(due)
	for _, id := range due {
		delete(q.delayed, id)
		q.makeReady(id, now, false)
	}
	return next
}

// makeReady puts id in line for a worker, at the front when first.
func (q *MemQueue) makeReady(id string, now time.Time, first bool) {
	if first {
		q.ready = append([]string{id}, q.ready...)
	} else {
		q.ready = append(q.ready, id)
	}
	q.since[id] = now
}

func (q *MemQueue) deliver(consumer string) Message {
	id := q.ready[0]
	q.ready = q.ready[1:]
	delete(q.since, id)
	q.attempts[id]++
	q.seq++
	receipt := fmt.Sprintf("%020d", q.seq)
	q.leases[receipt] = &memLease{jobID: id, consumer: consumer, deadline: time.Now().Add(q.opts.VisibilityTimeout)}
	return Message{JobID: id, Attempt: q.attempts[id], MaxAttempts: q.opts.MaxAttempts, Consumer: consumer, Receipt: receipt}
}

func (q *MemQueue) bury(id, reason string, at time.Time) {
	q.dead = append(q.dead, DeadLetter{JobID: id, Attempts: q.attempts[id], LastError: reason, At: at})
	delete(q.attempts, id)
}

// lease returns m's live lease, taking it out of the table when take.
func (q *MemQueue) lease(m Message, take bool) (*memLease, error) {
	l, ok := q.leases[m.Receipt]
	if !ok || l.jobID != m.JobID || !time.Now().Before(l.deadline) {
		return nil, ErrLeaseLost
	}
	if take {
		delete(q.leases, m.Receipt)
	}
	return l, nil
}

// Extend implements Queue.
func (q *MemQueue) Extend(ctx context.Context, m Message) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	l, err := q.lease(m, false)
	if err != nil {
		return q.errf("extend "+m.JobID, err)
	}
	l.deadline = time.Now().Add(q.opts.VisibilityTimeout)
	q.seen[l.consumer] = time.Now()
	return nil
}

// Ack implements Queue.
func (q *MemQueue) Ack(ctx context.Context, m Message) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, err := q.lease(m, true); err != nil {
		return q.errf("ack "+m.JobID, err)
	}
	delete(q.attempts, m.JobID)
	q.signal()
	return nil
}

// Nack implements Queue.
func (q *MemQueue) Nack(ctx context.Context, m Message, reason string) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, err := q.lease(m, true); err != nil {
		return false, q.errf("nack "+m.JobID, err)
	}
	defer q.signal()
	if q.attempts[m.JobID] >= q.opts.MaxAttempts {
		q.bury(m.JobID, reason, time.Now())
		return true, nil
	}
	q.delayed[m.JobID] = time.Now().Add(q.opts.Backoff(q.attempts[m.JobID]))
	return false, nil
}

// Release implements Queue.
func (q *MemQueue) Release(ctx context.Context, m Message, after time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, err := q.lease(m, true); err != nil {
		return q.errf("release "+m.JobID, err)
	}
	q.attempts[m.JobID]--
	if after > 0 {
		q.delayed[m.JobID] = time.Now().Add(after)
	} else {
		q.makeReady(m.JobID, time.Now(), true)
	}
	q.signal()
	return nil
}

// DeadLetters implements Queue.
func (q *MemQueue) DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.dead[:min(limit, len(q.dead))]), nil
}

// Stats implements Queue.
func (q *MemQueue) Stats(ctx context.Context) (Stats, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	st := Stats{Depth: int64(len(q.attempts)), Waiting: int64(len(q.ready)), Leased: int64(len(q.leases)),
		DeadLetters: int64(len(q.dead)), Consumers: len(q.seen)}
	for _, at := range q.since {
		if st.OldestWaiting.IsZero() || at.Before(st.OldestWaiting) {
			st.OldestWaiting = at
		}
	}
	for _, at := range q.seen {
		if time.Since(at) < 2*q.opts.VisibilityTimeout {
			st.ConsumersAlive++
		}
	}
	return st, nil
}

// Len returns the number of ids waiting, leased or waiting for a retry.
func (q *MemQueue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.attempts)
}

// Close implements Queue: Receive and Enqueue fail afterwards.
func (q *MemQueue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		q.signal()
	}
	return nil
}
