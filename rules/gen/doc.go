// Command gen renders the committed Prometheus rule files (rules/*.yml) from rules/config/settings.yml.
// Run it from the repository root: `go run ./rules/gen`.
package main
