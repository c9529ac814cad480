package core

import "testing"

func TestSpansKeyspaceIsTheWholeKeyspaceAndRangesNotUnderOnePrefix(t *testing.T) {
	cases := []struct {
		name     string
		key, end string
		want     bool
	}{
		{"single key", "/app/a", "", false},
		{"every key (prefix with an empty key)", "\x00", "\x00", true},
		{"empty key to the end", "", "\x00", true},
		{"from_key from a later key", "/app/", "\x00", true},
		{"nearly everything", "\x01", "\xff", true},
		{"across first bytes", "/app/", "b", true},
		{"prefix /app/", "/app/", "/app0", false},
		{"prefix /", "/", "0", false},
		{"range within one first byte", "/a", "/b", false},
		{"from_key under 0xff", "\xff\x01", "\x00", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := spansKeyspace([]byte(c.key), []byte(c.end)); got != c.want {
				t.Fatalf("spansKeyspace(%q, %q) = %v, want %v", c.key, c.end, got, c.want)
			}
		})
	}
}
