package exporter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func init() { registerProbe("hashkv", true, hashkvProbe{}) }

// hashkvProbe compares the HashKV of every member at a common revision: members that hold the same
// keys and values at the same revision return the same hash. It is expensive on large databases, so
// it runs on its own interval (probes.hashkv_interval) in the background and scrapes report the
// last completed comparison. The first scrape of a cluster waits for the first comparison.
type hashkvProbe struct{}

var (
	consistentDesc       = newClusterDesc("cluster_consistent", "1 when every member returned the same HashKV at the compared revision, 0 when they differ.")
	consistencyRevDesc   = newClusterDesc("cluster_consistency_check_revision", "Revision at which HashKV was last compared.")
	consistencyTimeDesc  = newClusterDesc("cluster_consistency_check_timestamp_seconds", "When HashKV was last compared successfully.")
	memberConsistentDesc = newMemberDesc("member_consistent", "1 when the member's HashKV matches the majority at the compared revision.")
)

func (hashkvProbe) describe(ch chan<- *prometheus.Desc) {
	ch <- consistentDesc
	ch <- consistencyRevDesc
	ch <- consistencyTimeDesc
	ch <- memberConsistentDesc
}

// hashkvResult is one completed comparison.
type hashkvResult struct {
	at       time.Time
	revision int64
	// memberOK says, per endpoint that answered, whether its hash matched the majority.
	memberOK   map[string]bool
	consistent bool
}

// hashkvCache holds the last good comparison of a cluster and the one running, if any.
type hashkvCache struct {
	mu      sync.Mutex
	last    *hashkvResult
	lastErr error
	running chan struct{}
}

func (hashkvProbe) collect(s *scrape, ch chan<- prometheus.Metric) error {
	interval := time.Duration(s.t.settings.HashKVInterval)
	if interval <= 0 {
		return errNotApplicable
	}
	c := &s.t.hashkv
	c.mu.Lock()
	if (c.last == nil || time.Since(c.last.at) >= interval) && c.running == nil {
		c.running = make(chan struct{})
		go s.t.runHashKV(s.statuses())
	}
	running, last := c.running, c.last
	c.mu.Unlock()
	if last == nil && running != nil {
		select {
		case <-running:
		case <-s.ctx.Done():
		}
	}
	c.mu.Lock()
	last, lastErr := c.last, c.lastErr
	c.mu.Unlock()
	if last == nil {
		if lastErr != nil {
			return lastErr
		}
		return fmt.Errorf("first HashKV comparison still running")
	}
	cluster := s.t.cfg.Name
	ch <- gauge(consistentDesc, boolFloat(last.consistent), cluster)
	ch <- gauge(consistencyRevDesc, float64(last.revision), cluster)
	ch <- gauge(consistencyTimeDesc, float64(last.at.UnixNano())/1e9, cluster)
	for ep, ok := range last.memberOK {
		ch <- gauge(memberConsistentDesc, boolFloat(ok), cluster, ep)
	}
	return lastErr
}

// runHashKV compares the members' hashes at the lowest revision any answering member is at (all of
// them have it), then stores the result. It has its own deadline, independent of any scrape.
func (t *target) runHashKV(statuses []memberStatus) {
	res, err := t.compareHashKV(statuses)
	c := &t.hashkv
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.lastErr = err
		t.logger.Debug("HashKV comparison failed", "err", err)
	} else {
		c.last, c.lastErr = res, nil
	}
	close(c.running)
	c.running = nil
}

func (t *target) compareHashKV(statuses []memberStatus) (*hashkvResult, error) {
	var up []memberStatus
	for _, st := range statuses {
		if st.up() {
			up = append(up, st)
		}
	}
	if len(up) == 0 {
		return nil, errors.New("no member answered Status")
	}
	rev := up[0].resp.Header.Revision
	for _, st := range up[1:] {
		rev = min(rev, st.resp.Header.Revision)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Duration(t.cfg.RequestTimeout))
	defer cancel()
	answers := make([]hashAnswer, len(up))
	parallel(len(up), func(i int) {
		ep := up[i].endpoint
		answers[i].endpoint = ep
		m, err := t.member(ctx, ep)
		if err != nil {
			answers[i].err = err
			return
		}
		resp, err := m.Maintenance.HashKV(ctx, ep, rev)
		if err != nil {
			answers[i].err = fmt.Errorf("HashKV of %s at revision %d: %w", ep, rev, err)
			return
		}
		answers[i].hash, answers[i].compactRev = resp.Hash, resp.CompactRevision
	})
	return judgeHashes(rev, answers, time.Now())
}

// hashAnswer is one member's HashKV at the compared revision.
type hashAnswer struct {
	endpoint   string
	hash       uint32
	compactRev int64
	err        error
}

// judgeHashes compares the answers: the hash most members returned is the majority's, and the
// cluster is consistent when every answering member returned it. Hashes are comparable only
// between members compacted to the same revision, so a compaction being applied right now makes
// the comparison inconclusive (an error; the next interval tries again).
func judgeHashes(rev int64, answers []hashAnswer, at time.Time) (*hashkvResult, error) {
	counts := map[uint32]int{}
	compactRev := int64(-1)
	var errs []error
	for _, a := range answers {
		if a.err != nil {
			errs = append(errs, a.err)
			continue
		}
		if compactRev >= 0 && a.compactRev != compactRev {
			return nil, fmt.Errorf("HashKV at revision %d: members differ in compact revision, comparison retried next interval", rev)
		}
		compactRev = a.compactRev
		counts[a.hash]++
	}
	if len(counts) == 0 {
		return nil, fmt.Errorf("HashKV at revision %d: no member answered: %w", rev, errors.Join(errs...))
	}
	var majority uint32
	best := -1
	for h, n := range counts {
		if n > best || (n == best && h < majority) {
			majority, best = h, n
		}
	}
	res := &hashkvResult{at: at, revision: rev, memberOK: map[string]bool{}, consistent: len(counts) == 1}
	for _, a := range answers {
		if a.err == nil {
			res.memberOK[a.endpoint] = a.hash == majority
		}
	}
	return res, nil
}
