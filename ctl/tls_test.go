package ctl

import (
	"context"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClientChecksOpsproxysCertificateAgainstTheGivenCA(t *testing.T) {
	p := startProxy(t, nil)
	ts := httptest.NewTLSServer(p.srv.Handler())
	t.Cleanup(ts.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cfg  Config
		code int
		want string
	}{
		{"the CA given", Config{URL: ts.URL, Token: p.admin, CACert: ca}, 0, ""},
		{"no CA: the system's do not know it", Config{URL: ts.URL, Token: p.admin}, ExitConnection, "certificate signed by unknown authority"},
		{"no check asked for", Config{URL: ts.URL, Token: p.admin, InsecureSkipTLSVerify: true}, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Clusters(context.Background())
			if ExitCodeOf(err) != tc.code || err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v (exit %d), want exit %d and %q", err, ExitCodeOf(err), tc.code, tc.want)
			}
		})
	}
}
