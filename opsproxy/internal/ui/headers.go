package ui

import "net/http"

// ContentSecurityPolicy allows scripts only from the console's own files (no inline script).
// Styles may be inline: emotion, under @grafana/ui, writes <style> elements at run time and
// components set style attributes, which a nonce cannot cover. Images and fonts may be data:
// URLs (icons inlined by the bundle). No framing, no plugins, no <base>.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Cache-Control values: index.html is checked again on every load (it names the current
// hashed assets); the hashed assets never change under their name.
const (
	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
)

// setSecurityHeaders sets the headers every answer under /ui/ carries.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}
