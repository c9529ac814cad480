package cli

import (
	"strconv"
	"strings"
	"testing"
)

func TestListShowsTheLocationsBackupsNewestFirst(t *testing.T) {
	f := newFixture(t, false)
	f.fill(t, 10)
	first := f.backup(t)
	f.fill(t, 20)
	second := f.backup(t)
	other := f.newEngine(t, "other", nil)
	otherRec, err := other.Backup(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string // names, in order
	}{
		{"every backup in the location", nil, nil},
		{"only the cluster's", []string{"--cluster", "prod"}, []string{second.Name, first.Name}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, append([]string{"list", "--config.file", f.config, "--location", "local"}, tc.args...)...)
			if r.code != 0 {
				t.Fatal(r)
			}
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if !strings.HasPrefix(lines[0], "NAME") {
				t.Fatalf("no header:\n%s", r)
			}
			var names []string
			for _, l := range lines[1:] {
				fields := strings.Fields(l)
				if len(fields) != 3 {
					t.Fatalf("row %q: want name, size, time", l)
				}
				names = append(names, fields[0])
			}
			if tc.want == nil {
				if len(names) != 3 || !strings.Contains(r.stdout, otherRec.Name) {
					t.Fatalf("want all three backups:\n%s", r)
				}
				return
			}
			if strings.Join(names, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("names %v, want %v", names, tc.want)
			}
			if !strings.Contains(lines[1], " "+strconv.FormatInt(second.Size, 10)+" ") {
				t.Fatalf("size of %s not %d: %q", second.Name, second.Size, lines[1])
			}
		})
	}
}
