package core

import (
	"fmt"
	"testing"
	"time"
)

func TestTokenBucketsAllowABurstThenTheRate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		perSecond float64
		burst     int
		at        []time.Duration // request times from now
		want      []bool
	}{
		{"off lets everything through", 0, 0, []time.Duration{0, 0, 0, 0}, []bool{true, true, true, true}},
		{"burst then refused", 1, 3, []time.Duration{0, 0, 0, 0}, []bool{true, true, true, false}},
		{"refill at the rate", 2, 1, []time.Duration{0, 0, 500 * time.Millisecond, 600 * time.Millisecond}, []bool{true, false, true, false}},
		{"burst 0 is the rate rounded up", 1.5, 0, []time.Duration{0, 0, 0}, []bool{true, true, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := NewTokenBuckets(c.perSecond, c.burst)
			for i, at := range c.at {
				ok, wait := b.Allow("k", now.Add(at))
				if ok != c.want[i] {
					t.Fatalf("request %d at +%s: allowed %v, want %v", i, at, ok, c.want[i])
				}
				if !ok && wait <= 0 {
					t.Fatalf("request %d refused without a time to wait", i)
				}
			}
		})
	}
}

func TestTokenBucketsForgetIdleKeysAndStayBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := NewTokenBuckets(10, 10) // full again after 1 s idle
	for i := range 1000 {
		b.Allow(fmt.Sprint("user-", i), now)
	}
	if n := b.Len(); n != 1000 {
		t.Fatalf("%d keys remembered, want 1000", n)
	}
	b.Allow("later", now.Add(2*time.Second))
	if n := b.Len(); n != 1 {
		t.Fatalf("%d keys remembered after they were idle long enough to be full again, want 1", n)
	}

	// Beyond maxBuckets keys, new keys share one bucket: memory stays bounded and they are
	// still limited together.
	b = NewTokenBuckets(0.001, 1)
	for i := range maxBuckets + 50 {
		b.Allow(fmt.Sprint("invented-", i), now)
	}
	if n := b.Len(); n > maxBuckets+1 {
		t.Fatalf("%d keys remembered, want at most %d", n, maxBuckets+1)
	}
	if ok, _ := b.Allow("yet-another", now); ok {
		t.Fatal("a key beyond the table was not limited with the overflow")
	}
}

func TestTokenBucketsSetLimitAppliesToExistingKeys(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := NewTokenBuckets(0.001, 1)
	b.Allow("k", now)
	if ok, _ := b.Allow("k", now); ok {
		t.Fatal("second request allowed at burst 1")
	}
	b.SetLimit(0, 0)
	if ok, _ := b.Allow("k", now); !ok {
		t.Fatal("refused with the limit off")
	}
	b.SetLimit(1000, 5)
	for i := range 5 {
		if ok, _ := b.Allow("k", now); !ok {
			t.Fatalf("request %d refused within the new burst", i)
		}
	}
}

func TestOnlyTheFirstRefusalPerKeyAndSecondIsAudited(t *testing.T) {
	l := &RateLimits{audited: map[string]struct{}{}}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"a", 0, true}, {"a", 100 * time.Millisecond, false}, {"b", 200 * time.Millisecond, true},
		{"a", 999 * time.Millisecond, false}, {"a", time.Second, true}, {"b", 1500 * time.Millisecond, true},
	}
	for i, s := range steps {
		if got := l.firstRefusal(s.key, now.Add(s.at)); got != s.want {
			t.Fatalf("step %d (%s at +%s): audited %v, want %v", i, s.key, s.at, got, s.want)
		}
	}
}
