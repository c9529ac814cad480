package plugin

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestSSEReaderReadsOpsproxysEvents(t *testing.T) {
	stream := ": watching from revision 0\n\n" +
		"id: 5\nevent: put\ndata: {\"type\":\"put\"}\n\n" +
		"event: progress\r\ndata: {\"revision\":6}\r\n\r\n" +
		"data: a\ndata: b\n\n" +
		"event: delete\ndata: {}"
	r := newSSEReader(strings.NewReader(stream))
	want := []sseEvent{
		{Name: "put", ID: 5, Data: `{"type":"put"}`},
		{Name: "progress", Data: `{"revision":6}`},
		{Name: "message", Data: "a\nb"},
	}
	for i, w := range want {
		got, err := r.next()
		if err != nil || got != w {
			t.Fatalf("event %d: %+v %v, want %+v", i, got, err, w)
		}
	}
	// An event cut off by the end of the stream is not delivered.
	if ev, err := r.next(); !errors.Is(err, io.EOF) {
		t.Errorf("after the last event: %+v %v, want io.EOF", ev, err)
	}
}
