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
// "; " and runs of white space become one space.
func PlainText(s string) string {
	s = image.ReplaceAllString(s, "$1")
	s = link.ReplaceAllString(s, "$1")
	s = lineBreak.ReplaceAllString(s, "; ")
	s = htmlTag.ReplaceAllString(s, "")
	s = strings.NewReplacer("**", "", "__", "", "`", "", "*", "").Replace(s)
	s = whitespace.ReplaceAllString(s, " ")
	s = strings.TrimSpace(s)
	return strings.TrimSpace(checkbox.ReplaceAllString(s, ""))
}
