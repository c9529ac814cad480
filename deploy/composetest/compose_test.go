package composetest

import (
	"os/exec"
	"strings"
	"testing"
)

func TestDockerComposeV1AcceptsTheFile(t *testing.T) {
	dc := needTool(t, "docker-compose", "docker-compose")
	cmd := exec.Command(dc, "--project-directory", root, "--project-name", "etcd-monitor", "-f", composeFile, "config", "-q")
	cmd.Dir = root
	cmd.Env = []string{"PATH=/usr/bin:/bin"} // no ETCD_MONITOR_* set: the defaults apply
	if out, err := cmd.CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("docker-compose config -q: %v\n%s", err, out)
	}
}

func TestComposeGoLoaderAcceptsTheFile(t *testing.T) {
	p := loadProject(t)
	want := []string{"etcd-1", "etcd-2", "etcd-3", "exporter", "opsproxy", "worker", "prometheus", "alertmanager",
		"grafana", "timescaledb", "redis", "disk-agents-prepare", "disk-agent-1", "disk-agent-2", "disk-agent-3"}
	for _, name := range want {
		service(t, p, name)
	}
	if len(p.Services) != len(want) {
		t.Errorf("services %v, want exactly %v", p.ServiceNames(), want)
	}
}
