package tracker

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestEncodeHistoryAppendsOneLinePerEvent(t *testing.T) {
	one := []Event{status(1, 0, "task-1.2", "", Pending, InProgress)}
	two := append(append([]Event{}, one...), Event{Seq: 2, Time: at(1), Task: "task-1.2", Action: ActionAssign, Assignee: "Ann", Note: "x"})
	a, err := EncodeHistory(one)
	if err != nil {
		t.Fatal(err)
	}
	b, err := EncodeHistory(two)
	if err != nil {
		t.Fatal(err)
	}
	firstEventLine := strings.Split(string(a), "\n")[3]
	if !strings.Contains(string(b), firstEventLine+",\n") {
		t.Errorf("appending rewrote the first event line %q:\n%s", firstEventLine, b)
	}
	if got, want := bytes.Count(b, []byte("\n")), bytes.Count(a, []byte("\n"))+1; got != want {
		t.Errorf("appending one event added %d lines, want 1", got-want+1)
	}
	back, err := DecodeHistory(b)
	if err != nil || !reflect.DeepEqual(back, two) {
		t.Fatalf("round trip = %+v, %v", back, err)
	}
	empty, _ := EncodeHistory(nil)
	if events, err := DecodeHistory(empty); err != nil || len(events) != 0 {
		t.Fatalf("empty history round trip = %v, %v", events, err)
	}
}

func TestDecodeHistoryRejectsCorruptFiles(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"truncated", `{"format": 1, "events": [`, "decode: unexpected EOF"},
		{"trailing garbage", `{"format": 1, "events": []} {}`, "decode: data after the history object"},
		{"unknown field", `{"format": 1, "events": [], "extra": 1}`, `decode: json: unknown field "extra"`},
		{"other format", `{"format": 2, "events": []}`, "format 2 is not supported (want 1)"},
		{"gap in sequence", `{"format": 1, "events": [{"seq": 2, "time": "2025-10-13T09:00:00Z", "task": "task-1.1", "action": "assign", "assignee": "a"}]}`,
			"event 1: sequence number is 2, want 1"},
		{"missing time", `{"format": 1, "events": [{"seq": 1, "task": "task-1.1", "action": "assign", "assignee": "a"}]}`, "event 1: time is missing"},
		{"bad status", `{"format": 1, "events": [{"seq": 1, "time": "2025-10-13T09:00:00Z", "task": "task-1.1", "action": "status", "from": "pending", "to": "done"}]}`,
			`event 1: to: unknown status "done" (want one of pending, in_progress, completed, blocked)`},
		{"subtask of other task", `{"format": 1, "events": [{"seq": 1, "time": "2025-10-13T09:00:00Z", "task": "task-1.1", "subtask": "task-2.1.1", "action": "status", "from": "pending", "to": "completed"}]}`,
			`event 1: subtask id "task-2.1.1" is not a subtask of task-1.1`},
		{"unknown action", `{"format": 1, "events": [{"seq": 1, "time": "2025-10-13T09:00:00Z", "task": "task-1.1", "action": "delete"}]}`, `event 1: unknown action "delete"`},
		{"malformed task", `{"format": 1, "events": [{"seq": 1, "time": "2025-10-13T09:00:00Z", "task": "x", "action": "assign", "assignee": "a"}]}`, `event 1: task id "x" is malformed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeHistory([]byte(tt.src))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant    %q", err, tt.want)
			}
		})
	}
}
