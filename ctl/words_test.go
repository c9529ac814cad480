package ctl

import (
	"slices"
	"testing"

	"github.com/mattn/go-shellwords"
)

func TestLineQuotesOnlyWordsTheConsoleWouldSplitOrUnquote(t *testing.T) {
	cases := []struct {
		words []string
		want  string
	}{
		{[]string{"get", "/foo", "--prefix", "-w", "json"}, "get /foo --prefix -w json"},
		{[]string{"put", "/k", "a b"}, "put /k 'a b'"},
		{[]string{"put", "/k", "it's"}, `put /k 'it'\''s'`},
		{[]string{"put", "/k", ""}, "put /k ''"},
		{[]string{"get", "--sort-by=MODIFY", "/a"}, "get --sort-by=MODIFY /a"},
		{[]string{"put", "/k", "$HOME;rm -rf"}, "put /k '$HOME;rm -rf'"},
		{[]string{"put", "--", "-k", `back\slash`}, `put -- -k 'back\slash'`},
	}
	for _, tc := range cases {
		if got := Line(tc.words); got != tc.want {
			t.Errorf("Line(%q) = %s, want %s", tc.words, got, tc.want)
		}
	}
}

// The console parses lines with go-shellwords, environment and backticks off: the words must
// come back as they were given, whatever they hold.
func TestLineRoundTripsThroughTheConsolesParser(t *testing.T) {
	words := []string{"put", "--", "-k", "a b", "it's", `"q"`, `back\slash`, "$HOME", "`cmd`", "a;b|c&d", "<in>", "#x", "", "tab\there", "new\nline", "ünï", "*?[]{}~!"}
	p := shellwords.NewParser()
	p.ParseEnv, p.ParseBacktick = false, false
	got, err := p.Parse(Line(words))
	if err != nil || !slices.Equal(got, words) {
		t.Fatalf("Line(%q) = %s parses as %q (%v)", words, Line(words), got, err)
	}
}

func TestStdinIsReadForTxnAndForPutWithoutItsValue(t *testing.T) {
	cases := []struct {
		words []string
		want  bool
	}{
		{[]string{"txn"}, true},
		{[]string{"txn", "-i"}, true},
		{[]string{"put", "/k"}, true},
		{[]string{"put", "/k", "v"}, false},
		{[]string{"put", "--lease", "1234", "/k"}, true},
		{[]string{"put", "--lease=1234", "/k", "v"}, false},
		{[]string{"put", "-w", "json", "/k"}, true},
		{[]string{"put", "/k", "--prev-kv", "v"}, false},
		{[]string{"put", "--", "/k", "-v"}, false},
		{[]string{"get", "/k"}, false},
		{nil, false},
	}
	for _, tc := range cases {
		if got := readsStdin(tc.words); got != tc.want {
			t.Errorf("readsStdin(%q) = %v, want %v", tc.words, got, tc.want)
		}
	}
	if got := positionalWords([]string{"-w", "json", "backup.db", "--hex"}, globalValueFlags); !slices.Equal(got, []string{"backup.db"}) {
		t.Errorf("snapshot save's file: %q", got)
	}
}
