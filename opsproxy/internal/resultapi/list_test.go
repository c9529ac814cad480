package resultapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
)

func TestListFilterReadsTheQueryWithinTheTokensClusters(t *testing.T) {
	long := strings.Repeat("x", 257)
	cases := []struct {
		name     string
		query    string
		clusters []string
		want     store.ResultFilter
		status   int
		err      string
	}{
		{name: "nothing asked", query: "", want: store.ResultFilter{Kind: store.KindBenchmark, Limit: store.DefaultResultLimit}},
		{name: "cluster, name and limit", query: "cluster=c1&profile=p&limit=7",
			want: store.ResultFilter{Kind: store.KindBenchmark, Cluster: "c1", Name: "p", Limit: 7}},
		{name: "the largest page", query: "limit=500", want: store.ResultFilter{Kind: store.KindBenchmark, Limit: 500}},
		{name: "token of one cluster", query: "", clusters: []string{"c1"},
			want: store.ResultFilter{Kind: store.KindBenchmark, Cluster: "c1", Limit: store.DefaultResultLimit}},
		{name: "cluster too long", query: "cluster=" + long, status: http.StatusBadRequest, err: "cluster: longer than 256 characters"},
		{name: "name too long", query: "profile=" + long, status: http.StatusBadRequest, err: "profile: longer than 256 characters"},
		{name: "limit not a number", query: "limit=ten", status: http.StatusBadRequest, err: "limit: want an integer"},
		{name: "limit zero", query: "limit=0", status: http.StatusBadRequest, err: "limit: must be at least 1"},
		{name: "limit too large", query: "limit=501", status: http.StatusBadRequest, err: "limit: at most 500"},
		{name: "token of two clusters, none asked", query: "", clusters: []string{"c1", "c2"},
			status: http.StatusForbidden, err: "cluster: required, as the token is limited to c1, c2"},
		{name: "token of another cluster", query: "cluster=c3", clusters: []string{"c1"},
			status: http.StatusForbidden, err: `token t1 may not read the benchmarks of cluster "c3"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := call("/api/v1/benchmarks?"+tc.query, tc.clusters...)
			f, err := ListFilter(c, benchmarks, "profile")
			if tc.err != "" {
				if status, msg := apihttp.StatusOf(err); status != tc.status || msg != tc.err {
					t.Fatalf("got %d %q, want %d %q", status, msg, tc.status, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f != tc.want {
				t.Fatalf("filter %+v, want %+v", f, tc.want)
			}
			if c.Rec.Cluster != tc.want.Cluster {
				t.Errorf("audit record's cluster %q, want %q", c.Rec.Cluster, tc.want.Cluster)
			}
		})
	}
}

func TestQueryValueBoundsItsLength(t *testing.T) {
	c := call("/api/v1/disktests?engine=" + strings.Repeat("e", 256))
	if v, err := QueryValue(c.R.URL.Query(), "engine"); err != nil || len(v) != 256 {
		t.Fatalf("256 characters: %d, %v", len(v), err)
	}
	c = call("/api/v1/disktests?engine=" + strings.Repeat("e", 257))
	_, err := QueryValue(c.R.URL.Query(), "engine")
	if status, msg := apihttp.StatusOf(err); status != http.StatusBadRequest || msg != "engine: longer than 256 characters" {
		t.Fatalf("257 characters: %d %q", status, msg)
	}
}

func TestListReadsTheFilteredResultsNewestFirst(t *testing.T) {
	st, saved := openStore(t,
		store.Result{Kind: store.KindBenchmark, Cluster: "c1", Name: "p"},
		store.Result{Kind: store.KindDiskTest, Cluster: "c1", Name: "infra0"},
		store.Result{Kind: store.KindBenchmark, Cluster: "c2", Name: "p"},
		store.Result{Kind: store.KindBenchmark, Cluster: "c1", Name: "p"},
	)
	c := call("/api/v1/benchmarks?cluster=c1")
	f, err := ListFilter(c, benchmarks, "profile")
	if err != nil {
		t.Fatal(err)
	}
	got, err := List(c, st, benchmarks, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != saved[3].ID || got[1].ID != saved[0].ID {
		t.Fatalf("listed %+v", got)
	}
}
