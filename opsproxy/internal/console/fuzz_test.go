package console

import "testing"

// FuzzParse feeds arbitrary lines to the parser and to txn's request and compare parsers:
// whatever the line, the answer is an invocation or an error, never a panic.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"get /a --prefix -w json", "put k 'v v' --lease=1f", "txn\nmod(\"k\") > \"1\"\n\nput k v\n\ndel k\n",
		"watch k -- sh", `get "unbalanced`, "get k(1)", "lease keep-alive --once 1", "del '' --from-key",
		"member add m --peer-urls=http://a:1", "get \\", "put k <redacted 5 bytes>", "version\r\n",
		"lease(\"k\") = \"x\"", "value(\"k\") ! \"v\"", "put k", "get --limit=-1 k",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if inv, err := Parse(line); err == nil && inv.Cmd == nil {
			t.Fatalf("Parse(%q) gave no command and no error", line)
		}
		_, _, _ = parseCompare(line)
		_, _ = parseTxnRequest(line, 10)
	})
}
