package composetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestAlertmanagerConfigPassesAmtoolWithItsSecretFiles runs amtool check-config on the mounted
// alertmanager.yml and its templates, and checks that every *_file it names is a secret the
// service has at that path.
func TestAlertmanagerConfigPassesAmtoolWithItsSecretFiles(t *testing.T) {
	amtool := needTool(t, "amtool", "prometheus-alertmanager")
	s := service(t, loadProject(t), "alertmanager")
	file, _ := flagValue(s.Command, "config.file")
	host := hostPath(s, file)
	if host != filepath.Join(root, "alertmanager", "alertmanager.yml") {
		t.Fatalf("alertmanager reads %s mounted from %q: want the repository's alertmanager/alertmanager.yml", file, host)
	}
	// The templates are beside the config in the container, as in the repository.
	if tmpl := hostPath(s, filepath.Join(filepath.Dir(file), "templates")); tmpl != filepath.Join(root, "alertmanager", "templates") {
		t.Errorf("%s/templates is mounted from %q, want alertmanager/templates", filepath.Dir(file), tmpl)
	}
	out, err := exec.Command(amtool, "check-config", host).CombinedOutput()
	if err != nil {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "SUCCESS") {
		t.Errorf("amtool check-config:\n%s", out)
	}
	b, err := os.ReadFile(host)
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, sec := range s.Secrets {
		targets = append(targets, secretTarget(sec))
	}
	files := regexp.MustCompile(`(?m)^\s*(?:-\s*)?\w+_file:\s*(\S+)\s*$`).FindAllStringSubmatch(string(b), -1)
	if len(files) < 3 {
		t.Fatalf("alertmanager.yml names %d secret files, want the SMTP password, Slack URL and PagerDuty key", len(files))
	}
	for _, f := range files {
		if !slices.Contains(targets, f[1]) {
			t.Errorf("alertmanager.yml reads %s, which is no secret of the alertmanager service (it has %v)", f[1], targets)
		}
	}
}
