package jobs_test

import (
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
)

// testQueueStats: Stats counts what waits, what is leased and what is dead, dates the oldest
// waiting id, and knows the consumers.
func testQueueStats(t *testing.T, newQueue newQueueFunc) {
	q := newQueue(t, jobs.Options{MaxAttempts: 1, VisibilityTimeout: time.Minute})
	c := testCtx(t)
	if st, err := q.Stats(c); err != nil || st != (jobs.Stats{}) {
		t.Fatalf("stats of an empty queue: %+v, %v", st, err)
	}
	for _, id := range []string{"a", "b", "c"} {
		if err := q.Enqueue(c, id); err != nil {
			t.Fatal(err)
		}
	}
	m := receive(t, q, "w1")
	dead := receive(t, q, "w2")
	if _, err := q.Nack(c, dead, "boom"); err != nil {
		t.Fatal(err)
	}
	st, err := q.Stats(c)
	if err != nil {
		t.Fatal(err)
	}
	if st.Depth != 2 || st.Waiting != 1 || st.Leased != 1 || st.DeadLetters != 1 || st.Consumers != 2 || st.ConsumersAlive != 2 {
		t.Fatalf("stats after 3 enqueued, 1 leased, 1 dead: %+v", st)
	}
	if st.OldestWaiting.IsZero() {
		t.Fatal("no oldest waiting time while an id waits")
	}
	if err := q.Ack(c, m); err != nil {
		t.Fatal(err)
	}
	receive(t, q, "w1")
	if st, err := q.Stats(c); err != nil || st.Waiting != 0 || !st.OldestWaiting.IsZero() || st.Depth != 1 {
		t.Fatalf("stats with nothing waiting: %+v, %v", st, err)
	}
}
