package resultapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
)

func TestGetAnswersOnlyResultsOfItsKindAndTheTokensClusters(t *testing.T) {
	st, saved := openStore(t,
		store.Result{Kind: store.KindBenchmark, Cluster: "c1", Name: "p"},
		store.Result{Kind: store.KindDiskTest, Cluster: "c1", Name: "infra0"},
	)
	run, disk := saved[0].ID, saved[1].ID
	cases := []struct {
		name     string
		id       string
		clusters []string
		status   int
		err      string
	}{
		{name: "a benchmark", id: run},
		{name: "a benchmark of the token's cluster", id: run, clusters: []string{"c1"}},
		{name: "no id", id: "", status: http.StatusBadRequest, err: "against: want a benchmark id"},
		{name: "id too long", id: strings.Repeat("i", 257), status: http.StatusBadRequest, err: "against: want a benchmark id"},
		{name: "no such result", id: "nope", status: http.StatusNotFound, err: `against: no benchmark "nope"`},
		{name: "a disk test", id: disk, status: http.StatusNotFound, err: `against: no benchmark "` + disk + `"`},
		{name: "a benchmark of another cluster", id: run, clusters: []string{"c2"}, status: http.StatusNotFound,
			err: `against: no benchmark "` + run + `"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := call("/api/v1/benchmarks/x/compare", tc.clusters...)
			r, err := Get(c, st, benchmarks, "against", tc.id)
			if tc.err != "" {
				if status, msg := apihttp.StatusOf(err); status != tc.status || msg != tc.err {
					t.Fatalf("got %d %q, want %d %q", status, msg, tc.status, tc.err)
				}
				if c.Rec.Cluster != "" {
					t.Errorf("audit record names cluster %q for a result not answered", c.Rec.Cluster)
				}
				return
			}
			if err != nil || r.ID != tc.id || r.Cluster != "c1" {
				t.Fatalf("got %+v, %v", r, err)
			}
			if c.Rec.Cluster != "c1" {
				t.Errorf("audit record's cluster %q, want c1", c.Rec.Cluster)
			}
		})
	}
}

// A request that named its cluster (a baseline's path) keeps it on the audit record.
func TestGetKeepsTheClusterTheRequestNamed(t *testing.T) {
	st, saved := openStore(t, store.Result{Kind: store.KindBenchmark, Cluster: "c1", Name: "p"})
	c := call("/api/v1/clusters/c9/baselines/b")
	c.Rec.Cluster = "c9"
	if _, err := Get(c, st, benchmarks, "result_id", saved[0].ID); err != nil {
		t.Fatal(err)
	}
	if c.Rec.Cluster != "c9" {
		t.Fatalf("audit record's cluster %q, want c9", c.Rec.Cluster)
	}
}
