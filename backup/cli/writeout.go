package cli

import (
	"encoding/json"
)

// The --write-out formats, spelled as `etcd-monitor diskprobe` spells them: text for people,
// json for programs (the same types, and so the same field names, as opsproxy's API and job
// records).
const (
	writeOutText = "text"
	writeOutJSON = "json"
)

// checkWriteOut refuses an unknown format before anything is read or written.
func (c *Command) checkWriteOut() error {
	if c.writeOut != writeOutText && c.writeOut != writeOutJSON {
		return usagef("--write-out %.40q: unknown output format (want text or json)", c.writeOut)
	}
	return nil
}

// wantJSON reports whether the output is JSON.
func (c *Command) wantJSON() bool { return c.writeOut == writeOutJSON }

// printJSON writes v to standard output as one indented JSON document.
func (c *Command) printJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
