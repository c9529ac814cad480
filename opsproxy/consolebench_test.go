package opsproxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkConsoleGet compares a console get with the REST GET of the same key on the same
// server (viewer token, audit to PostgreSQL, the shared one-member cluster), one request at a
// time over a kept-alive HTTP/1.1 connection: sub-benchmarks rest and console. The goal
// is console ≤ rest + 1 ms per round trip.
func BenchmarkConsoleGet(b *testing.B) {
	e := newEnv(b, envOptions{store: postgresStore})
	viewer := e.token(b, TokenSpec{Name: "bench-viewer", Role: "viewer"})
	key := uniquePrefix(b) + "k"
	cli, err := e.etcd.Client()
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	if _, err := cli.Put(context.Background(), key, strings.Repeat("v", 256)); err != nil {
		b.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	do := func(b *testing.B, method, path, body string) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, e.url+path, rd)
		req.Header.Set("Authorization", "Bearer "+viewer)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
	}
	rest := "/api/v1/clusters/c1/keys?key=" + url.QueryEscape(key)
	line := fmt.Sprintf(`{"line": %q}`, "get "+key)
	b.Run("rest", func(b *testing.B) {
		for b.Loop() {
			do(b, http.MethodGet, rest, "")
		}
	})
	b.Run("console", func(b *testing.B) {
		for b.Loop() {
			do(b, http.MethodPost, "/api/v1/clusters/c1/console", line)
		}
	})
}

// BenchmarkConsoleCheckPerfEnqueue compares `check perf` in the console with the same benchmark
// job enqueued through POST /api/v1/jobs (admin token, bbolt store, no worker: the jobs stay
// queued), one request at a time: sub-benchmarks jobs_api and console. Both commit the audit
// attempt and the job record; the console adds its parse and plan.
func BenchmarkConsoleCheckPerfEnqueue(b *testing.B) {
	e := newEnv(b, envOptions{extra: "queue:\n  workers: 0\nlimits:\n  rate:\n    per_user: 0\n"})
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	post := func(b *testing.B, path, body string) {
		req, _ := http.NewRequest(http.MethodPost, e.url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.admin)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
			b.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
		}
	}
	b.Run("jobs_api", func(b *testing.B) {
		for b.Loop() {
			post(b, "/api/v1/jobs", `{"kind":"benchmark","cluster":"c1","parameters":{"profile":"s"}}`)
		}
	})
	b.Run("console", func(b *testing.B) {
		for b.Loop() {
			post(b, "/api/v1/clusters/c1/console", `{"line":"check perf"}`)
		}
	})
}
