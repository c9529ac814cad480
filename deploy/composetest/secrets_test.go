package composetest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// secretish names environment variables that would carry a secret as a value.
var secretish = regexp.MustCompile(`(?i)(PASSWORD|PASSWD|TOKEN|SECRET|_KEY|APIKEY|CREDENTIAL)`)

func TestNoSecretIsInlineInTheComposeFile(t *testing.T) {
	p := loadProject(t)
	for name, s := range p.Services {
		for k, v := range s.Environment {
			if !secretish.MatchString(k) {
				continue
			}
			if !strings.HasSuffix(k, "_FILE") || v == nil || !strings.HasPrefix(*v, "/run/secrets/") {
				t.Errorf("service %s: environment %s carries a secret: want %s_FILE (or __FILE) naming /run/secrets/…", name, k, k)
			}
		}
		for _, c := range s.Command {
			if strings.HasPrefix(c, "--initial-cluster-token=") {
				continue // etcd's name for the cluster's identity, not a credential
			}
			for _, bad := range []string{"password", "token=", "secret="} {
				if strings.Contains(strings.ToLower(c), bad) && !strings.Contains(c, "_file") && !strings.Contains(c, "-file") {
					t.Errorf("service %s: command argument %q looks like a secret", name, c)
				}
			}
		}
	}
}

func TestOpsproxyConfigReadsItsSecretsFromTheSecretFiles(t *testing.T) {
	p := loadProject(t)
	for _, name := range []string{"opsproxy", "worker"} {
		s := service(t, p, name)
		file, _ := flagValue(s.Command, "config.file")
		cfg, err := opsproxy.LoadConfig(hostPath(s, file))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		has := map[string]bool{}
		for _, sec := range s.Secrets {
			has[secretTarget(sec)] = true
		}
		if f := cfg.Auth.BootstrapTokenFile; !has[f] {
			t.Errorf("%s: auth.bootstrap_token_file %s is no secret of the service", name, f)
		}
		pc, err := pgconn.ParseConfig(cfg.Store.DSN)
		if err != nil {
			t.Fatalf("%s: store.dsn: %v", name, err)
		}
		if strings.Contains(cfg.Store.DSN, ":"+pc.Password+"@") && pc.Password != "" {
			t.Errorf("%s: store.dsn carries the password", name)
		}
		m := regexp.MustCompile(`passfile=([^&]+)`).FindStringSubmatch(cfg.Store.DSN)
		if m == nil || !has[m[1]] {
			t.Errorf("%s: store.dsn must read the password from a passfile that is a secret of the service", name)
		}
		if strings.Contains(cfg.Queue.RedisURL, "@") {
			t.Errorf("%s: queue.redis_url carries credentials", name)
		}
	}
}

// The passfile init-secrets.sh writes gives pgx the password the TimescaleDB container is
// initialised with, for the DSN opsproxy.yml has.
func TestInitSecretsPgpassGivesTheDatabasePassword(t *testing.T) {
	p := loadProject(t)
	dir := t.TempDir()
	runInitSecrets(t, dir)
	before, _ := os.ReadFile(filepath.Join(dir, "postgres-password"))
	runInitSecrets(t, dir) // again: keeps what exists
	after, _ := os.ReadFile(filepath.Join(dir, "postgres-password"))
	if string(before) != string(after) || len(strings.TrimSpace(string(after))) < 32 {
		t.Fatalf("postgres-password changed on the second run or is short")
	}
	s := service(t, p, "opsproxy")
	file, _ := flagValue(s.Command, "config.file")
	cfg, err := opsproxy.LoadConfig(hostPath(s, file))
	if err != nil {
		t.Fatal(err)
	}
	pass := filepath.Join(dir, "opsproxy-pgpass")
	dsn := regexp.MustCompile(`passfile=[^&]+`).ReplaceAllString(cfg.Store.DSN, "passfile="+pass)
	pc, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if pc.Password != strings.TrimSpace(string(after)) {
		t.Errorf("the passfile does not give the password of postgres-password for %s@%s:%d/%s", pc.User, pc.Host, pc.Port, pc.Database)
	}
	db := service(t, p, "timescaledb")
	if u := db.Environment["POSTGRES_USER"]; u == nil || *u != pc.User {
		t.Errorf("timescaledb POSTGRES_USER %v, the DSN's user is %s", u, pc.User)
	}
	if d := db.Environment["POSTGRES_DB"]; d == nil || *d != pc.Database {
		t.Errorf("timescaledb POSTGRES_DB %v, the DSN's database is %s", d, pc.Database)
	}
	if pc.Host != "timescaledb" || pc.Port != 5432 {
		t.Errorf("the DSN names %s:%d, want timescaledb:5432", pc.Host, pc.Port)
	}
	if pw := db.Environment["POSTGRES_PASSWORD_FILE"]; pw == nil || !strings.HasSuffix(*pw, "/postgres_password") {
		t.Errorf("timescaledb POSTGRES_PASSWORD_FILE %v, want the postgres_password secret", pw)
	}
	// Secret files are readable by the containers' users, the directory by its owner only.
	for _, f := range []string{"opsproxy-pgpass", "opsproxy-admin-token", "grafana-service-token"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v (%v), want 0644", f, fi.Mode().Perm(), err)
		}
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("secrets directory mode %v, want 0700", fi.Mode().Perm())
	}
}
