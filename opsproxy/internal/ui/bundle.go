package ui

import (
	"embed"
	"io/fs"
)

// dist is the console bundle `make console` writes (index.html and static/); a clean clone has
// only the committed placeholder .gitkeep, so that this embed and `go build ./...` work without
// Node.
//
//go:embed all:dist
var dist embed.FS

// Bundle is the embedded console bundle.
func Bundle() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid directory name, and "dist" is valid.
		panic(err)
	}
	return sub
}
