package core

import (
	"strings"
	"testing"
)

func TestCheckUserNameRefusesLongAndUnprintableNames(t *testing.T) {
	cases := []struct {
		name, user string
		ok         bool
	}{
		{"plain", "alice@example.com", true},
		{"letters and spaces", "Zoë Ünal", true},
		{"256 bytes", strings.Repeat("é", 128), true},
		{"257 bytes", strings.Repeat("a", 257), false},
		{"control character", "al\x01ice", false},
		{"tab", "al\tice", false},
		{"DEL", "alice\x7f", false},
		{"line separator", "alice\u2028admin", false},
		{"invalid UTF-8", "\xffalice", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := checkUserName(c.user); (err == nil) != c.ok {
				t.Fatalf("checkUserName(%q) = %v, want ok %t", c.user, err, c.ok)
			}
		})
	}
}
