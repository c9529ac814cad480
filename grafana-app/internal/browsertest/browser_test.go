//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/grafana-app/internal/opsproxytest"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// chromium is Debian's package (scripts/install-test-deps.sh installs it).
const chromium = "/usr/bin/chromium"

func TestMain(m *testing.M) {
	// Backup drills re-execute this binary as their throwaway member.
	backup.RunDrillMemberIfRequested()
	etcdtest.RunMemberIfRequested()
	os.Exit(m.Run())
}

// appDir is grafana-app/, where the scenarios and their node_modules are.
func appDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// requireConsole fails unless opsproxy serves a built console (this binary embeds what
// `make console` wrote).
func requireConsole(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url + "/ui/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `<div id="root">`) {
		t.Fatalf("opsproxy serves no console (%s): run `make console` before this test", resp.Status)
	}
}

// scenarios are the scenario files, run one after the other (each drives its own Chromium), by
// name (console for e2e/console.test.mjs). BROWSER_SCENARIOS (names, comma-separated) runs only
// those, to work on one page; every scenario runs otherwise.
func scenarios(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "e2e", "*.test.mjs"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios in %s/e2e (%v)", dir, err)
	}
	all := map[string]string{}
	for _, f := range files {
		all[strings.TrimSuffix(filepath.Base(f), ".test.mjs")] = f
	}
	only := os.Getenv("BROWSER_SCENARIOS")
	if only == "" {
		return all
	}
	picked := map[string]string{}
	for _, name := range strings.Split(only, ",") {
		f, ok := all[strings.TrimSpace(name)]
		if !ok {
			t.Fatalf("BROWSER_SCENARIOS: no scenario %q in %s/e2e", name, dir)
		}
		picked[strings.TrimSpace(name)] = f
	}
	return picked
}

func TestConsoleScenariosInChromium(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s: %v (scripts/install-test-deps.sh installs Debian's chromium)", chromium, err)
	}
	dir := appDir(t)
	// Three members, as production has, each with a diskprobe agent for the Disk page.
	e := opsproxytest.NewWith(t, opsproxytest.Options{Members: 3, DiskAgents: true})
	requireConsole(t, e.URL)
	// The Backups page's location: a directory, backed up on demand (no schedule, so that no
	// backup comes unasked), keeping the last three.
	backupsDir := t.TempDir()
	for _, d := range []string{"local", "scratch"} {
		if err := os.MkdirAll(filepath.Join(backupsDir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	e.Reconfigure(t, backupsConfig(backupsDir))
	viewer := e.Token(t, opsproxy.TokenSpec{Name: "viewer", Role: "viewer"})
	revoked, revokedID := e.TokenWithID(t, opsproxy.TokenSpec{Name: "revoked", Role: "admin"})
	e.Revoke(t, revokedID)
	// An admin token the scenario revokes while it is signed in with it.
	doomed := e.Token(t, opsproxy.TokenSpec{Name: "doomed", Role: "admin"})

	// The Keys scenarios' keyspace, written straight into etcd, and their door to etcd itself.
	cli := e.Etcd.Client(t)
	seedKeys(t, cli, browsePrefix, browseKeys)
	seedKeys(t, cli, bigPrefix, bigKeys)
	// The Console page's key, to complete and read.
	if _, err := cli.Put(context.Background(), etcdctlKey, etcdctlValue); err != nil {
		t.Fatal(err)
	}
	direct := etcdDirect(t, cli)

	run := scenarios(t, dir)
	args := []string{"--test", "--test-concurrency=1", "--test-reporter=spec"}
	// In name order, as the glob lists them: a scenario may rely on what an earlier one left.
	for _, name := range slices.Sorted(maps.Keys(run)) {
		args = append(args, run[name])
	}
	cmd := exec.Command("node", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"OPSPROXY_URL="+e.URL,
		"ADMIN_TOKEN="+e.Admin,
		"VIEWER_TOKEN="+viewer,
		"REVOKED_TOKEN="+revoked,
		"DOOMED_TOKEN="+doomed,
		"ETCD_DIRECT_URL="+direct,
		fmt.Sprintf("BROWSE_PREFIX=%s", browsePrefix),
		fmt.Sprintf("BROWSE_KEYS=%d", browseKeys),
		fmt.Sprintf("BIG_PREFIX=%s", bigPrefix),
		fmt.Sprintf("BIG_KEYS=%d", bigKeys),
		"ETCDCTL_KEY="+etcdctlKey,
		"ETCDCTL_VALUE="+etcdctlValue,
		"CHROMIUM="+chromium,
		"SCREENSHOT_DIR="+filepath.Join(dir, "e2e", "screenshots"),
	)
	// The scenarios' report, with the figures they print, goes to the test's output.
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("browser scenarios: %v", err)
	}

	// What the browser did, as opsproxy recorded it: the viewer's forced removal (console) and
	// put (keys) refused, and the Console page's put (etcdctl) refused, audited with its command
	// line and the value left out.
	if _, ok := run["console"]; ok {
		denied := e.Audit(t, "operation=members.remove&outcome=denied")
		if len(denied) != 1 || denied[0].User != "viewer" || denied[0].Role != "viewer" {
			t.Errorf("audit of the forced removal: %+v, want one denied record of the viewer", denied)
		}
	}
	// The viewer's forced starts: one benchmark (benchmarks) and one disk test (disk), refused.
	forcedStarts := 0
	if _, ok := run["benchmarks"]; ok {
		checkBenchmarksAudit(t, e)
		forcedStarts++
	}
	if _, ok := run["disk"]; ok {
		checkDiskAudit(t, e)
		checkDiskAgentsLeftNothing(t, e)
		forcedStarts++
	}
	if denied := e.Audit(t, "operation=jobs.enqueue&outcome=denied"); len(denied) != forcedStarts {
		t.Errorf("audit of the forced job starts: %+v, want %d", denied, forcedStarts)
	} else {
		for _, r := range denied {
			if r.User != "viewer" || r.Cluster != "c1" {
				t.Errorf("audit of a forced job start: %+v, want the viewer's on c1", r)
			}
		}
	}
	if _, ok := run["backups"]; ok {
		checkBackupsAudit(t, e, backupsDir)
	}
	var forced, console []opsproxytest.AuditRecord
	for _, r := range e.Audit(t, "operation=keys.put&outcome=denied") {
		if r.Command == "" {
			forced = append(forced, r)
		} else {
			console = append(console, r)
		}
	}
	if _, ok := run["keys"]; ok && (len(forced) != 1 || forced[0].User != "viewer") {
		t.Errorf("audit of the forced put: %+v, want one denied record of the viewer", forced)
	}
	if _, ok := run["etcdctl"]; ok {
		if len(console) != 1 || console[0].User != "viewer" || !strings.HasPrefix(console[0].Command, "put "+etcdctlKey) {
			t.Errorf("audit of the Console page's put: %+v, want one denied record of the viewer's command", console)
		}
		for _, r := range console {
			if strings.Contains(r.Command, "changed-by-a-viewer") {
				t.Errorf("the audit record of the console's put holds the value: %q", r.Command)
			}
		}
	}
	for _, secret := range []string{e.Admin, viewer, revoked, doomed} {
		if strings.Contains(e.Logs(), secret) {
			t.Error("opsproxy logged a token")
		}
	}
}

// checkBenchmarksAudit checks what the Benchmarks scenario left in the audit: the viewer's forced
// baseline refused and the admin's baseline set, each recorded once against cluster c1 (the
// forced start is counted with the other scenarios').
func checkBenchmarksAudit(t *testing.T, e *opsproxytest.Env) {
	t.Helper()
	for _, c := range []struct{ query, user, cluster string }{
		{"operation=benchmarks.baseline.set&outcome=denied", "viewer", "c1"},
		{"operation=benchmarks.baseline.set&outcome=succeeded", "test-admin", "c1"},
	} {
		recs := e.Audit(t, c.query)
		if len(recs) != 1 || recs[0].User != c.user || recs[0].Cluster != c.cluster {
			t.Errorf("audit %s: %+v, want one record of %s", c.query, recs, c.user)
		}
	}
}

// checkDiskAgentsLeftNothing checks that the Disk scenario's probes, the one cancelled from the
// page too, left nothing in the agents' directories.
func checkDiskAgentsLeftNothing(t *testing.T, e *opsproxytest.Env) {
	t.Helper()
	for _, a := range e.DiskAgents {
		left, err := os.ReadDir(a.Dir)
		if err != nil || len(left) != 0 {
			t.Errorf("the agent of %s left %v in %s (%v)", a.Member, left, a.Dir, err)
		}
	}
}

// checkDiskAudit checks what the Disk scenario left in the audit: the viewer's forced baseline
// refused and the admin's baseline set, each recorded once against cluster c1 (the forced start
// is counted with the other scenarios').
func checkDiskAudit(t *testing.T, e *opsproxytest.Env) {
	t.Helper()
	for _, c := range []struct{ query, user string }{
		{"operation=disktests.baseline.set&outcome=denied", "viewer"},
		{"operation=disktests.baseline.set&outcome=succeeded", "test-admin"},
	} {
		recs := e.Audit(t, c.query)
		if len(recs) != 1 || recs[0].User != c.user || recs[0].Cluster != "c1" {
			t.Errorf("audit %s: %+v, want one record of %s", c.query, recs, c.user)
		}
	}
}

// backupsConfig is the backups section of the console's scenarios: cluster c1 backs up to a
// directory location "local" in dir.
func backupsConfig(dir string) string {
	return fmt.Sprintf(`backups:
  scratch_dir: %s
  locations:
    - name: local
      dir: %s
  clusters:
    c1:
      - location: local
        max_age: 1h
        retention: {count: 3}
`, filepath.Join(dir, "scratch"), filepath.Join(dir, "local"))
}

// checkBackupsAudit checks what the Backups scenario left: one backup in the location, the
// admin's download audited once and the viewer's refused, the refused restore not audited as a
// role refusal, and nothing left in the scratch directory.
func checkBackupsAudit(t *testing.T, e *opsproxytest.Env, dir string) {
	t.Helper()
	objs, err := os.ReadDir(filepath.Join(dir, "local"))
	if err != nil {
		t.Fatal(err)
	}
	var backups []string
	for _, o := range objs {
		if !strings.HasPrefix(o.Name(), ".") {
			backups = append(backups, o.Name())
		}
	}
	if len(backups) != 1 {
		t.Errorf("the location holds %v, want the one backup the scenario made", backups)
	}
	if recs := e.Audit(t, "operation=backups.download&outcome=succeeded"); len(recs) != 1 || recs[0].User != "test-admin" || recs[0].Cluster != "c1" {
		t.Errorf("audit of the admin's download: %+v, want one record", recs)
	}
	if recs := e.Audit(t, "operation=backups.download&outcome=denied"); len(recs) != 1 || recs[0].User != "viewer" {
		t.Errorf("audit of the viewer's forced download: %+v, want one denied record", recs)
	}
	// The restore into an existing directory was refused as a conflict, not as a role refusal:
	// the other scenarios count the role refusals of job starts.
	for _, r := range e.Audit(t, "operation=jobs.enqueue&outcome=denied") {
		if r.User == "test-admin" {
			t.Errorf("an admin's job start audited as denied: %+v", r)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "scratch")); len(left) != 0 {
		names := make([]string, 0, len(left))
		for _, l := range left {
			names = append(names, l.Name())
		}
		t.Errorf("the scratch directory keeps %v after the scenario", names)
	}
}
