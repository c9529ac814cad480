package console

import (
	"strings"

	"github.com/spf13/pflag"
)

// commandLine is a command as it is recorded (audit command, history without values): its
// name, its arguments with those redact names replaced by their size, and the flags it set,
// each quoted for a shell where needed.
func (inv *Invocation) commandLine(redact map[int]bool) string {
	words := []string{inv.Path}
	for i, a := range inv.Args {
		if redact[i] {
			words = append(words, redacted(a))
			continue
		}
		words = append(words, quoteWord(a))
	}
	inv.Flags.Visit(func(f *pflag.Flag) {
		if f.Value.Type() == "bool" && f.Value.String() == "true" {
			words = append(words, "--"+f.Name)
			return
		}
		words = append(words, "--"+f.Name+"="+quoteWord(f.Value.String()))
	})
	return strings.Join(words, " ")
}
