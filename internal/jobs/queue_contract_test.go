package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
)

// newQueueFunc makes an empty queue of the implementation under test.
type newQueueFunc func(t *testing.T, opts jobs.Options) jobs.Queue

// runQueueContract runs the behaviour every Queue must have.
func runQueueContract(t *testing.T, newQueue newQueueFunc) {
	tests := []struct {
		name string
		fn   func(t *testing.T, newQueue newQueueFunc)
	}{
		{"DeliversInOrderAndAckRemoves", testQueueOrderAndAck},
		{"EnqueueOfAQueuedIDIsANoOp", testQueueEnqueueIdempotent},
		{"ExpiredLeaseGoesToAnotherConsumer", testQueueLeaseExpires},
		{"ExtendKeepsTheLease", testQueueExtend},
		{"NackRetriesThenDeadLettersWithLastError", testQueueNackDeadLetters},
		{"ReleaseDoesNotCountAnAttempt", testQueueRelease},
		{"LastAttemptWhoseLeaseExpiresIsDeadLettered", testQueueExpiredLastAttempt},
		{"ConcurrentConsumersGetEachIDOnce", testQueueConcurrentConsumers},
		{"HasAnIDUntilItIsAckedOrDeadLettered", testQueueHas},
		{"StatsCountWaitingLeasedDeadAndConsumers", testQueueStats},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newQueue) })
	}
}

func testCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// receiveNothing checks that nothing is delivered within d.
func receiveNothing(t *testing.T, q jobs.Queue, consumer string, d time.Duration) {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if m, err := q.Receive(c, consumer); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("receive: %+v, %v; want nothing", m, err)
	}
}

func receive(t *testing.T, q jobs.Queue, consumer string) jobs.Message {
	t.Helper()
	m, err := q.Receive(testCtx(t), consumer)
	if err != nil {
		t.Fatalf("receive by %s: %v", consumer, err)
	}
	return m
}

func testQueueOrderAndAck(t *testing.T, newQueue newQueueFunc) {
	q := newQueue(t, jobs.Options{})
	c := testCtx(t)
	for _, id := range []string{"a", "b"} {
		if err := q.Enqueue(c, id); err != nil {
			t.Fatal(err)
		}
	}
	a, b := receive(t, q, "c1"), receive(t, q, "c1")
	if a.JobID != "a" || b.JobID != "b" || a.Attempt != 1 || a.Consumer != "c1" || a.Receipt == "" {
		t.Fatalf("got %+v then %+v", a, b)
	}
	for _, m := range []jobs.Message{a, b} {
		if err := q.Ack(c, m); err != nil {
			t.Fatalf("ack %s: %v", m.JobID, err)
		}
	}
	if err := q.Ack(c, a); !errors.Is(err, jobs.ErrLeaseLost) {
		t.Fatalf("second ack: %v, want ErrLeaseLost", err)
	}
	receiveNothing(t, q, "c1", 300*time.Millisecond)
	// An acked id may be enqueued again.
	if err := q.Enqueue(c, "a"); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, q, "c1"); m.JobID != "a" || m.Attempt != 1 {
		t.Fatalf("re-enqueued: %+v", m)
	}
}

func testQueueEnqueueIdempotent(t *testing.T, newQueue newQueueFunc) {
	q := newQueue(t, jobs.Options{})
	c := testCtx(t)
	for range 3 {
		if err := q.Enqueue(c, "a"); err != nil {
			t.Fatal(err)
		}
	}
	m := receive(t, q, "c1")
	if err := q.Enqueue(c, "a"); err != nil { // while leased
		t.Fatal(err)
	}
	receiveNothing(t, q, "c2", 300*time.Millisecond)
	if err := q.Ack(c, m); err != nil {
		t.Fatal(err)
	}
}

func testQueueLeaseExpires(t *testing.T, newQueue newQueueFunc) {
	q := newQueue(t, jobs.Options{VisibilityTimeout: 300 * time.Millisecond})
	c := testCtx(t)
	if err := q.Enqueue(c, "a"); err != nil {
		t.Fatal(err)
	}
	first := receive(t, q, "c1") // c1 "dies": never extends or acks
	second := receive(t, q, "c2")
	if second.JobID != "a" || second.Attempt != 2 || second.Consumer != "c2" {
		t.Fatalf("after the lease expired: %+v", second)
	}
	if err := q.Extend(c, first); !errors.Is(err, jobs.ErrLeaseLost) {
		t.Fatalf("extend of the lost lease: %v, want ErrLeaseLost", err)
	}
	if err := q.Ack(c, first); !errors.Is(err, jobs.ErrLeaseLost) {
		t.Fatalf("ack of the lost lease: %v, want ErrLeaseLost", err)
	}
	if err := q.Ack(c, second); err != nil {
		t.Fatalf("ack by the new holder: %v", err)
	}
}

func testQueueExtend(t *testing.T, newQueue newQueueFunc) {
	q := newQueue(t, jobs.Options{VisibilityTimeout: 2 * time.Second})
	c := testCtx(t)
	if err := q.Enqueue(c, "a"); err != nil {
		t.Fatal(err)
	}
	m := receive(t, q, "c1")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if err := q.Extend(c, m); err != nil {
					t.Errorf("extend: %v", err)
					return
				}
			}
		}
	})
	receiveNothing(t, q, "c2", 4*time.Second) // twice the visibility timeout
	close(stop)
	wg.Wait()
	if err := q.Ack(c, m); err != nil {
		t.Fatalf("ack after extending: %v", err)
	}
}

func testQueueNackDeadLetters(t *testing.T, newQueue newQueueFunc) {
	q := newQueue(t, jobs.Options{MaxAttempts: 3, Backoff: jobs.ExponentialBackoff(10*time.Millisecond, 50*time.Millisecond)})
	c := testCtx(t)
	if err := q.Enqueue(c, "a"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		m := receive(t, q, "c1")
		if m.JobID != "a" || m.Attempt != i || m.Final() != (i == 3) {
			t.Fatalf("delivery %d: %+v (final %v)", i, m, m.Final())
		}
		dead, err := q.Nack(c, m, fmt.Sprintf("boom %d", i))
		if err != nil || dead != (i == 3) {
			t.Fatalf("nack %d: dead %v, %v", i, dead, err)
		}
	}
	receiveNothing(t, q, "c1", 300*time.Millisecond)
	dl, err := q.DeadLetters(c, 10)
	if err != nil || len(dl) != 1 || dl[0].JobID != "a" || dl[0].Attempts != 3 || dl[0].LastError != "boom 3" || dl[0].At.IsZero() {
		t.Fatalf("dead letters: %+v, %v", dl, err)
	}
}

func testQueueRelease(t *testing.T, newQueue newQueueFunc) {
	q := newQueue(t, jobs.Options{MaxAttempts: 1})
	c := testCtx(t)
	if err := q.Enqueue(c, "a"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		m := receive(t, q, "c1")
		if m.Attempt != 1 {
			t.Fatalf("after releases: attempt %d, want 1", m.Attempt)
		}
		if err := q.Release(c, m, 0); err != nil {
			t.Fatalf("release: %v", err)
		}
	}
	m := receive(t, q, "c1")
	if err := q.Release(c, m, 100*time.Millisecond); err != nil {
		t.Fatalf("delayed release: %v", err)
	}
	m = receive(t, q, "c1")
	if dead, err := q.Nack(c, m, "boom"); err != nil || !dead {
		t.Fatalf("nack of the only attempt: dead %v, %v", dead, err)
	}
}

func testQueueExpiredLastAttempt(t *testing.T, newQueue newQueueFunc) {
	q := newQueue(t, jobs.Options{MaxAttempts: 1, VisibilityTimeout: 200 * time.Millisecond})
	c := testCtx(t)
	if err := q.Enqueue(c, "a"); err != nil {
		t.Fatal(err)
	}
	receive(t, q, "c1") // and abandoned
	if m := receive(t, q, "c2"); m.JobID != "a" || !m.DeadLettered || m.Attempt != 1 {
		t.Fatalf("after the last lease expired: %+v, want a dead-letter notice", m)
	}
	receiveNothing(t, q, "c2", time.Second)
	dl, err := q.DeadLetters(c, 10)
	if err != nil || len(dl) != 1 || dl[0].JobID != "a" || dl[0].Attempts != 1 || dl[0].LastError == "" {
		t.Fatalf("dead letters: %+v, %v", dl, err)
	}
}

func testQueueConcurrentConsumers(t *testing.T, newQueue newQueueFunc) {
	q := newQueue(t, jobs.Options{})
	c := testCtx(t)
	const n = 200
	for i := range n {
		if err := q.Enqueue(c, fmt.Sprintf("j%03d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for {
				rc, cancel := context.WithTimeout(c, 500*time.Millisecond)
				m, err := q.Receive(rc, fmt.Sprintf("c%d", w))
				cancel()
				if errors.Is(err, context.DeadlineExceeded) {
					return
				}
				if err != nil {
					t.Errorf("receive: %v", err)
					return
				}
				mu.Lock()
				seen[m.JobID]++
				mu.Unlock()
				if err := q.Ack(c, m); err != nil {
					t.Errorf("ack: %v", err)
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d ids delivered, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Fatalf("%s delivered %d times", id, k)
		}
	}
}

func testQueueHas(t *testing.T, newQueue newQueueFunc) {
	q := newQueue(t, jobs.Options{MaxAttempts: 2, Backoff: jobs.ExponentialBackoff(10*time.Millisecond, 10*time.Millisecond)})
	c := testCtx(t)
	has := func(when, id string, want bool) {
		t.Helper()
		if got, err := q.Has(c, id); err != nil || got != want {
			t.Fatalf("%s: Has(%s) = %v, %v; want %v", when, id, got, err, want)
		}
	}
	if o := q.Options(); o.MaxAttempts != 2 || o.VisibilityTimeout <= 0 {
		t.Fatalf("options: %+v", o)
	}
	has("never enqueued", "a", false)
	if err := q.Enqueue(c, "a"); err != nil {
		t.Fatal(err)
	}
	has("waiting", "a", true)
	m := receive(t, q, "c1")
	has("leased", m.JobID, true)
	if dead, err := q.Nack(c, m, "boom"); err != nil || dead {
		t.Fatalf("nack: dead %v, %v", dead, err)
	}
	has("waiting for a retry", m.JobID, true)
	m = receive(t, q, "c1")
	if err := q.Ack(c, m); err != nil {
		t.Fatal(err)
	}
	has("acked", m.JobID, false)
	if err := q.Enqueue(c, "b"); err != nil {
		t.Fatal(err)
	}
	m = receive(t, q, "c1")
	if m.JobID != "b" {
		t.Fatalf("got %+v, want b", m)
	}
	if _, err := q.Nack(c, m, "boom"); err != nil {
		t.Fatal(err)
	}
	m = receive(t, q, "c1")
	if dead, err := q.Nack(c, m, "boom"); err != nil || !dead {
		t.Fatalf("last nack: dead %v, %v", dead, err)
	}
	has("dead-lettered", "b", false)
}
