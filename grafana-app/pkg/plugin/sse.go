package plugin

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// maxSSELine bounds one line of opsproxy's event stream: an event carries a key and a value
// (etcd's default request limit is 1.5 MiB, base64 makes it 2 MiB) and their previous version.
const maxSSELine = 8 << 20

// sseEvent is one Server-Sent Event: its name, its id (0 when it has none) and its data.
type sseEvent struct {
	Name string
	ID   int64
	Data string
}

// sseReader reads the events of a text/event-stream answer, as far as opsproxy's watch uses
// the format: event, id and data fields, comments, a blank line ending each event.
type sseReader struct {
	sc *bufio.Scanner
}

func newSSEReader(r io.Reader) *sseReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxSSELine)
	return &sseReader{sc: sc}
}

// next answers the next event, or the error that ended the stream (io.EOF at its end).
func (r *sseReader) next() (sseEvent, error) {
	var ev sseEvent
	var data []string
	seen := false
	for r.sc.Scan() {
		line := r.sc.Text()
		if line == "" {
			if !seen {
				continue
			}
			ev.Data = strings.Join(data, "\n")
			if ev.Name == "" {
				ev.Name = "message"
			}
			return ev, nil
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			ev.Name, seen = value, true
		case "data":
			data, seen = append(data, value), true
		case "id":
			if id, err := strconv.ParseInt(value, 10, 64); err == nil {
				ev.ID, seen = id, true
			}
		}
	}
	if err := r.sc.Err(); err != nil {
		return ev, err
	}
	return ev, io.EOF
}
