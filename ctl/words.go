package ctl

import (
	"fmt"
	"slices"
	"strings"
)

// Line joins command words into the console's command line, quoting each word that the
// console's shell-words parser would otherwise split or unquote, so that the words arrive as
// they were given: `put /k 'a b'` from a shell sends the word "a b", not "a" and "b".
func Line(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = quoteWord(w)
	}
	return strings.Join(quoted, " ")
}

// quoteWord quotes w for a POSIX shell-words parser: as is when it holds nothing special,
// else in single quotes (a single quote inside closes the quotes, is escaped, and reopens them).
func quoteWord(w string) string {
	if w == "" {
		return "''"
	}
	if !strings.ContainsAny(w, shellSpecial) {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// shellSpecial are the characters a shell-words parser gives a meaning to (separators,
// quotes, escapes, expansions, operators, comments).
const shellSpecial = " \t\n\r'\"\\$`|&;<>()*?[]{}~#!"

// readsStdin reports whether etcdctl would read stdin for these words: txn always does (its
// compares and requests), put when the value argument is missing.
func readsStdin(words []string) bool {
	if len(words) == 0 {
		return false
	}
	switch words[0] {
	case "txn":
		return true
	case "put":
		return len(positionalWords(words[1:], putValueFlags)) < 2
	}
	return false
}

// globalValueFlags are etcdctl's global flags the console accepts that take a value as the
// next word; the others are booleans. The console's grammar (GlobalFlags) is the reference.
var globalValueFlags = map[string]bool{"write-out": true, "w": true, "command-timeout": true}

// putValueFlags are put's value-taking flags: the global ones and --lease.
var putValueFlags = map[string]bool{"lease": true, "write-out": true, "w": true, "command-timeout": true}

// positionalWords are the words that are neither flags nor flag values; everything after "--"
// is positional, as for cobra.
func positionalWords(words []string, valueFlags map[string]bool) []string {
	var out []string
	for _, i := range positionalIndexes(words, valueFlags) {
		out = append(out, words[i])
	}
	return out
}

// positionalIndexes are the indexes of the positional words (see positionalWords).
func positionalIndexes(words []string, valueFlags map[string]bool) []int {
	var out []int
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "--":
			for j := i + 1; j < len(words); j++ {
				out = append(out, j)
			}
			return out
		case strings.HasPrefix(w, "-") && len(w) > 1:
			name := strings.TrimLeft(w, "-")
			if !strings.Contains(name, "=") && valueFlags[name] {
				i++
			}
		default:
			out = append(out, i)
		}
	}
	return out
}

// multilineLine is the console line for words of which one holds a line break, which cannot
// stay in the command line (the console reads the lines after the first as stdin): put's value
// goes on the following lines, as when etcdctl reads it from stdin; any other such word is an
// error naming it.
func multilineLine(words []string) (line string, ok bool, err error) {
	at := -1
	for i, w := range words {
		if strings.ContainsAny(w, "\n\r") {
			if at >= 0 {
				return "", false, fmt.Errorf("arguments %d and %d hold line breaks; the console takes one command line (put reads a multi-line value from stdin)", at+1, i+1)
			}
			at = i
		}
	}
	if at < 0 {
		return "", false, nil
	}
	if words[0] == "put" {
		pos := positionalIndexes(words[1:], putValueFlags)
		if len(pos) == 2 && pos[1]+1 == at {
			rest := append(slices.Clone(words[:at]), words[at+1:]...)
			return Line(rest) + "\n" + words[at], true, nil
		}
	}
	return "", false, fmt.Errorf("argument %d holds a line break; the console takes one command line (put reads a multi-line value from stdin)", at+1)
}
