package core

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestSourceAddrBelievesForwardedForOnlyFromTrustedProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.10/32")}
	cases := []struct {
		name    string
		peer    string
		xff     []string
		trusted []netip.Prefix
		want    string
	}{
		{"no proxies configured: the peer", "203.0.113.5:1234", []string{"1.2.3.4"}, nil, "203.0.113.5"},
		{"forged header from an untrusted peer is ignored", "203.0.113.5:1234", []string{"1.2.3.4"}, trusted, "203.0.113.5"},
		{"trusted proxy: the client it saw", "10.1.2.3:80", []string{"198.51.100.7"}, trusted, "198.51.100.7"},
		{"the client's own forged entries are skipped", "10.1.2.3:80", []string{"6.6.6.6, 198.51.100.7"}, trusted, "198.51.100.7"},
		{"a chain of trusted proxies", "10.1.2.3:80", []string{"6.6.6.6, 198.51.100.7, 192.168.1.10, 10.9.9.9"}, trusted, "198.51.100.7"},
		{"several header lines", "10.1.2.3:80", []string{"6.6.6.6", "198.51.100.7, 10.0.0.2"}, trusted, "198.51.100.7"},
		{"trusted proxy without the header: the proxy", "10.1.2.3:80", nil, trusted, "10.1.2.3"},
		{"only trusted hops: the left-most", "10.1.2.3:80", []string{"10.0.0.9"}, trusted, "10.0.0.9"},
		{"garbage ends the walk at the last trusted hop", "10.1.2.3:80", []string{"198.51.100.7, <script>"}, trusted, "10.1.2.3"},
		{"IPv4-mapped IPv6 peer", "[::ffff:10.1.2.3]:80", []string{"198.51.100.7"}, trusted, "198.51.100.7"},
		{"IPv6 client", "10.1.2.3:80", []string{"2001:db8::1"}, trusted, "2001:db8::1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			for _, v := range c.xff {
				r.Header.Add(ForwardedForHeader, v)
			}
			if got := SourceAddr(r, c.trusted); got != c.want {
				t.Fatalf("source %q, want %q", got, c.want)
			}
		})
	}
}
