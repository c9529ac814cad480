package doccheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/exporter"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// TestTroubleshootingQuotesTheLoadersRealMessages loads each file of
// testdata/troubleshooting with the loader its name says (exporter-*, opsproxy-*) and checks
// docs/troubleshooting.md quotes the message it fails with, so that the page changes when a
// message does. No message may show the Redis password of its file.
func TestTroubleshootingQuotesTheLoadersRealMessages(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root, "docs", "troubleshooting.md"))
	if err != nil {
		t.Fatal(err)
	}
	page := strings.Join(strings.Fields(string(raw)), " ")
	files, err := filepath.Glob(filepath.Join("testdata", "troubleshooting", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			var err error
			switch name := filepath.Base(f); {
			case strings.HasPrefix(name, "exporter-"):
				_, err = exporter.LoadConfig(f)
			case strings.HasPrefix(name, "opsproxy-"):
				_, err = opsproxy.LoadConfig(f)
			default:
				t.Fatalf("%s: name it exporter-* or opsproxy-*", name)
			}
			if err == nil {
				t.Fatal("the file loads; it should fail")
			}
			msg, ok := strings.CutPrefix(err.Error(), "parse "+f+": ")
			if !ok {
				t.Fatalf("the message does not start with the file: %v", err)
			}
			msg = strings.Join(strings.Fields(msg), " ")
			if strings.Contains(msg, "secret") {
				t.Errorf("the message shows the password: %s", msg)
			}
			if !strings.Contains(page, "`"+msg+"`") {
				t.Errorf("docs/troubleshooting.md does not quote the message `%s`", msg)
			}
		})
	}
}
