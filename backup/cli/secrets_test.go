package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// A location that cannot be reached: the error names it, never its S3 keys.
func TestS3KeysNeverShowWhenTheLocationIsUnreachable(t *testing.T) {
	dir := t.TempDir()
	const id, secret = "AKIAEXAMPLEKEYID0001", "s3cr3t-Never-Print-Me-0123456789"
	writeFile(t, filepath.Join(dir, "id"), id+"\n")
	writeFile(t, filepath.Join(dir, "secret"), secret+"\n")
	// A port nothing listens on.
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", etcdtest.FreePort(t))
	config := filepath.Join(dir, "opsproxy.yml")
	writeFile(t, config, fmt.Sprintf(`clusters:
  - name: prod
    endpoints: [http://127.0.0.1:2379]
backups:
  scratch_dir: %s
  locations:
    - name: bucket
      s3: {endpoint: %q, bucket: etcd, prefix: prod/, access_key_id_file: %s, secret_access_key_file: %s, force_path_style: true}
`, filepath.Join(dir, "scratch"), endpoint, filepath.Join(dir, "id"), filepath.Join(dir, "secret")))
	for _, args := range [][]string{
		{"list", "--location", "bucket"},
		{"verify", "--location", "bucket", "prod-x.db"},
		{"download", "--location", "bucket", "prod-x.db", "--out", filepath.Join(dir, "out.db")},
		{"recover", "--location", "bucket", "prod-x.db", "--token", "t", "--member", "name=a,peer-urls=http://10.0.0.1:2380,data-dir=" + filepath.Join(dir, "a")},
	} {
		for _, format := range []string{"text", "json"} {
			t.Run(args[0]+"/"+format, func(t *testing.T) {
				r := run(t, append([]string{"--config.file", config, "-w", format}, args...)...)
				if r.code != 1 || !strings.Contains(r.stderr, "s3://etcd/prod/") {
					t.Fatalf("want exit 1 naming the location:\n%s", r)
				}
				noSecret(t, r, id, secret)
			})
		}
	}
}

// An identity that does not open the backups: the error says so, without either key.
func TestAWrongAgeIdentityNeverShows(t *testing.T) {
	f := newFixture(t, true)
	f.fill(t, 5)
	rec := f.backup(t)
	wrong, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	// The configuration's identity file now holds another key.
	raw, err := os.ReadFile(f.config)
	if err != nil {
		t.Fatal(err)
	}
	idFile := regexp.MustCompile(`identity_file: ([^}]+)}`).FindSubmatch(raw)[1]
	writeFile(t, string(idFile), wrong.String()+"\n")
	for _, args := range [][]string{
		{"verify", "--location", "local", rec.Name},
		{"download", "--location", "local", rec.Name, "--out", filepath.Join(t.TempDir(), "out.db")},
	} {
		for _, format := range []string{"text", "json"} {
			r := run(t, append([]string{"--config.file", f.config, "--write-out", format}, args...)...)
			if r.code != 1 || !strings.Contains(r.stderr, rec.Name) {
				t.Fatalf("%s -w %s: want exit 1 naming the backup:\n%s", args[0], format, r)
			}
			noSecret(t, r, f.identity, wrong.String())
		}
	}
}
