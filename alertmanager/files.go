package alertmanager

import "embed"

// Files are alertmanager.yml and its templates, for programs that run Alertmanager without the
// repository beside them (the demo).
//
//go:embed alertmanager.yml templates/*.tmpl
var Files embed.FS
