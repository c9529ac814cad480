//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/grafana-app/internal/opsproxytest"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// chromium is Debian's package (scripts/install-test-deps.sh installs it).
const chromium = "/usr/bin/chromium"

func TestMain(m *testing.M) {
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

// scenarios are the scenario files, run one after the other (each drives its own Chromium).
func scenarios(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "e2e", "*.test.mjs"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios in %s/e2e (%v)", dir, err)
	}
	return files
}

func TestConsoleScenariosInChromium(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s: %v (scripts/install-test-deps.sh installs Debian's chromium)", chromium, err)
	}
	dir := appDir(t)
	e := opsproxytest.NewWithMembers(t, 3)
	requireConsole(t, e.URL)
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

	args := append([]string{"--test", "--test-concurrency=1", "--test-reporter=spec"}, scenarios(t, dir)...)
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

	// What the browser did, as opsproxy recorded it: the viewer's forced removal and put refused.
	denied := e.Audit(t, "operation=members.remove&outcome=denied")
	if len(denied) != 1 || denied[0].User != "viewer" || denied[0].Role != "viewer" {
		t.Errorf("audit of the forced removal: %+v, want one denied record of the viewer", denied)
	}
	// Two refused puts of the viewer: the one forced on the Keys page's API, and the Console
	// page's, audited with its command line and the value left out.
	denied = e.Audit(t, "operation=keys.put&outcome=denied")
	var forced, console []opsproxytest.AuditRecord
	for _, r := range denied {
		if r.Command == "" {
			forced = append(forced, r)
		} else {
			console = append(console, r)
		}
	}
	if len(forced) != 1 || forced[0].User != "viewer" {
		t.Errorf("audit of the forced put: %+v, want one denied record of the viewer", forced)
	}
	if len(console) != 1 || console[0].User != "viewer" || !strings.HasPrefix(console[0].Command, "put "+etcdctlKey) {
		t.Errorf("audit of the Console page's put: %+v, want one denied record of the viewer's command", console)
	}
	for _, r := range console {
		if strings.Contains(r.Command, "changed-by-a-viewer") {
			t.Errorf("the audit record of the console's put holds the value: %q", r.Command)
		}
	}
	for _, secret := range []string{e.Admin, viewer, revoked, doomed} {
		if strings.Contains(e.Logs(), secret) {
			t.Error("opsproxy logged a token")
		}
	}
}
