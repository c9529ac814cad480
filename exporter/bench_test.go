package exporter

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/cputime"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// BenchmarkScrape measures, against one 3-member cluster whose members run as separate processes
// (so CPU and memory measured here are the exporter's own):
//   - direct-status: the reference, one Status request to one member on an open connection;
//   - entries=N: a /metrics scrape with N cluster entries all pointing at that cluster, with the
//     exporter's CPU time per scrape, its resident memory, and requests per member per scrape.
//
// scripts/bench.sh (make bench) runs it and prints the ratios.
func BenchmarkScrape(b *testing.B) {
	c := etcdtest.New(b, etcdtest.Config{Size: 3, ProcessPerMember: true})
	ep := c.Members[0].ClientURL

	b.Run("direct-status", func(b *testing.B) {
		cli := c.Client(b, ep)
		m := clientv3.NewMaintenanceFromMaintenanceClient(pb.NewMaintenanceClient(cli.ActiveConnection()), cli)
		ctx := context.Background()
		if _, err := m.Status(ctx, ep); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := m.Status(ctx, ep); err != nil {
				b.Fatal(err)
			}
		}
	})

	// direct-status-3: one Status to each member at once, on open connections: the floor for
	// probing three members concurrently on this machine.
	b.Run("direct-status-3", func(b *testing.B) {
		var ms []clientv3.Maintenance
		for _, ep := range c.Endpoints() {
			cli := c.Client(b, ep)
			ms = append(ms, clientv3.NewMaintenanceFromMaintenanceClient(pb.NewMaintenanceClient(cli.ActiveConnection()), cli))
		}
		ctx := context.Background()
		for b.Loop() {
			parallel(len(ms), func(i int) {
				if _, err := ms[i].Status(ctx, c.Endpoints()[i]); err != nil {
					b.Error(err)
				}
			})
		}
	})

	// direct-etcdctl: what `etcdctl endpoint status` and `endpoint health` plus `member list` do for
	// the same cluster, one member after another on open connections: the like-for-like reference
	// of a whole probe.
	b.Run("direct-etcdctl", func(b *testing.B) {
		type member struct {
			cli *clientv3.Client
			m   clientv3.Maintenance
			ep  string
		}
		var members []member
		for _, ep := range c.Endpoints() {
			cli := c.Client(b, ep)
			members = append(members, member{cli, clientv3.NewMaintenanceFromMaintenanceClient(pb.NewMaintenanceClient(cli.ActiveConnection()), cli), ep})
		}
		ctx := context.Background()
		once := func() {
			for _, m := range members {
				if _, err := m.m.Status(ctx, m.ep); err != nil {
					b.Fatal(err)
				}
				if _, err := m.cli.Get(ctx, "health"); err != nil {
					b.Fatal(err)
				}
				if _, err := m.m.AlarmList(ctx); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := members[0].cli.MemberList(ctx, clientv3.WithSerializable()); err != nil {
				b.Fatal(err)
			}
		}
		once()
		for b.Loop() {
			once()
		}
	})

	// probe-…: probing the cluster alone, without HTTP and exposition. probe-status is the figure
	// to set against direct-status (members are probed concurrently, not one after another);
	// probe-all, with every default probe, against direct-etcdctl.
	for _, tc := range []struct {
		name   string
		probes []string
	}{{"probe-status", []string{"status"}}, {"probe-all", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			e := startBenchExporterWith(b, fmt.Sprintf("clusters:\n  - name: c\n    endpoints: [%s]\n", strings.Join(c.Endpoints(), ", ")), tc.probes)
			probe := func() {
				ch := make(chan prometheus.Metric, 256)
				go func() {
					e.collector(context.Background(), e.snapshot()).Collect(ch)
					close(ch)
				}()
				for range ch {
				}
			}
			probe()
			for b.Loop() {
				probe()
			}
		})
	}

	for _, entries := range []int{1, 10, 100, 500} {
		b.Run(fmt.Sprintf("entries=%d", entries), func(b *testing.B) {
			var cfg strings.Builder
			cfg.WriteString("clusters:\n")
			for i := range entries {
				fmt.Fprintf(&cfg, "  - name: c%d\n    endpoints: [%s]\n    request_timeout: 5s\n", i, strings.Join(c.Endpoints(), ", "))
			}
			e := startBenchExporter(b, cfg.String())
			scrape := func() {
				resp, err := http.Get(e.URL + "/metrics")
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("HTTP %d", resp.StatusCode)
				}
			}
			scrape() // connections up, first HashKV comparison done
			before := totalRequests(e.Exporter)
			cpuBefore := cputime.Self()
			n := 0
			for b.Loop() {
				scrape()
				n++
			}
			b.StopTimer()
			cpu := cputime.Self() - cpuBefore
			reqs := totalRequests(e.Exporter) - before
			b.ReportMetric(float64(cpu.Milliseconds())/float64(n), "cpu-ms/scrape")
			b.ReportMetric(float64(reqs)/float64(n*entries*len(c.Members)), "requests/member/scrape")
			b.ReportMetric(float64(residentBytes())/(1<<20), "rss-MiB")
		})
	}
}

func startBenchExporter(b *testing.B, config string) *testExporter {
	return startBenchExporterWith(b, config, nil)
}

func startBenchExporterWith(b *testing.B, config string, probes []string) *testExporter {
	path := fmt.Sprintf("%s/etcd-monitor.yml", b.TempDir())
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(cfg, discardLogger(), Options{DefaultTimeout: 30 * time.Second, Probes: probes})
	if err != nil {
		b.Fatal(err)
	}
	h, err := e.Handler()
	if err != nil {
		b.Fatal(err)
	}
	srv := newLoopbackServer(b, h)
	b.Cleanup(e.Close)
	return &testExporter{Exporter: e, URL: srv}
}

func totalRequests(e *Exporter) uint64 {
	var n uint64
	for _, t := range e.snapshot() {
		for _, c := range t.conn.RequestCounts() {
			n += c
		}
	}
	return n
}

// residentBytes is this process's resident set size from /proc/self/status.
func residentBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return kb << 10
		}
	}
	return 0
}
