package markdown

// Kind says what a Block is.
type Kind int

// The kinds of block a document is split into.
const (
	Heading Kind = iota + 1
	ListItem
	Table
	Paragraph
)

func (k Kind) String() string {
	switch k {
	case Heading:
		return "heading"
	case ListItem:
		return "list item"
	case Table:
		return "table"
	case Paragraph:
		return "paragraph"
	}
	return "unknown"
}

// Block is one structural element of a document, in source order.
type Block struct {
	Kind Kind
	// Line is the 1-based source line the block starts on.
	Line int
	// Level is the heading level (1–6); zero for other kinds.
	Level int
	// Indent is the list item's indentation in columns (a tab counts as four).
	Indent int
	// Ordered is true for numbered list items ("1." or "1)").
	Ordered bool
	// Text is the heading, list item or paragraph text with lines joined by a space;
	// inline markup is kept (see PlainText).
	Text string
	// Lines are a paragraph's or list item's source lines, trimmed.
	Lines []string
	// Header and Rows hold a table's cells, inline markup kept.
	Header []string
	Rows   []Row
}

// Row is one table body row.
type Row struct {
	Line  int
	Cells []string
}
