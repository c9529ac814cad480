package ui

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

const indexHTML = `<!doctype html><html><head><script defer src="/ui/static/main.0123abcd.js"></script></head><body><div id="root"></div></body></html>`

// bundle is a console bundle as `make console` writes it.
func bundle() fstest.MapFS {
	return fstest.MapFS{
		"index.html":               {Data: []byte(indexHTML)},
		"static/main.0123abcd.js":  {Data: []byte("console.log('console');")},
		"static/img/logo.5e6f.svg": {Data: []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")},
		"robots.txt":               {Data: []byte("User-agent: *\nDisallow: /\n")},
		".gitkeep":                 {Data: []byte("")},
	}
}

// serve starts files on a loopback server behind a ServeMux, as opsproxy registers it.
func serve(t *testing.T, files fstest.MapFS) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET "+Prefix, New(files))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts.URL
}

type answer struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, url string) answer {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": ContentSecurityPolicy,
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
}

func TestEveryConsoleAnswerCarriesTheStrictHeaders(t *testing.T) {
	url := serve(t, bundle())
	for _, path := range []string{"/ui/", "/ui/cluster", "/ui/static/main.0123abcd.js", "/ui/static/missing.js", "/ui/robots.txt"} {
		checkSecurityHeaders(t, path, get(t, url+path).header)
	}
	checkSecurityHeaders(t, "not built", get(t, serve(t, fstest.MapFS{".gitkeep": {}})+"/ui/").header)
}

func TestContentSecurityPolicyAllowsNoInlineScriptAndNoFraming(t *testing.T) {
	directives := map[string]string{}
	for _, d := range strings.Split(ContentSecurityPolicy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	if directives["script-src"] != "'self'" {
		t.Errorf("script-src %q, want 'self' only", directives["script-src"])
	}
	if directives["default-src"] != "'self'" {
		t.Errorf("default-src %q, want 'self'", directives["default-src"])
	}
	if directives["frame-ancestors"] != "'none'" {
		t.Errorf("frame-ancestors %q, want 'none'", directives["frame-ancestors"])
	}
	if directives["object-src"] != "'none'" {
		t.Errorf("object-src %q, want 'none'", directives["object-src"])
	}
}

func TestClientRoutesAnswerIndexHTMLRevalidatedOnEveryLoad(t *testing.T) {
	url := serve(t, bundle())
	for _, path := range []string{"/ui/", "/ui/index.html", "/ui/overview", "/ui/cluster?cluster=c1", "/ui/audit/deeper/route", "/ui/.gitkeep"} {
		a := get(t, url+path)
		if a.status != 200 || a.body != indexHTML {
			t.Errorf("%s: %d %q, want index.html", path, a.status, a.body)
		}
		if cc := a.header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", path, cc)
		}
		if ct := a.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
	}
}

func TestHashedAssetsAreImmutableAndOtherFilesRevalidated(t *testing.T) {
	url := serve(t, bundle())
	cases := []struct{ path, body, contentType, cache string }{
		{"/ui/static/main.0123abcd.js", "console.log('console');", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/ui/static/img/logo.5e6f.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", "public, max-age=31536000, immutable"},
		{"/ui/robots.txt", "User-agent: *\nDisallow: /\n", "text/plain; charset=utf-8", "no-cache"},
	}
	for _, c := range cases {
		a := get(t, url+c.path)
		if a.status != 200 || a.body != c.body {
			t.Errorf("%s: %d %q", c.path, a.status, a.body)
		}
		if ct := a.header.Get("Content-Type"); ct != c.contentType {
			t.Errorf("%s: Content-Type %q, want %q", c.path, ct, c.contentType)
		}
		if cc := a.header.Get("Cache-Control"); cc != c.cache {
			t.Errorf("%s: Cache-Control %q, want %q", c.path, cc, c.cache)
		}
	}
}

func TestMissingAssetsAndDirectoriesAre404WithoutAListing(t *testing.T) {
	url := serve(t, bundle())
	for _, path := range []string{"/ui/static/", "/ui/static/img/", "/ui/static/img", "/ui/static/missing.0000.js"} {
		a := get(t, url+path)
		if a.status != 404 {
			t.Errorf("%s: %d, want 404", path, a.status)
		}
		if strings.Contains(a.body, "main.0123abcd.js") || strings.Contains(a.body, "logo.5e6f.svg") {
			t.Errorf("%s lists the directory: %s", path, a.body)
		}
		if !strings.Contains(a.body, `"error":"no such file: `) {
			t.Errorf("%s: want a JSON error, got %s", path, a.body)
		}
	}
}

// rawGet sends path as it is (no client-side cleaning) and returns the status line and body.
func rawGet(t *testing.T, base, path string) (string, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.Status, string(body)
}

func TestPathTraversalReachesNothingOutsideTheBundle(t *testing.T) {
	url := serve(t, bundle())
	for _, path := range []string{
		"/ui/../../../../etc/passwd",
		"/ui/static/../../../etc/passwd",
		"/ui/static/..%2f..%2f..%2fetc%2fpasswd",
		"/ui/static/%2e%2e/%2e%2e/etc/passwd",
		"/ui/..%5c..%5cetc%5cpasswd",
		"/ui/static/main.0123abcd.js/../../../handler.go",
	} {
		status, body := rawGet(t, url, path)
		if strings.Contains(body, "root:") || strings.Contains(body, "package ui") {
			t.Errorf("%s: %s answers a file outside the bundle", path, status)
		}
		if strings.HasPrefix(status, "200") && body != indexHTML {
			t.Errorf("%s: %s %q", path, status, body)
		}
	}
}

func TestWithoutABundleTheConsoleSaysHowToBuildIt(t *testing.T) {
	url := serve(t, fstest.MapFS{".gitkeep": {}})
	for _, path := range []string{"/ui/", "/ui/cluster", "/ui/static/main.js"} {
		a := get(t, url+path)
		if a.status != http.StatusServiceUnavailable {
			t.Errorf("%s: %d, want 503", path, a.status)
		}
		if !strings.Contains(a.body, "make console") {
			t.Errorf("%s: %q does not say how to build the console", path, a.body)
		}
		if strings.Contains(a.body, "<script") || strings.Contains(a.body, "style") {
			t.Errorf("%s: the page needs no script or style: %s", path, a.body)
		}
	}
}

func TestTheUIPathWithoutSlashRedirectsToTheConsole(t *testing.T) {
	url := serve(t, bundle())
	a := get(t, url+"/ui")
	if a.status/100 != 3 || a.header.Get("Location") != "/ui/" {
		t.Errorf("/ui: %d Location %q", a.status, a.header.Get("Location"))
	}
}
