package completion

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// shellSpecial are the bytes a shell would read as something other than part of a word.
const shellSpecial = " \t\n'\"\\$`|&;<>()*?[]#~!{}"

// quote writes text as one shell word that splitWords reads back as text. prefer is the quote
// the user opened (kept when the text allows it); open leaves the closing quote off, so that
// typing goes on inside it (a key prefix to be completed further). Text that is not UTF-8 or
// holds control bytes can only be written as $'...'.
func quote(text string, prefer quoting, open bool) string {
	closing := func(q string) string {
		if open {
			return ""
		}
		return q
	}
	switch {
	case !utf8.ValidString(text) || hasControl(text) || prefer == ansiQuoted:
		return "$'" + ansiBody(text) + closing("'")
	case prefer == doubleQuoted:
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "`", "\\`")
		return `"` + r.Replace(text) + closing(`"`)
	case prefer == singleQuoted || text == "" || strings.ContainsAny(text, shellSpecial):
		return "'" + strings.ReplaceAll(text, "'", `'\''`) + closing("'")
	}
	return text
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// ansiBody is text inside $'...': printable UTF-8 as it is, everything else as \xHH.
func ansiBody(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == utf8.RuneError && n <= 1, r < 0x20, r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, text[i])
			i++
			continue
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
		}
		b.WriteString(text[i : i+n])
		i += n
	}
	return b.String()
}
