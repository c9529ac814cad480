package backup

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
)

// backupsAged makes files named prefix<i>.db in a directory location, the i-th i days old.
func backupsAged(t *testing.T, loc *location.Dir, now time.Time, prefix string, n int) []string {
	t.Helper()
	var names []string
	for i := range n {
		name := prefix + string(rune('a'+i)) + ".db"
		if err := os.WriteFile(loc.Path(name), []byte(name), 0o600); err != nil {
			t.Fatal(err)
		}
		at := now.Add(-time.Duration(i) * 24 * time.Hour)
		os.Chtimes(loc.Path(name), at, at)
		names = append(names, name)
	}
	return names
}

func TestRetentionKeepsByCountAndAgeAndNeverTheNewestVerified(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, tc := range []struct {
		name     string
		policy   Retention
		verified string
		kept     []string
	}{
		{"by count", Retention{KeepLast: 2}, "prod-a.db", []string{"prod-a.db", "prod-b.db"}},
		{"by age", Retention{MaxAge: 2*day + time.Hour}, "prod-a.db", []string{"prod-a.db", "prod-b.db", "prod-c.db"}},
		{"count and age together", Retention{KeepLast: 4, MaxAge: day + time.Hour}, "prod-a.db", []string{"prod-a.db", "prod-b.db"}},
		{"the newest verified is older than the policy keeps", Retention{KeepLast: 1}, "prod-d.db", []string{"prod-a.db", "prod-d.db"}},
		{"the newest verified is past the age limit", Retention{MaxAge: time.Hour}, "prod-c.db", []string{"prod-a.db", "prod-c.db"}},
		{"none verified: the newest stays", Retention{MaxAge: time.Minute}, "", []string{"prod-a.db"}},
		{"no policy", Retention{}, "", []string{"prod-a.db", "prod-b.db", "prod-c.db", "prod-d.db", "prod-e.db"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc := newDir(t)
			backupsAged(t, loc, now, "prod-", 5)
			other := backupsAged(t, loc, now.Add(-30*day), "other-", 2)
			e, err := New(Config{Cluster: "prod", Location: loc, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			rec, err := e.ApplyRetention(context.Background(), tc.policy, tc.verified)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(rec.Kept)
			if !slices.Equal(rec.Kept, tc.kept) {
				t.Fatalf("kept %v, want %v (deleted %v)", rec.Kept, tc.kept, rec.Deleted)
			}
			objs, _ := loc.List(context.Background())
			var left []string
			for _, o := range objs {
				left = append(left, o.Name)
			}
			slices.Sort(left)
			if want := append(append([]string{}, other...), tc.kept...); !slices.Equal(left, want) {
				t.Fatalf("left %v, want %v: another cluster's backups are not ours to delete", left, want)
			}
		})
	}
}

func TestRetentionRejectsANegativePolicyNamingTheField(t *testing.T) {
	e, _ := New(Config{Cluster: "prod", Location: newDir(t)})
	for _, tc := range []struct {
		p    Retention
		want string
	}{
		{Retention{KeepLast: -1}, "keep_last -1: must not be negative"},
		{Retention{MaxAge: -time.Hour}, "max_age -1h0m0s: must not be negative"},
	} {
		if _, err := e.ApplyRetention(context.Background(), tc.p, ""); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%+v: %v", tc.p, err)
		}
	}
}
