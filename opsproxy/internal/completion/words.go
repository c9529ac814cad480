package completion

import "strings"

// quoting is the quote open at a point of a shell word.
type quoting int

const (
	unquoted quoting = iota
	singleQuoted
	doubleQuoted
	// ansiQuoted is bash's $'...', the only way to write a byte that is not UTF-8 in a line.
	ansiQuoted
)

// word is one shell word of a line: where it starts and ends (byte offsets; end is past its
// last byte, an open quote included), what it stands for once unquoted, and the quote still
// open at its end (a word the line ends inside).
type word struct {
	start, end int
	text       string
	open       quoting
}

// splitWords splits s into shell words as a POSIX shell (plus bash's $'...') reads them:
// blanks separate words; single quotes keep everything; double quotes keep everything but
// \\, \", \$ and \`; a backslash outside quotes keeps the next byte. A line that ends inside a
// quote or after a lone backslash is not an error: the last word is just unfinished.
func splitWords(s string) []word {
	var words []word
	var cur strings.Builder
	in := false
	start := 0
	state := unquoted
	finish := func(end int) {
		words = append(words, word{start: start, end: end, text: cur.String(), open: state})
		cur.Reset()
		in = false
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch state {
		case unquoted:
			if c == ' ' || c == '\t' {
				if in {
					finish(i)
				}
				i++
				continue
			}
			if !in {
				in, start = true, i
			}
			switch {
			case c == '\'':
				state = singleQuoted
				i++
			case c == '"':
				state = doubleQuoted
				i++
			case c == '$' && i+1 < len(s) && s[i+1] == '\'':
				state = ansiQuoted
				i += 2
			case c == '\\':
				if i+1 < len(s) {
					cur.WriteByte(s[i+1])
				}
				i += 2
			default:
				cur.WriteByte(c)
				i++
			}
		case singleQuoted:
			if c == '\'' {
				state = unquoted
			} else {
				cur.WriteByte(c)
			}
			i++
		case doubleQuoted:
			switch {
			case c == '"':
				state = unquoted
				i++
			case c == '\\' && i+1 < len(s) && strings.IndexByte("\\\"$`", s[i+1]) >= 0:
				cur.WriteByte(s[i+1])
				i += 2
			default:
				cur.WriteByte(c)
				i++
			}
		case ansiQuoted:
			switch {
			case c == '\'':
				state = unquoted
				i++
			case c == '\\' && i+1 < len(s):
				b, n := ansiEscape(s[i+1:])
				cur.WriteString(b)
				i += 1 + n
			default:
				cur.WriteByte(c)
				i++
			}
		}
	}
	if in {
		finish(len(s))
	}
	return words
}

// ansiEscape decodes the escape after a backslash in $'...' (s starts after the backslash):
// the bytes it stands for and how many bytes of s it took.
func ansiEscape(s string) (string, int) {
	switch s[0] {
	case 'n':
		return "\n", 1
	case 't':
		return "\t", 1
	case 'r':
		return "\r", 1
	case 'a':
		return "\a", 1
	case 'b':
		return "\b", 1
	case 'e', 'E':
		return "\x1b", 1
	case 'f':
		return "\f", 1
	case 'v':
		return "\v", 1
	case '\\', '\'', '"', '?':
		return s[:1], 1
	case 'x':
		v, n := 0, 0
		for n < 2 && 1+n < len(s) && isHex(s[1+n]) {
			v = v*16 + hexValue(s[1+n])
			n++
		}
		if n == 0 {
			return `\x`, 1
		}
		return string([]byte{byte(v)}), 1 + n
	}
	if s[0] >= '0' && s[0] <= '7' {
		v, n := 0, 0
		for n < 3 && n < len(s) && s[n] >= '0' && s[n] <= '7' {
			v = v*8 + int(s[n]-'0')
			n++
		}
		return string([]byte{byte(v)}), n
	}
	return `\` + s[:1], 1
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexValue(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}
