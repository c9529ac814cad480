package benchrunner

import (
	"context"
	"fmt"
	mathrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// runWatch is etcd's watch benchmark: --streams watch streams with --watch-per-stream watchers
// each over --watched-key-total keys ("watch-creation"), then --put-total puts to those keys and
// the events every watcher receives ("events", the main figures). As in etcd, creation time is
// the Watch call and an event's time is its delivery from the response it came in.
func runWatch(ctx context.Context, cancel context.CancelCauseFunc, p *prepared, c *connections) (runFigures, error) {
	f := p.flags
	streams, perStream := f.int("streams"), f.int("watch-per-stream")
	keySize, kss, seq := f.int("key-size"), int64(f.int("key-space-size")), f.bool("sequential-keys")
	watched := make([]string, f.int("watched-key-total"))
	for i := range watched {
		n := int64(i) % kss
		if !seq {
			n = mathrand.Int64N(kss)
		}
		watched[i] = benchKey(p.prefix, keySize, n)
	}
	numWatchers := make(map[string]int64)
	for i := 0; i < streams*perStream; i++ {
		numWatchers[watched[i%len(watched)]]++
	}
	putTotal := int64(f.int("put-total"))
	var eventsTotal int64
	for i := int64(0); i < putTotal; i++ {
		eventsTotal += numWatchers[watched[i%int64(len(watched))]]
	}
	prog := &progress{total: int64(streams*perStream) + eventsTotal, fn: p.o.Progress}
	stop := prog.start()
	defer stop()

	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	created := newRecorder(time.Now())
	var chans []clientv3.WatchChan
	for i := 0; i < streams; i++ {
		w := clientv3.NewWatcher(c.clients[i%len(c.clients)])
		defer w.Close()
		for j := 0; j < perStream; j++ {
			st := time.Now()
			chans = append(chans, w.Watch(wctx, watched[(i*perStream+j)%len(watched)]))
			created.record(result{Intended: st, Sent: st, End: time.Now()})
			prog.add(1)
		}
	}
	creation := created.finish(time.Now())
	if ctx.Err() != nil {
		return runFigures{main: phaseFigures{}, phases: []namedFigures{{"watch-creation", creation}}}, nil
	}

	events := newRecorder(time.Now())
	feed := newSampleFeed(p.o.OnSample)
	defer feed.stop()
	events.live = feed
	remaining := atomic.Int64{}
	remaining.Store(eventsTotal)
	var wg sync.WaitGroup
	for _, ch := range chans {
		wg.Add(1)
		go func(ch clientv3.WatchChan) {
			defer wg.Done()
			for resp := range ch {
				st := time.Now()
				for range resp.Events {
					now := time.Now()
					events.record(result{Intended: st, Sent: st, End: now})
					prog.add(1)
					if remaining.Add(-1) <= 0 {
						wcancel()
						return
					}
				}
			}
		}(ch)
	}
	puts := &load{
		clients: c.clients, total: putTotal, rate: f.int("put-rate"), main: newRecorder(time.Now()), progress: &progress{},
		do: func(ctx context.Context, cli *clientv3.Client, slot int64) (int, error) {
			_, err := cli.Do(ctx, clientv3.OpPut(watched[slot%int64(len(watched))], "data"))
			return -1, err
		},
	}
	puts.run(ctx, cancel)
	putErrs := puts.main.finish(time.Now()).Errors
	if len(putErrs) > 0 {
		// Events of failed puts never come: stop waiting for them.
		wcancel()
	}
	var err error
	if !awaitEvents(ctx, &wg, wcancel, func() int64 { return eventsTotal - remaining.Load() }) {
		err = fmt.Errorf("%w: watch events stopped arriving (%d of %d received)", ErrClusterLost, eventsTotal-remaining.Load(), eventsTotal)
	}
	received := events.finish(time.Now())
	for e, n := range putErrs {
		err = fmt.Errorf("watch: %d puts failed: %s", n, e)
		break
	}
	return runFigures{main: received, phases: []namedFigures{{"watch-creation", creation}, {"events", received}}}, err
}

// runWatchLatency is etcd's watch-latency benchmark: one key watched by --streams ×
// --watchers-per-stream watchers, --put-total puts at --put-rate ("put"), and for every watcher
// the time from a put's completion to its event's arrival ("watch-events", the main figures).
// Puts follow the schedule, so a put's latency counts from its slot.
func runWatchLatency(ctx context.Context, cancel context.CancelCauseFunc, p *prepared, c *connections) (runFigures, error) {
	f := p.flags
	key := p.prefix + randomValue(f.int("key-size"))
	value := randomValue(f.int("val-size"))
	putTotal := f.int("put-total")
	var opts []clientv3.OpOption
	if f.bool("prevkv") {
		opts = append(opts, clientv3.WithPrevKV())
	}
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	var chans []clientv3.WatchChan
	for i := 0; i < f.int("streams"); i++ {
		w := clientv3.NewWatcher(c.clients[i%len(c.clients)])
		defer w.Close()
		for j := 0; j < f.int("watchers-per-stream"); j++ {
			chans = append(chans, w.Watch(wctx, key, opts...))
		}
	}
	prog := &progress{total: int64(putTotal * len(chans)), fn: p.o.Progress}
	stop := prog.start()
	defer stop()

	// Each watcher's event times, by put: the one per-request memory of this command, as
	// a put's event can arrive before its put returns.
	eventTimes := make([][]time.Time, len(chans))
	var wg sync.WaitGroup
	for i, ch := range chans {
		eventTimes[i] = make([]time.Time, putTotal)
		wg.Add(1)
		go func(i int, ch clientv3.WatchChan) {
			defer wg.Done()
			n := 0
			for n < putTotal {
				resp, ok := <-ch
				if !ok {
					return
				}
				for range resp.Events {
					if n < putTotal {
						eventTimes[i][n] = time.Now()
						n++
						prog.add(1)
					}
				}
			}
		}(i, ch)
	}

	putRec := newRecorder(time.Now())
	putEnds := make([]time.Time, putTotal)
	sched := newSchedule(time.Now(), f.int("put-rate"), int64(putTotal))
	putRec.start = sched.start
	var putErr error
	done := 0
	for {
		slot, intended, ok := sched.take(ctx)
		if !ok {
			break
		}
		sent := time.Now()
		rctx, rcancel := context.WithTimeout(ctx, requestTimeout)
		_, err := c.conns[0].Put(rctx, key, value)
		rcancel()
		end := time.Now()
		if err != nil {
			if ctx.Err() == nil {
				putRec.record(result{Intended: intended, Sent: sent, End: end, Err: err})
				putErr = fmt.Errorf("watch-latency: put failed: %w", err)
			}
			break
		}
		putRec.record(result{Intended: intended, Sent: sent, End: end})
		putEnds[slot] = end
		done++
	}
	if done < putTotal {
		wcancel()
	}
	if !awaitEvents(ctx, &wg, wcancel, prog.done.Load) && putErr == nil {
		putErr = fmt.Errorf("%w: watch events stopped arriving", ErrClusterLost)
	}
	putFigs := putRec.finish(time.Now())

	watchRec := newRecorder(putRec.start)
	// By put, then watcher: roughly in order of arrival, which the per-second samples need.
	for j := 0; j < done; j++ {
		for i := range chans {
			start, end := putEnds[j], eventTimes[i][j]
			if end.IsZero() {
				continue
			}
			if end.Before(start) {
				start = end
			}
			watchRec.record(result{Intended: start, Sent: start, End: end})
		}
	}
	watchFigs := watchRec.finish(time.Now())
	// The samples exist only now that events are matched to puts: all of them at once, here
	// on Run's goroutine, where none need be dropped.
	if p.o.OnSample != nil {
		for _, s := range watchFigs.Samples {
			p.o.OnSample(s)
		}
	}
	return runFigures{main: watchFigs, phases: []namedFigures{{"put", putFigs}, {"watch-events", watchFigs}}}, putErr
}

// awaitEvents waits for the watchers to receive their events once the puts are done; when
// received (a count of events) does not move for lostAfter, it cancels the watches and
// reports false.
func awaitEvents(ctx context.Context, wg *sync.WaitGroup, cancelWatches context.CancelFunc, received func() int64) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(lostAfter)
	defer tick.Stop()
	last := received()
	for {
		select {
		case <-done:
			return true
		case <-ctx.Done():
			<-done // the watches are children of ctx: they end
			return true
		case <-tick.C:
			if now := received(); now != last {
				last = now
				continue
			}
			cancelWatches()
			<-done
			return false
		}
	}
}
