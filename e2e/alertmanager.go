package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/etcd-monitor/etcd-monitor/alertmanager"
)

// Timings replace group_wait, group_interval and repeat_interval on every route of
// alertmanager.yml, so that a test sees notifications, repeats and resolutions in seconds.
type Timings struct {
	GroupWait, GroupInterval, RepeatInterval time.Duration
}

// Alertmanager is a running Alertmanager.
type Alertmanager struct {
	URL  string
	Addr string
	proc *process
}

// StartAlertmanager writes our alertmanager.yml with the overrides and timings applied (the
// shipped templates included) and starts the Alertmanager of the Debian package (the test fails
// when it is not installed) on a free loopback port with temporary storage and no cluster
// gossip, and waits until it is ready. On failure its log tail and alerts go to the test log.
func StartAlertmanager(ctx context.Context, t testing.TB, o alertmanager.Overrides, tm Timings) *Alertmanager {
	t.Helper()
	bin, err := findProgram("prometheus-alertmanager", "alertmanager")
	if err != nil {
		t.Fatalf("alertmanager: %v", err)
	}
	dir := t.TempDir()
	root := repoRoot(t)
	o.TemplatesGlob = filepath.Join(root, "alertmanager", "templates", "*.tmpl")
	cfgFile := filepath.Join(dir, "alertmanager.yml")
	if err := alertmanager.WriteOverlay(filepath.Join(root, "alertmanager", "alertmanager.yml"), cfgFile, o); err != nil {
		t.Fatalf("alertmanager config: %v", err)
	}
	if err := setTimings(cfgFile, tm); err != nil {
		t.Fatalf("alertmanager config: %v", err)
	}
	proc, addr := startServer(ctx, t, "alertmanager", bin, func(addr string) []string {
		return []string{
			"--config.file=" + cfgFile,
			"--storage.path=" + filepath.Join(dir, "data"),
			"--web.listen-address=" + addr,
			"--cluster.listen-address=", // no HA gossip
			"--log.level=debug",
		}
	}, "/-/ready")
	a := &Alertmanager{URL: "http://" + addr, Addr: addr, proc: proc}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		if b, err := os.ReadFile(cfgFile); err == nil {
			t.Logf("alertmanager.yml:\n%s", b)
		}
		t.Logf("alertmanager log (tail):\n%s", tail(a.proc.logs.String(), 32<<10))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if body, err := get(ctx, a.URL+"/api/v2/alerts"); err != nil {
			t.Logf("alertmanager /api/v2/alerts: %v", err)
		} else {
			t.Logf("alertmanager /api/v2/alerts:\n%s", body)
		}
	})
	return a
}

// setTimings rewrites the timing keys of every route in the config file.
func setTimings(path string, tm Timings) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	values := map[string]string{
		"group_wait":      model.Duration(tm.GroupWait).String(),
		"group_interval":  model.Duration(tm.GroupInterval).String(),
		"repeat_interval": model.Duration(tm.RepeatInterval).String(),
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if v, ok := values[n.Content[i].Value]; ok {
					n.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Value: v}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// AMAlert is an alert as Alertmanager's API v2 returns it.
type AMAlert struct {
	Fingerprint string            `json:"fingerprint"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	Status      struct {
		State       string   `json:"state"`
		InhibitedBy []string `json:"inhibitedBy"`
		SilencedBy  []string `json:"silencedBy"`
	} `json:"status"`
}

// Alerts returns the alerts Alertmanager holds, inhibited ones included, whose labels match
// every matcher (PromQL-style matchers such as `alertname="etcdMembersDown"`).
func (a *Alertmanager) Alerts(ctx context.Context, matchers ...string) ([]AMAlert, error) {
	q := url.Values{"active": {"true"}, "inhibited": {"true"}, "silenced": {"true"}, "unprocessed": {"true"}}
	for _, m := range matchers {
		q.Add("filter", m)
	}
	var alerts []AMAlert
	if err := getJSON(ctx, a.URL+"/api/v2/alerts?"+q.Encode(), &alerts); err != nil {
		return nil, err
	}
	return alerts, nil
}
