package agent

import (
	"fmt"
	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"slices"
	"time"
)

// budgetWindow is the window of the I/O budget: the bytes written within any hour.
const budgetWindow = time.Hour

// budget keeps the bytes probes wrote (or reserved, while they run) within the last hour, so
// that a probe that would exceed MaxBytesPerHour is refused before it writes anything. Not safe
// for concurrent use: the agent holds its lock.
type budget struct {
	max     int64
	entries []*spend // oldest first
}

// spend is one probe's bytes: reserved when it starts, settled to what it wrote when it ends.
type spend struct {
	at    time.Time
	bytes int64
}

// budgetError is a probe refused by the budget.
type budgetError struct {
	Max, Used, Requested int64
	// FreesAt is when enough of the budget frees for the probe; zero when the probe is larger
	// than the whole budget and never fits.
	FreesAt time.Time
}

func (e *budgetError) Error() string {
	if e.FreesAt.IsZero() {
		return fmt.Sprintf("the probe would write %s, more than the agent's whole I/O budget of %s per hour",
			diskprobe.FormatBytes(e.Requested), diskprobe.FormatBytes(e.Max))
	}
	return fmt.Sprintf("the probe would write %s but %s of the agent's I/O budget of %s per hour are used; enough frees at %s",
		diskprobe.FormatBytes(e.Requested), diskprobe.FormatBytes(e.Used), diskprobe.FormatBytes(e.Max), e.FreesAt.UTC().Format(time.RFC3339))
}

// used returns the bytes spent within the hour before now, forgetting older spends.
func (b *budget) used(now time.Time) int64 {
	cut := now.Add(-budgetWindow)
	b.entries = slices.DeleteFunc(b.entries, func(s *spend) bool { return !s.at.After(cut) })
	var n int64
	for _, s := range b.entries {
		n += s.bytes
	}
	return n
}

// reserve books n bytes at now, or refuses with a *budgetError saying when enough frees.
func (b *budget) reserve(now time.Time, n int64) (*spend, error) {
	used := b.used(now)
	if used+n <= b.max {
		s := &spend{at: now, bytes: n}
		b.entries = append(b.entries, s)
		return s, nil
	}
	e := &budgetError{Max: b.max, Used: used, Requested: n}
	if n > b.max {
		return nil, e
	}
	need, freed := used+n-b.max, int64(0)
	for _, s := range b.entries {
		freed += s.bytes
		if freed >= need {
			e.FreesAt = s.at.Add(budgetWindow)
			break
		}
	}
	return nil, e
}

// reserveRest books what is left of the budget at now, for a time-based probe whose bytes are
// not known in advance; it refuses as reserve does when less than least bytes are left.
func (b *budget) reserveRest(now time.Time, least int64) (*spend, error) {
	s, err := b.reserve(now, least)
	if err != nil {
		return nil, err
	}
	s.bytes = b.max - b.used(now) + s.bytes
	return s, nil
}

// settle replaces a reservation with what the probe wrote, counted from when it ended.
func (b *budget) settle(s *spend, at time.Time, written int64) {
	s.at, s.bytes = at, max(written, 0)
	// A probe longer than the window has had its reservation forgotten meanwhile.
	if !slices.Contains(b.entries, s) {
		b.entries = append(b.entries, s)
	}
	slices.SortStableFunc(b.entries, func(x, y *spend) int { return x.at.Compare(y.at) })
}
