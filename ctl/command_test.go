package ctl

import (
	"slices"
	"testing"

	"github.com/alecthomas/kingpin/v2"
)

func TestSplitHandsEtcdctlsWordsOverUntouched(t *testing.T) {
	cases := []struct {
		name        string
		args        []string
		parse, line []string
	}{
		{"flags after the command are etcdctl's",
			[]string{"ctl", "--cluster", "a", "get", "/foo", "--prefix", "-w", "json"},
			[]string{"ctl", "--cluster", "a"}, []string{"get", "/foo", "--prefix", "-w", "json"}},
		{"ctl's flag names after the command are etcdctl's too",
			[]string{"ctl", "--cluster=a", "endpoint", "status", "--cluster", "--cert", "x"},
			[]string{"ctl", "--cluster=a"}, []string{"endpoint", "status", "--cluster", "--cert", "x"}},
		{"global flags before ctl",
			[]string{"--log.level", "debug", "ctl", "--token-file", "t", "get", "/k"},
			[]string{"--log.level", "debug", "ctl", "--token-file", "t"}, []string{"get", "/k"}},
		{"-- ends ctl's flags and is dropped",
			[]string{"ctl", "--cluster", "a", "--", "get", "--", "-k"},
			[]string{"ctl", "--cluster", "a"}, []string{"get", "--", "-k"}},
		{"an etcdctl flag before the command",
			[]string{"ctl", "-w", "json", "get", "/k"},
			[]string{"ctl"}, []string{"-w", "json", "get", "/k"}},
		{"a bool flag takes no value",
			[]string{"ctl", "--insecure-skip-tls-verify", "version"},
			[]string{"ctl", "--insecure-skip-tls-verify"}, []string{"version"}},
		{"no words: the shell",
			[]string{"ctl", "--cluster", "a"},
			[]string{"ctl", "--cluster", "a"}, nil},
		{"help stays ctl's",
			[]string{"ctl", "--help"},
			[]string{"ctl", "--help"}, nil},
		{"other commands are left alone",
			[]string{"other", "--flag", "ctl", "get"},
			[]string{"other", "--flag", "ctl", "get"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := kingpin.New("etcd-monitor", "")
			app.Flag("log.level", "").String()
			app.Command("other", "").Flag("flag", "").Bool()
			c := RegisterCommand(app)
			parse := c.Split(tc.args)
			if !slices.Equal(parse, tc.parse) || !slices.Equal(c.words, tc.line) {
				t.Fatalf("Split(%q) = %q for kingpin and %q for etcdctl, want %q and %q", tc.args, parse, c.words, tc.parse, tc.line)
			}
		})
	}
}

func TestStandaloneSplitTakesEtcdctlsWordsFromTheFirstNonCtlWord(t *testing.T) {
	cases := []struct {
		name        string
		args, parse []string
		line        []string
	}{
		{"ctl's flags then etcdctl's", []string{"--cluster", "a", "get", "/foo", "--prefix"}, []string{"--cluster", "a"}, []string{"get", "/foo", "--prefix"}},
		{"application flags are ctl's", []string{"--log.level", "debug", "version"}, []string{"--log.level", "debug"}, []string{"version"}},
		{"an etcdctl flag first", []string{"-w", "json", "get", "/k"}, []string{}, []string{"-w", "json", "get", "/k"}},
		{"-- ends ctl's flags", []string{"--cluster=a", "--", "get", "--", "-k"}, []string{"--cluster=a"}, []string{"get", "--", "-k"}},
		{"no words: the shell", []string{"--cluster", "a"}, []string{"--cluster", "a"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := kingpin.New("etcd-monitor-ctl", "")
			app.Flag("log.level", "").String()
			c := RegisterStandalone(app)
			parse := c.Split(tc.args)
			if !slices.Equal(parse, tc.parse) || !slices.Equal(c.words, tc.line) {
				t.Fatalf("Split(%q) = %q for kingpin and %q for etcdctl, want %q and %q", tc.args, parse, c.words, tc.parse, tc.line)
			}
			chosen, err := app.Parse(parse)
			if err != nil || !c.Matches(chosen) {
				t.Fatalf("Parse(%q) = %q, %v; want ctl itself", parse, chosen, err)
			}
		})
	}
}
