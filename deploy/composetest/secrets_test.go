package composetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
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
		// Every secret path of the service is replaced by the file init-secrets.sh wrote: a path
		// the configuration names that is no secret of the service stays as it was.
		cfg, files := opsproxyConfig(t, p, name)
		has := map[string]bool{}
		for _, f := range files {
			has[f] = true
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
		// The disk agents' password: the file of the secret init-secrets.sh writes for the
		// agents' --probe.user (diskagents_test.go checks the user and the agents' web config).
		for _, c := range cfg.Clusters {
			for i, a := range c.DiskAgents {
				if !has[a.PasswordFile] || filepath.Base(a.PasswordFile) != "diskprobe-"+a.Username+"-password" {
					t.Errorf("%s: disk_agents[%d].password_file: want the secret diskprobe-%s-password of the service", name, i, a.Username)
				}
			}
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
	cfg, _ := opsproxyConfig(t, p, "opsproxy")
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

// The agents' web configuration holds the hashes of the diskprobe passwords beside it (the
// smoke test logs in with each): a second run keeps it, and a run after one password file was
// replaced refuses to go on with hashes that no longer match, naming the file to delete.
func TestInitSecretsKeepsTheDiskprobeWebConfigOnlyWhileItMatches(t *testing.T) {
	dir := t.TempDir()
	runInitSecrets(t, dir)
	web := filepath.Join(dir, "diskprobe-web.yml")
	before, err := os.ReadFile(web)
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"opsproxy", "prometheus", "healthcheck"} {
		if !regexp.MustCompile(`(?m)^  ` + user + `: '\$2[aby]\$10\$[./A-Za-z0-9]{53}'$`).Match(before) {
			t.Errorf("diskprobe-web.yml has no bcrypt hash for %s:\n%s", user, before)
		}
	}
	runInitSecrets(t, dir)
	if after, _ := os.ReadFile(web); string(after) != string(before) {
		t.Errorf("a second run changed diskprobe-web.yml")
	}
	if err := os.Remove(filepath.Join(dir, "diskprobe-prometheus-password")); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("bash", filepath.Join(root, "deploy", "compose", "init-secrets.sh"), dir).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "has no hash of diskprobe-prometheus-password") || !strings.Contains(string(out), "delete "+web) {
		t.Errorf("a run after a password file was replaced: %v\n%s", err, out)
	}
	if after, _ := os.ReadFile(web); string(after) != string(before) {
		t.Errorf("the refused run changed diskprobe-web.yml")
	}
}
