package benchrunner

import "sync"

// sampleFeedBuffer is how many closed seconds may wait for a slow Options.OnSample before
// further ones are dropped: minutes of a run, so only a callback stuck for that long loses any.
const sampleFeedBuffer = 128

// sampleFeed hands each closed second's Sample to Options.OnSample from one goroutine of its
// own, so the callback never runs under the recorder's lock nor holds up the load: a sample
// that finds the buffer full is dropped rather than waited for.
type sampleFeed struct {
	ch   chan Sample
	wg   sync.WaitGroup
	once sync.Once
}

// newSampleFeed starts a feed calling fn; it is nil (and every method a no-op) when fn is.
func newSampleFeed(fn func(Sample)) *sampleFeed {
	if fn == nil {
		return nil
	}
	f := &sampleFeed{ch: make(chan Sample, sampleFeedBuffer)}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for s := range f.ch {
			fn(s)
		}
	}()
	return f
}

// send queues s without ever blocking; it must not be called after stop.
func (f *sampleFeed) send(s Sample) {
	if f == nil {
		return
	}
	select {
	case f.ch <- s:
	default:
	}
}

// stop delivers what is queued and returns once the callback has returned for the last time,
// so that Run returns after the last OnSample call.
func (f *sampleFeed) stop() {
	if f == nil {
		return
	}
	f.once.Do(func() { close(f.ch) })
	f.wg.Wait()
}
