package composetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// tracked reports whether git tracks rel, or files under it (a directory), in the repository.
func tracked(t *testing.T, rel string) bool {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "--", rel)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("git ls-files: %v (not a git checkout?)", err)
	}
	return len(strings.TrimSpace(string(out))) > 0
}

func TestEveryBindMountAndBuildIsInTheRepository(t *testing.T) {
	p := loadProject(t)
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		for _, v := range s.Volumes {
			switch v.Type {
			case types.VolumeTypeVolume:
				if _, ok := p.Volumes[v.Source]; !ok {
					t.Errorf("service %s mounts volume %q, which volumes: does not declare", name, v.Source)
				}
				continue
			case types.VolumeTypeBind:
			default:
				t.Errorf("service %s: volume of type %s at %s", name, v.Type, v.Target)
				continue
			}
			rel, err := filepath.Rel(root, v.Source)
			if err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("service %s mounts %s, outside the repository", name, v.Source)
				continue
			}
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("service %s mounts %s: %v", name, rel, err)
				continue
			}
			if !tracked(t, rel) {
				t.Errorf("service %s mounts %s, which git does not track (built or local?)", name, rel)
			}
			if !v.ReadOnly {
				t.Errorf("service %s mounts %s read-write; the repository's files are mounted read-only", name, rel)
			}
		}
		if s.Build != nil {
			if _, err := os.Stat(filepath.Join(s.Build.Context, "Dockerfile")); err != nil || s.Build.Context != root {
				t.Errorf("service %s builds in %s: want the repository with its Dockerfile", name, s.Build.Context)
			}
		}
	}
}

// secretNamesOfInitScript runs deploy/compose/init-secrets.sh into dir and returns the files it wrote.
func runInitSecrets(t *testing.T, dir string) []string {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join(root, "deploy", "compose", "init-secrets.sh"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("init-secrets.sh: %v\n%s", err, out)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestEverySecretFileIsWrittenByInitSecretsAndIgnoredByGit(t *testing.T) {
	p := loadProject(t)
	secretsDir := filepath.Join(root, "deploy", "compose", "secrets")
	var want []string
	for name, sec := range p.Secrets {
		if sec.File == "" || sec.Environment != "" || sec.Content != "" || sec.External {
			t.Errorf("secret %s: want a file (never environment or inline content)", name)
			continue
		}
		if filepath.Dir(sec.File) != secretsDir {
			t.Errorf("secret %s: file %s, want it in deploy/compose/secrets/", name, sec.File)
		}
		want = append(want, filepath.Base(sec.File))
	}
	got := runInitSecrets(t, t.TempDir())
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("init-secrets.sh writes %v, docker-compose.yml's secrets are %v", got, want)
	}
	// git ignores the secret files, keeps the directory (its .gitignore).
	for _, f := range want {
		cmd := exec.Command("git", "check-ignore", "-q", filepath.Join("deploy", "compose", "secrets", f))
		cmd.Dir = root
		if err := cmd.Run(); err != nil {
			t.Errorf("git does not ignore deploy/compose/secrets/%s", f)
		}
	}
	// Every secret a service names is declared, and every declared one is used.
	used := map[string]bool{}
	for name, s := range p.Services {
		for _, sec := range s.Secrets {
			if _, ok := p.Secrets[sec.Source]; !ok {
				t.Errorf("service %s uses undeclared secret %s", name, sec.Source)
			}
			used[sec.Source] = true
		}
	}
	for name := range p.Secrets {
		if !used[name] {
			t.Errorf("secret %s is used by no service", name)
		}
	}
}
