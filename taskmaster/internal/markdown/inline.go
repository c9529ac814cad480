package markdown

import (
	"regexp"
	"strings"
)

var (
	image      = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	link       = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	lineBreak  = regexp.MustCompile(`(?i)<br\s*/?>`)
	htmlTag    = regexp.MustCompile(`</?[a-zA-Z][^<>]*>`)
	checkbox   = regexp.MustCompile(`^\[[ xX]\][ \t]+`)
	whitespace = regexp.MustCompile(`\s+`)
)

// PlainText removes inline markup from s: emphasis markers, code backticks, links and
// images (their text stays), HTML tags and a leading task-list checkbox. "<br>" becomes
// "; " and runs of white space become one space. Code spans are kept as written, without
// their backticks.
func PlainText(s string) string {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 {
		// An unmatched backtick opens no code span.
		parts[len(parts)-2] += "`" + parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			b.WriteString(p)
			continue
		}
		b.WriteString(plainProse(p))
	}
	s = whitespace.ReplaceAllString(b.String(), " ")
	s = strings.TrimSpace(s)
	return strings.TrimSpace(checkbox.ReplaceAllString(s, ""))
}

// plainProse strips the markup of text outside code spans.
func plainProse(s string) string {
	s = image.ReplaceAllString(s, "$1")
	s = link.ReplaceAllString(s, "$1")
	s = lineBreak.ReplaceAllString(s, "; ")
	s = htmlTag.ReplaceAllString(s, "")
	return strings.NewReplacer("**", "", "__", "", "`", "", "*", "").Replace(s)
}
