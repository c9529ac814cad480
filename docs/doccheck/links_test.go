package doccheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// root is the repository root, two levels above this package.
var root = filepath.Join("..", "..")

// generated are paths that builds, or the operator (secrets), write and the repository does not
// hold.
var generated = []string{"bin/", "dist/", "grafana-app/dist", "grafana-app/artifacts", "grafana-app/node_modules",
	"grafana-app/e2e/screenshots", "opsproxy/internal/ui/dist/", "deploy/compose/secrets/"}

var (
	linkRE   = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	codeRE   = regexp.MustCompile("`([^`\n]+)`")
	headerRE = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	idRE     = regexp.MustCompile(`<a (?:id|name)="([^"]+)"`)
)

// doc is a Markdown file: its prose lines (fenced code left out) and its anchors.
type doc struct {
	path  string // relative to root, slash-separated
	lines []string
	// rawLines are the file's lines, code included.
	rawLines []string
	anchors  map[string]bool
}

func readDoc(t *testing.T, rel string) *doc {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	d := &doc{path: rel, anchors: map[string]bool{}, rawLines: strings.Split(string(raw), "\n")}
	seen := map[string]int{}
	fence := ""
	for _, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if fence == "" && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")) {
			fence = trimmed[:3]
			d.lines = append(d.lines, "")
			continue
		}
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			d.lines = append(d.lines, "")
			continue
		}
		d.lines = append(d.lines, line)
		for _, m := range idRE.FindAllStringSubmatch(line, -1) {
			d.anchors[m[1]] = true
		}
		if m := headerRE.FindStringSubmatch(line); m != nil {
			slug := Slug(m[2])
			if n := seen[slug]; n > 0 {
				d.anchors[slug+"-"+strconv.Itoa(n)] = true
			} else {
				d.anchors[slug] = true
			}
			seen[slug]++
		}
	}
	return d
}

// Slug is GitHub's anchor of a heading: lower case, punctuation but '-' and '_' dropped, spaces
// made '-'.
func Slug(heading string) string {
	heading = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(heading, "")
	heading = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`).ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && isLetter(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isLetter(r rune) bool { return strings.ToLower(string(r)) != strings.ToUpper(string(r)) }

// documents lists README.md and docs/*.md.
func documents(t *testing.T) []string {
	t.Helper()
	out := []string{"README.md"}
	matches, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range matches {
		out = append(out, "docs/"+filepath.Base(m))
	}
	return out
}

// TestDocsLinksLeadSomewhere checks every relative link of README.md and docs/*.md: the file
// exists, and an anchor names a heading (or an <a id>) of the Markdown file it points into.
func TestDocsLinksLeadSomewhere(t *testing.T) {
	docs := map[string]*doc{}
	load := func(rel string) *doc {
		if d, ok := docs[rel]; ok {
			return d
		}
		d := readDoc(t, rel)
		docs[rel] = d
		return d
	}
	for _, rel := range documents(t) {
		d := load(rel)
		for i, line := range d.lines {
			for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				file, anchor, _ := strings.Cut(target, "#")
				dest := rel
				if file != "" {
					dest = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(rel), file)))
					if strings.HasPrefix(dest, "../") {
						t.Errorf("%s:%d: %s leaves the repository", rel, i+1, target)
						continue
					}
					if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(dest))); err != nil {
						t.Errorf("%s:%d: link to %s: no such file in the repository", rel, i+1, target)
						continue
					}
				}
				if anchor == "" || !strings.HasSuffix(dest, ".md") {
					continue
				}
				if !load(dest).anchors[anchor] {
					t.Errorf("%s:%d: link to %s: %s has no heading or <a id> %q", rel, i+1, target, dest, anchor)
				}
			}
		}
	}
}

// TestDocsReferencedFilesExist checks every repository path quoted in backquotes in prose
// (`rules/config/settings.yml`, `docs/performance.md`, `rules/*.yml`) exists. A path counts when
// its first element is a top-level file or folder of the repository; paths with placeholders
// (<...>, {...}, …) and paths builds write (bin/, dist/) are left alone.
func TestDocsReferencedFilesExist(t *testing.T) {
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	top := map[string]bool{}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			top[e.Name()] = true
		}
	}
	checked := 0
	for _, rel := range documents(t) {
		d := readDoc(t, rel)
		for i, line := range d.lines {
			for _, m := range codeRE.FindAllStringSubmatch(line, -1) {
				p := strings.TrimSuffix(strings.TrimSpace(m[1]), ":")
				if !isRepoPath(p, top) {
					continue
				}
				checked++
				if matches, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(strings.TrimSuffix(p, "/")))); len(matches) == 0 {
					t.Errorf("%s:%d: `%s`: no such file or folder in the repository", rel, i+1, p)
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d repository paths found in the docs: the check is not looking", checked)
	}
}

// isRepoPath reports whether s reads as a path inside this repository.
func isRepoPath(s string, top map[string]bool) bool {
	if s == "" || strings.ContainsAny(s, " <>{}…=$|,()'\"") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "-") {
		return false
	}
	for _, g := range generated {
		if strings.HasPrefix(s, g) || s+"/" == g {
			return false
		}
	}
	first, _, nested := strings.Cut(s, "/")
	if !top[first] {
		return false
	}
	// A bare top-level name (`exporter`) is as often a word as a path: only paths with a
	// folder, and top-level files with an extension, count.
	return nested || strings.Contains(first, ".")
}

func TestSlugIsGitHubsAnchorOfAHeading(t *testing.T) {
	for heading, want := range map[string]string{
		"Release binaries (`make dist`)":                "release-binaries-make-dist",
		"What reloads, and what needs a restart":        "what-reloads-and-what-needs-a-restart",
		"`etcd-monitor ctl`: etcdctl through opsproxy":  "etcd-monitor-ctl-etcdctl-through-opsproxy",
		"Standalone console (`/ui/`)":                   "standalone-console-ui",
		"opsproxy: the operations API":                  "opsproxy-the-operations-api",
		"Runs as jobs: history, baselines, regressions": "runs-as-jobs-history-baselines-regressions",
	} {
		if got := Slug(heading); got != want {
			t.Errorf("Slug(%q) = %q, want %q", heading, got, want)
		}
	}
}
