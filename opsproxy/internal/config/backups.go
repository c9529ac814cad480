package config

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store/open"
)

// BackupsConfig configures backups: the locations they are kept in, and per cluster which
// locations it is backed up to (or, for a location another tool fills, watched in) and when.
type BackupsConfig struct {
	// ScratchDir holds plaintext read-backs of encrypted or remote backups and the data
	// directories of drills, removed when done (default: backup-scratch beside the embedded
	// store's file, or in the working directory).
	ScratchDir string `yaml:"scratch_dir,omitempty"`
	// Locations are the places backups are kept, each a directory or an S3 bucket.
	Locations []BackupLocation `yaml:"locations,omitempty"`
	// Clusters lists, by cluster name, the locations each cluster's backups are in.
	Clusters map[string][]BackupTarget `yaml:"clusters,omitempty"`
}

// BackupLocation is one place backups are kept: a directory or an S3 bucket.
type BackupLocation struct {
	// Name is the location's label in metrics and its segment in API paths.
	Name string `yaml:"name"`
	// Dir is a local or mounted directory; it is never created, so an unmounted volume fails
	// the job instead of filling the root disk. Exactly one of dir and s3.
	Dir string `yaml:"dir,omitempty"`
	// S3 is a bucket of S3-compatible object storage. Exactly one of dir and s3.
	S3 *BackupS3 `yaml:"s3,omitempty"`
	// Encryption encrypts backups at rest with age; none stores them as etcd sent them.
	Encryption *BackupEncryption `yaml:"encryption,omitempty"`
	// External says another tool fills the location: it is only watched (inspected, its
	// newest backup verified, optionally drilled), never written.
	External bool `yaml:"external,omitempty"`

	// Location is the location made from the above when the configuration loaded; it holds
	// the S3 keys read from their files and is never written out.
	Location location.Location `yaml:"-"`
	// Recipients are the age recipients read from encryption.recipients_file.
	Recipients []string `yaml:"-"`
}

// BackupS3 is a bucket of S3-compatible object storage. The keys are read from files, so
// that the configuration holds no secret.
type BackupS3 struct {
	// Endpoint is the service's URL (https://s3.eu-west-1.amazonaws.com, https://minio:9000).
	Endpoint string `yaml:"endpoint"`
	// Region is the bucket's region (us-east-1 for most S3-compatible servers).
	Region string `yaml:"region,omitempty"`
	// Bucket is the bucket; it must exist.
	Bucket string `yaml:"bucket"`
	// Prefix is put before every object name ("etcd/prod/").
	Prefix string `yaml:"prefix,omitempty"`
	// AccessKeyIDFile holds the access key id.
	AccessKeyIDFile string `yaml:"access_key_id_file"`
	// SecretAccessKeyFile holds the secret access key.
	SecretAccessKeyFile string `yaml:"secret_access_key_file"`
	// ForcePathStyle addresses the bucket in the path, as most S3-compatible servers need.
	ForcePathStyle bool `yaml:"force_path_style,omitempty"`
	// UploadConcurrency is how many 5 MiB parts of a backup are sent at once (1 to 64, default
	// 4); each holds its 5 MiB in memory while it is sent, so an upload holds 20 MiB by
	// default. 1 sends them one after the other.
	UploadConcurrency int `yaml:"upload_concurrency,omitempty"`
}

// BackupEncryption encrypts backups at rest with age.
type BackupEncryption struct {
	// RecipientsFile holds the age recipients (age1…), one a line; # starts a comment.
	RecipientsFile string `yaml:"recipients_file"`
	// IdentityFile holds the age identity that decrypts them: needed to verify, drill and
	// restore, and kept outside the location.
	IdentityFile string `yaml:"identity_file"`
}

// BackupTarget is one cluster's backups in one location.
type BackupTarget struct {
	// Location names a location of backups.locations.
	Location string `yaml:"location"`
	// Schedule is the cron expression of backup jobs (not with an external location).
	Schedule string `yaml:"schedule,omitempty"`
	// MaxAge is how old the newest backup may be before it is missing (default: twice the
	// schedule's longest interval plus an hour; required for an external location).
	MaxAge model.Duration `yaml:"max_age,omitempty"`
	// Retention is how many backups to keep and for how long.
	Retention BackupRetention `yaml:"retention,omitempty"`
	// DrillSchedule is the cron expression of drills of the newest verified backup.
	DrillSchedule string `yaml:"drill_schedule,omitempty"`
	// InspectSchedule is the cron expression of inspections of an external location
	// (default every 15 minutes).
	InspectSchedule string `yaml:"inspect_schedule,omitempty"`
	// Prefix starts the names of this cluster's backups in the location (default
	// "<cluster>-", or "" for an external location).
	Prefix *string `yaml:"prefix,omitempty"`
}

// BackupRetention is how many backups to keep and for how long; the newest verified backup
// is always kept.
type BackupRetention struct {
	// Count keeps the newest this many backups (0: no limit by count).
	Count int `yaml:"count,omitempty"`
	// MaxAge deletes backups older than this (0: no limit by age).
	MaxAge model.Duration `yaml:"max_age,omitempty"`
}

// Backup defaults.
const (
	DefaultBackupScratchDir      = "backup-scratch"
	DefaultBackupInspectSchedule = "*/15 * * * *"
)

// backupLocationName is what a location may be called: it is a label value and a path segment.
var backupLocationName = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// backupPrefix is what a backup name prefix may hold: the characters of a plain file name,
// none that a shell pattern reads.
var backupPrefix = regexp.MustCompile(`^[A-Za-z0-9._-]{0,128}$`)

// maxScheduleIDRoom is the room a schedule id (backups/<cluster>/<location>/backup-inspect)
// leaves for the cluster's and the location's names.
const maxScheduleIDRoom = 40

// LocationByName returns the location called name.
func (b BackupsConfig) LocationByName(name string) (BackupLocation, bool) {
	for _, l := range b.Locations {
		if l.Name == name {
			return l, true
		}
	}
	return BackupLocation{}, false
}

// Target returns the cluster's backups in the location called name.
func (b BackupsConfig) Target(cluster, name string) (BackupTarget, bool) {
	for _, t := range b.Clusters[cluster] {
		if t.Location == name {
			return t, true
		}
	}
	return BackupTarget{}, false
}

// NamePrefix is the prefix of the cluster's backup names in the target's location.
func (t BackupTarget) NamePrefix() string {
	if t.Prefix == nil {
		return ""
	}
	return *t.Prefix
}

// Engine is the backup engine's configuration of the cluster's backups in this location,
// without the cluster's connection, logger and drill command, which the caller adds.
func (l BackupLocation) Engine(cluster string, t BackupTarget, scratch string) backup.Config {
	cfg := backup.Config{Cluster: cluster, Location: l.Location, Prefix: t.NamePrefix(), ScratchDir: scratch}
	if cfg.Prefix == "" {
		// An external location's objects are all this cluster's: no cluster makes the engine
		// keep the empty prefix rather than default it to "<cluster>-".
		cfg.Cluster = ""
	}
	if l.Encryption != nil {
		cfg.Encryption = &backup.Encryption{Recipients: l.Recipients, IdentityFile: l.Encryption.IdentityFile}
	}
	return cfg
}

// Where says where the location is, without a secret: "dir /var/backups/etcd" or
// "s3://bucket/prefix".
func (l BackupLocation) Where() string {
	if l.Location != nil {
		return l.Location.String()
	}
	if l.S3 != nil {
		return "s3://" + l.S3.Bucket + "/" + l.S3.Prefix
	}
	return "dir " + l.Dir
}

// load checks the section, reads the files it names and makes the locations; the error
// names the field. store places the default scratch directory.
func (b *BackupsConfig) load(clusters clusterconfig.Clusters, st open.Config) error {
	if b.ScratchDir == "" {
		b.ScratchDir = DefaultBackupScratchDir
		if st.DSN == "" && st.Path != "" {
			b.ScratchDir = filepath.Join(filepath.Dir(st.Path), DefaultBackupScratchDir)
		}
	}
	seen := map[string]bool{}
	for i := range b.Locations {
		l := &b.Locations[i]
		field := fmt.Sprintf("backups.locations[%d]", i)
		switch {
		case !backupLocationName.MatchString(l.Name):
			return fmt.Errorf("%s.name: %.64q: want 1 to 40 of a-z, 0-9 and -", field, l.Name)
		case seen[l.Name]:
			return fmt.Errorf("%s.name: %q is listed twice", field, l.Name)
		case (l.Dir == "") == (l.S3 == nil):
			return fmt.Errorf("%s: set exactly one of dir and s3", field)
		}
		seen[l.Name] = true
		if err := l.make(field); err != nil {
			return err
		}
	}
	names := b.ClusterNames()
	type owner struct{ cluster, prefix string }
	owners := map[string][]owner{} // location → the clusters whose backups are written there
	for _, name := range names {
		field := fmt.Sprintf("backups.clusters.%.64s", name)
		if !configured(clusters, name) {
			return fmt.Errorf("%s: no cluster of that name in clusters", field)
		}
		targets := b.Clusters[name]
		if len(targets) == 0 {
			return fmt.Errorf("%s: must not be empty", field)
		}
		used := map[string]bool{}
		for i := range targets {
			t := &targets[i]
			tf := fmt.Sprintf("%s[%d]", field, i)
			l, ok := b.LocationByName(t.Location)
			switch {
			case !ok:
				return fmt.Errorf("%s.location: no location %.64q in backups.locations", tf, t.Location)
			case used[t.Location]:
				return fmt.Errorf("%s.location: %q is listed twice for this cluster", tf, t.Location)
			case len(name)+len(t.Location) > maxScheduleIDRoom:
				return fmt.Errorf("%s: the cluster's and the location's names are longer than %d bytes together, too long for the ids of their schedules", tf, maxScheduleIDRoom)
			}
			used[t.Location] = true
			if err := t.check(tf, name, l); err != nil {
				return err
			}
			if !l.External {
				for _, o := range owners[t.Location] {
					if p := t.NamePrefix(); strings.HasPrefix(p, o.prefix) || strings.HasPrefix(o.prefix, p) {
						return fmt.Errorf("%s.prefix: %q and cluster %s's %q in location %s: one starts with the other, so retention of one would delete the other's backups",
							tf, p, o.cluster, o.prefix, t.Location)
					}
				}
				owners[t.Location] = append(owners[t.Location], owner{name, t.NamePrefix()})
			}
		}
	}
	return nil
}

// make reads the files the location names and makes it.
func (l *BackupLocation) make(field string) error {
	l.Location, l.Recipients = nil, nil
	if l.Dir != "" {
		d, err := location.NewDir(l.Dir)
		if err != nil {
			return fmt.Errorf("%s.dir: %w", field, err)
		}
		l.Location = d
	} else {
		s := l.S3
		f := field + ".s3"
		if u, err := url.Parse(s.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return fmt.Errorf("%s.endpoint: want http(s)://host[:port] without credentials", f)
		}
		if s.Bucket == "" {
			return fmt.Errorf("%s.bucket: must not be empty", f)
		}
		if s.UploadConcurrency < 0 || s.UploadConcurrency > location.MaxUploadConcurrency {
			return fmt.Errorf("%s.upload_concurrency: %d: want 1 to %d", f, s.UploadConcurrency, location.MaxUploadConcurrency)
		}
		id, err := readSecretFile(f+".access_key_id_file", s.AccessKeyIDFile)
		if err != nil {
			return err
		}
		secret, err := readSecretFile(f+".secret_access_key_file", s.SecretAccessKeyFile)
		if err != nil {
			return err
		}
		loc, err := location.NewS3(location.S3Config{Endpoint: s.Endpoint, Region: s.Region, Bucket: s.Bucket, Prefix: s.Prefix,
			AccessKeyID: id, SecretAccessKey: secret, PathStyle: s.ForcePathStyle, UploadConcurrency: s.UploadConcurrency})
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		l.Location = loc
	}
	if l.Encryption == nil {
		return nil
	}
	f := field + ".encryption"
	if l.Encryption.RecipientsFile == "" {
		return fmt.Errorf("%s.recipients_file: must be set", f)
	}
	raw, err := os.ReadFile(l.Encryption.RecipientsFile)
	if err != nil {
		return fmt.Errorf("%s.recipients_file: %w", f, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			l.Recipients = append(l.Recipients, line)
		}
	}
	if len(l.Recipients) == 0 {
		return fmt.Errorf("%s.recipients_file %s: holds no recipient", f, l.Encryption.RecipientsFile)
	}
	// The engine loads the recipients and the identity (refusing one inside the location);
	// doing it now fails the load instead of the first job.
	if _, err := backup.New(backup.Config{Location: l.Location, Encryption: &backup.Encryption{Recipients: l.Recipients,
		IdentityFile: l.Encryption.IdentityFile}}); err != nil {
		return fmt.Errorf("%s.%s", f, strings.TrimPrefix(err.Error(), "encryption: "))
	}
	return nil
}

// readSecretFile reads a file holding one secret; errors name the field and the file, never
// what it holds.
func readSecretFile(field, path string) (string, error) {
	if path == "" {
		return "", fmt.Errorf("%s: must be set", field)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", field, err)
	}
	s := strings.TrimSpace(string(raw))
	if s == "" {
		return "", fmt.Errorf("%s %s: is empty", field, path)
	}
	return s, nil
}

// check applies the target's defaults and checks it against its location.
func (t *BackupTarget) check(field, cluster string, l BackupLocation) error {
	for _, s := range []struct{ name, expr string }{
		{"schedule", t.Schedule}, {"drill_schedule", t.DrillSchedule}, {"inspect_schedule", t.InspectSchedule},
	} {
		if s.expr == "" {
			continue
		}
		if _, err := jobs.CronPeriod(s.expr, ""); err != nil {
			return fmt.Errorf("%s.%s: %s", field, s.name, strings.TrimSuffix(err.Error(), ": invalid argument"))
		}
	}
	switch {
	case l.External && t.Schedule != "":
		return fmt.Errorf("%s.schedule: not allowed with external location %s (another tool fills it)", field, l.Name)
	case l.External && (t.Retention != BackupRetention{}):
		return fmt.Errorf("%s.retention: not allowed with external location %s (it is only watched)", field, l.Name)
	case l.External && t.MaxAge <= 0:
		return fmt.Errorf("%s.max_age: must be set for external location %s", field, l.Name)
	case !l.External && t.InspectSchedule != "":
		return fmt.Errorf("%s.inspect_schedule: only for an external location", field)
	case !l.External && t.Schedule == "" && t.MaxAge <= 0:
		return fmt.Errorf("%s.max_age: must be set when there is no schedule", field)
	case t.MaxAge < 0:
		return fmt.Errorf("%s.max_age: must not be negative", field)
	case t.Retention.Count < 0:
		return fmt.Errorf("%s.retention.count: must not be negative", field)
	case t.Retention.MaxAge < 0:
		return fmt.Errorf("%s.retention.max_age: must not be negative", field)
	}
	if t.Prefix == nil {
		p := cluster + "-"
		if l.External {
			p = ""
		}
		t.Prefix = &p
	}
	if !backupPrefix.MatchString(*t.Prefix) {
		return fmt.Errorf("%s.prefix: %.64q: want up to 128 of A-Z, a-z, 0-9, '.', '_' and '-'", field, *t.Prefix)
	}
	if !l.External && *t.Prefix == "" {
		return fmt.Errorf("%s.prefix: must not be empty for a location we write (retention deletes by it)", field)
	}
	if l.External && t.InspectSchedule == "" {
		t.InspectSchedule = DefaultBackupInspectSchedule
	}
	if t.MaxAge == 0 {
		period, _ := jobs.CronPeriod(t.Schedule, "")
		t.MaxAge = model.Duration(2*period + time.Hour)
	}
	return nil
}

// Schedules lists the configured schedules of the cluster's backups in this target's
// location, by kind: "backup", "backup-drill", "backup-inspect".
func (t BackupTarget) Schedules() map[string]string {
	out := map[string]string{}
	for kind, expr := range map[string]string{"backup": t.Schedule, "backup-drill": t.DrillSchedule, "backup-inspect": t.InspectSchedule} {
		if expr != "" {
			out[kind] = expr
		}
	}
	return out
}

// ClusterNames are the clusters with backups configured, sorted.
func (b BackupsConfig) ClusterNames() []string {
	out := make([]string, 0, len(b.Clusters))
	for name := range b.Clusters {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
