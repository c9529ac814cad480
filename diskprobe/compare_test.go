package diskprobe

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	runSignalHelperIfRequested()
	exit(m.Run())
}

func TestBucketQuantileIsHistogramQuantile(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		name string
		bs   []bucket
		want float64
	}{
		{"no observations", []bucket{{0.001, 0}, {0.002, 0}, {inf, 0}}, 0},
		{"all in the first bucket", []bucket{{0.001, 100}, {0.002, 100}, {inf, 100}}, 0.00099},
		{"interpolated in the second", []bucket{{0.001, 50}, {0.002, 100}, {inf, 100}}, 0.001 + 0.001*(99-50)/50},
		{"rank in +Inf gives the highest bound", []bucket{{0.001, 10}, {0.002, 20}, {inf, 100}}, 0.002},
	}
	for _, tc := range cases {
		if got := bucketQuantile(0.99, tc.bs); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: %g, want %g", tc.name, got, tc.want)
		}
	}
}

func TestMemberMetricsURLAddsMetricsToABaseURL(t *testing.T) {
	cases := map[string]string{
		"http://h:2379":             "http://h:2379/metrics",
		"http://h:2379/":            "http://h:2379/metrics",
		"https://h:2379/metrics":    "https://h:2379/metrics",
		"http://h:2381/metrics?x=1": "http://h:2381/metrics?x=1",
	}
	for in, want := range cases {
		if got := MemberMetricsURL(in); got != want {
			t.Errorf("MemberMetricsURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompareMemberReadsARealMembersWALFsyncOverTheProbe(t *testing.T) {
	if !nativeSupported {
		t.Skip("native probe unsupported here")
	}
	// The shared test member skips fsync; this one fsyncs its WAL as production does.
	c := etcdtest.New(t, etcdtest.Config{Size: 1, RealFsync: true})
	cli := c.Client(t)
	// The member writes (and fsyncs its WAL) while the probe runs.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			_, _ = cli.Put(ctx, fmt.Sprintf("/diskprobe-test/%d", i%10), "v")
		}
	}()
	dir := probeDirFor(t)
	j := Job{Profile: "custom", BlockSize: 2300, Size: 2300 * 200, Duration: 300 * time.Millisecond}
	res, err := Run(context.Background(), Options{Dir: dir, Job: j, CompareMember: c.Members[0].ClientURL})
	cancel()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	m := res.Member
	if m == nil || m.Error != "" || m.URL != c.Members[0].ClientURL+"/metrics" {
		t.Fatalf("member comparison %+v", m)
	}
	if m.Fsyncs == 0 || m.P99 <= 0 {
		t.Fatalf("member made %d fsyncs, p99 %g; want some", m.Fsyncs, m.P99)
	}
	var b strings.Builder
	if err := WriteText(&b, res); err != nil || !strings.Contains(b.String(), fmt.Sprintf("Member %s: %d WAL fsyncs during the probe, p99 ", m.URL, m.Fsyncs)) {
		t.Fatalf("report:\n%s", b.String())
	}
	assertNothingLeft(t, dir)
}

func TestCompareMemberThatGoesAwayLeavesTheProbesFiguresStanding(t *testing.T) {
	if !nativeSupported {
		t.Skip("native probe unsupported here")
	}
	cases := map[string]http.HandlerFunc{
		"not etcd": func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "# TYPE up gauge\nup 1") },
		"500":      func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) },
		"not text": func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "{{{{") },
	}
	wants := map[string]string{
		"not etcd": "have no etcd_disk_wal_fsync_duration_seconds histogram",
		"500":      "500 Internal Server Error",
		"not text": "parse the member's metrics",
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			res, err := Run(context.Background(), Options{Dir: probeDirFor(t), Job: smallJob(), CompareMember: srv.URL})
			if err != nil || res.Syncs != 64 {
				t.Fatalf("probe failed with the member: %v", err)
			}
			if res.Member == nil || !strings.Contains(res.Member.Error, wants[name]) {
				t.Fatalf("member %+v, want error %q", res.Member, wants[name])
			}
		})
	}
	t.Run("gone", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		res, err := Run(context.Background(), Options{Dir: probeDirFor(t), Job: smallJob(), CompareMember: url})
		if err != nil || res.Member == nil || !strings.Contains(res.Member.Error, "read the member's metrics") {
			t.Fatalf("err %v member %+v", err, res.Member)
		}
	})
}

func TestCompareMemberNeverShowsTheURLsPassword(t *testing.T) {
	if !nativeSupported {
		t.Skip("native probe unsupported here")
	}
	var gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pass, _ := r.BasicAuth()
		gotAuth = pass
		http.Error(w, "nope", http.StatusUnauthorized)
	}))
	defer srv.Close()
	withCreds := strings.Replace(srv.URL, "http://", "http://probe:s3cr3t-pass@", 1)
	gone := "http://probe:s3cr3t-pass@127.0.0.1:1/metrics"
	for _, u := range []string{withCreds, gone, "http://probe:s3cr3t-pass@%zz"} {
		res, err := Run(context.Background(), Options{Dir: probeDirFor(t), Job: smallJob(), CompareMember: u})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_ = WriteText(&b, res)
		js, _ := json.Marshal(res)
		if strings.Contains(b.String()+string(js), "s3cr3t") || res.Member == nil || res.Member.Error == "" {
			t.Fatalf("%s: member %+v; report:\n%s", u, res.Member, b.String())
		}
	}
	if gotAuth != "s3cr3t-pass" {
		t.Fatalf("the member got password %q", gotAuth)
	}
}
