package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/backup"
)

// parseMember reads one --member value: name=NAME,peer-urls=URL[,URL…],data-dir=DIR. A part
// without '=' is one more URL of peer-urls, so several peer URLs are comma-separated too.
func parseMember(i int, v string) (backup.RecoverMember, error) {
	field := fmt.Sprintf("--member[%d]", i)
	var m backup.RecoverMember
	seen := map[string]bool{}
	last := ""
	for _, part := range strings.Split(v, ",") {
		key, val, ok := strings.Cut(part, "=")
		if !ok || strings.Contains(key, "://") {
			if last != "peer-urls" {
				return m, usagef("%s %q: %q is not key=value (keys: name, peer-urls, data-dir)", field, v, part)
			}
			m.PeerURLs = append(m.PeerURLs, strings.TrimSpace(part))
			continue
		}
		key = strings.TrimSpace(key)
		if seen[key] {
			return m, usagef("%s %q: %s given twice", field, v, key)
		}
		seen[key] = true
		last = key
		switch key {
		case "name":
			m.Name = val
		case "peer-urls":
			m.PeerURLs = append(m.PeerURLs, strings.TrimSpace(val))
		case "data-dir":
			m.DataDir = val
		default:
			return m, usagef("%s %q: unknown key %q (keys: name, peer-urls, data-dir)", field, v, key)
		}
	}
	for _, k := range []string{"name", "peer-urls", "data-dir"} {
		if !seen[k] {
			return m, usagef("%s %q: %s: must be set", field, v, k)
		}
	}
	if m.DataDir != "" {
		// Printed in the member's etcd flags: absolute, so they work from any directory.
		abs, err := filepath.Abs(m.DataDir)
		if err != nil {
			return m, usagef("%s data-dir %q: %w", field, m.DataDir, err)
		}
		m.DataDir = abs
	}
	return m, nil
}

// flagName turns the engine's option field names into this command's flags in its errors.
var flagName = strings.NewReplacer(
	"members[", "--member[",
	"].name", "] name",
	"].peer_urls", "] peer-urls",
	"].data_dir", "] data-dir",
	"mark_compacted", "--mark-compacted",
	"bump_revision", "--bump-revision",
)
