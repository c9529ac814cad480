package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// `etcd-monitor backup …` is wired into the binary; a bad argument exits 2 naming it.
func TestBackupCommandExitsTwoOnABadArgument(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yml")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"backup", "recover", "--location", "local", "prod-x.db", "--member", "name=a,peer-urls=http://10.0.0.1:2380,data-dir=/nonexistent/a"}, "required flag(s) '--token' not provided"},
		{[]string{"backup", "list", "--config.file", missing, "--location", "local"}, "--config.file " + missing},
		{[]string{"backup", "recover", "--config.file", missing, "--location", "local", "prod-x.db", "--token", "t", "--mark-compacted",
			"--member", "name=a,peer-urls=http://10.0.0.1:2380,data-dir=/nonexistent/a"}, "--mark-compacted: needs --bump-revision"},
	} {
		t.Run(strings.Join(tc.args[:2], " "), func(t *testing.T) {
			code, out := captureOutput(t, func() int { return run(tc.args) })
			if code != 2 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, output:\n%s\nwant exit 2 and %q", code, out, tc.want)
			}
		})
	}
}
