package core

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// ForwardedForHeader carries the client addresses a reverse proxy saw.
const ForwardedForHeader = "X-Forwarded-For"

// SourceAddr is the client's address as audit records give it: the peer's address, unless
// the peer is a trusted proxy; then the right-most address of X-Forwarded-For that is not a
// trusted proxy (each proxy appends the address it was reached from, so addresses left of
// the last trusted one are whatever the client claimed). An address that does not parse ends
// the walk at the last trusted hop.
func SourceAddr(r *http.Request, trusted []netip.Prefix) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	addr, err := netip.ParseAddr(peer)
	if err != nil || !isTrusted(addr, trusted) {
		return peer
	}
	hops := forwardedFor(r)
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(hops[i])
		if err != nil {
			break
		}
		addr = hop.Unmap()
		if !isTrusted(addr, trusted) {
			break
		}
	}
	return addr.String()
}

// forwardedFor lists the addresses of every X-Forwarded-For header, left to right.
func forwardedFor(r *http.Request) []string {
	var out []string
	for _, v := range r.Header.Values(ForwardedForHeader) {
		for _, a := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(a))
		}
	}
	return out
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	return slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Contains(a) })
}

// sourceAddr is r's source under the served configuration's trusted proxies.
func (co *Core) sourceAddr(r *http.Request) string {
	return SourceAddr(r, co.Config().Auth.TrustedProxyPrefixes())
}
