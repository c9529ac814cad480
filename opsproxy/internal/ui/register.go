package ui

import (
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// Register serves the embedded console at Prefix, without authentication: the console asks for
// a token itself and sends it to the API, never in a URL. With ui.enabled false (read at every
// request, so a reload applies it) Prefix answers 404.
func Register(co *core.Core) {
	console := New(Bundle())
	co.Unauthenticated("GET "+Prefix, "ui", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !co.Config().UI.Serve() {
			apihttp.WriteError(w, r, apihttp.Errorf(http.StatusNotFound, "the console is turned off (ui.enabled: false)"))
			return
		}
		console.ServeHTTP(w, r)
	}))
}
