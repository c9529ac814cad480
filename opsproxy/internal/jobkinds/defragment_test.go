package jobkinds

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/defrag"
)

// The followers go first and the leader last; a member the rule says does not need it (here
// one defragmented by hand just before) is skipped with the reason; etcd counts exactly one
// defragmentation per member done.
func TestDefragmentGoesFollowersFirstLeaderLastAndSkipsMembersNotNeedingIt(t *testing.T) {
	c := startCluster(t, false)
	forEachQueue(t, func(t *testing.T, newQueue func(*testing.T, jobs.Options) jobs.Queue) {
		st, q := openStore(t), newQueue(t, jobs.Options{})
		startRunner(t, q, st, runnerOpts(), c.deps(t))
		c.fragment(t, 64)
		leader := c.leaderName(t)
		var compacted string
		for _, m := range c.Members {
			if m.Name != leader {
				compacted = m.Name
				if _, err := c.cli.Defragment(context.Background(), m.ClientURL); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		before := defragCount(t, c.Members[0].ClientURL)
		j := submit(t, st, q, KindDefragment, `{"rule": "dbSizeFree > 2000000"}`)
		got := waitFinal(t, st, j.ID)
		if got.Status != store.JobSucceeded {
			t.Fatalf("job: %+v", got)
		}
		res := decodeDefrag(t, got.Result)
		if len(res.Members) != 3 || res.Members[2].Name != leader || !res.Members[2].Leader || res.Rule != "dbSizeFree > 2000000" {
			t.Fatalf("plan %s (rule %q), want the leader %s last", states(res), res.Rule, leader)
		}
		if !slices.IsSortedFunc(res.Members[:2], func(a, b memberStep) int { return strings.Compare(a.Name, b.Name) }) {
			t.Fatalf("followers out of order: %s", states(res))
		}
		done := 0
		for _, m := range res.Members {
			switch {
			case m.Name == compacted:
				if m.State != stateSkipped || !strings.Contains(m.Reason, "not needed: the rule does not hold") {
					t.Errorf("member defragmented just before: %+v, want skipped as not needed", m)
				}
			case m.State != stateDone || m.DBSizeAfter >= m.DBSizeBefore || m.Fence != got.Fence:
				t.Errorf("member %s: %+v, want done, smaller, under fence %d", m.Name, m, got.Fence)
			default:
				done++
			}
		}
		if n := defragCount(t, c.Members[0].ClientURL) - before; n != done {
			t.Fatalf("etcd counted %d defragmentations, want %d", n, done)
		}
		if string(got.Progress) != string(got.Result) {
			t.Fatalf("progress %s differs from result %s", got.Progress, got.Result)
		}
	})
}

func TestDefragmentDryRunPlansOnly(t *testing.T) {
	c := startCluster(t, false)
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{MaxAttempts: 1})
	t.Cleanup(func() { _ = q.Close() })
	startRunner(t, q, st, runnerOpts(), c.deps(t))
	c.fragment(t, 32)
	before := defragCount(t, c.Members[0].ClientURL)
	j := submit(t, st, q, KindDefragment, `{"dry_run": true}`)
	got := waitFinal(t, st, j.ID)
	res := decodeDefrag(t, got.Result)
	if got.Status != store.JobSucceeded || !res.DryRun || res.Rule != defrag.DefaultRule || len(res.Members) != 3 {
		t.Fatalf("dry run: %+v", got)
	}
	for _, m := range res.Members {
		if m.State != statePending || !strings.HasPrefix(m.Reason, "would be defragmented: dbSize=") || m.DBSizeAfter != 0 {
			t.Errorf("member %s: %+v, want pending with the figures", m.Name, m)
		}
	}
	one := res.Members[1]
	j = submit(t, st, q, KindDefragment, `{"dry_run": true, "members": ["`+one.ID+`"]}`)
	if sub := decodeDefrag(t, waitFinal(t, st, j.ID).Result); len(sub.Members) != 1 || sub.Members[0].Name != one.Name {
		t.Fatalf("dry run of member %s alone: %s", one.Name, states(sub))
	}
	j = submit(t, st, q, KindDefragment, `{"dry_run": true, "members": ["ffff"]}`)
	if got := waitFinal(t, st, j.ID); got.Status != store.JobFailed || got.Error != "members[0]: no member ffff in the cluster" {
		t.Fatalf("a member not in the cluster: %s %q", got.Status, got.Error)
	}
	if n := defragCount(t, c.Members[0].ClientURL); n != before {
		t.Fatalf("a dry run defragmented %d members", n-before)
	}
}

// A cancel stops the job after the member being defragmented, never in the middle of one.
func TestDefragmentCancelStopsAfterTheCurrentMember(t *testing.T) {
	c := startCluster(t, false)
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	t.Cleanup(func() { _ = q.Close() })
	d := c.deps(t)
	d.Settle = 3 * time.Second // the window in which the test cancels
	startRunner(t, q, st, runnerOpts(), d)
	c.fragment(t, 32)
	before := defragCount(t, c.Members[0].ClientURL)
	j := submit(t, st, q, KindDefragment, `{"rule": "dbSize > 0"}`)
	eventually(t, "the first member done", func() bool {
		p := record(t, st, j.ID).Progress
		return firstMemberDone(t, p)
	})
	if _, err := st.RequestJobCancel(context.Background(), j.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	got := waitFinal(t, st, j.ID)
	if got.Status != store.JobCancelled {
		t.Fatalf("job: %+v", got)
	}
	if p := decodeDefrag(t, got.Progress); states(p) != p.Members[0].Name+"=done "+p.Members[1].Name+"=pending "+p.Members[2].Name+"=pending" {
		t.Fatalf("progress after the cancel: %s", states(p))
	}
	if n := defragCount(t, c.Members[0].ClientURL) - before; n != 1 {
		t.Fatalf("etcd counted %d defragmentations, want 1", n)
	}
}

// A member failing its health check stops the job (on its last attempt) with what was done.
func TestDefragmentStopsWhenAMemberFailsItsHealthCheck(t *testing.T) {
	c := startCluster(t, false)
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{MaxAttempts: 1})
	t.Cleanup(func() { _ = q.Close() })
	d := c.deps(t)
	d.Settle = 3 * time.Second
	d.HealthTimeout = time.Second
	startRunner(t, q, st, runnerOpts(), d)
	c.fragment(t, 32)
	j := submit(t, st, q, KindDefragment, `{"rule": "dbSize > 0"}`)
	var first, second string
	eventually(t, "the first member done", func() bool {
		p := record(t, st, j.ID).Progress
		if !firstMemberDone(t, p) {
			return false
		}
		prog := decodeDefrag(t, p)
		first, second = prog.Members[0].Name, prog.Members[1].Name
		return true
	})
	for _, m := range c.Members {
		if m.Name == second {
			m.Stop(t)
			t.Cleanup(func() { m.Restart(t) })
		}
	}
	got := waitFinal(t, st, j.ID)
	if got.Status != store.JobFailed || !strings.Contains(got.Error, "health check before member "+second) ||
		!strings.HasSuffix(got.Error, "; done: "+first) {
		t.Fatalf("job: %s %q", got.Status, got.Error)
	}
	p := decodeDefrag(t, got.Progress)
	if p.Members[0].State != stateDone || p.Members[1].State != stateFailed || p.Members[2].State != statePending {
		t.Fatalf("progress: %s", states(p))
	}
}

func TestDefragmentParametersAreCheckedNamingTheField(t *testing.T) {
	validate := Kinds(Deps{})[0].Validate
	for _, tc := range []struct{ params, want string }{
		{`{"rule": "dbSize >"}`, `rule: position 9: unexpected "end of rule"`},
		{`{"members": ["zz"]}`, `members[0]: want a member id in hex`},
		{`{"members": ["a1", "a1"]}`, `members[1]: a1 is named twice`},
		{`{"dry_run": "yes"}`, `dry_run: want bool, got string`},
		{`{"force": true}`, `force: unknown parameter`},
		{`[1]`, `parameters: want a JSON object`},
		{`{"rule": "` + strings.Repeat("1", 20000) + `"}`, `parameters: larger than 16384 bytes`},
	} {
		if err := validate([]byte(tc.params)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.60s: %v, want %q", tc.params, err, tc.want)
		}
	}
	for _, ok := range []string{``, `{}`, `{"members": ["8e9e05c52164694d"], "rule": "dbSizeFree > 1e9", "dry_run": true}`} {
		if err := validate([]byte(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestRoomForACopyIsJudgedFromTheDiskWhereKnownElseFromTheQuota(t *testing.T) {
	s := defrag.Sizes{DBSize: 600, DBSizeInUse: 500, DBQuota: 1000}
	local := Deps{DiskFree: func(cluster, member string) (int64, bool) {
		return map[string]int64{"roomy": 500, "full": 499}[member], member != "remote"
	}}
	for _, tc := range []struct {
		member string
		assume bool
		want   bool
		reason string
	}{
		{"roomy", false, true, ""},
		{"full", true, false, "the disk has 499 bytes free, the copy needs 500"},
		{"remote", false, false, "free disk space is unknown (etcd does not report it)"},
		{"remote", true, true, ""},
	} {
		ok, why := local.roomForCopy("prod", tc.member, s, tc.assume)
		if ok != tc.want || !strings.Contains(why, tc.reason) {
			t.Errorf("%s (assume %v): %v %q, want %v %q", tc.member, tc.assume, ok, why, tc.want, tc.reason)
		}
	}
	if ok, _ := (Deps{}).roomForCopy("prod", "m", defrag.Sizes{DBSize: 400, DBSizeInUse: 500, DBQuota: 1000}, false); !ok {
		t.Error("a copy within the quota headroom was refused")
	}
}

// firstMemberDone reports whether a defragmentation's progress (empty until the plan is on
// record) shows its first member done.
func firstMemberDone(t *testing.T, raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	p := decodeDefrag(t, raw)
	return len(p.Members) > 0 && p.Members[0].State == stateDone
}
