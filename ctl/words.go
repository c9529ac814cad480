package ctl

import "strings"

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
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "--":
			return append(out, words[i+1:]...)
		case strings.HasPrefix(w, "-") && len(w) > 1:
			name := strings.TrimLeft(w, "-")
			if !strings.Contains(name, "=") && valueFlags[name] {
				i++
			}
		default:
			out = append(out, w)
		}
	}
	return out
}
