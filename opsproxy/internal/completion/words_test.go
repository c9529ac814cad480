package completion

import (
	"reflect"
	"testing"
)

func TestSplitWordsReadsQuotesAndEscapesAsAShell(t *testing.T) {
	cases := []struct {
		line  string
		texts []string
		open  quoting
	}{
		{"get /a --prefix", []string{"get", "/a", "--prefix"}, unquoted},
		{"  get\t'/a b'  ", []string{"get", "/a b"}, unquoted},
		{`put "/k \"x\" \$y" 'it'\''s'`, []string{"put", `/k "x" $y`, "it's"}, unquoted},
		{`get /my\ key`, []string{"get", "/my key"}, unquoted},
		{`get $'/bin\xff\x00\n\'q'`, []string{"get", "/bin\xff\x00\n'q"}, unquoted},
		{"get '/open quo", []string{"get", "/open quo"}, singleQuoted},
		{`get "/open`, []string{"get", "/open"}, doubleQuoted},
		{`get $'/ab\x`, []string{"get", `/ab\x`}, ansiQuoted},
		{`get /trailing\`, []string{"get", "/trailing"}, unquoted},
		{"", nil, unquoted},
	}
	for _, c := range cases {
		ws := splitWords(c.line)
		var texts []string
		for _, w := range ws {
			texts = append(texts, w.text)
		}
		if !reflect.DeepEqual(texts, c.texts) {
			t.Errorf("%q: words %q, want %q", c.line, texts, c.texts)
			continue
		}
		if len(ws) > 0 && ws[len(ws)-1].open != c.open {
			t.Errorf("%q: last word open %v, want %v", c.line, ws[len(ws)-1].open, c.open)
		}
	}
	ws := splitWords(`get  '/a b'x next`)
	if ws[1].start != 5 || ws[1].end != 12 || ws[1].text != "/a bx" {
		t.Fatalf("word bounds %+v, want [5,12) standing for \"/a bx\"", ws[1])
	}
}

func TestQuoteWritesWhatSplitWordsReadsBack(t *testing.T) {
	texts := []string{"/plain/key", "/my key", "it's", `/a"b$c`, "/bin\xff\x01", "/π/ключ", "", "/tab\there", `back\slash`}
	for _, text := range texts {
		for _, prefer := range []quoting{unquoted, singleQuoted, doubleQuoted, ansiQuoted} {
			q := quote(text, prefer, false)
			ws := splitWords(q)
			if len(ws) != 1 || ws[0].text != text || ws[0].open != unquoted || ws[0].end != len(q) {
				t.Errorf("quote(%q, %v) = %s, read back as %+v", text, prefer, q, ws)
			}
			// Left open, it reads back as the same text inside an open quote (or none).
			if ws := splitWords(quote(text, prefer, true)); len(ws) > 1 || len(ws) == 1 && ws[0].text != text {
				t.Errorf("open quote(%q, %v) read back as %+v", text, prefer, ws)
			}
		}
	}
	if got := quote("/registry/", unquoted, true); got != "/registry/" {
		t.Errorf("plain text is left plain: %s", got)
	}
	if got := quote("/my dir/", unquoted, true); got != "'/my dir/" {
		t.Errorf("a group with a space stays inside an open quote: %s", got)
	}
}
