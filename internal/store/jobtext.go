package store

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// checkJobText refuses the text a backend cannot store: PostgreSQL's text
// and jsonb take neither NUL characters nor invalid UTF-8, and jsonb no
// unpaired UTF-16 surrogate escape. Caught here, such a job fails alone
// instead of failing the batch of CreateJobs it would have been part of.
func checkJobText(j Job) error {
	for _, f := range []struct{ name, v string }{
		{"id", j.ID}, {"kind", j.Kind}, {"cluster", j.Cluster}, {"requested_by", j.RequestedBy}, {"idempotency key", j.IdempotencyKey},
	} {
		if !utf8.ValidString(f.v) || strings.IndexByte(f.v, 0) >= 0 {
			return fmt.Errorf("job %s: %s is not UTF-8 text without NUL characters: %w", j.ID, f.name, ErrInvalid)
		}
	}
	if err := checkJSONText(j.Parameters); err != nil {
		return fmt.Errorf("job %s: parameters: %w", j.ID, err)
	}
	return nil
}

// checkJSONText checks that raw, valid JSON, is UTF-8 and escapes neither
// NUL (\u0000) nor a lone surrogate.
func checkJSONText(raw []byte) error {
	if !utf8.Valid(raw) {
		return fmt.Errorf("not UTF-8: %w", ErrInvalid)
	}
	pendingHigh := false
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			if pendingHigh {
				return fmt.Errorf("unpaired surrogate escape: %w", ErrInvalid)
			}
			continue
		}
		if raw[i+1] != 'u' || i+6 > len(raw) {
			if pendingHigh {
				return fmt.Errorf("unpaired surrogate escape: %w", ErrInvalid)
			}
			i++ // an escaped character, \\ included
			continue
		}
		r, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
		if err != nil {
			return fmt.Errorf("bad \\u escape: %w", ErrInvalid)
		}
		i += 5
		switch c := rune(r); {
		case c == 0:
			return fmt.Errorf("escapes a NUL character: %w", ErrInvalid)
		case pendingHigh && (c < 0xDC00 || c > 0xDFFF):
			return fmt.Errorf("unpaired surrogate escape: %w", ErrInvalid)
		case pendingHigh:
			pendingHigh = false
		case c >= 0xDC00 && c <= 0xDFFF:
			return fmt.Errorf("unpaired surrogate escape: %w", ErrInvalid)
		case utf16.IsSurrogate(c):
			pendingHigh = true
		}
	}
	if pendingHigh {
		return fmt.Errorf("unpaired surrogate escape: %w", ErrInvalid)
	}
	return nil
}
