package resultapi

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

var benchmarks = Kind{Result: store.KindBenchmark, Noun: "benchmark", Plural: "benchmarks"}

// openStore opens a bolt store in a temporary directory holding results: kind, cluster and
// name of each, started a minute apart in order (the last is the newest).
func openStore(t *testing.T, results ...store.Result) (store.ResultStore, []store.Result) {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "history.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	start := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	var saved []store.Result
	for i, r := range results {
		r.StartedAt = start.Add(time.Duration(i) * time.Minute)
		r.FinishedAt = r.StartedAt.Add(time.Second)
		r.Parameters, r.Figures = []byte(`{}`), []byte(`{}`)
		s, err := st.SaveResult(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		saved = append(saved, s)
	}
	return st, saved
}

// call is a request to target by a token limited to clusters (none: all).
func call(target string, clusters ...string) *core.Call {
	return &core.Call{
		R: httptest.NewRequest("GET", target, nil),
		P: &core.Principal{Token: store.Token{ID: "t1", Clusters: clusters}, Role: core.RoleViewer},
	}
}
