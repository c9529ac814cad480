package dashboards

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	clientv3 "go.etcd.io/etcd/client/v3"
)

var update = flag.Bool("update", false, "rewrite testdata/etcd-metrics.txt from a real scrape of a 3-member etcd cluster")

const etcdMetricsFile = "testdata/etcd-metrics.txt"

const etcdMetricsHeader = `# Metric families etcd exposes on its own /metrics, as "<name> <type>", taken from a real scrape
# of a 3-member cluster (internal/etcdtest, one process per member, real fsync) after puts, gets,
# transactions, watches, leases and a compaction. Regenerate with:
#   go test ./dashboards -run TestEtcdMetricsListMatchesRealScrape -update
`

// TestEtcdMetricsListMatchesRealScrape scrapes every member of a real cluster and compares the
// metric families it exposes with testdata/etcd-metrics.txt; -update rewrites the file instead.
// A family that etcd only shows after some activity is covered by the activity below.
func TestEtcdMetricsListMatchesRealScrape(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-member etcd cluster")
	}
	c := etcdtest.New(t, etcdtest.Config{Size: 3, ProcessPerMember: true, RealFsync: true})
	exerciseCluster(t, c)

	got := map[string]string{}
	for _, m := range c.Members {
		families, err := scrapeFamilies(m.ClientURL + "/metrics")
		if err != nil {
			t.Fatalf("scrape %s: %v", m.Name, err)
		}
		for name, typ := range families {
			got[name] = typ
		}
	}
	rendered := renderMetricList(got)
	if *update {
		if err := os.WriteFile(etcdMetricsFile, []byte(rendered), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := readMetricList(etcdMetricsFile)
	if err != nil {
		t.Fatal(err)
	}
	var missing, extra []string
	for name, typ := range want {
		if got[name] != typ {
			missing = append(missing, name+" "+typ)
		}
	}
	for name, typ := range got {
		if want[name] != typ {
			extra = append(extra, name+" "+typ)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("%s disagrees with a real scrape (regenerate with -update if etcd changed):\n"+
			"listed but not scraped: %v\nscraped but not listed: %v", etcdMetricsFile, missing, extra)
	}
}

// exerciseCluster makes etcd create the series it only exposes after use: client gRPC calls of
// every kind, watch streams, leases, a compaction, and enough time for the peer round-trip prober.
func exerciseCluster(t *testing.T, c *etcdtest.Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, m := range c.Members {
		cli := c.Client(t, m.ClientURL)
		wctx, wcancel := context.WithCancel(ctx)
		wch := cli.Watch(wctx, "dash/", clientv3.WithPrefix())
		var last int64
		for i := range 20 {
			resp, err := cli.Put(ctx, fmt.Sprintf("dash/%s/%d", m.Name, i), strings.Repeat("v", 256))
			if err != nil {
				t.Fatalf("put via %s: %v", m.Name, err)
			}
			last = resp.Header.Revision
		}
		<-wch
		wcancel()
		if _, err := cli.Get(ctx, "dash/", clientv3.WithPrefix()); err != nil {
			t.Fatalf("get via %s: %v", m.Name, err)
		}
		if _, err := cli.Get(ctx, "dash/", clientv3.WithPrefix(), clientv3.WithSerializable()); err != nil {
			t.Fatalf("serializable get via %s: %v", m.Name, err)
		}
		if _, err := cli.Txn(ctx).If(clientv3.Compare(clientv3.Version("dash/none"), "=", 0)).
			Then(clientv3.OpPut("dash/txn", "1")).Commit(); err != nil {
			t.Fatalf("txn via %s: %v", m.Name, err)
		}
		if _, err := cli.Delete(ctx, "dash/txn"); err != nil {
			t.Fatalf("delete via %s: %v", m.Name, err)
		}
		lease, err := cli.Grant(ctx, 60)
		if err != nil {
			t.Fatalf("lease via %s: %v", m.Name, err)
		}
		if _, err := cli.Put(ctx, "dash/leased/"+m.Name, "1", clientv3.WithLease(lease.ID)); err != nil {
			t.Fatalf("leased put via %s: %v", m.Name, err)
		}
		if _, err := cli.KeepAliveOnce(ctx, lease.ID); err != nil {
			t.Fatalf("keepalive via %s: %v", m.Name, err)
		}
		if _, err := cli.Revoke(ctx, lease.ID); err != nil {
			t.Fatalf("revoke via %s: %v", m.Name, err)
		}
		if _, err := cli.Status(ctx, m.ClientURL); err != nil {
			t.Fatalf("status of %s: %v", m.Name, err)
		}
		if _, err := cli.HashKV(ctx, m.ClientURL, 0); err != nil {
			t.Fatalf("hashkv of %s: %v", m.Name, err)
		}
		if _, err := cli.Compact(ctx, last-5); err != nil {
			t.Fatalf("compact via %s: %v", m.Name, err)
		}
	}
	// rafthttp probes each peer every few seconds; wait for round trips to be observed.
	time.Sleep(6 * time.Second)
}

// scrapeFamilies returns the metric families of one /metrics page, by name, with their TYPE.
func scrapeFamilies(url string) (map[string]string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	families := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 4 && fields[0] == "#" && fields[1] == "TYPE" {
			families[fields[2]] = fields[3]
		}
	}
	return families, sc.Err()
}

func renderMetricList(families map[string]string) string {
	var b strings.Builder
	b.WriteString(etcdMetricsHeader)
	names := make([]string, 0, len(families))
	for name := range families {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, "%s %s\n", name, families[name])
	}
	return b.String()
}
