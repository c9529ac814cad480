package core

import (
	"net/http"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
)

func TestSpansKeyspaceIsTheWholeKeyspaceAndRangesNotUnderOnePrefix(t *testing.T) {
	cases := []struct {
		name     string
		key, end string
		want     bool
	}{
		{"single key", "/app/a", "", false},
		{"every key (prefix with an empty key)", "\x00", "\x00", true},
		{"empty key to the end", "", "\x00", true},
		{"from_key from a later key", "/app/", "\x00", true},
		{"nearly everything", "\x01", "\xff", true},
		{"across first bytes", "/app/", "b", true},
		{"prefix /app/", "/app/", "/app0", false},
		{"prefix /", "/", "0", false},
		{"range within one first byte", "/a", "/b", false},
		{"from_key under 0xff", "\xff\x01", "\x00", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := spansKeyspace([]byte(c.key), []byte(c.end)); got != c.want {
				t.Fatalf("spansKeyspace(%q, %q) = %v, want %v", c.key, c.end, got, c.want)
			}
		})
	}
}

func TestListClusterKeepsAListWithinTheTokensClusters(t *testing.T) {
	cases := []struct {
		name     string
		clusters []string
		asked    string
		want     string
		denied   string
	}{
		{"unlimited token, every cluster", nil, "", "", ""},
		{"unlimited token, one cluster", nil, "c2", "c2", ""},
		{"token of one cluster, none asked", []string{"c1"}, "", "c1", ""},
		{"token of one cluster, that one", []string{"c1"}, "c1", "c1", ""},
		{"token of one cluster, another", []string{"c1"}, "c2", "", `token t1 may not read the benchmarks of cluster "c2"`},
		{"token of two clusters, none asked", []string{"c1", "c3"}, "", "", "cluster: required, as the token is limited to c1, c3"},
		{"token of two clusters, one of them", []string{"c1", "c3"}, "c3", "c3", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := &Principal{Token: store.Token{ID: "t1", Clusters: c.clusters}}
			got, err := p.ListCluster(c.asked, "benchmarks")
			if c.denied != "" {
				if status, msg := apihttp.StatusOf(err); status != http.StatusForbidden || msg != c.denied {
					t.Fatalf("ListCluster(%q) = %d %q, want 403 %q", c.asked, status, msg, c.denied)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ListCluster(%q) = %q, %v, want %q", c.asked, got, err, c.want)
			}
		})
	}
}
