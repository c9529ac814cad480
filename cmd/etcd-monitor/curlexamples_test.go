package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every curl example the README shows for opsproxy, and every one `make demo` prints, works as
// printed: run with real curl against the demo's opsproxy, each answers 2xx (or the answer its
// comment promises). Only what cannot be known in advance is filled in: the cluster name
// ("prod" is the demo's "demo"), and the <placeholders> the README leaves to the reader.
func TestCurlExamplesOfTheReadmeAndTheDemoWork(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatalf("curl is needed (make test installs it): %v", err)
	}
	out, api, token := startDemo(t)

	demoLines := curlLines(t, out[strings.Index(out, "try opsproxy:"):])
	if len(demoLines) < 4 {
		t.Fatalf("demo printed %d curl examples:\n%s", len(demoLines), out)
	}
	env := []string{"TOKEN=" + token}
	for _, line := range demoLines {
		for _, code := range runCurl(t, line, env) {
			if code/100 != 2 {
				t.Errorf("demo example answered %d: %s", code, line)
			}
		}
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := readmeBlock(t, string(readme), "API=http://localhost:9980/api/v1")
	env = []string{"API=" + api, "H=Authorization: Bearer " + token, "J=Content-Type: application/json"}
	// What a line's comment promises instead of 2xx, given the demo cluster: a CAS on a revision
	// that is not the key's, promoting a learner that never started, compacting a young
	// cluster, and defragmenting beside that learner (unhealthy: it never started).
	promised := map[string]int{"/keys/cas": 409, "/promote": 409, "/compact": 409, "/defragment": 409}
	ran := 0
	for _, line := range curlLines(t, block) {
		line = strings.ReplaceAll(line, "/clusters/prod/", "/clusters/demo/")
		line = fillPlaceholders(t, line, api, token)
		codes := runCurl(t, line, env)
		ran += len(codes)
		for _, code := range codes {
			want := 2
			for k, v := range promised {
				if strings.Contains(line, k) {
					want = v
				}
			}
			if code != want && !(want == 2 && code/100 == 2) {
				t.Errorf("README example answered %d (want %v): %s", code, want, line)
			}
		}
	}
	if ran < 20 {
		t.Fatalf("ran %d README curl commands; the block changed?\n%s", ran, block)
	}
}

// startDemo runs the demo (one member) until the test ends and returns what it printed up to
// "Press Ctrl-C", opsproxy's API address and the admin token it printed.
func startDemo(t *testing.T) (out, api, token string) {
	t.Helper()
	d := &demoCommand{listen: freeAddr(t), opsListen: freeAddr(t), members: 1, dataDir: t.TempDir(), sampleRows: 1}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.run(ctx, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo: %v", err)
		}
		os.Stdout = stdout
		w.Close()
	})
	var b strings.Builder
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	go func() { // keep draining after the banner, so the demo never blocks on a full pipe
		<-ctx.Done()
		_, _ = io.Copy(io.Discard, r)
	}()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("demo ended early:\n%s", b.String())
			}
			b.WriteString(l + "\n")
			if strings.Contains(l, "Press Ctrl-C to stop.") {
				out = b.String()
				token = regexp.MustCompile(`export TOKEN=(\S+)`).FindStringSubmatch(out)[1]
				return out, "http://" + d.opsListen + "/api/v1", token
			}
		case <-timeout:
			t.Fatalf("demo did not get ready:\n%s", b.String())
		}
	}
}

// curlLines returns the curl command lines of text (continuations joined).
func curlLines(t *testing.T, text string) []string {
	t.Helper()
	text = strings.ReplaceAll(text, "\\\n", " ")
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l, _, _ = strings.Cut(l, "   # ") // the README's comments
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "curl ") {
			out = append(out, l)
		}
	}
	return out
}

// readmeBlock returns the fenced code block of the README that contains marker.
func readmeBlock(t *testing.T, readme, marker string) string {
	t.Helper()
	i := strings.Index(readme, marker)
	if i < 0 {
		t.Fatalf("README has no block with %q", marker)
	}
	start := strings.LastIndex(readme[:i], "```")
	end := strings.Index(readme[i:], "```")
	return readme[start : i+end]
}

// fillPlaceholders puts real values where the README says <…>: a token id, a learner's id and
// a request id, each made for the purpose.
func fillPlaceholders(t *testing.T, line, api, token string) string {
	t.Helper()
	get := func(method, path, body string) map[string]any {
		args := []string{"-s", "-X", method, "-H", "Authorization: Bearer " + token, "-H", "Content-Type: application/json", api + path}
		if body != "" {
			args = append(args, "-d", body)
		}
		b, err := exec.Command("curl", args...).Output()
		if err != nil {
			t.Fatalf("curl %s %s: %v", method, path, err)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
		return v
	}
	switch {
	case strings.Contains(line, "<id>"):
		tok := get("POST", "/tokens", `{"name":"to-revoke","role":"viewer"}`)["token"].(map[string]any)
		line = strings.ReplaceAll(line, "<id>", tok["id"].(string))
	case strings.Contains(line, "<hex-id>"):
		for _, m := range get("GET", "/clusters/demo/members", "")["members"].([]any) {
			if m := m.(map[string]any); m["is_learner"] == true {
				line = strings.ReplaceAll(line, "<hex-id>", m["id"].(string))
			}
		}
	case strings.Contains(line, "<X-Request-Id of an answer>"):
		recs := get("GET", "/audit?order=desc&limit=1", "")["records"].([]any)
		line = strings.ReplaceAll(line, "<X-Request-Id of an answer>", recs[0].(map[string]any)["request_id"].(string))
	}
	if strings.Contains(line, "<") {
		t.Fatalf("unfilled placeholder in %s", line)
	}
	return line
}

// runCurl runs a command line as a shell does, curl answering each request's status on a line
// of its own (and giving up on a stream after a few seconds); the CLI commands some lines end
// with are left to their own tests. It returns the status of every request the line made.
func runCurl(t *testing.T, line string, env []string) []int {
	t.Helper()
	script := `curl() { command curl --max-time 4 -w '%{stderr}\nHTTP_STATUS %{http_code}\n' "$@"; }
etcd-monitor() { :; }
cd "$WORKDIR"
` + line
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = append(append(os.Environ(), "WORKDIR="+t.TempDir()), env...)
	b, _ := cmd.CombinedOutput()
	var codes []int
	for _, m := range regexp.MustCompile(`HTTP_STATUS (\d+)`).FindAllStringSubmatch(string(b), -1) {
		code, _ := strconv.Atoi(m[1])
		codes = append(codes, code)
	}
	if len(codes) == 0 {
		t.Errorf("no answer to %s:\n%s", line, b)
	}
	t.Logf("%v %s", codes, line)
	return codes
}
