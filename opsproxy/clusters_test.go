package opsproxy

import (
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// An auth-enabled cluster whose members are all down when opsproxy starts does not stop it: the
// other clusters are served at once, requests to the down one are answered 502/503 naming it,
// a warning is logged, and once its members are back the next requests reach it.
func TestOpsproxyStartsWithAnAuthClusterDownAndConnectsWhenItIsBack(t *testing.T) {
	down := etcdtest.New(t, etcdtest.Config{Size: 3, Auth: true})
	password := down.RootPassword
	for _, m := range down.Members {
		m.Stop(t)
	}
	cfg := loadClusters(t, securedCluster{name: "down-auth", c: down, passwordFile: writePasswordFile(t, password)})
	e := newEnv(t, envOptions{configure: func(c *Config) { c.Clusters = append(c.Clusters, cfg.Clusters...) }})

	var answers []response
	key := uniquePrefix(t) + "k"
	if r := e.call(t, "GET", "/api/v1/clusters/c1/keys?key="+url.QueryEscape(key), e.admin, nil); r.status != 200 {
		t.Fatalf("get on the cluster that is up: %d %s", r.status, r.body)
	}
	for _, call := range []struct{ method, path string }{
		{"GET", "/api/v1/clusters/down-auth/keys?key=/k"},
		{"PUT", "/api/v1/clusters/down-auth/keys"},
		{"GET", "/api/v1/clusters/down-auth/endpoints"},
	} {
		r := e.call(t, call.method, call.path, e.admin, map[string]any{"key": "/k", "value": "v"})
		answers = append(answers, r)
		if (r.status != 502 && r.status != 503) || !strings.Contains(r.errorText(t), "cluster down-auth") {
			t.Errorf("%s %s while the cluster is down: %d %s; want 502 or 503 naming the cluster", call.method, call.path, r.status, r.body)
		}
	}
	list := e.call(t, "GET", "/api/v1/clusters", e.admin, nil)
	var l struct{ Clusters []clusterInfo }
	list.json(t, &l)
	if list.status != 200 || len(l.Clusters) != 2 || !l.Clusters[0].Reachable || l.Clusters[1].Reachable ||
		!strings.Contains(l.Clusters[1].Error, "cluster down-auth") {
		t.Errorf("clusters while down-auth is down: %d %s", list.status, list.body)
	}
	answers = append(answers, list)
	if !strings.Contains(e.log.String(), "cannot connect to etcd") || !strings.Contains(e.log.String(), "cluster=down-auth") {
		t.Errorf("no warning naming the cluster in the logs:\n%s", e.log)
	}

	// The members only become ready together (a quorum), so start them at once.
	var wg sync.WaitGroup
	errs := make([]error, len(down.Members))
	for i, m := range down.Members {
		wg.Go(func() { errs[i] = m.Member.Restart() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("restart members: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := e.call(t, "GET", "/api/v1/clusters/down-auth/keys?key=/k", e.admin, nil)
		if r.status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("down-auth still answers %d %s after its members are back", r.status, r.body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	answers = append(answers, keysAndHealthWork(t, e, "down-auth", 3)...)
	secretsAbsent(t, e, answers, password)
}
