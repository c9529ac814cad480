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
