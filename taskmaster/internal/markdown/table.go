package markdown

import (
	"regexp"
	"strings"
)

var delimiterRow = regexp.MustCompile(`^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$`)

// table reads a GitHub-style pipe table whose header is line i. It reports false when
// line i does not start one.
func (l *lexer) table(i int) (int, bool) {
	if i+1 >= len(l.lines) || !strings.Contains(l.lines[i], "|") {
		return i, false
	}
	delim := l.lines[i+1]
	if !strings.Contains(delim, "|") || !delimiterRow.MatchString(delim) {
		return i, false
	}
	header := splitRow(l.lines[i])
	if len(header) != len(splitRow(delim)) {
		return i, false
	}
	l.endList()
	t := Block{Kind: Table, Line: i + 1, Header: header}
	j := i + 2
	for ; j < len(l.lines); j++ {
		raw := l.lines[j]
		if strings.TrimSpace(raw) == "" || !strings.Contains(raw, "|") {
			break
		}
		cells := splitRow(raw)
		row := make([]string, len(header))
		copy(row, cells)
		t.Rows = append(t.Rows, Row{Line: j + 1, Cells: row})
	}
	l.blocks = append(l.blocks, t)
	return j, true
}

// splitRow splits a table row into trimmed cells; "\|" is a literal pipe.
func splitRow(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "|")
	if strings.HasSuffix(s, "|") && !strings.HasSuffix(s, `\|`) {
		s = s[:len(s)-1]
	}
	var cells []string
	var cur strings.Builder
	for k := 0; k < len(s); k++ {
		switch {
		case s[k] == '\\' && k+1 < len(s) && s[k+1] == '|':
			cur.WriteByte('|')
			k++
		case s[k] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(s[k])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}
