package completion

import (
	"context"
	"strings"
)

// keyNames offers the keys that start with what is typed, grouped like a directory listing by
// the next path segment after the typed text's last "/": "/registry/" stands for every key under
// it. Groups are found by skip-scan: read a few key names, take the child each falls under, and
// read on from just past the last child (past every key of a group), never through a group's
// keys. Each read brings at least one new child, so an answer costs at most MaxCandidates+1
// short reads however many keys lie under the prefix. Reads are keys-only and serializable.
func keyNames(ctx context.Context, cur word, cl Cluster) ([]Candidate, bool, error) {
	prefix := cur.text
	dir := prefix[:strings.LastIndexByte(prefix, '/')+1]
	start, end := prefix, prefixEnd(prefix)
	if prefix == "" {
		start = "\x00"
	}
	var out []Candidate
	var last string
	lastGroup := false
	limit := int64(MaxCandidates + 1)
	for {
		keys, more, err := cl.KeyNames(ctx, start, end, limit)
		if err != nil {
			return nil, false, err
		}
		added := 0
		for _, k := range keys {
			child, group := childOf(dir, k)
			if len(out) > 0 && child == last {
				continue
			}
			if len(out) == MaxCandidates {
				return out, true, nil
			}
			desc := "key"
			if group {
				desc = "keys under this prefix"
			}
			out = append(out, Candidate{Text: quote(child, cur.open, group), Description: desc, Kind: KindKey})
			last, lastGroup = child, group
			added++
		}
		if !more || added == 0 {
			return out, false, nil
		}
		start = afterChild(last, lastGroup)
		if end != "\x00" && start >= end {
			return out, false, nil
		}
		// A read that found few new children was mostly keys of one group: the next groups are
		// likely as big, so read fewer names per group.
		limit = int64(MaxCandidates - len(out) + 1)
		if added*4 < len(keys) {
			limit = min(limit, 8)
		}
	}
}

// childOf is the child of directory dir that key falls under: the key itself, or the group of
// the next path segment (ending with "/").
func childOf(dir, key string) (child string, group bool) {
	rest := key[len(dir):]
	if cut := strings.IndexByte(rest, '/'); cut >= 0 {
		return dir + rest[:cut+1], true
	}
	return key, false
}

// afterChild is where the keys after a child start: right after a key, or past every key of a
// group ("/registry/" → "/registry0": "0" is the byte after "/").
func afterChild(child string, group bool) string {
	if group {
		return prefixEnd(child)
	}
	return child + "\x00"
}

// prefixEnd is the first key after every key that starts with prefix, as clientv3's
// GetPrefixRangeEnd: "\x00" (every key from the start on) when there is none.
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return "\x00"
}
