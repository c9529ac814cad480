package completion

import (
	"context"
	"strings"
)

// maxKeyReads bounds the range reads of one key completion; past it the answer is cut short
// (Truncated).
const maxKeyReads = 4 * MaxCandidates

// keyNames offers the keys that start with what is typed, grouped like a directory listing by
// the next path segment after the typed text's last "/": "/registry/" stands for every key under
// it. Groups are found by skip-scan: read a few key names, take the child each falls under, and
// read on from just past the last child (past every key of a group), never through a group's
// keys. Reads are keys-only and serializable.
//
// Each read after the first looks for the next child in a window that widens until it holds a
// key: [next, the end of next's prefix cut back by o bytes) for o = the depth that found the
// last child, then one, three, seven… bytes more, then the rest of the range. A read's cost
// grows with the keys its range holds (etcd counts them), and siblings usually differ in their
// last bytes, so a step costs one or two small reads instead of a read over every key left.
func keyNames(ctx context.Context, cur word, cl Cluster) ([]Candidate, bool, error) {
	prefix := cur.text
	dir := prefix[:strings.LastIndexByte(prefix, '/')+1]
	start, end := prefix, prefixEnd(prefix)
	if prefix == "" {
		start = "\x00"
	}
	s := &skipScan{cl: cl, dir: dir, end: end}
	var out []Candidate
	var last string
	lastGroup := false
	keys, err := s.read(ctx, start, end, MaxCandidates+1)
	for {
		if err != nil {
			return nil, false, err
		}
		if len(keys) == 0 {
			return out, false, nil
		}
		added := 0
		for _, k := range keys {
			if !strings.HasPrefix(k, prefix) {
				// Only a key past the prefix's range could be, and none is read: kept out of
				// childOf all the same, which slices by the prefix's length.
				continue
			}
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
		if added == 0 {
			// Every read from past the last child starts with a new one; a read without one
			// could only repeat itself.
			return out, false, nil
		}
		next := afterChild(last, lastGroup)
		if end != "\x00" && next >= end {
			return out, false, nil
		}
		// A read that found few new children was mostly keys of one group: the next groups are
		// likely as big, so read fewer names of each.
		limit := int64(MaxCandidates - len(out) + 1)
		if added*4 < len(keys) {
			limit = min(limit, 8)
		}
		var exhausted bool
		keys, exhausted, err = s.nextKeys(ctx, next, limit)
		if err == nil && len(keys) == 0 && !exhausted {
			// Out of reads with keys perhaps left: say the answer is cut short.
			return out, true, nil
		}
	}
}

// skipScan reads the windows of one key completion.
type skipScan struct {
	cl       Cluster
	dir, end string
	// depth is how many bytes the window that found the last child cut from its start key.
	depth int
	reads int
}

func (s *skipScan) read(ctx context.Context, start, end string, limit int64) ([]string, error) {
	s.reads++
	keys, _, err := s.cl.KeyNames(ctx, start, end, limit)
	return keys, err
}

// nextKeys returns the keys of the narrowest window from next that holds any, or none and
// whether that is because no key is left in the range (rather than the reads running out).
func (s *skipScan) nextKeys(ctx context.Context, next string, limit int64) ([]string, bool, error) {
	prev := ""
	for step, o := 0, s.depth; ; step++ {
		if s.reads >= maxKeyReads {
			return nil, false, nil
		}
		cut := len(next) - o
		wEnd := s.end
		if cut > len(s.dir) {
			// prefixEnd is "\x00" (no end) only for a prefix of 0xff bytes.
			if e := prefixEnd(next[:cut]); e != "\x00" && (s.end == "\x00" || e < s.end) {
				wEnd = e
			}
		}
		if wEnd != prev {
			prev = wEnd
			keys, err := s.read(ctx, next, wEnd, limit)
			if err != nil || len(keys) > 0 || wEnd == s.end {
				s.depth = o
				return keys, wEnd == s.end, err
			}
		}
		o += 1 << step
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
