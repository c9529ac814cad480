package clusterconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v2"

	"github.com/etcd-monitor/etcd-monitor/internal/configtest"
)

type file struct {
	Clusters Clusters `yaml:"clusters"`
}

func TestConfigLoadsValidFileWithDefaults(t *testing.T) {
	var f file
	if err := DecodeFile("testdata/valid.yml", &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Clusters) != 2 {
		t.Fatalf("got %d clusters, want 2", len(f.Clusters))
	}
	prod, ok := f.Clusters.Get("prod")
	if !ok {
		t.Fatal("cluster prod not found")
	}
	if got := time.Duration(prod.RequestTimeout); got != 2*time.Second {
		t.Errorf("prod request_timeout = %s, want 2s", got)
	}
	if got := time.Duration(prod.DialTimeout); got != DefaultDialTimeout {
		t.Errorf("prod dial_timeout = %s, want default %s", got, DefaultDialTimeout)
	}
	dev, _ := f.Clusters.Get("dev")
	if got := time.Duration(dev.RequestTimeout); got != DefaultRequestTimeout {
		t.Errorf("dev request_timeout = %s, want default %s", got, DefaultRequestTimeout)
	}
	pw, err := prod.ReadPassword()
	if err != nil || pw != "hunter2-secret" {
		t.Errorf("ReadPassword = %q, %v", pw, err)
	}
	if len(prod.DiskAgents) != 0 || len(dev.DiskAgents) != 2 {
		t.Fatalf("disk agents: prod %d, dev %d, want 0 and 2", len(prod.DiskAgents), len(dev.DiskAgents))
	}
	a0, _ := dev.DiskAgent("infra0")
	a1, ok := dev.DiskAgent("infra1")
	if !ok || time.Duration(a0.Timeout) != DefaultDiskAgentTimeout || time.Duration(a1.Timeout) != 2*time.Minute {
		t.Errorf("disk agent timeouts %s and %s, want the default and 2m", a0.Timeout, a1.Timeout)
	}
	if a0.Auth() != "none" || a1.Auth() != "basic" {
		t.Errorf("disk agent auth %q and %q, want none and basic", a0.Auth(), a1.Auth())
	}
	if pw, err := a1.ReadPassword(); err != nil || pw != "hunter2-secret" {
		t.Errorf("disk agent ReadPassword = %q, %v", pw, err)
	}
	if _, ok := dev.DiskAgent("infra9"); ok {
		t.Error("an unconfigured member has a disk agent")
	}
}

// A disk agent URL that does not parse is refused without echoing it: it may hold a password.
func TestDiskAgentURLErrorsNeverEchoTheURL(t *testing.T) {
	a := DiskAgent{Member: "m", URL: "https://probe:s3cr3t%zz@127.0.0.1:9102", Timeout: 1}
	err := a.validate()
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.HasPrefix(err.Error(), "url: not a URL") {
		t.Fatalf("validate = %v: want a url error without the URL", err)
	}
	a = DiskAgent{Member: "m", URL: "https://127.0.0.1:9102", Username: "probe", PasswordFile: "testdata/no-such-file"}
	if _, err := a.ReadPassword(); err == nil || !strings.Contains(err.Error(), "password_file: testdata/no-such-file") {
		t.Fatalf("ReadPassword of a missing file: %v", err)
	}
}

// Each invalid file fails at load with its exact message, which names the field.
func TestConfigRejectsInvalidFiles(t *testing.T) {
	want := map[string]string{
		"invalid-endpoints-empty.yml":           "clusters[1].endpoints: must not be empty",
		"invalid-name-empty.yml":                "clusters[0].name: must not be empty",
		"invalid-name-duplicate.yml":            `clusters[1].name: "a" is already used by clusters[0]`,
		"invalid-endpoint-scheme.yml":           `clusters[0].endpoints[0]: scheme "ftp": must be http or https`,
		"invalid-endpoint-no-port.yml":          `clusters[0].endpoints[0]: "127.0.0.1": want host:port or http(s)://host:port`,
		"invalid-endpoint-duplicate.yml":        `clusters[0].endpoints[1]: duplicate endpoint "http://127.0.0.1:2379"`,
		"invalid-endpoint-credentials.yml":      "clusters[0].endpoints[0]: credentials in the URL are not allowed: use username and password_file",
		"invalid-unknown-field.yml":             "field passwrd_file not found",
		"invalid-password-two-sources.yml":      "clusters[0].password: set at most one of password, password_file and password_env",
		"invalid-password-without-username.yml": "clusters[0].username: must be set when a password is",
		"invalid-password-file-missing.yml":     "clusters[0].password_file: testdata/no-such-file: no such file or directory",
		"invalid-tls-cert-without-key.yml":      "clusters[0].tls: cert_file and key_file must be set together",
		"invalid-tls-ca-not-pem.yml":            "clusters[0].tls: ca_file: testdata/password: no PEM certificate found",
		"invalid-timeout-zero.yml":              "clusters[0].request_timeout: must be greater than 0",
		"invalid-timeout-bad.yml":               `not a valid duration string: "soon"`,

		"invalid-disk-agents-member-empty.yml":                   "clusters[0].disk_agents[0].member: must not be empty",
		"invalid-disk-agents-member-duplicate.yml":               `clusters[0].disk_agents[1].member: "infra0" already has an agent in disk_agents[0]`,
		"invalid-disk-agents-url-empty.yml":                      "clusters[0].disk_agents[0].url: must not be empty",
		"invalid-disk-agents-url-scheme.yml":                     `clusters[0].disk_agents[0].url: scheme "ftp": must be http or https`,
		"invalid-disk-agents-url-credentials.yml":                "clusters[0].disk_agents[0].url: credentials in the URL are not allowed: use username and password_file",
		"invalid-disk-agents-url-path.yml":                       `clusters[0].disk_agents[0].url: path "/probe": an agent's URL has no path`,
		"invalid-disk-agents-url-no-host.yml":                    `clusters[0].disk_agents[0].url: "https://:9102": want http(s)://host:port`,
		"invalid-disk-agents-password-inline.yml":                "field password not found",
		"invalid-disk-agents-password-file-required.yml":         "clusters[0].disk_agents[0].password_file: must be set when username is (the password is never inline)",
		"invalid-disk-agents-password-file-without-username.yml": "clusters[0].disk_agents[0].username: must be set when password_file is",
		"invalid-disk-agents-password-file-missing.yml":          "clusters[0].disk_agents[0].password_file: testdata/no-such-file: no such file or directory",
		"invalid-disk-agents-tls-cert-without-key.yml":           "clusters[0].disk_agents[0].tls: cert_file and key_file must be set together",
		"invalid-disk-agents-tls-ca-not-pem.yml":                 "clusters[0].disk_agents[0].tls: ca_file: testdata/password: no PEM certificate found",
		"invalid-disk-agents-tls-on-http.yml":                    "clusters[0].disk_agents[0].tls: set for an http URL: use https",
		"invalid-disk-agents-timeout-zero.yml":                   "clusters[0].disk_agents[1].timeout: must be greater than 0",
		"invalid-disk-agents-unknown-field.yml":                  "field dir not found",
	}
	configtest.CheckInvalidFiles(t, "testdata/invalid-*.yml", want, func(path string) error {
		var f file
		return DecodeFile(path, &f)
	})
}

func TestPasswordNeverInMarshalledConfigOrErrors(t *testing.T) {
	const secret = "s3cr3t-inline-password"
	c := Cluster{Name: "a", Endpoints: []string{"http://127.0.0.1:2379"}, Username: "u", Password: "s3cr3t-inline-password",
		DialTimeout: 1, RequestTimeout: 1}
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), secret) {
		t.Fatalf("marshalled config shows the password:\n%s", out)
	}
	// A password file that exists but cannot be parsed as a CA must not leak its content.
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	c.Password = ""
	c.TLS.CAFile = pwFile
	if err := c.Validate(); err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("validate error %v: want an error without the file's content", err)
	}
}

func TestPasswordFromEnvironment(t *testing.T) {
	t.Setenv("ETCDMON_TEST_PW", "from-env")
	c := Cluster{Username: "u", PasswordEnv: "ETCDMON_TEST_PW"}
	if pw, err := c.ReadPassword(); err != nil || pw != "from-env" {
		t.Fatalf("ReadPassword = %q, %v", pw, err)
	}
	c.PasswordEnv = "ETCDMON_TEST_UNSET"
	if _, err := c.ReadPassword(); err == nil || !strings.Contains(err.Error(), "ETCDMON_TEST_UNSET is not set") {
		t.Fatalf("unset variable: %v", err)
	}
}

// Auth names how an agent is reached: a client certificate wins over basic auth.
func TestDiskAgentAuthNamesTheMethod(t *testing.T) {
	for want, a := range map[string]DiskAgent{
		"mtls":  {TLS: TLS{CertFile: "c", KeyFile: "k"}, Username: "probe"},
		"basic": {Username: "probe", PasswordFile: "p"},
		"none":  {TLS: TLS{CAFile: "ca"}},
	} {
		if got := a.Auth(); got != want {
			t.Errorf("%+v: auth %q, want %q", a, got, want)
		}
	}
}
