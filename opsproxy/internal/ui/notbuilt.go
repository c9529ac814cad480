package ui

import (
	"net/http"
)

// notBuiltPage is the answer under /ui/ when the binary was built without the console bundle.
// It has no script and no style, so the strict headers apply to it as they are.
const notBuiltPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>etcd-monitor console: not built</title></head>
<body>
<h1>The etcd-monitor console is not built into this binary</h1>
<p>The console is a JavaScript bundle built with Node.js. In a checkout of etcd-monitor, run</p>
<pre>make console</pre>
<p>then build or run opsproxy again (<code>make build</code>, <code>make demo</code>).
The REST API under <code>/api/v1</code> works without it.</p>
</body>
</html>
`

// serveNotBuilt answers 503 with notBuiltPage.
func serveNotBuilt(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", cacheRevalidate)
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(notBuiltPage))
}
