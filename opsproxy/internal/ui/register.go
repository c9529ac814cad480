package ui

import "github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"

// Register serves the embedded console at Prefix, without authentication: the console asks for
// a token itself and sends it to the API, never in a URL.
func Register(co *core.Core) {
	co.Unauthenticated("GET "+Prefix, "ui", New(Bundle()))
}
