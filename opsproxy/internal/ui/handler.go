package ui

import (
	"io"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
)

// Prefix is where the console is served.
const Prefix = "/ui/"

// assetDir holds the bundle's content-hashed files (scripts, styles, images, fonts); anything
// else in the bundle is index.html or a file whose name does not change with its content.
const assetDir = "static/"

// handler serves a console bundle: index.html, the files beside it, and index.html again for
// every other path (the console's client routes).
type handler struct {
	files fs.FS
	// built is false when files has no index.html: the binary was built without the console.
	built bool
}

// New serves the console bundle in files (index.html at its root) under Prefix.
func New(files fs.FS) http.Handler {
	return &handler{files: files, built: Built(files)}
}

// Built reports whether files holds a console bundle (its index.html).
func Built(files fs.FS) bool {
	_, err := fs.Stat(files, "index.html")
	return err == nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if !h.built {
		serveNotBuilt(w)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		h.notFound(w, r)
		return
	}
	valid := fs.ValidPath(name)
	if strings.HasPrefix(name, assetDir) {
		if !valid || !h.serveFile(w, r, name, cacheImmutable) {
			h.notFound(w, r)
		}
		return
	}
	if valid && name != "index.html" && !hidden(name) && h.serveFile(w, r, name, cacheRevalidate) {
		return
	}
	// A client route (or the root): the console's page, which reads the route itself.
	if !h.serveFile(w, r, "index.html", cacheRevalidate) {
		h.notFound(w, r)
	}
}

// serveFile answers the regular file name with cacheControl, and reports false (having written
// nothing) when there is no such file. Directories are never listed.
func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, name, cacheControl string) bool {
	f, err := h.files.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	content, ok := f.(io.ReadSeeker)
	if !ok {
		return false
	}
	w.Header().Set("Cache-Control", cacheControl)
	// The embedded files have no modification time; ServeContent then sets no Last-Modified.
	http.ServeContent(w, r, name, time.Time{}, content)
	return true
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	apihttp.WriteError(w, r, apihttp.Errorf(http.StatusNotFound, "no such file: %s", r.URL.Path))
}

// hidden reports whether a path has a segment starting with a dot (such as the placeholder
// .gitkeep): never served.
func hidden(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}
