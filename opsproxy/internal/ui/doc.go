// Package ui serves the standalone console (grafana-app/src/console, built by `make console`
// into dist/ and embedded) at /ui/: its files with strict security headers, index.html for
// every client route, and a page saying how to build the console when the binary has none.
package ui
