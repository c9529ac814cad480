package markdown

import (
	"fmt"
	"strings"
	"testing"
)

// render shows blocks one per line so that expectations stay readable.
func render(blocks []Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		switch bl.Kind {
		case Heading:
			fmt.Fprintf(&b, "%d h%d %q\n", bl.Line, bl.Level, bl.Text)
		case ListItem:
			fmt.Fprintf(&b, "%d li indent=%d ordered=%t %q\n", bl.Line, bl.Indent, bl.Ordered, bl.Text)
		case Table:
			fmt.Fprintf(&b, "%d table %q", bl.Line, bl.Header)
			for _, r := range bl.Rows {
				fmt.Fprintf(&b, " %d:%q", r.Line, r.Cells)
			}
			b.WriteString("\n")
		case Paragraph:
			fmt.Fprintf(&b, "%d p %q\n", bl.Line, bl.Text)
		}
	}
	return b.String()
}

func TestParseSplitsDocumentIntoBlocks(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"atx headings with closing hashes", "# One #\n## Two\n#hashtag\n", "1 h1 \"One\"\n2 h2 \"Two\"\n3 p \"#hashtag\"\n"},
		{"setext headings", "Title\n=====\nSub\n---\n", "1 h1 \"Title\"\n3 h2 \"Sub\"\n"},
		{"thematic break is not a heading after a blank line", "text\n\n---\n- a\n", "1 p \"text\"\n4 li indent=0 ordered=false \"a\"\n"},
		{"nested and ordered items", "- a\n  - b\n1. c\n2) d\n\t- e\n", "1 li indent=0 ordered=false \"a\"\n2 li indent=2 ordered=false \"b\"\n3 li indent=0 ordered=true \"c\"\n4 li indent=0 ordered=true \"d\"\n5 li indent=4 ordered=false \"e\"\n"},
		{"item continuation lines", "- first\n  more\nlazy\n\n  indented after blank\n\nparagraph\n", "1 li indent=0 ordered=false \"first more lazy indented after blank\"\n7 p \"paragraph\"\n"},
		{"bold text is not a list item", "**Priority:** high\n", "1 p \"**Priority:** high\"\n"},
		{"fenced code is skipped", "```md\n# not a heading\n```\n~~~~\n- no\n~~~~\n# yes\n", "7 h1 \"yes\"\n"},
		{"unclosed fence runs to the end", "```\n# hidden\n", ""},
		{"html comments are skipped", "<!-- one line -->\n<!--\n# hidden\n-->\n# shown\n", "5 h1 \"shown\"\n"},
		{"front matter is skipped", "---\ntitle: x\n---\n# T\n", "4 h1 \"T\"\n"},
		{"table with escaped pipe and short row", "| A | B |\n|:--|--:|\n| x \\| y | z |\n| only |\n\nafter\n", "1 table [\"A\" \"B\"] 3:[\"x | y\" \"z\"] 4:[\"only\" \"\"]\n6 p \"after\"\n"},
		{"pipe line without delimiter row is a paragraph", "a | b\nc | d\n", "1 p \"a | b c | d\"\n"},
		{"delimiter row with wrong cell count is no table", "| a | b |\n|---|\n", "1 p \"| a | b | |---|\"\n"},
		{"windows line endings and BOM", "\uFEFF# T\r\n- a\r\n", "1 h1 \"T\"\n2 li indent=0 ordered=false \"a\"\n"},
		{"blockquote text is a paragraph", "> quoted\n> more\n", "1 p \"quoted more\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(Parse([]byte(tt.src))); got != tt.want {
				t.Errorf("Parse(%q)\ngot\n%s\nwant\n%s", tt.src, got, tt.want)
			}
		})
	}
}

func TestPlainTextRemovesInlineMarkup(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"**Bold** and *em*", "Bold and em"},
		{"[link](http://x) and ![img](a.png)", "link and img"},
		{"`<cluster>` stays in code", "<cluster> stays in code"},
		{"tag <b>gone</b>, < 100 ms kept", "tag gone, < 100 ms kept"},
		{"a<br>b<br/>c", "a; b; c"},
		{"[ ] open item", "open item"},
		{"[x] done item", "done item"},
		{"unmatched ` backtick", "unmatched backtick"},
		{"  spaced \t out  ", "spaced out"},
		{"snake_case_name", "snake_case_name"},
	}
	for _, tt := range tests {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
