// Command gen writes docs/configuration.md, the configuration reference, from the code's
// configuration types: each field's YAML path and type by reflection, its default from the
// value the loader starts from, and its description from the field's doc comment (go/parser
// over the source). Run it from the repository root: `go run ./docs/gen` (`make docs`).
package main
