package opsproxy

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/diskagent/agenttest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/diskapi"
)

// agentPassword is the basic-auth password of the test's TLS agent; no answer, record, audit
// row or log line may show it.
const agentPassword = "agent-pw-9f3b1c"

// smallDiskProbe is a probe of 100 syncs.
const smallDiskProbe = `"profile":"agent","block_size":2300,"size":230000`

// diskEnv is a server whose cluster c1 has the given disk agents.
func diskEnv(t *testing.T, kind storeKind, st store.Store, agents ...clusterconfig.DiskAgent) *env {
	t.Helper()
	return newEnv(t, envOptions{store: kind, st: st, extra: jobsQueue, configure: func(c *Config) {
		c.Clusters[0].DiskAgents = agents
	}})
}

// diskJob is a disktest job on c1.
func diskJob(params string) map[string]any {
	return map[string]any{"kind": "disktest", "cluster": "c1", "parameters": json.RawMessage(params)}
}

// runDiskTest runs a disktest job on c1 to success and returns its stored results' ids.
func (e *env) runDiskTest(t *testing.T, params string) []string {
	t.Helper()
	j := e.enqueue(t, e.admin, diskJob(params), http.StatusAccepted)
	j = e.waitJob(t, e.admin, j.ID, func(j store.Job) bool { return j.Status.Final() })
	if j.Status != store.JobSucceeded {
		t.Fatalf("disktest job %s: %s", j.Status, j.Error)
	}
	var res struct {
		Results []string `json:"results"`
	}
	if err := json.Unmarshal(j.Result, &res); err != nil || len(res.Results) == 0 {
		t.Fatalf("job result %s", j.Result)
	}
	return res.Results
}

func TestDiskTestsRunListCompareAndBaselineThroughTheAPI(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			a0 := agenttest.Start(t, agenttest.Options{Member: "infra0", TLS: true, Username: "probe", Password: agentPassword})
			a1 := agenttest.Start(t, agenttest.Options{Member: "infra1"})
			e := diskEnv(t, kind, nil, a0.Entry, a1.Entry)
			viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})

			var agents diskapi.AgentList
			r := e.call(t, "GET", "/api/v1/clusters/c1/disk-agents", viewer, nil)
			if r.json(t, &agents); r.status != 200 || len(agents.Agents) != 2 ||
				agents.Agents[0] != (diskapi.Agent{Member: "infra0", URL: a0.URL, Auth: "basic"}) ||
				agents.Agents[1] != (diskapi.Agent{Member: "infra1", URL: a1.URL, Auth: "none"}) {
				t.Fatalf("disk agents: %d %s", r.status, r.body)
			}
			if strings.Contains(string(r.body), a0.Entry.PasswordFile) || strings.Contains(string(r.body), a0.Entry.TLS.CAFile) {
				t.Fatalf("disk agents show a file's path: %s", r.body)
			}

			all := e.runDiskTest(t, `{`+smallDiskProbe+`}`)
			if len(all) != 2 {
				t.Fatalf("a test of every member stored %d results", len(all))
			}
			again := e.runDiskTest(t, `{"member":"infra0",`+smallDiskProbe+`}`)

			var list struct{ Disktests []diskapi.Summary }
			r = e.call(t, "GET", "/api/v1/disktests?cluster=c1&member=infra0&limit=10", viewer, nil)
			if r.json(t, &list); r.status != 200 || len(list.Disktests) != 2 || list.Disktests[0].ID != again[0] || list.Disktests[1].ID != all[0] {
				t.Fatalf("list: %d %s", r.status, r.body)
			}
			s := list.Disktests[0]
			if s.Member != "infra0" || s.Cluster != "c1" || s.Engine != "native" || s.Profile != "custom" || s.P99 <= 0 || s.P50 <= 0 ||
				s.Max < s.P99 || s.IOPS <= 0 || s.Threshold != 0.01 || s.Filesystem == "" || (s.Verdict != "pass" && s.Verdict != "fail") {
				t.Fatalf("summary %+v", s)
			}
			for q, n := range map[string]int{"engine=native": 3, "engine=fio": 0, "member=infra1": 1, "limit=1": 1} {
				r = e.call(t, "GET", "/api/v1/disktests?"+q, viewer, nil)
				if r.json(t, &list); r.status != 200 || len(list.Disktests) != n {
					t.Errorf("list ?%s: %d tests, want %d: %s", q, len(list.Disktests), n, r.body)
				}
			}

			var one diskapi.DiskTest
			r = e.call(t, "GET", "/api/v1/disktests/"+all[1], viewer, nil)
			if r.json(t, &one); r.status != 200 || one.Member != "infra1" || one.Result.Syncs != 100 || one.Result.Sync.Histogram == "" {
				t.Fatalf("get: %d %s", r.status, r.body)
			}

			r = e.call(t, "PUT", "/api/v1/clusters/c1/disk-baselines/infra0", viewer, map[string]string{"result_id": all[0]})
			if r.status != http.StatusForbidden {
				t.Fatalf("viewer sets a baseline: %d %s", r.status, r.body)
			}
			var b diskapi.Baseline
			r = e.call(t, "PUT", "/api/v1/clusters/c1/disk-baselines/infra0", e.admin, map[string]string{"result_id": all[0]})
			if r.json(t, &b); r.status != 200 || b.Run.ID != all[0] || b.Member != "infra0" || b.SetBy != "test-admin" {
				t.Fatalf("set baseline: %d %s", r.status, r.body)
			}
			eventually(t, "the baseline's audit record", func() bool {
				for _, rec := range e.allAudit(t) {
					if rec.Operation == "disktests.baseline.set" && rec.Outcome == store.OutcomeSucceeded && string(rec.Key) == "infra0" && rec.Cluster == "c1" {
						return true
					}
				}
				return false
			})
			r = e.call(t, "GET", "/api/v1/clusters/c1/disk-baselines/infra0", viewer, nil)
			if r.json(t, &b); r.status != 200 || b.Run.ID != all[0] {
				t.Fatalf("get baseline: %d %s", r.status, r.body)
			}
			r = e.call(t, "PUT", "/api/v1/clusters/c1/disk-baselines/infra1", e.admin, map[string]string{"result_id": all[0]})
			if r.status != http.StatusConflict || !strings.Contains(r.errorText(t), `probed member "infra0"`) {
				t.Fatalf("infra0's test as infra1's baseline: %d %s", r.status, r.body)
			}
			for _, q := range []string{"baseline=infra0", "against=" + all[0]} {
				var cmp diskapi.Comparison
				r = e.call(t, "GET", "/api/v1/disktests/"+again[0]+"/compare?"+q, viewer, nil)
				if r.json(t, &cmp); r.status != 200 || cmp.Run.ID != again[0] || cmp.Reference.ID != all[0] || cmp.P99Ratio <= 0 || cmp.P50Ratio <= 0 ||
					(cmp.Verdict != "slower" && cmp.Verdict != "faster" && cmp.Verdict != "unchanged") {
					t.Fatalf("compare ?%s: %d %s", q, r.status, r.body)
				}
			}
			e.checkNoAgentPassword(t)
		})
	}
}

// checkNoAgentPassword looks for the agent's password in every job record, result, audit row
// and log line.
func (e *env) checkNoAgentPassword(t *testing.T) {
	t.Helper()
	r := e.call(t, "GET", "/api/v1/jobs?limit=100", e.admin, nil)
	if r.status != 200 || strings.Contains(string(r.body), agentPassword) {
		t.Fatalf("jobs: %d, shows the password: %v", r.status, strings.Contains(string(r.body), agentPassword))
	}
	r = e.call(t, "GET", "/api/v1/disktests?limit=500", e.admin, nil)
	if strings.Contains(string(r.body), agentPassword) {
		t.Fatal("disk tests show the agent's password")
	}
	for _, rec := range e.allAudit(t) {
		raw, _ := json.Marshal(rec)
		if strings.Contains(string(raw), agentPassword) {
			t.Fatalf("audit record shows the agent's password: %s", raw)
		}
	}
	if strings.Contains(e.log.String(), agentPassword) {
		t.Fatal("the log shows the agent's password")
	}
}

// An agent that is down fails the job naming the member and the agent's URL, never its
// password.
func TestDiskTestAgentPasswordNeverLeaks(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{Member: "infra0", TLS: true, Username: "probe", Password: agentPassword})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := a.Entry
	down.Member, down.URL = "infra1", "https://"+l.Addr().String()
	l.Close()
	e := diskEnv(t, boltStore, nil, a.Entry, down)
	j := e.enqueue(t, e.admin, diskJob(`{`+smallDiskProbe+`}`), http.StatusAccepted)
	j = e.waitJob(t, e.admin, j.ID, func(j store.Job) bool { return j.Status.Final() })
	if j.Status != store.JobFailed || !strings.Contains(j.Error, "disk agent of member infra1 at "+down.URL) ||
		!strings.Contains(j.Error, "connection refused") || !strings.Contains(j.Error, "results stored for infra0") {
		t.Fatalf("job %s: %q", j.Status, j.Error)
	}
	eventually(t, "the job's outcome audited", func() bool {
		for _, rec := range e.allAudit(t) {
			if rec.Operation == "jobs.run" && rec.Outcome == store.OutcomeFailed {
				return true
			}
		}
		return false
	})
	e.checkNoAgentPassword(t)
}

// Attacks on the disk tests area: roles, other clusters' tokens, bad and oversized input.
func TestDiskTestsRefuseOtherClustersLowerRolesAndBadInput(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{Member: "infra0"})
	e := diskEnv(t, boltStore, nil, a.Entry)
	id := e.runDiskTest(t, `{`+smallDiskProbe+`}`)[0]
	viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})
	editor := e.token(t, TokenSpec{Name: "editor", Role: "editor"})
	elsewhere := e.token(t, TokenSpec{Name: "elsewhere", Role: "admin", Clusters: []string{"c2"}})
	for _, c := range []struct {
		what, method, path, token string
		body                      any
		status                    int
		want                      string
	}{
		{"viewer starts a test", "POST", "/api/v1/jobs", viewer, diskJob(`{}`), 403, "enqueue disktest jobs"},
		{"editor starts a test", "POST", "/api/v1/jobs", editor, diskJob(`{}`), 403, "enqueue disktest jobs"},
		{"other cluster's admin starts a test", "POST", "/api/v1/jobs", elsewhere, diskJob(`{}`), 403, `cluster "c1"`},
		{"other cluster's token reads a test", "GET", "/api/v1/disktests/" + id, elsewhere, nil, 404, "no disk test"},
		{"other cluster's token compares", "GET", "/api/v1/disktests/" + id + "/compare?against=" + id, elsewhere, nil, 404, "no disk test"},
		{"other cluster's token lists c1", "GET", "/api/v1/disktests?cluster=c1", elsewhere, nil, 403, `cluster "c1"`},
		{"other cluster's token lists the agents", "GET", "/api/v1/clusters/c1/disk-agents", elsewhere, nil, 403, `cluster "c1"`},
		{"other cluster's token reads a baseline", "GET", "/api/v1/clusters/c1/disk-baselines/infra0", elsewhere, nil, 403, `cluster "c1"`},
		{"other cluster's token sets a baseline", "PUT", "/api/v1/clusters/c1/disk-baselines/infra0", elsewhere, map[string]string{"result_id": id}, 403, `cluster "c1"`},
		{"unknown member", "POST", "/api/v1/jobs", e.admin, diskJob(`{"member":"infra9"}`), 400, `member: no disk agent for member "infra9"`},
		{"unknown engine", "POST", "/api/v1/jobs", e.admin, diskJob(`{"engine":"dd"}`), 400, `engine: unknown engine "dd"`},
		{"oversized size", "POST", "/api/v1/jobs", e.admin, diskJob(`{"size":99999999999999}`), 400, "size: must be 0"},
		{"oversized member", "POST", "/api/v1/jobs", e.admin, diskJob(`{"member":"` + strings.Repeat("m", 300) + `"}`), 400, "member: longer than 256"},
		{"agent URL as a parameter", "POST", "/api/v1/jobs", e.admin, diskJob(`{"url":"http://evil:9982"}`), 400, "url: unknown parameter"},
		{"oversized body", "POST", "/api/v1/jobs", e.admin, `{"kind":"disktest","cluster":"c1","parameters":{"member":"` + strings.Repeat("m", 70<<10) + `"}}`, 413, ""},
		{"agents of an unknown cluster", "GET", "/api/v1/clusters/zz/disk-agents", e.admin, nil, 404, "no cluster"},
		{"limit too large", "GET", "/api/v1/disktests?limit=100000", viewer, nil, 400, "limit: at most"},
		{"bad engine filter", "GET", "/api/v1/disktests?engine=dd", viewer, nil, 400, "engine: want native or fio"},
		{"no such test", "GET", "/api/v1/disktests/nope", viewer, nil, 404, "no disk test"},
		{"compare without a reference", "GET", "/api/v1/disktests/" + id + "/compare", viewer, nil, 400, "baseline: give either"},
		{"compare with a member without baseline", "GET", "/api/v1/disktests/" + id + "/compare?baseline=infra0", viewer, nil, 404, "not found"},
		{"bad member name", "PUT", "/api/v1/clusters/c1/disk-baselines/a%20b", e.admin, map[string]string{"result_id": id}, 400, "member: want letters"},
		{"baseline of an unknown test", "PUT", "/api/v1/clusters/c1/disk-baselines/infra0", e.admin, map[string]string{"result_id": "nope"}, 404, "result_id: no disk test"},
		{"baseline body oversized", "PUT", "/api/v1/clusters/c1/disk-baselines/infra0", e.admin, `{"result_id":"` + strings.Repeat("x", 8<<10) + `"}`, 413, ""},
		{"baseline of an unknown cluster", "PUT", "/api/v1/clusters/zz/disk-baselines/infra0", e.admin, map[string]string{"result_id": id}, 404, "no cluster"},
	} {
		r := e.call(t, c.method, c.path, c.token, c.body)
		if r.status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.what, r.status, c.status, r.body)
			continue
		}
		if c.want != "" && !strings.Contains(r.errorText(t), c.want) {
			t.Errorf("%s: %s, want %q", c.what, r.body, c.want)
		}
	}
}

// A cancelled disk test cancels the agent's probe: its directory is gone, nothing is stored.
func TestDiskTestCancelledThroughTheAPIStopsTheAgentsProbe(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{Member: "infra0"})
	e := diskEnv(t, boltStore, nil, a.Entry)
	j := e.enqueue(t, e.admin, diskJob(`{`+smallDiskProbe+`,"duration":"5m"}`), http.StatusAccepted)
	eventually(t, "the agent's probe to start", func() bool { return len(a.Entries(t)) > 0 })
	if r := e.call(t, "DELETE", "/api/v1/jobs/"+j.ID, e.admin, nil); r.status != 200 && r.status != 202 {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	e.waitJob(t, e.admin, j.ID, hasStatus(store.JobCancelled))
	eventually(t, "the probe's directory to be removed", func() bool { return len(a.Entries(t)) == 0 })
	var list struct{ Disktests []diskapi.Summary }
	r := e.call(t, "GET", "/api/v1/disktests", e.admin, nil)
	if r.json(t, &list); len(list.Disktests) != 0 {
		t.Fatalf("stored after a cancel: %s", r.body)
	}
}

// With the history store down, the disk tests area answers 503 and never the driver's text.
func TestDiskTestsAnswer503WhileTheStoreIsDown(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{Member: "infra0"})
	st, p := openProxiedPostgres(t)
	e := diskEnv(t, "", st, a.Entry)
	id := e.runDiskTest(t, `{`+smallDiskProbe+`}`)[0]
	e.storeDown(t, p)
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/disktests"}, {"GET", "/api/v1/disktests/" + id}, {"GET", "/api/v1/disktests/" + id + "/compare?against=" + id},
		{"GET", "/api/v1/clusters/c1/disk-baselines/infra0"}, {"PUT", "/api/v1/clusters/c1/disk-baselines/infra0"},
	} {
		r := e.call(t, c.method, c.path, e.admin, map[string]string{"result_id": id})
		if r.status != http.StatusServiceUnavailable || strings.Contains(string(r.body), "dial tcp") {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.status, r.body)
		}
	}
	// The agents' list needs no store.
	if r := e.call(t, "GET", "/api/v1/clusters/c1/disk-agents", e.admin, nil); r.status != 200 {
		t.Errorf("disk agents while the store is down: %d %s", r.status, r.body)
	}
}

// disk_agents come from the configuration served now: a reload that adds an agent makes
// disk tests of its member possible, and the agents' list shows it.
func TestDiskAgentsAddedByAReloadApplyToTheNextJob(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{Member: "infra0"})
	e := newEnv(t, envOptions{extra: jobsQueue})
	r := e.call(t, "POST", "/api/v1/jobs", e.admin, diskJob(`{"member":"infra0"}`))
	if r.status != http.StatusBadRequest || !strings.Contains(r.errorText(t), `cluster "c1" has no disk_agents configured`) {
		t.Fatalf("before the reload: %d %s", r.status, r.body)
	}
	e.rewrite(t, clusterEntry("c1", e.etcd)+"    disk_agents:\n      - {member: infra0, url: \""+a.URL+"\"}\n", jobsQueue)
	if r, _ := e.reload(t); r.status != 200 {
		t.Fatalf("reload: %d %s", r.status, r.body)
	}
	var agents diskapi.AgentList
	r = e.call(t, "GET", "/api/v1/clusters/c1/disk-agents", e.admin, nil)
	if r.json(t, &agents); len(agents.Agents) != 1 || agents.Agents[0].URL != a.URL {
		t.Fatalf("agents after the reload: %s", r.body)
	}
	if ids := e.runDiskTest(t, `{"member":"infra0",`+smallDiskProbe+`}`); len(ids) != 1 {
		t.Fatalf("results %v", ids)
	}
}
