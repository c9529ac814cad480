package apihttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// DecodeJSON reads one JSON object from the request body into v, strictly: unknown fields,
// trailing data and bodies over max bytes are refused (400, 413).
func DecodeJSON(r *http.Request, v any, max int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return Errorf(http.StatusUnsupportedMediaType, "content type %q: want application/json", ct)
	}
	return DecodeJSONBody(io.LimitReader(r.Body, max+1), v, max)
}

// DecodeJSONBody is DecodeJSON on a reader that yields at most max+1 bytes.
func DecodeJSONBody(body io.Reader, v any, max int64) error {
	lr := &countingReader{r: body}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if lr.n > max {
		return Errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", max)
	}
	if err != nil {
		return Errorf(http.StatusBadRequest, "request body: %s", describeJSONError(err))
	}
	if dec.More() {
		return Errorf(http.StatusBadRequest, "request body: unexpected data after the JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if lr.n > max {
			return Errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", max)
		}
		return Errorf(http.StatusBadRequest, "request body: unexpected data after the JSON object")
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// describeJSONError turns decoder errors into messages that name the field or offset.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "empty, want a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at offset %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("%s: want %s, got %s", typ.Field, typ.Type, typ.Value)
		}
		return fmt.Sprintf("want %s, got %s", typ.Type, typ.Value)
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown field " + f
	}
	return strings.TrimPrefix(msg, "json: ")
}
