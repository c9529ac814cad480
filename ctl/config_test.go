package ctl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secretToken = "emt_do-not-print-me-0123456789"

func TestClientNamesTheSettingAtFaultAndNeverTheToken(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("token", secretToken+"\n")
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no URL", Config{Token: secretToken}, "set --url or ETCD_MONITOR_URL"},
		{"no token", Config{URL: "http://127.0.0.1:9980"}, "no token: set --token-file (or ETCD_MONITOR_TOKEN_FILE) or ETCD_MONITOR_TOKEN"},
		{"missing token file", Config{URL: "http://127.0.0.1:9980", TokenFile: filepath.Join(dir, "nope")}, "--token-file: stat " + filepath.Join(dir, "nope") + ": no such file"},
		{"empty token file", Config{URL: "http://127.0.0.1:9980", TokenFile: write("empty", "\n")}, "--token-file: " + filepath.Join(dir, "empty") + " is empty"},
		{"token file that is something else", Config{URL: "http://127.0.0.1:9980", TokenFile: write("big", strings.Repeat(secretToken, 200))}, "too large for a token"},
		{"token with a space", Config{URL: "http://127.0.0.1:9980", Token: secretToken + " x"}, "ETCD_MONITOR_TOKEN: the token holds a space"},
		{"URL with credentials", Config{URL: "http://admin:" + secretToken + "@127.0.0.1:9980", TokenFile: good}, "--url: must not hold credentials"},
		{"URL without scheme", Config{URL: "127.0.0.1:9980", TokenFile: good}, "--url: want http(s)://host[:port]"},
		{"cert without key", Config{URL: "https://127.0.0.1:9980", TokenFile: good, Cert: good}, "--key: required with --cert"},
		{"CA file without a certificate", Config{URL: "https://127.0.0.1:9980", TokenFile: good, CACert: good}, "--cacert: no PEM certificate in " + good},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secretToken) {
				t.Fatalf("the error shows the token: %v", err)
			}
		})
	}
	c, err := NewClient(Config{URL: "http://127.0.0.1:9980/", TokenFile: good})
	if err != nil || c.token != secretToken || c.base.String() != "http://127.0.0.1:9980" {
		t.Fatalf("client from a token file: %+v %v", c, err)
	}
}
