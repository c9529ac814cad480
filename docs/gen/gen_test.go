package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConfigurationReferenceMatchesTheCode fails when docs/configuration.md is not what the
// generator writes from the configuration types as they are now.
func TestConfigurationReferenceMatchesTheCode(t *testing.T) {
	root := filepath.Join("..", "..")
	want, err := render(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, outFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s is out of date: run `make docs` (go run ./docs/gen) and commit it\nfirst difference, line %d:\n  file:      %s\n  generated: %s", outFile, i+1, g, w)
			}
		}
	}
}

// TestConfigurationReferenceCoversEveryLoader checks the reference names each file's
// distinctive fields, so that a section cannot silently drop out.
func TestConfigurationReferenceCoversEveryLoader(t *testing.T) {
	b, err := render(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{
		"`disk_agents[].timeout`",                       // clusterconfig
		"`probes.canary.lease_ttl`",                     // exporter
		"`queue.redis_url`", "`audit.witness.etcd.key`", // opsproxy
		"`benchmarks.clusters.<cluster>.profiles_file`",      // opsproxy benchmarks
		"`profiles[].rules.max_p99`",                         // benchmark profiles
		"`alerts.<alert>.<severity>.for`", "`etcd_selector`", // rule settings
	} {
		if !strings.Contains(string(b), "| "+field+" |") {
			t.Errorf("the reference has no row for %s", field)
		}
	}
}

// TestConfigurationReferenceShowsNoSecretDefault checks a secret field's default is never
// printed (a default password would be one).
func TestConfigurationReferenceShowsNoSecretDefault(t *testing.T) {
	b, err := render(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `password` |") && !strings.HasPrefix(line, "| `password` | secret string |  |") {
			t.Errorf("password row shows a default: %s", line)
		}
	}
}

// A description names its field by its YAML key, never by a Go identifier the reader of a
// YAML file never sees (AuthConfig, DSN, DefaultDiskAgentTimeout).
func TestConfigurationReferenceSpeaksYAMLNotGo(t *testing.T) {
	b, err := render(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	goName := regexp.MustCompile(`^([A-Z][a-z0-9]*[A-Z][A-Za-z0-9]*|[A-Z][A-Z0-9]+) `) // AuthConfig, DSN, S3
	goConstant := regexp.MustCompile(`\bDefault[A-Z][A-Za-z]*\b`)
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, " | ")
		if !strings.HasPrefix(line, "| `") || len(cells) < 4 {
			continue
		}
		desc := cells[3]
		if goName.MatchString(desc) || goConstant.MatchString(desc) {
			t.Errorf("description names Go rather than the key: %s", line)
		}
	}
}
