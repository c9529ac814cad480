package completion

import (
	"context"
	"errors"
	"testing"
	"unicode/utf8"
)

// noCluster is a completion with no cluster to read: every read fails, as when etcd is down.
type noCluster struct{}

var errNoCluster = errors.New("no cluster in this test")

func (noCluster) KeyNames(context.Context, string, string, int64) ([]string, bool, error) {
	return nil, false, errNoCluster
}
func (noCluster) Members(context.Context) ([]Member, error)     { return nil, errNoCluster }
func (noCluster) LeaseIDs(context.Context) ([]int64, error)     { return nil, errNoCluster }
func (noCluster) Snapshots(context.Context) ([]Snapshot, error) { return nil, errNoCluster }

// Any line, at any cursor, is answered (or fails to read the cluster), never panics, and names
// a span around the cursor.
func FuzzCompleteAnswersEveryLineAtEveryCursor(f *testing.F) {
	for _, seed := range []string{"", "get /a --prefix -w json", "get '/my dir/", `put "/k \"x`, `get $'\xff\x`, "member remove ",
		"get --sort-by=M", "txn\nvalue(\"/a\") = \"1\"", "get -- -x", "lease keep-alive --once ", "get /π/ключ", `get a\`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if !utf8.ValidString(line) || len(line) > MaxLineLen {
			return
		}
		for cursor := 0; cursor <= len(line); cursor++ {
			if cursor < len(line) && !utf8.RuneStart(line[cursor]) {
				continue
			}
			a, err := Complete(context.Background(), line, cursor, noCluster{})
			if errors.Is(err, errNoCluster) {
				continue
			}
			if err != nil {
				t.Fatalf("%q at %d: %v", line, cursor, err)
			}
			if a.From > cursor || a.To < cursor || a.To > len(line) || a.Candidates == nil {
				t.Fatalf("%q at %d: from %d to %d (candidates %v)", line, cursor, a.From, a.To, a.Candidates)
			}
		}
	})
}

// Whatever the text, its quoted form reads back as the text, in one word.
func FuzzQuoteReadsBack(f *testing.F) {
	for _, seed := range []string{"/a", "/my key", "it's", "/bin\xff", "$x`y\"z\\", ""} {
		f.Add(seed, uint8(0))
	}
	f.Fuzz(func(t *testing.T, text string, prefer uint8) {
		q := quote(text, quoting(prefer%4), false)
		ws := splitWords(q)
		if len(ws) != 1 || ws[0].text != text || ws[0].open != unquoted || !utf8.ValidString(q) {
			t.Fatalf("quote(%q, %d) = %q, read back as %+v", text, prefer%4, q, ws)
		}
	})
}
