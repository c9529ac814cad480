package plan

import (
	"bytes"
	"strings"
	"testing"
)

func TestEncodeIsDeterministicAndDecodesBack(t *testing.T) {
	p, err := Build(doc, Options{Project: "x", Version: "1.0.0", Source: "PRD.md"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := Encode(p)
	if !bytes.Equal(first, second) || !bytes.HasSuffix(first, []byte("}\n")) {
		t.Fatal("Encode is not deterministic or does not end in a newline")
	}
	back, err := Decode(first)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Encode(back)
	if !bytes.Equal(first, again) {
		t.Fatal("decode/encode changed the plan")
	}
}

func TestDecodeRejectsCorruptPlans(t *testing.T) {
	p, _ := Build(doc, Options{Project: "x", Version: "1.0.0"})
	good, _ := Encode(p)
	tests := []struct {
		name, from, to, want string
	}{
		{"not json", string(good), "{", "decode: unexpected EOF"},
		{"unknown field", `"project"`, `"owner": "y", "project"`, `decode: json: unknown field "owner"`},
		{"other format", `"format": 1`, `"format": 7`, "format 7 is not supported (want 1)"},
		{"duplicate task id", `"task-1.2"`, `"task-1.1"`, `task id "task-1.1" appears twice`},
		{"malformed task id", `"task-3.1"`, `"t3"`, `task id "t3" is malformed`},
		{"subtask of another task", `"task-1.1.2"`, `"task-1.2.2"`, `subtask id "task-1.2.2" of task-1.1 is malformed`},
		{"summary that does not add up", `"tasks": 3`, `"tasks": 4`, "summary {Phases:2 Tasks:4 Subtasks:2 EstimatedHours:19} does not match the phases, which hold {Phases:2 Tasks:3 Subtasks:2 EstimatedHours:19}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(string(good), tt.from, tt.to, 1)
			if src == string(good) && tt.name != "not json" {
				t.Fatalf("replacement %q not found", tt.from)
			}
			if tt.name == "not json" {
				src = tt.to
			}
			_, err := Decode([]byte(src))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant    %q", err, tt.want)
			}
		})
	}
}
