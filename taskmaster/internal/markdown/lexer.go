package markdown

import (
	"regexp"
	"strings"
)

var (
	atxHeading    = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$`)
	closingHashes = regexp.MustCompile(`(?:^|[ \t]+)#+[ \t]*$`)
	setextH1      = regexp.MustCompile(`^ {0,3}=+[ \t]*$`)
	setextH2      = regexp.MustCompile(`^ {0,3}-+[ \t]*$`)
	thematicBreak = regexp.MustCompile(`^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$`)
	listMarker    = regexp.MustCompile(`^([ \t]*)([-*+]|[0-9]{1,9}[.)])(?:[ \t]+(.*))?$`)
	fenceOpen     = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})")
	blockquote    = regexp.MustCompile(`^ {0,3}(?:>[ \t]?)+`)
)

// Parse splits src into blocks. It accepts any bytes: invalid UTF-8 becomes U+FFFD, what
// is not a heading, list item or table is a paragraph, and nothing is an error.
func Parse(src []byte) []Block {
	text := strings.ToValidUTF8(string(src), "\uFFFD")
	l := &lexer{lines: splitLines(text), item: -1}
	l.run()
	return l.blocks
}

type lexer struct {
	lines  []string
	blocks []Block
	// para collects the lines of the paragraph being read, paraLine its first line.
	para     []string
	paraLine int
	// item is the index in blocks of the list item that may take continuation lines, or -1.
	item int
	// blank is true when the previous line was blank.
	blank bool
}

func splitLines(s string) []string {
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

func (l *lexer) run() {
	i := l.skipFrontMatter()
	for i < len(l.lines) {
		i = l.line(i)
	}
	l.flushParagraph()
}

// skipFrontMatter returns the index of the first line after a YAML front matter block.
func (l *lexer) skipFrontMatter() int {
	if len(l.lines) == 0 || strings.TrimSpace(l.lines[0]) != "---" {
		return 0
	}
	for i := 1; i < len(l.lines); i++ {
		if t := strings.TrimSpace(l.lines[i]); t == "---" || t == "..." {
			return i + 1
		}
	}
	return 0
}

// line consumes the construct starting at line i and returns the index of the next line.
func (l *lexer) line(i int) int {
	raw := l.lines[i]
	lineNo := i + 1
	if strings.TrimSpace(raw) == "" {
		l.flushParagraph()
		l.blank = true
		return i + 1
	}
	if m := fenceOpen.FindStringSubmatch(raw); m != nil {
		l.endList()
		return l.skipFence(i, m[1])
	}
	if strings.HasPrefix(strings.TrimSpace(raw), "<!--") {
		l.endList()
		return l.skipComment(i)
	}
	if m := atxHeading.FindStringSubmatch(raw); m != nil {
		l.endList()
		text := closingHashes.ReplaceAllString(m[2], "")
		l.blocks = append(l.blocks, Block{Kind: Heading, Line: lineNo, Level: len(m[1]), Text: strings.TrimSpace(text)})
		return i + 1
	}
	if len(l.para) > 0 && (setextH1.MatchString(raw) || setextH2.MatchString(raw)) {
		level := 2
		if setextH1.MatchString(raw) {
			level = 1
		}
		text := strings.Join(l.para, " ")
		l.blocks = append(l.blocks, Block{Kind: Heading, Line: l.paraLine, Level: level, Text: text})
		l.para = nil
		l.blank = false
		return i + 1
	}
	if thematicBreak.MatchString(raw) {
		l.endList()
		return i + 1
	}
	if next, ok := l.table(i); ok {
		return next
	}
	if m := listMarker.FindStringSubmatch(raw); m != nil {
		l.flushParagraph()
		l.blocks = append(l.blocks, Block{
			Kind:    ListItem,
			Line:    lineNo,
			Indent:  columns(m[1]),
			Ordered: m[2] != "-" && m[2] != "*" && m[2] != "+",
			Text:    strings.TrimSpace(m[3]),
			Lines:   []string{strings.TrimSpace(m[3])},
		})
		l.item = len(l.blocks) - 1
		l.blank = false
		return i + 1
	}
	text := strings.TrimSpace(blockquote.ReplaceAllString(raw, ""))
	if l.item >= 0 && len(l.para) == 0 && (!l.blank || leadingColumns(raw) > l.blocks[l.item].Indent) {
		it := &l.blocks[l.item]
		it.Text = strings.TrimSpace(it.Text + " " + text)
		it.Lines = append(it.Lines, text)
		l.blank = false
		return i + 1
	}
	l.item = -1
	if len(l.para) == 0 {
		l.paraLine = lineNo
	}
	l.para = append(l.para, text)
	l.blank = false
	return i + 1
}

func (l *lexer) flushParagraph() {
	if len(l.para) == 0 {
		return
	}
	l.blocks = append(l.blocks, Block{Kind: Paragraph, Line: l.paraLine, Text: strings.Join(l.para, " "), Lines: l.para})
	l.para = nil
}

func (l *lexer) endList() {
	l.flushParagraph()
	l.item = -1
	l.blank = false
}

// skipFence skips a fenced code block opened at line i by fence; an unclosed fence runs
// to the end of the document.
func (l *lexer) skipFence(i int, fence string) int {
	for j := i + 1; j < len(l.lines); j++ {
		t := strings.TrimSpace(l.lines[j])
		if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
			return j + 1
		}
	}
	return len(l.lines)
}

// skipComment skips an HTML comment starting at line i.
func (l *lexer) skipComment(i int) int {
	rest := strings.TrimSpace(l.lines[i])[len("<!--"):]
	if strings.Contains(rest, "-->") {
		return i + 1
	}
	for j := i + 1; j < len(l.lines); j++ {
		if strings.Contains(l.lines[j], "-->") {
			return j + 1
		}
	}
	return len(l.lines)
}

func columns(indent string) int {
	n := 0
	for _, r := range indent {
		if r == '\t' {
			n += 4 - n%4
		} else {
			n++
		}
	}
	return n
}

func leadingColumns(s string) int {
	return columns(s[:len(s)-len(strings.TrimLeft(s, " \t"))])
}
