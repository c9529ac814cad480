package benchrunner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// prefixCount is how many keys the prefix holds.
func prefixCount(t *testing.T, cli *clientv3.Client, prefix string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	return resp.Count
}

// checkDistribution fails the test when d is not a plausible latency distribution.
func checkDistribution(t *testing.T, what string, d Distribution) {
	t.Helper()
	if d.Count == 0 || d.Fastest < 0 || d.Fastest > d.Average || d.Average > d.Slowest {
		t.Errorf("%s: implausible distribution %+v", what, d)
		return
	}
	prev := 0.0
	for _, p := range percentileKeys {
		v := d.Percentiles[p.key]
		if v < prev || v < d.Fastest || v > d.Slowest {
			t.Errorf("%s: percentile %s = %v out of order (previous %v, range %v..%v)", what, p.key, v, prev, d.Fastest, d.Slowest)
		}
		prev = v
	}
	if _, err := histogramBars(d); err != nil || d.Histogram == "" {
		t.Errorf("%s: histogram does not decode: %v", what, err)
	}
}

func TestEveryCommandProducesASaneReport(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	cli := c.Client(t)
	cases := []struct {
		command  string
		args     []string
		flags    map[string]string
		requests int64
		phases   []string
	}{
		{"put", nil, map[string]string{"total": "300", "key-space-size": "50", "clients": "4", "conns": "2"}, 300, nil},
		{"put", nil, map[string]string{"total": "200", "rate": "400", "sequential-keys": "true", "key-space-size": "20", "check-hashkv": "true"}, 200, nil},
		{"put", nil, map[string]string{"total": "100", "target-leader": "true", "conns": "2"}, 100, nil},
		{"range", []string{"/some-key"}, map[string]string{"total": "300", "consistency": "s"}, 300, nil},
		{"range", []string{"/a", "/z"}, map[string]string{"total": "200", "clients": "3", "conns": "3"}, 200, nil},
		{"txn-put", nil, map[string]string{"total": "200", "txn-ops": "3", "key-space-size": "10"}, 200, nil},
		{"txn-mixed", []string{"ignored"}, map[string]string{"total": "300", "rw-ratio": "2", "key-space-size": "10"}, 300, []string{"read", "write"}},
		// Both watched keys are the one key of a key space of 1, so each put reaches all 10 watchers.
		{"watch", nil, map[string]string{"streams": "2", "watch-per-stream": "5", "put-total": "20", "watched-key-total": "2"}, 200, []string{"watch-creation", "events"}},
		{"watch-latency", nil, map[string]string{"streams": "2", "watchers-per-stream": "2", "put-total": "30", "put-rate": "300"}, 120, []string{"put", "watch-events"}},
		{"lease-keepalive", nil, map[string]string{"total": "300", "clients": "2"}, 300, nil},
	}
	for _, tc := range cases {
		t.Run(tc.command+strings.Join(tc.args, "_"), func(t *testing.T) {
			var mu sync.Mutex
			var calls int
			var live []Sample
			rep, err := Run(context.Background(), Options{
				Command: tc.command, Args: tc.args, Flags: tc.flags, Client: c.ClientConfig(),
				Progress: func(done, total int64) { mu.Lock(); calls++; mu.Unlock() },
				OnSample: func(s Sample) { mu.Lock(); live = append(live, s); mu.Unlock() },
			})
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if rep.Partial || rep.Requests != tc.requests || len(rep.Errors) > 0 {
				t.Fatalf("partial %v (%s), %d requests (want %d), errors %v", rep.Partial, rep.Reason, rep.Requests, tc.requests, rep.Errors)
			}
			checkDistribution(t, "latency", rep.Latency)
			checkDistribution(t, "service", rep.Service)
			if rep.Throughput <= 0 || rep.Elapsed <= 0 || len(rep.Samples) == 0 {
				t.Errorf("throughput %v elapsed %v samples %d", rep.Throughput, rep.Elapsed, len(rep.Samples))
			}
			var sampled int64
			for _, s := range rep.Samples {
				sampled += s.Requests
			}
			if sampled != rep.Requests {
				t.Errorf("samples count %d requests, report %d", sampled, rep.Requests)
			}
			mu.Lock()
			if !reflect.DeepEqual(live, rep.Samples) {
				t.Errorf("OnSample got %+v, the report has %+v", live, rep.Samples)
			}
			mu.Unlock()
			for _, name := range tc.phases {
				ph := rep.phase(name)
				if ph.Requests == 0 {
					t.Errorf("phase %q has no requests", name)
				}
			}
			if rep.Cluster.Members != 3 || rep.Cluster.Version == "" || rep.Cluster.DBSize <= 0 {
				t.Errorf("cluster %+v", rep.Cluster)
			}
			if rep.Runner.CPUs <= 0 || rep.Runner.PeakRSS <= 0 || rep.Runner.Host == "" {
				t.Errorf("runner %+v", rep.Runner)
			}
			if tc.flags["check-hashkv"] == "true" && (rep.HashKV == nil || rep.HashKV.Endpoint == "") {
				t.Errorf("no hashkv summary: %+v", rep.HashKV)
			}
			if rep.Parameters["total"] == "" && rep.Parameters["put-total"] == "" {
				t.Errorf("parameters lack the defaults: %v", rep.Parameters)
			}
			var text strings.Builder
			if err := WriteText(&text, rep); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), "\nSummary:\n") || !strings.Contains(text.String(), "\nLatency distribution:\n") {
				t.Errorf("text report:\n%s", text.String())
			}
			if n := prefixCount(t, cli, DefaultPrefix); n != 0 {
				t.Errorf("%d keys left under %s", n, DefaultPrefix)
			}
			mu.Lock()
			defer mu.Unlock()
			if calls == 0 {
				t.Error("progress was never reported")
			}
		})
	}
	// lease-keepalive revoked its leases.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	leases, err := cli.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(leases.Leases) != 0 {
		t.Errorf("%d leases left", len(leases.Leases))
	}
}

func TestRunRefusesAPrefixThatHoldsKeys(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	cli := c.Client(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := cli.Put(ctx, fmt.Sprintf("/mine/%d", i), "precious"); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Run(ctx, Options{Command: "put", Flags: map[string]string{"total": "10"}, Client: c.ClientConfig(), Prefix: "/mine/"})
	if !errors.Is(err, ErrPrefixInUse) || rep != nil {
		t.Fatalf("err %v, report %v; want ErrPrefixInUse and no report", err, rep)
	}
	if !strings.Contains(err.Error(), `"/mine/"`) || !strings.Contains(err.Error(), "3 keys") {
		t.Errorf("error does not name the prefix and count: %v", err)
	}
	if n := prefixCount(t, cli, "/mine/"); n != 3 {
		t.Errorf("the refused run changed the prefix: %d keys", n)
	}
	// A read-only command does not write, so it may run anywhere.
	if _, err := Run(ctx, Options{Command: "range", Args: []string{"/mine/0"}, Flags: map[string]string{"total": "10"}, Client: c.ClientConfig(), Prefix: "/mine/"}); err != nil {
		t.Errorf("range over a non-empty prefix: %v", err)
	}
	// The whole key space is never a benchmark prefix.
	if _, err := Run(ctx, Options{Command: "put", Client: c.ClientConfig(), Prefix: "/"}); err == nil || !strings.Contains(err.Error(), "prefix") {
		t.Errorf("prefix / accepted: %v", err)
	}
}

func TestCancelledRunReturnsPartialReportAndCleansUp(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	cli := c.Client(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep, err := Run(ctx, Options{
		Command: "put", Flags: map[string]string{"total": "1000000", "rate": "300", "key-space-size": "1000", "clients": "4"},
		Client: c.ClientConfig(), Prefix: "/bench-cancel/",
		Progress: func(done, total int64) {
			if done > 0 {
				cancel()
			}
		},
	})
	if err != nil {
		t.Fatalf("a cancelled run is not an error: %v", err)
	}
	if !rep.Partial || !strings.Contains(rep.Reason, "interrupted") || rep.Requests == 0 || rep.Requests >= 1000000 {
		t.Fatalf("partial %v reason %q requests %d", rep.Partial, rep.Reason, rep.Requests)
	}
	if len(rep.Errors) != 0 {
		t.Errorf("the cancellation was counted as server errors: %v", rep.Errors)
	}
	if n := prefixCount(t, cli, "/bench-cancel/"); n != 0 {
		t.Errorf("%d keys left after cancel", n)
	}
}

func TestUnreachableEndpointFailsWithinTheDialTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = Run(context.Background(), Options{
		Command: "put", Flags: map[string]string{"total": "10"},
		Client: clientv3.Config{Endpoints: []string{addr}, DialTimeout: 300 * time.Millisecond},
	})
	if err == nil || !strings.Contains(err.Error(), "dial error") || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "dial timeout (300ms)") {
		t.Fatalf("want a dial error naming %s and the timeout, got %v", addr, err)
	}
}

func TestBadOptionsNameTheFlag(t *testing.T) {
	cfg := clientv3.Config{Endpoints: []string{"127.0.0.1:1"}}
	cases := []struct {
		o    Options
		want string
	}{
		{Options{Command: "put", Flags: map[string]string{"total": "0"}}, "--total: must be positive"},
		{Options{Command: "put", Flags: map[string]string{"total": "many"}}, `--total: invalid integer "many"`},
		{Options{Command: "put", Flags: map[string]string{"bogus": "1"}}, "unknown flag: --bogus"},
		{Options{Command: "put", Flags: map[string]string{"key-space-size": "-1"}}, "--key-space-size: must be positive"},
		{Options{Command: "put", Flags: map[string]string{"conns": "0"}}, "--conns: must be positive"},
		{Options{Command: "range", Flags: map[string]string{"consistency": "x"}, Args: []string{"k"}}, "--consistency: must be l"},
		{Options{Command: "range"}, "range: takes 1 to 2 arguments"},
		{Options{Command: "txn-put", Flags: map[string]string{"txn-ops": "5"}}, "--txn-ops: must be no larger than --key-space-size"},
		{Options{Command: "watch-latency", Flags: map[string]string{"put-rate": "0"}}, "--put-rate: must be positive"},
		{Options{Command: "mvcc"}, `unknown command "mvcc"`},
		{Options{Command: "put", Flags: map[string]string{"val-size": "1099511627776"}}, "--val-size: at most 67108864 bytes"},
		{Options{Command: "put", Flags: map[string]string{"clients": "18446744073709551615"}}, "--clients: at most 100000"},
		{Options{Command: "watch", Flags: map[string]string{"streams": "100000", "watch-per-stream": "100000"}}, "--streams × --watch-per-stream: at most 1000000 watchers"},
		{Options{Command: "watch-latency", Flags: map[string]string{"put-total": "10000000"}}, "--put-total: watch-latency keeps a time per event"},
		{Options{Command: "put", Flags: map[string]string{"rate": "-5"}}, "--rate: must not be negative"},
	}
	for _, tc := range cases {
		tc.o.Client = cfg
		if _, err := Run(context.Background(), tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: got %v, want %q", tc.o.Command, tc.o.Flags, err, tc.want)
		}
	}
}

// Two members of three stop mid-run: the load goes without a success, the run ends with a
// partial report and ErrClusterLost, and the keys it could not delete are removed by Cleanup
// once the cluster is back.
func TestLostClusterEndsWithPartialReport(t *testing.T) {
	defer func(r, l, c time.Duration) { requestTimeout, lostAfter, cleanupTimeout = r, l, c }(requestTimeout, lostAfter, cleanupTimeout)
	requestTimeout, lostAfter, cleanupTimeout = time.Second, 2*time.Second, time.Second

	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	cfg := c.ClientConfig(c.Members[0].ClientURL)
	var once sync.Once
	stopped := make(chan struct{})
	rep, err := Run(context.Background(), Options{
		Command: "put", Flags: map[string]string{"total": "1000000", "rate": "200", "key-space-size": "100"},
		Client: cfg, Prefix: "/bench-lost/",
		Progress: func(done, total int64) {
			if done > 0 {
				once.Do(func() {
					go func() {
						c.Members[1].Stop(t)
						c.Members[2].Stop(t)
						close(stopped)
					}()
				})
			}
		},
	})
	<-stopped
	if !errors.Is(err, ErrClusterLost) {
		t.Fatalf("err %v, want ErrClusterLost", err)
	}
	if rep == nil || !rep.Partial || !strings.Contains(rep.Reason, "cluster lost") || rep.Requests == 0 {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(rep.Reason, "/bench-lost/") {
		t.Errorf("the reason does not say the keys were left behind: %s", rep.Reason)
	}
	c.Members[1].Restart(t)
	c.Members[2].Restart(t)
	c.Leader(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	deleted, err := Cleanup(ctx, cfg, "/bench-lost/")
	if err != nil || deleted == 0 {
		t.Fatalf("cleanup after the cluster returned: deleted %d, %v", deleted, err)
	}
	if n := prefixCount(t, c.Client(t), "/bench-lost/"); n != 0 {
		t.Errorf("%d keys left", n)
	}
}
