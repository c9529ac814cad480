package console

import (
	"strconv"
	"strings"
)

// ANSI-C quoting ($'…'), as bash reads it, is how a shell user types a key that is not
// UTF-8 (`get $'/bin\xff'`), and how completion offers such keys. go-shellwords knows no
// $'…' and passes every word through Go's rune decoding, which would turn those bytes into
// U+FFFD. So each $'…' is decoded here and stood in for by a placeholder that the shell-word
// split keeps whole; the decoded bytes replace the placeholders in the split words.

const (
	placeholderOpen  = '\uE000'
	placeholderClose = '\uE001'
)

// protectANSIQuotes replaces each $'…' outside other quotes with a placeholder and returns
// the decoded strings in order. A line without $' is returned as it is. An unterminated $'
// is left in place for the split to report as an unbalanced quote.
func protectANSIQuotes(line string) (string, []string, error) {
	if !strings.Contains(line, "$'") {
		return line, nil, nil
	}
	if strings.ContainsRune(line, placeholderOpen) || strings.ContainsRune(line, placeholderClose) {
		return "", nil, badRequest(ExitError, "line: holds U+E000 or U+E001 together with $'…' quoting; quote one of them another way")
	}
	var out strings.Builder
	var decoded []string
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
		case c == '\\' && i+1 < len(line):
			out.WriteByte(c)
			i++
			c = line[i]
		case quote == '"':
			if c == '"' {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '$' && i+1 < len(line) && line[i+1] == '\'':
			text, end, ok := decodeANSIQuote(line, i+2)
			if !ok {
				out.WriteString(line[i:])
				return out.String(), decoded, nil
			}
			out.WriteRune(placeholderOpen)
			out.WriteString(strconv.Itoa(len(decoded)))
			out.WriteRune(placeholderClose)
			decoded = append(decoded, text)
			i = end
			continue
		}
		out.WriteByte(c)
	}
	return out.String(), decoded, nil
}

// restoreANSIQuotes puts the decoded strings back in place of their placeholders.
func restoreANSIQuotes(words, decoded []string) []string {
	if len(decoded) == 0 {
		return words
	}
	for i, w := range words {
		if !strings.ContainsRune(w, placeholderOpen) {
			continue
		}
		var b strings.Builder
		for {
			start := strings.IndexRune(w, placeholderOpen)
			end := strings.IndexRune(w, placeholderClose)
			if start < 0 || end < start {
				b.WriteString(w)
				break
			}
			b.WriteString(w[:start])
			n, _ := strconv.Atoi(w[start+len(string(placeholderOpen)) : end])
			b.WriteString(decoded[n])
			w = w[end+len(string(placeholderClose)):]
		}
		words[i] = b.String()
	}
	return words
}

// decodeANSIQuote decodes the body of a $'…' starting at line[from] and returns it with the
// index of the closing quote; ok is false when the quote is never closed.
func decodeANSIQuote(line string, from int) (text string, end int, ok bool) {
	var b strings.Builder
	for i := from; i < len(line); i++ {
		c := line[i]
		if c == '\'' {
			return b.String(), i, true
		}
		if c != '\\' || i+1 >= len(line) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := line[i]; e {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'e', 'E':
			b.WriteByte(0x1b)
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '\\', '\'', '"', '?':
			b.WriteByte(e)
		case 'x':
			v, n := digits(line[i+1:], 16, 2)
			if n == 0 {
				b.WriteString(`\x`)
				continue
			}
			b.WriteByte(byte(v))
			i += n
		case 'u', 'U':
			width := 4
			if e == 'U' {
				width = 8
			}
			v, n := digits(line[i+1:], 16, width)
			if n == 0 {
				b.WriteByte('\\')
				b.WriteByte(e)
				continue
			}
			b.WriteRune(rune(v))
			i += n
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v, n := digits(line[i:], 8, 3)
			b.WriteByte(byte(v))
			i += n - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return "", 0, false
}

// digits reads at most max digits of base from the start of s and returns their value and
// how many it read.
func digits(s string, base, max int) (uint64, int) {
	n := 0
	for n < len(s) && n < max && strings.IndexByte("0123456789abcdefABCDEF"[:digitSet(base)], s[n]) >= 0 {
		n++
	}
	if n == 0 {
		return 0, 0
	}
	v, _ := strconv.ParseUint(s[:n], base, 64)
	return v, n
}

// digitSet is how many characters of "0123456789abcdefABCDEF" are digits of base.
func digitSet(base int) int {
	if base == 16 {
		return 22
	}
	return base
}
