package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"
)

// Every `etcd-monitor backup …` command docs/backups.md shows parses with this command's flags.
func TestTheDocsCommandsParse(t *testing.T) {
	raw, err := os.ReadFile("../../docs/backups.md")
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	var cur string
	for _, line := range strings.Split(string(raw), "\n") {
		line, _, _ = strings.Cut(line, "  # ")
		line = strings.TrimSpace(line)
		if cur == "" && !strings.HasPrefix(line, "etcd-monitor backup ") {
			continue
		}
		cur += " " + strings.TrimSuffix(line, "\\")
		if !strings.HasSuffix(line, "\\") {
			cmds = append(cmds, cur)
			cur = ""
		}
	}
	if len(cmds) < 4 {
		t.Fatalf("found %d commands in docs/backups.md, want list, verify, download and recover", len(cmds))
	}
	for _, cmd := range cmds {
		app := kingpin.New("etcd-monitor", "")
		RegisterCommand(app)
		words := strings.Fields(cmd)[1:]
		if _, err := app.Parse(words); err != nil {
			t.Errorf("docs/backups.md: %s: %v", cmd, err)
		}
	}
}
