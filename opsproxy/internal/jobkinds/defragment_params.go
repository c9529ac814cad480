package jobkinds

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/defrag"
)

// maxMembers caps the members a defragmentation names.
const maxMembers = 64

// defragParams are the parameters of a "defragment" job.
type defragParams struct {
	// Members are the ids (hex, as the member list shows them) of the members to consider;
	// default all.
	Members []string `json:"members"`
	// Rule says which members need a defragmentation (default defrag.DefaultRule).
	Rule string `json:"rule"`
	// DryRun plans without defragmenting: which members would be, in order, and why not the
	// others.
	DryRun bool `json:"dry_run"`
	// AssumeDiskRoom takes it that every member's disk has room for a copy of its database,
	// where that cannot be known (see doc.go).
	AssumeDiskRoom bool `json:"assume_disk_room"`
}

// parseDefragParams decodes and checks the parameters, and parses the rule.
func parseDefragParams(raw json.RawMessage) (defragParams, *defrag.Rule, error) {
	var p defragParams
	if err := decodeParams(raw, &p); err != nil {
		return p, nil, err
	}
	if len(p.Members) > maxMembers {
		return p, nil, fmt.Errorf("members: at most %d", maxMembers)
	}
	seen := map[string]bool{}
	for i, id := range p.Members {
		if _, err := strconv.ParseUint(id, 16, 64); err != nil || id == "" || len(id) > 16 {
			return p, nil, fmt.Errorf("members[%d]: want a member id in hex (as the member list shows it), got %q", i, id)
		}
		if seen[id] {
			return p, nil, fmt.Errorf("members[%d]: %s is named twice", i, id)
		}
		seen[id] = true
	}
	if p.Rule == "" {
		p.Rule = defrag.DefaultRule
	}
	rule, err := defrag.ParseRule(p.Rule)
	if err != nil {
		return p, nil, fmt.Errorf("rule: %w", err)
	}
	return p, rule, nil
}
