package healthcheck

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckExitCodes(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/-/healthy" {
			http.Error(w, "wrong request", http.StatusBadRequest)
			return
		}
		_, _ = w.Write([]byte("Healthy\n"))
	}))
	defer ok.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "store down", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	redirect := httptest.NewServer(http.RedirectHandler(ok.URL+"/-/healthy", http.StatusFound))
	defer redirect.Close()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	// A port nothing listens on: listen, note the address, close.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := l.Addr().String()
	l.Close()

	for _, tc := range []struct {
		name    string
		url     string
		timeout time.Duration
		want    int
		say     string
	}{
		{"HealthyOn2xx", ok.URL + "/-/healthy", 5 * time.Second, ExitHealthy, "200 OK"},
		{"UnhealthyOn503QuotesBody", down.URL + "/-/healthy", 5 * time.Second, ExitUnhealthy, "store down"},
		{"UnhealthyOnRedirect", redirect.URL + "/-/healthy", 5 * time.Second, ExitUnhealthy, "302"},
		{"UnhealthyWhenNothingListens", "http://" + closedAddr + "/-/healthy", 5 * time.Second, ExitUnhealthy, "refused"},
		{"UnhealthyOnTimeout", slow.URL + "/-/healthy", 200 * time.Millisecond, ExitUnhealthy, "deadline"},
		{"BadInputOnEmptyURL", "", 5 * time.Second, ExitBadInput, "url: must not be empty"},
		{"BadInputOnOtherScheme", "ftp://127.0.0.1/x", 5 * time.Second, ExitBadInput, "want http:// or https://"},
		{"BadInputOnNoHost", "http:///-/healthy", 5 * time.Second, ExitBadInput, "no host"},
		{"BadInputOnUnparsableURL", "http://[::1", 5 * time.Second, ExitBadInput, "url:"},
		{"BadInputOnZeroTimeout", ok.URL, 0, ExitBadInput, "--timeout: must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if got := Check(context.Background(), tc.url, Options{Timeout: tc.timeout}, &out); got != tc.want {
				t.Fatalf("exit %d, want %d; output %q", got, tc.want, out.String())
			}
			if !strings.Contains(out.String(), tc.say) {
				t.Fatalf("output %q does not say %q", out.String(), tc.say)
			}
		})
	}
}

func TestCheckNeverPrintsThePassword(t *testing.T) {
	const secret = "s3cr3t-pa55word"
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer down.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := l.Addr().String()
	l.Close()
	for _, raw := range []string{
		strings.Replace(down.URL, "http://", "http://probe:"+secret+"@", 1) + "/-/healthy",
		"http://probe:" + secret + "@" + closedAddr + "/-/healthy",
		"ftp://probe:" + secret + "@host/x",
		"http://probe:" + secret + "@[::1",
	} {
		var out bytes.Buffer
		if code := Check(context.Background(), raw, Options{Timeout: time.Second}, &out); code == ExitHealthy {
			t.Fatalf("%q: healthy", out.String())
		}
		if strings.Contains(out.String(), secret) {
			t.Fatalf("output shows the password: %q", out.String())
		}
	}
}

// A server whose web config authenticates every request (the diskprobe agent's) is healthy to
// a check with its basic auth user, the password read from a file as compose secrets are.
func TestCheckSendsBasicAuthFromThePasswordFile(t *testing.T) {
	const secret = "s3cr3t-pa55word"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "healthcheck" || p != secret {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"status": "ok"}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	right := filepath.Join(dir, "right")
	wrong := filepath.Join(dir, "wrong")
	if err := os.WriteFile(right, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wrong, []byte("not-"+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	withUser := strings.Replace(srv.URL, "http://", "http://healthcheck:"+secret+"@", 1)
	for _, tc := range []struct {
		name string
		url  string
		opts Options
		want int
		say  string
	}{
		{"HealthyWithTheRightPassword", srv.URL, Options{Username: "healthcheck", PasswordFile: right}, ExitHealthy, "200 OK"},
		{"UnhealthyWithoutCredentials", srv.URL, Options{}, ExitUnhealthy, "401"},
		{"UnhealthyWithAWrongPassword", srv.URL, Options{Username: "healthcheck", PasswordFile: wrong}, ExitUnhealthy, "401"},
		{"BadInputOnAMissingPasswordFile", srv.URL, Options{Username: "healthcheck", PasswordFile: filepath.Join(dir, "nope")},
			ExitBadInput, "--basic-auth.password-file: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"BadInputOnAUserWithoutPasswordFile", srv.URL, Options{Username: "healthcheck"},
			ExitBadInput, "--basic-auth.password-file: must be set when --basic-auth.username is"},
		{"BadInputOnAPasswordFileWithoutUser", srv.URL, Options{PasswordFile: right},
			ExitBadInput, "--basic-auth.username: must be set when --basic-auth.password-file is"},
		{"BadInputOnCredentialsTwice", withUser, Options{Username: "healthcheck", PasswordFile: right},
			ExitBadInput, "the URL carries credentials already"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Timeout = 5 * time.Second
			var out bytes.Buffer
			if got := Check(context.Background(), tc.url, tc.opts, &out); got != tc.want {
				t.Fatalf("exit %d, want %d; output %q", got, tc.want, out.String())
			}
			if !strings.Contains(out.String(), tc.say) {
				t.Fatalf("output %q does not say %q", out.String(), tc.say)
			}
			if strings.Contains(out.String(), secret) {
				t.Fatalf("output shows the password: %q", out.String())
			}
		})
	}
}
