package doccheck

import (
	"regexp"
	"strings"
	"testing"
)

// bodyFlagRE finds a curl option that sends a request body.
var bodyFlagRE = regexp.MustCompile(`(^|\s)(-d|--data|--data-raw|--data-binary)(\s|=)`)

// TestDocsCurlBodiesSayTheyAreJSON checks every curl command of README.md and docs/*.md that
// sends a body: opsproxy answers a body without `Content-Type: application/json` with 415, and
// curl's -d sends application/x-www-form-urlencoded, so each such command must set the header
// (directly, or through a variable set to it in the same block: $J).
func TestDocsCurlBodiesSayTheyAreJSON(t *testing.T) {
	for _, rel := range documents(t) {
		d := readDoc(t, rel)
		for i := 0; i < len(d.rawLines); i++ {
			if !strings.Contains(d.rawLines[i], "curl ") {
				continue
			}
			start, cmd := i, d.rawLines[i]
			for strings.HasSuffix(strings.TrimSpace(cmd), `\`) && i+1 < len(d.rawLines) {
				i++
				cmd += "\n" + d.rawLines[i]
			}
			code, _, _ := strings.Cut(cmd, " # ") // a comment may mention -d
			if !bodyFlagRE.MatchString(code) {
				continue
			}
			if !strings.Contains(code, "Content-Type: application/json") && !strings.Contains(code, `"$J"`) && !strings.Contains(code, "--json") {
				t.Errorf("%s:%d: curl sends a body without -H 'Content-Type: application/json' (opsproxy answers 415):\n%s", rel, start+1, cmd)
			}
		}
	}
}
