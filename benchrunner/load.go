package benchrunner

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// request is one slot's work on a client; it returns the phase the request belongs to (an
// index into load.phases, or -1 for none) and its error.
type request func(ctx context.Context, c *clientv3.Client, slot int64) (phase int, err error)

// load drives total requests over the clients, one worker per client as in etcd's tool, on
// the schedule (closed loop, or --rate's), recording each into main and its phase's recorder.
type load struct {
	clients []*clientv3.Client
	total   int64
	rate    int
	main    *recorder
	phases  []*recorder
	do      request
	// progress counts finished requests for the Progress callback.
	progress *progress
}

// run runs the load until its slots are used up, ctx is done, or the cluster is lost (then
// cancel is called with ErrClusterLost as the cause). It returns when every worker has.
func (l *load) run(ctx context.Context, cancel context.CancelCauseFunc) {
	start := time.Now()
	l.main.start = start
	for _, ph := range l.phases {
		ph.start = start
	}
	sched := newSchedule(start, l.rate, l.total)
	watch := newWatchdog(start)
	stopWatch := watch.run(ctx, cancel)
	defer stopWatch()

	var wg sync.WaitGroup
	for _, c := range l.clients {
		wg.Add(1)
		go func(c *clientv3.Client) {
			defer wg.Done()
			for {
				slot, intended, ok := sched.take(ctx)
				if !ok {
					return
				}
				watch.inflight.Add(1)
				sent := time.Now()
				if intended.IsZero() {
					intended = sent
				}
				// No timeout per request (a timer each would cost more CPU than the rest of
				// the bookkeeping): a request that hangs is ended by the watchdog, which
				// cancels ctx when nothing succeeds for lostAfter.
				phase, err := l.do(ctx, c, slot)
				end := time.Now()
				watch.inflight.Add(-1)
				if err != nil && ctx.Err() != nil {
					// Stopped by the run's own cancellation: not the server's error.
					return
				}
				watch.observe(end, err)
				res := result{Intended: intended, Sent: sent, End: end, Err: err}
				l.main.record(res)
				if phase >= 0 {
					l.phases[phase].record(res)
				}
				l.progress.add(1)
			}
		}(c)
	}
	wg.Wait()
}

// watchdog declares the cluster lost when no request has succeeded for lostAfter while
// requests failed or hung.
type watchdog struct {
	lastSuccess atomic.Int64 // unix nanoseconds
	inflight    atomic.Int64
	failedSince atomic.Bool // a request failed since the last success
	mu          sync.Mutex
	lastErr     error
}

func newWatchdog(start time.Time) *watchdog {
	w := &watchdog{}
	w.lastSuccess.Store(start.UnixNano())
	return w
}

func (w *watchdog) observe(end time.Time, err error) {
	if err == nil {
		w.lastSuccess.Store(end.UnixNano())
		if w.failedSince.Load() {
			w.failedSince.Store(false)
		}
		return
	}
	w.mu.Lock()
	w.lastErr = err
	w.mu.Unlock()
	w.failedSince.Store(true)
}

func (w *watchdog) run(ctx context.Context, cancel context.CancelCauseFunc) (stop func()) {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(lostAfter / 10)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case now := <-tick.C:
				if now.Sub(time.Unix(0, w.lastSuccess.Load())) < lostAfter {
					continue
				}
				w.mu.Lock()
				lastErr := w.lastErr
				w.mu.Unlock()
				if w.failedSince.Load() || w.inflight.Load() > 0 {
					reason := "requests hung"
					if lastErr != nil {
						reason = "last error: " + lastErr.Error()
					}
					cancel(fmt.Errorf("%w: no request succeeded in %s (%s)", ErrClusterLost, lostAfter, reason))
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

// progress reports finished requests to Options.Progress about once a second.
type progress struct {
	done  atomic.Int64
	total int64
	fn    func(done, total int64)
}

func (p *progress) add(n int64) { p.done.Add(n) }

// start calls fn every second until the returned stop is called, which reports a last time.
func (p *progress) start() (stop func()) {
	if p.fn == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				p.fn(p.done.Load(), p.total)
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		p.fn(p.done.Load(), p.total)
	}
}
