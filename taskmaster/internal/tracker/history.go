package tracker

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// HistoryFormat is the version of the tasks.state.json layout.
const HistoryFormat = 1

type historyFile struct {
	Format int     `json:"format"`
	Events []Event `json:"events"`
}

// EncodeHistory renders events as tasks.state.json, one event per line, so that appending
// an event adds a line and leaves every earlier line as it was (but for a trailing comma).
func EncodeHistory(events []Event) ([]byte, error) {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "{\n  \"format\": %d,\n  \"events\": [", HistoryFormat)
	for i, e := range events {
		line, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode event %d: %w", e.Seq, err)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n    ")
		buf.Write(line)
	}
	if len(events) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteString("]\n}\n")
	return buf.Bytes(), nil
}

// DecodeHistory reads tasks.state.json strictly and checks every event: sequence numbers
// 1, 2, 3…, known actions and statuses, well-formed ids.
func DecodeHistory(data []byte) ([]Event, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f historyFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("decode: data after the history object")
	}
	if f.Format != HistoryFormat {
		return nil, fmt.Errorf("format %d is not supported (want %d)", f.Format, HistoryFormat)
	}
	for i, e := range f.Events {
		if err := e.validate(i + 1); err != nil {
			return nil, fmt.Errorf("event %d: %w", i+1, err)
		}
	}
	return f.Events, nil
}
