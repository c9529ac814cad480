package slo

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadProfiles(t *testing.T) {
	ps, err := LoadProfiles(filepath.Join("testdata", "good.yml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Profile{{
		Name: "api-writes", Description: "our API servers' write load",
		Runs: []Step{
			{Command: "put", Duration: 30 * time.Second, Flags: map[string]string{"rate": "2000", "clients": "100", "conns": "10", "val-size": "512"}},
			{Command: "range", Args: []string{"/registry/pods/", "/registry/pods0"}, Flags: map[string]string{"total": "1000", "consistency": "s"}},
		},
		Rules: Rules{MinThroughput: 100, MaxP99: 50 * time.Millisecond, MaxSlowest: time.Second, MaxErrors: 2},
	}}
	if !reflect.DeepEqual(ps, want) {
		t.Errorf("profiles\n got %+v\nwant %+v", ps, want)
	}
}

// TestLoadProfilesRejectsInvalidFiles maps each testdata/invalid-*.yml to its error, which
// names the field.
func TestLoadProfilesRejectsInvalidFiles(t *testing.T) {
	cases := map[string]string{
		"empty":                   "profiles: the file is empty",
		"no-profiles":             "profiles: must not be empty",
		"unknown-key":             "field runz not found",
		"name-missing":            `profiles[0].name: "" must be 1 to 63 letters`,
		"name-bad":                `profiles[0].name: "has space" must be 1 to 63 letters`,
		"name-twice":              `profiles[1].name: "a" is defined twice`,
		"runs-empty":              "profiles[0].runs: must not be empty",
		"command-empty":           "profiles[0].runs[0].command: must not be empty",
		"command-unknown":         `profiles[0].runs[0].command: unknown command "get"`,
		"flag-unknown":            "profiles[0].runs[0].flags: unknown flag: --rte",
		"flag-bad-value":          `profiles[0].runs[0].flags: --rate: invalid integer "fast"`,
		"flag-connection":         "profiles[0].runs[0].flags.endpoints: a connection setting",
		"range-args":              "profiles[0].runs[0].command: range: takes 1 to 2 arguments",
		"duration-bad":            `profiles[0].runs[0].duration: "soon" is not a positive duration`,
		"duration-without-rate":   "profiles[0].runs[0].duration: needs a positive flags.rate",
		"duration-and-total":      "profiles[0].runs[0].duration: give either duration or flags.total, not both",
		"ratio-too-big":           "profiles[0].rules.min_throughput_ratio: 1.5 must be between 0 and 1",
		"ratio-without-rate":      "profiles[0].rules.min_throughput_ratio: runs[1] has no flags.rate",
		"p99-bad":                 `profiles[0].rules.max_p99: "-5ms" is not a positive duration`,
		"min-throughput-negative": "profiles[0].rules.min_throughput: -1 must not be negative",
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid-*.yml"))
	if len(files) != len(cases) {
		t.Errorf("%d invalid-*.yml files, %d cases: keep them in step", len(files), len(cases))
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "invalid-"+name+".yml")
			_, err := LoadProfiles(path)
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want one naming %s and containing %q", err, path, want)
			}
		})
	}
}

func TestLoadProfilesOfAMissingFile(t *testing.T) {
	if _, err := LoadProfiles(filepath.Join("testdata", "absent.yml")); err == nil || !strings.Contains(err.Error(), "absent.yml") {
		t.Errorf("error %v", err)
	}
}

func TestLoadProfilesRefusesAnOversizedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yml")
	big := "profiles:\n" + strings.Repeat("# padding padding padding padding padding padding padding\n", 20000)
	if err := os.WriteFile(path, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadProfiles(path); err == nil || !strings.Contains(err.Error(), "larger than 1024 KiB") {
		t.Errorf("error %v", err)
	}
}
