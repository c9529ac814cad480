package console

import (
	"strings"
	"testing"
)

func TestEveryCommandOfTheGrammarRuns(t *testing.T) {
	for _, c := range Commands {
		subs := c.Sub
		if len(subs) == 0 {
			subs = []*Command{c}
		}
		for _, s := range subs {
			path := s.Name
			if s != c {
				path = c.Name + " " + s.Name
			}
			if planners[path] == nil {
				t.Errorf("command %q of the grammar has no planner", path)
			}
		}
	}
}

func TestParseSplitsAsAShellAndReadsFlagsAsEtcdctl(t *testing.T) {
	inv, err := Parse("get '/a b' --prefix -w=json --limit 3\nignored stdin")
	if err != nil {
		t.Fatal(err)
	}
	if inv.Path != "get" || len(inv.Args) != 1 || inv.Args[0] != "/a b" || !inv.Bool("prefix") || inv.Int("limit") != 3 || inv.Format != "json" {
		t.Fatalf("parsed %+v", inv)
	}
	if inv.Stdin != "ignored stdin" {
		t.Fatalf("stdin %q", inv.Stdin)
	}
	inv, err = Parse(`lease   timetolive 1234 --keys`)
	if err != nil || inv.Path != "lease timetolive" || inv.Args[0] != "1234" || !inv.Bool("keys") {
		t.Fatalf("parsed %+v, %v", inv, err)
	}
}

func TestParseNamesWhatIsWrong(t *testing.T) {
	for line, want := range map[string]string{
		"":                           "empty",
		"--prefix get":               "the command comes first",
		`get "k`:                     `a " is never closed`,
		"get 'k":                     "a ' is never closed",
		"get k; del k":               "';'",
		"put /k <redacted 5 bytes>":  "placeholder from history",
		"get k > /tmp/x":             "'>'",
		"get k(1)":                   "unquoted ( )",
		"lease":                      "lease needs a subcommand: grant, revoke, timetolive, list, keep-alive",
		"lease frob":                 `unknown command "frob" for "etcdctl lease"`,
		"get k --user=root:pw":       "flag --user: not available in the console",
		"get k --limit=x":            `invalid argument "x" for "--limit"`,
		"get k --help":               "usage: get [options] <key> [range_end]",
		"get k --command-timeout=0s": "must be positive",
	} {
		_, err := Parse(line)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", line, err, want)
		}
	}
}

func TestCommandLineRedactsValuesAndQuotesWords(t *testing.T) {
	inv, err := Parse(`put "/a key" 'top secret' --lease=1f`)
	if err != nil {
		t.Fatal(err)
	}
	got := inv.commandLine(map[int]bool{1: true})
	if want := "put '/a key' <redacted 10 bytes> --lease=1f"; got != want {
		t.Fatalf("commandLine = %q, want %q", got, want)
	}
	if strings.Contains(got, "secret") {
		t.Fatal("the value is in the recorded line")
	}
}
