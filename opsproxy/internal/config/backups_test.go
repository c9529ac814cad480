package config

import (
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/configtest"
)

func TestBackupsConfigAppliesDefaultsAndMakesLocations(t *testing.T) {
	cfg, err := LoadConfig("testdata/valid-backups.yml")
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.Backups
	local, _ := b.Target("prod", "local")
	s3, _ := b.Target("prod", "s3")
	ext, _ := b.Target("prod", "ext")
	eu, _ := b.Target("prod-eu", "local")
	loc, _ := b.LocationByName("local")
	s3loc, _ := b.LocationByName("s3")
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"scratch dir default (no store path)", b.ScratchDir, DefaultBackupScratchDir},
		{"max_age default: 2 × 6h + 1h", time.Duration(local.MaxAge), 13 * time.Hour},
		{"max_age given", time.Duration(s3.MaxAge), 30 * time.Hour},
		{"prefix default, ours", local.NamePrefix(), "prod-"},
		{"prefix default, external", ext.NamePrefix(), ""},
		{"prefix given", eu.NamePrefix(), "eu-"},
		{"inspect schedule default, external", ext.InspectSchedule, DefaultBackupInspectSchedule},
		{"inspect schedule, ours", local.InspectSchedule, ""},
		{"retention count", local.Retention.Count, 14},
		{"retention max_age", time.Duration(local.Retention.MaxAge), 30 * 24 * time.Hour},
		{"recipients read", len(loc.Recipients), 1},
		{"dir location", loc.Where(), "dir /var/backups/etcd"},
		{"s3 location", s3loc.Where(), "s3://etcd/prod/"},
		{"schedules of ours", len(local.Schedules()), 2},
		{"schedules of external", ext.Schedules()["backup-inspect"], DefaultBackupInspectSchedule},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// The S3 keys read from their files are nowhere in what the configuration shows of itself.
func TestBackupsConfigKeepsS3KeysOutOfItsText(t *testing.T) {
	cfg, err := LoadConfig("testdata/valid-backups.yml")
	if err != nil {
		t.Fatal(err)
	}
	l, _ := cfg.Backups.LocationByName("s3")
	for _, s := range []string{l.Where(), l.Location.String()} {
		if strings.Contains(s, "sup3r-s3cret-key") || strings.Contains(s, "AKIDTEST") {
			t.Fatalf("location text shows a key: %s", s)
		}
	}
}

func TestBackupsConfigScratchDirDefaultsBesideTheStoreFile(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Store.Path = "/var/lib/etcd-monitor/history.db"
	if err := cfg.Backups.load(nil, cfg.Store); err != nil {
		t.Fatal(err)
	}
	if cfg.Backups.ScratchDir != "/var/lib/etcd-monitor/backup-scratch" {
		t.Fatalf("scratch dir %s", cfg.Backups.ScratchDir)
	}
}

// Each invalid file fails at load with its exact message, which names the field.
func TestBackupsConfigRejectsInvalidFiles(t *testing.T) {
	want := map[string]string{
		"invalid-backups-location-name.yml":            `backups.locations[0].name: "Local_1": want 1 to 40 of a-z, 0-9 and -`,
		"invalid-backups-location-twice.yml":           `backups.locations[1].name: "a" is listed twice`,
		"invalid-backups-location-dir-and-s3.yml":      "backups.locations[0]: set exactly one of dir and s3",
		"invalid-backups-location-neither.yml":         "backups.locations[0]: set exactly one of dir and s3",
		"invalid-backups-s3-endpoint.yml":              "backups.locations[0].s3.endpoint: want http(s)://host[:port] without credentials",
		"invalid-backups-s3-key-file-missing.yml":      "backups.locations[0].s3.secret_access_key_file: open testdata/no-such-key: no such file or directory",
		"invalid-backups-s3-key-file-empty.yml":        "backups.locations[0].s3.access_key_id_file testdata/s3-empty: is empty",
		"invalid-backups-s3-bucket-empty.yml":          "backups.locations[0].s3.bucket: must not be empty",
		"invalid-backups-s3-upload-concurrency.yml":    "backups.locations[0].s3.upload_concurrency: 65: want 1 to 64",
		"invalid-backups-s3-unknown-field.yml":         "field secret_access_key not found",
		"invalid-backups-recipients-bad.yml":           "backups.locations[0].encryption.recipients[0]: malformed recipient",
		"invalid-backups-recipients-empty.yml":         "backups.locations[0].encryption.recipients_file testdata/empty.age.pub: holds no recipient",
		"invalid-backups-identity-missing.yml":         "backups.locations[0].encryption.identity_file: must be set (backups are verified after they are stored)",
		"invalid-backups-identity-not-age.yml":         "backups.locations[0].encryption.identity_file testdata/s3-key: not an age identity file",
		"invalid-backups-identity-inside-location.yml": "backups.locations[0].encryption.identity_file testdata/backup.age.key: inside the backup location",
		"invalid-backups-cluster-unknown.yml":          "backups.clusters.zz: no cluster of that name in clusters",
		"invalid-backups-cluster-empty.yml":            "backups.clusters.prod: must not be empty",
		"invalid-backups-target-location-unknown.yml":  `backups.clusters.prod[0].location: no location "b" in backups.locations`,
		"invalid-backups-target-location-twice.yml":    `backups.clusters.prod[1].location: "a" is listed twice for this cluster`,
		"invalid-backups-schedule-bad.yml":             `backups.clusters.prod[0].schedule: "every day": expected exactly 5 fields, found 2: [every day]`,
		"invalid-backups-drill-schedule-bad.yml":       `backups.clusters.prod[0].drill_schedule: "@every 10s": @every must be at least 1m0s`,
		"invalid-backups-external-schedule.yml":        "backups.clusters.prod[0].schedule: not allowed with external location a (another tool fills it)",
		"invalid-backups-external-retention.yml":       "backups.clusters.prod[0].retention: not allowed with external location a (it is only watched)",
		"invalid-backups-external-max-age-missing.yml": "backups.clusters.prod[0].max_age: must be set for external location a",
		"invalid-backups-inspect-schedule-ours.yml":    "backups.clusters.prod[0].inspect_schedule: only for an external location",
		"invalid-backups-no-schedule-no-max-age.yml":   "backups.clusters.prod[0].max_age: must be set when there is no schedule",
		"invalid-backups-retention-count-negative.yml": "backups.clusters.prod[0].retention.count: must not be negative",
		"invalid-backups-prefix-bad.yml":               `backups.clusters.prod[0].prefix: "../prod-": want up to 128 of A-Z, a-z, 0-9, '.', '_' and '-'`,
		"invalid-backups-prefix-empty-ours.yml":        "backups.clusters.prod[0].prefix: must not be empty for a location we write (retention deletes by it)",
		"invalid-backups-prefix-overlap.yml":           `backups.clusters.prod-eu[0].prefix: "prod-eu-" and cluster prod's "prod-" in location a: one starts with the other, so retention of one would delete the other's backups`,
		"invalid-backups-names-too-long.yml":           "backups.clusters.prod[0]: the cluster's and the location's names are longer than 40 bytes together, too long for the ids of their schedules",
		"invalid-backups-max-age-bad.yml":              `not a valid duration string: "soon"`,
	}
	configtest.CheckInvalidFiles(t, "testdata/invalid-backups-*.yml", want, func(path string) error {
		_, err := LoadConfig(path)
		if err != nil && (strings.Contains(err.Error(), "sup3r-s3cret-key") || strings.Contains(err.Error(), "AGE-SECRET-KEY")) {
			t.Errorf("error shows a secret: %v", err)
		}
		return err
	})
}
