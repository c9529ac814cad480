package benchrunner

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

func TestOnSampleGetsEverySecondOfARunInOrder(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	var mu sync.Mutex
	var got []Sample
	// 300 puts at 150/s: about two seconds, so at least one second closes during the load.
	rep, err := Run(context.Background(), Options{
		Command: "put", Flags: map[string]string{"total": "300", "rate": "150", "clients": "2"},
		Client: c.ClientConfig(), Prefix: "/bench-onsample/",
		OnSample: func(s Sample) {
			mu.Lock()
			got = append(got, s)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) < 2 {
		t.Fatalf("OnSample got %d samples, want every second of the run: %+v", len(got), got)
	}
	// Run returns after the last call, so every sample, the last partial one included, is in.
	if !reflect.DeepEqual(got, rep.Samples) {
		t.Errorf("OnSample got\n%+v\nthe report has\n%+v", got, rep.Samples)
	}
}

func TestSlowOnSampleNeverHoldsUpTheLoad(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	release := make(chan struct{})
	var once sync.Once
	calls := 0
	// The callback blocks until the load has done all its requests: if the load waited for
	// it, the run would never finish.
	rep, err := Run(context.Background(), Options{
		Command: "put", Flags: map[string]string{"total": "300", "rate": "150", "clients": "2"},
		Client: c.ClientConfig(), Prefix: "/bench-slowsample/",
		Progress: func(done, total int64) {
			if done == total {
				once.Do(func() { close(release) })
			}
		},
		OnSample: func(Sample) {
			<-release
			calls++
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests != 300 || rep.Partial {
		t.Fatalf("requests %d partial %v (%s)", rep.Requests, rep.Partial, rep.Reason)
	}
	if calls != len(rep.Samples) {
		t.Errorf("OnSample called %d times, the report has %d samples (none needed dropping)", calls, len(rep.Samples))
	}
}

func TestSampleFeedDropsWhatAFullBufferCannotHold(t *testing.T) {
	release := make(chan struct{})
	var got []int
	f := newSampleFeed(func(s Sample) {
		<-release
		got = append(got, s.Second)
	})
	// Sends never block: with the callback stuck, everything past the buffer (and the one
	// sample the callback may already hold) is dropped.
	for i := 0; i < sampleFeedBuffer+50; i++ {
		f.send(Sample{Second: i})
	}
	close(release)
	f.stop()
	if len(got) < sampleFeedBuffer || len(got) > sampleFeedBuffer+1 {
		t.Fatalf("delivered %d samples, want the buffer's %d (+1)", len(got), sampleFeedBuffer)
	}
	for i, s := range got {
		if s != i {
			t.Fatalf("sample %d delivered as %d: out of order or a gap before the drops", i, s)
		}
	}
	var none *sampleFeed
	none.send(Sample{})
	none.stop()
}
