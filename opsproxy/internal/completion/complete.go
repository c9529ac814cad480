package completion

import (
	"context"
	"fmt"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/console"
)

// Candidate kinds.
const (
	KindCommand    = "command"
	KindSubcommand = "subcommand"
	KindFlag       = "flag"
	KindValue      = "value"
	KindKey        = "key"
	KindMember     = "member"
	KindLease      = "lease"
	KindSnapshot   = "snapshot"
)

// Bounds of a completion.
const (
	// MaxCandidates is the most candidates of one answer; Truncated says there were more.
	MaxCandidates = 50
	// MaxLineLen is the longest line completed, the longest the console history keeps.
	MaxLineLen = 64 << 10
)

// Candidate is one way to complete the word under the cursor: Text replaces the whole word
// (quoted as the shell needs; a key prefix leaves its quote open to be typed on).
type Candidate struct {
	Text        string `json:"text"`
	Description string `json:"description"`
	Kind        string `json:"kind"`
}

// Answer completes a line: replacing line[From:To] with a candidate's Text completes it.
type Answer struct {
	From       int         `json:"from"`
	To         int         `json:"to"`
	Candidates []Candidate `json:"candidates"`
	Truncated  bool        `json:"truncated"`
}

// Cluster is what completion reads beyond the grammar: the cluster's keys, members and leases,
// and the snapshots opsproxy keeps. Errors are the cluster's (etcd unavailable, timeouts).
type Cluster interface {
	// KeyNames returns up to limit key names in [start, end) (end "\x00": every key from
	// start on) in byte order, and whether there are more.
	KeyNames(ctx context.Context, start, end string, limit int64) (keys []string, more bool, err error)
	Members(ctx context.Context) ([]Member, error)
	LeaseIDs(ctx context.Context) ([]int64, error)
	// Snapshots returns the snapshots the caller may use: none for a caller below admin.
	Snapshots(ctx context.Context) ([]Snapshot, error)
}

// Member is a cluster member as completion offers it.
type Member struct {
	ID        uint64
	Name      string
	PeerURLs  []string
	IsLearner bool
}

// Snapshot is a snapshot file opsproxy keeps.
type Snapshot struct {
	Name    string
	Cluster string
	Size    int64
}

// Complete completes line at cursor (a byte offset into line). Only the command line, the
// first line, is completed: a cursor on a later line (txn's requests, put's value) gets no
// candidates.
func Complete(ctx context.Context, line string, cursor int, cl Cluster) (Answer, error) {
	ans := Answer{From: cursor, To: cursor, Candidates: []Candidate{}}
	first := line
	if nl := strings.IndexByte(line, '\n'); nl >= 0 {
		first = line[:nl]
	}
	if cursor > len(first) {
		return ans, nil
	}
	words := splitWords(first)
	var done []string
	cur := word{start: cursor, end: cursor}
	for _, w := range words {
		if w.end < cursor {
			done = append(done, w.text)
			continue
		}
		if w.start < cursor {
			// The word under the cursor: what is typed of it up to the cursor is completed, the
			// whole word is replaced. (A cursor at a word's start inserts a new word.)
			typed := splitWords(first[w.start:cursor])
			cur = word{start: w.start, end: w.end}
			if len(typed) == 1 {
				cur.text, cur.open = typed[0].text, typed[0].open
			}
		}
		break
	}
	ans.From, ans.To = cur.start, cur.end
	var err error
	ans.Candidates, ans.Truncated, err = candidates(ctx, done, cur, cl)
	if err != nil {
		return Answer{}, err
	}
	switch {
	case ans.Candidates == nil:
		ans.Candidates = []Candidate{} // [] in JSON, not null
	case len(ans.Candidates) > MaxCandidates:
		ans.Candidates, ans.Truncated = ans.Candidates[:MaxCandidates], true
	}
	return ans, nil
}

// candidates offers what may stand at the word cur after the words done.
func candidates(ctx context.Context, done []string, cur word, cl Cluster) ([]Candidate, bool, error) {
	if len(done) == 0 {
		var out []Candidate
		for _, c := range console.Commands {
			out = offer(out, cur, c.Name, c.Short, KindCommand, false)
		}
		return out, false, nil
	}
	cmd, n := console.Lookup(done)
	if cmd == nil {
		return nil, false, nil
	}
	if len(cmd.Sub) > 0 {
		var out []Candidate
		if len(done) == 1 {
			for _, s := range cmd.Sub {
				out = offer(out, cur, s.Name, s.Short, KindSubcommand, false)
			}
		}
		return out, false, nil
	}
	pos := readArgs(cmd, done[n:])
	switch {
	case pos.valueOf != nil:
		return flagValues(ctx, pos.valueOf, "", cur, cl)
	case !pos.dashDash && strings.HasPrefix(cur.text, "--") && strings.Contains(cur.text, "="):
		name, _, _ := strings.Cut(cur.text[2:], "=")
		if f := findFlag(cmd, name); f != nil && f.Kind != console.FlagBool {
			return flagValues(ctx, f, "--"+name+"=", cur, cl)
		}
		return nil, false, nil
	case !pos.dashDash && strings.HasPrefix(cur.text, "-"):
		return flags(cmd, pos.given, cur), false, nil
	}
	if pos.args < len(cmd.Args) {
		switch cmd.Args[pos.args].Kind {
		case console.ArgKey, console.ArgRangeEnd:
			return keyNames(ctx, cur, cl)
		case console.ArgMemberID, console.ArgMemberName:
			return members(ctx, cmd.Args[pos.args].Kind, cur, cl)
		case console.ArgLeaseID:
			return leases(ctx, cur, cl)
		case console.ArgSnapshot:
			return snapshots(ctx, cur, cl)
		}
		return nil, false, nil
	}
	// Every argument is given: what is left to type are flags.
	if cur.text == "" && !pos.dashDash {
		return flags(cmd, pos.given, cur), false, nil
	}
	return nil, false, nil
}

// position is where the words after a command's name leave the cursor.
type position struct {
	// args is how many positional arguments are given.
	args int
	// valueOf is the flag whose value the cursor's word is (the previous word was the flag).
	valueOf *console.Flag
	// dashDash: "--" was given, every word after it is an argument.
	dashDash bool
	// given are the flags given, by long name.
	given map[string]bool
}

// readArgs reads the words after a command's name as etcdctl's flag parser (pflag) does.
func readArgs(cmd *console.Command, words []string) position {
	p := position{given: map[string]bool{}}
	for _, w := range words {
		switch {
		case p.valueOf != nil:
			p.valueOf = nil
		case p.dashDash || w == "-" || !strings.HasPrefix(w, "-"):
			p.args++
		case w == "--":
			p.dashDash = true
		case strings.HasPrefix(w, "--"):
			name, _, hasValue := strings.Cut(w[2:], "=")
			if f := findFlag(cmd, name); f != nil {
				p.given[f.Name] = true
				if f.Kind != console.FlagBool && !hasValue {
					p.valueOf = f
				}
			}
		default:
			// Short flags, possibly several booleans run together (-abc) or a value attached (-wjson).
			for i := 1; i < len(w); i++ {
				f := findShort(cmd, w[i:i+1])
				if f == nil {
					break
				}
				p.given[f.Name] = true
				if f.Kind != console.FlagBool {
					if i == len(w)-1 {
						p.valueOf = f
					}
					break
				}
			}
		}
	}
	return p
}

func findFlag(cmd *console.Command, name string) *console.Flag {
	for _, set := range [][]console.Flag{cmd.Flags, console.GlobalFlags} {
		for i := range set {
			if set[i].Name == name {
				return &set[i]
			}
		}
	}
	return nil
}

func findShort(cmd *console.Command, short string) *console.Flag {
	for _, set := range [][]console.Flag{cmd.Flags, console.GlobalFlags} {
		for i := range set {
			if set[i].Short != "" && set[i].Short == short {
				return &set[i]
			}
		}
	}
	return nil
}

// flags offers the command's flags and the global ones not given yet: long forms, and short
// forms while only "-" is typed.
func flags(cmd *console.Command, given map[string]bool, cur word) []Candidate {
	var out []Candidate
	for _, set := range [][]console.Flag{cmd.Flags, console.GlobalFlags} {
		for _, f := range set {
			if given[f.Name] {
				continue
			}
			desc := f.Usage
			if f.Default != "" && f.Default != "false" && f.Default != "0" {
				desc += fmt.Sprintf(" (default %s)", f.Default)
			}
			out = offer(out, cur, "--"+f.Name, desc, KindFlag, false)
			if f.Short != "" && !strings.HasPrefix(cur.text, "--") {
				out = offer(out, cur, "-"+f.Short, desc, KindFlag, false)
			}
		}
	}
	return out
}

// flagValues offers the values of flag f (its choices; lease ids for --lease), each written
// after lead ("--flag=" when the value is in the same word).
func flagValues(ctx context.Context, f *console.Flag, lead string, cur word, cl Cluster) ([]Candidate, bool, error) {
	typed := strings.TrimPrefix(cur.text, lead)
	valueWord := word{start: cur.start, end: cur.end, text: typed, open: cur.open}
	if f.Name == "lease" {
		out, more, err := leases(ctx, valueWord, cl)
		for i := range out {
			out[i].Text = lead + out[i].Text
		}
		return out, more, err
	}
	var out []Candidate
	for _, c := range f.Choices {
		if strings.HasPrefix(c.Text, typed) {
			out = append(out, Candidate{Text: lead + quote(c.Text, cur.open, false), Description: c.Description, Kind: KindValue})
		}
	}
	return out, false, nil
}

// offer appends the candidate text when it starts with what is typed of the word.
func offer(out []Candidate, cur word, text, desc, kind string, open bool) []Candidate {
	if !strings.HasPrefix(text, cur.text) {
		return out
	}
	return append(out, Candidate{Text: quote(text, cur.open, open), Description: desc, Kind: kind})
}
