// Package configtest checks a configuration loader against its testdata/invalid-*.yml files: each
// file must fail to load with its own expected message, and every file must have one.
package configtest

import (
	"path/filepath"
	"strings"
	"testing"
)

// CheckInvalidFiles loads every file matching pattern (for example "testdata/invalid-*.yml") and
// requires the error to contain the message want maps its base name to. Files without an
// expectation, and expectations without a file, fail the test.
func CheckInvalidFiles(t *testing.T, pattern string, want map[string]string, load func(path string) error) {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			exp, ok := want[name]
			if !ok {
				t.Fatalf("no expected message for %s", name)
			}
			err := load(path)
			if err == nil {
				t.Fatal("loaded without error")
			}
			if !strings.Contains(err.Error(), exp) {
				t.Fatalf("error %q does not contain %q", err, exp)
			}
		})
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("expected message for %s, but there is no such file", name)
		}
	}
}
