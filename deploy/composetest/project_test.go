package composetest

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// root is the repository, where docker-compose.yml and Dockerfile are.
var root = func() string {
	abs, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return abs
}()

const composeFile = "docker-compose.yml"

// Services built from our Dockerfile's etcd-monitor target, and the port each listens on.
var ourServices = map[string]string{"exporter": "9979", "opsproxy": "9980", "worker": "9981"}

// The diskprobe agents, also of our image, each beside the etcd member named here, and the
// port all of them listen on.
var diskAgents = map[string]string{"disk-agent-1": "etcd-1", "disk-agent-2": "etcd-2", "disk-agent-3": "etcd-3"}

const diskAgentPort = "9982"

// loadProject loads docker-compose.yml with compose-go, as `docker compose` (v2) does, with no
// environment variables set: every ${VAR:-default} takes its default.
func loadProject(t *testing.T) *types.Project {
	t.Helper()
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, composeFile)}},
		Environment: map[string]string{},
	}, func(o *loader.Options) { o.SetProjectName("etcd-monitor", true) })
	if err != nil {
		t.Fatalf("compose-go rejects %s: %v", composeFile, err)
	}
	return p
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, ok := p.Services[name]
	if !ok {
		t.Fatalf("%s has no service %q", composeFile, name)
	}
	return s
}

// hostPath maps a path inside a service's container to the repository file mounted there (a
// bind mount of the file or of a directory above it), or "" when no bind mount covers it.
func hostPath(s types.ServiceConfig, inContainer string) string {
	best, bestLen := "", -1
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind {
			continue
		}
		if inContainer == v.Target {
			return v.Source
		}
		if strings.HasPrefix(inContainer, v.Target+"/") && len(v.Target) > bestLen {
			best, bestLen = filepath.Join(v.Source, strings.TrimPrefix(inContainer, v.Target+"/")), len(v.Target)
		}
	}
	return best
}

// secretTarget is where a service sees a secret: its target when absolute, else /run/secrets/<target or name>.
func secretTarget(sec types.ServiceSecretConfig) string {
	switch {
	case strings.HasPrefix(sec.Target, "/"):
		return sec.Target
	case sec.Target != "":
		return "/run/secrets/" + sec.Target
	}
	return "/run/secrets/" + sec.Source
}

// secretFilesHere runs init-secrets.sh into a new directory and maps each path where service s
// sees one of its secrets to the file init-secrets.sh wrote for that secret.
func secretFilesHere(t *testing.T, p *types.Project, s types.ServiceConfig) map[string]string {
	t.Helper()
	dir := t.TempDir()
	runInitSecrets(t, dir)
	files := map[string]string{}
	for _, sec := range s.Secrets {
		decl, ok := p.Secrets[sec.Source]
		if !ok {
			t.Fatalf("%s: undeclared secret %s", s.Name, sec.Source)
		}
		files[secretTarget(sec)] = filepath.Join(dir, filepath.Base(decl.File))
	}
	return files
}

// configWithSecretsHere copies the file service s mounts at inContainer with every path of the
// service's secrets replaced by files of secretFilesHere, so that a check which opens them (a
// disk agent's password_file) runs here on what init-secrets.sh writes. It returns the copy and
// the map of secretFilesHere.
func configWithSecretsHere(t *testing.T, p *types.Project, s types.ServiceConfig, inContainer string) (string, map[string]string) {
	t.Helper()
	host := hostPath(s, inContainer)
	if host == "" {
		t.Fatalf("%s: nothing mounted at %s", s.Name, inContainer)
	}
	b, err := os.ReadFile(host)
	if err != nil {
		t.Fatal(err)
	}
	files := secretFilesHere(t, p, s)
	targets := slices.Collect(maps.Keys(files))
	// Longest first: no path is replaced inside a longer one.
	slices.SortFunc(targets, func(a, b string) int { return len(b) - len(a) })
	text := string(b)
	for _, target := range targets {
		text = strings.ReplaceAll(text, target, files[target])
	}
	out := filepath.Join(t.TempDir(), filepath.Base(host))
	if err := os.WriteFile(out, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return out, files
}

// opsproxyConfig loads the opsproxy configuration service name (opsproxy or the worker) reads,
// with its secrets here (configWithSecretsHere).
func opsproxyConfig(t *testing.T, p *types.Project, name string) (*opsproxy.Config, map[string]string) {
	t.Helper()
	s := service(t, p, name)
	file, ok := flagValue(s.Command, "config.file")
	if !ok {
		t.Fatalf("%s: no --config.file in %v", name, s.Command)
	}
	local, files := configWithSecretsHere(t, p, s, file)
	cfg, err := opsproxy.LoadConfig(local)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return cfg, files
}

// flagValue returns the value of --name=value in args.
func flagValue(args []string, name string) (string, bool) {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binOut  []byte
)

// binary builds cmd/etcd-monitor once for the package's tests, as the image's build stage does.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "composetest-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "etcd-monitor")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/etcd-monitor")
		cmd.Dir = root
		binOut, binErr = cmd.CombinedOutput()
	})
	if binErr != nil {
		t.Fatalf("go build ./cmd/etcd-monitor: %v\n%s", binErr, binOut)
	}
	return binPath
}

// needTool fails when a Debian program the test runs is missing on a Debian machine, where
// scripts/install-test-deps.sh (run by `make test`) installs it; elsewhere it skips.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := fmt.Sprintf("%s is not installed (Debian package %s; `bash scripts/install-test-deps.sh` installs it)", name, pkg)
		if _, aptErr := exec.LookPath("apt-get"); aptErr == nil {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	code := m.Run()
	etcdtest.StopShared()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
