package jobs

import (
	"context"
	"errors"
	"time"
)

// Queue carries job ids to workers, at least once. A received message is
// leased to its consumer for the visibility timeout; the consumer extends
// the lease while it works, then acks, nacks or releases the message. A
// lease that is not extended expires and the message goes to another
// consumer. Implementations are safe for concurrent use.
type Queue interface {
	// Name names the queue in errors and logs.
	Name() string
	// Enqueue adds a job id. An id already in the queue (waiting, leased or
	// waiting for a retry) is not added twice.
	Enqueue(ctx context.Context, jobID string) error
	// Has reports whether jobID is in the queue: waiting, leased (even
	// past its visibility timeout, until another consumer takes it over)
	// or waiting for a retry. An id that was acked, dead-lettered or lost
	// (a Redis restarted without persistence) is not.
	Has(ctx context.Context, jobID string) (bool, error)
	// Options returns the queue's options, defaults applied.
	Options() Options
	// Receive waits for a message and leases it to consumer. It returns
	// ctx's error when ctx ends first. A message with DeadLettered set is
	// not leased: it tells the receiver that a job was dead-lettered.
	Receive(ctx context.Context, consumer string) (Message, error)
	// Extend renews m's lease for another visibility timeout. It returns
	// ErrLeaseLost when the lease expired and the message went elsewhere.
	Extend(ctx context.Context, m Message) error
	// Ack removes m from the queue: the job is done.
	Ack(ctx context.Context, m Message) error
	// Nack reports that the attempt failed with reason. The message comes
	// back after a backoff, or, when m.Final(), goes to the dead letters
	// with reason as its last error; dead says which.
	Nack(ctx context.Context, m Message, reason string) (dead bool, err error)
	// Release hands m back without counting the attempt (a shutdown, or a
	// concurrency limit that is taken), available again after the delay.
	Release(ctx context.Context, m Message, after time.Duration) error
	// DeadLetters returns up to limit dead letters, oldest first.
	DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error)
	// Stats reports the queue's size and its workers.
	Stats(ctx context.Context) (Stats, error)
	// Close releases the queue's resources.
	Close() error
}

// Message is one delivery of a job id.
type Message struct {
	JobID string
	// Attempt counts the deliveries of this id that were not released,
	// this one included (1 on the first).
	Attempt int
	// MaxAttempts is the queue's limit: the attempt that reaches it is the
	// last.
	MaxAttempts int
	// Consumer is the receiver the message is leased to.
	Consumer string
	// Receipt identifies the delivery to the queue (a stream entry id).
	Receipt string
	// DeadLettered says the id was just dead-lettered instead of
	// delivered: its last attempt's lease expired (the worker died). The
	// receiver records the failure and must not run the job; there is
	// nothing to ack.
	DeadLettered bool
}

// Final reports whether this is the last attempt: a Nack dead-letters it.
func (m Message) Final() bool { return m.Attempt >= m.MaxAttempts }

// DeadLetter is a job id that ran out of attempts.
type DeadLetter struct {
	JobID     string    `json:"job_id"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error"`
	At        time.Time `json:"at"`
}

// ErrLeaseLost: the message's lease expired and it was delivered again,
// or it was already acked, nacked or released.
var ErrLeaseLost = errors.New("lease lost")

// Options tune a queue. Zero values pick the defaults.
type Options struct {
	// VisibilityTimeout is how long a lease lasts without Extend (default 30s).
	VisibilityTimeout time.Duration
	// MaxAttempts is how many deliveries a job gets before it is dead-
	// lettered (default 5). A lease that expires counts as an attempt.
	MaxAttempts int
	// Backoff is the wait before the retry after failed attempt n (from 1);
	// default: 1s doubling up to 5m.
	Backoff func(attempt int) time.Duration
}

func (o Options) withDefaults() Options {
	if o.VisibilityTimeout <= 0 {
		o.VisibilityTimeout = 30 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.Backoff == nil {
		o.Backoff = ExponentialBackoff(time.Second, 5*time.Minute)
	}
	return o
}

// ExponentialBackoff waits base after the first failed attempt, doubling
// after each further one, never more than limit.
func ExponentialBackoff(base, limit time.Duration) func(int) time.Duration {
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < limit; i++ {
			d *= 2
		}
		return min(d, limit)
	}
}

// expiredReason is the dead letter's error when the last attempt's lease
// expired (the worker died or hung).
const expiredReason = "lease expired: the worker stopped without acknowledging"
