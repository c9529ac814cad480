package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/tracker"
)

func TestCommandsRejectBadInputWithAClearMessage(t *testing.T) {
	tests := []struct {
		name string
		// setup prepares the directory; nil means an initialised one.
		setup      func(t *testing.T) string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"no command", nil, nil, 2, "taskmaster: no command given"},
		{"unknown command", nil, []string{"frobnicate"}, 2, `taskmaster: unknown command "frobnicate"`},
		{"unknown flag", nil, []string{"--colour", "status"}, 2, "flag provided but not defined: -colour"},
		{"missing PRD", func(t *testing.T) string { return t.TempDir() }, []string{"init"}, 1,
			"taskmaster init: read PRD: open PRD.md: no such file or directory"},
		{"unreadable PRD (a directory)", func(t *testing.T) string {
			d := t.TempDir()
			if err := os.Mkdir(filepath.Join(d, "PRD.md"), 0o755); err != nil {
				t.Fatal(err)
			}
			return d
		}, []string{"init"}, 1, "taskmaster init: read PRD: read PRD.md: is a directory"},
		{"PRD without phases", func(t *testing.T) string { return workdir(t, "# Notes\n\n- nothing planned\n") }, []string{"init"}, 1,
			"taskmaster init: parse PRD PRD.md: no phases found"},
		{"bad version", func(t *testing.T) string { return workdir(t, samplePRD) }, []string{"init", "PRD.md", "tasks.json", "x", "v1"}, 1,
			`taskmaster init: plan from PRD PRD.md: version "v1" is not MAJOR.MINOR.PATCH`},
		{"too many init arguments", nil, []string{"init", "a", "b", "c", "d", "e"}, 2, "want init [prd-file] [output-file] [project-name] [version], got 5 argument(s)"},
		{"status before init", func(t *testing.T) string { return workdir(t, samplePRD) }, []string{"status"}, 1,
			"taskmaster status: read tasks file (run taskmaster init to create it): open tasks.json: no such file or directory"},
		{"unknown task id", nil, []string{"details", "task-9.1"}, 1, "taskmaster details: unknown task task-9.1 (see taskmaster status)"},
		{"malformed task id", nil, []string{"update", "setup", "in_progress"}, 1, `taskmaster update: task id "setup" is malformed`},
		{"unknown status", nil, []string{"update", "task-1.1", "done"}, 1,
			`taskmaster update: unknown status "done" (want one of pending, in_progress, completed, blocked)`},
		{"illegal transition", nil, []string{"update", "task-1.1", "completed"}, 1,
			"taskmaster update: task-1.1 cannot go from pending to completed: start it first (in_progress)"},
		{"subtask of another task", nil, []string{"update-subtask", "task-1.1", "task-2.1.1", "completed"}, 1,
			"taskmaster update-subtask: task-2.1.1 is not a subtask of task-1.1 (it has 2 subtasks)"},
		{"missing update argument", nil, []string{"update", "task-1.1"}, 2, "want update <task-id> <status> [note], got 1 argument(s)"},
		{"empty assignee", nil, []string{"assign", "task-1.1", ""}, 1, "taskmaster assign: assignee name must not be empty"},
		{"history count not a number", nil, []string{"history", "ten"}, 2, `history: n must be a positive whole number, got "ten"`},
		{"history count zero", nil, []string{"history", "0"}, 2, `history: n must be a positive whole number, got "0"`},
		{"corrupt tasks file", func(t *testing.T) string {
			d := initialised(t)
			if err := os.WriteFile(filepath.Join(d, "tasks.json"), []byte(`{"format": 1, "phases": [`), 0o644); err != nil {
				t.Fatal(err)
			}
			return d
		}, []string{"status"}, 1, "taskmaster status: corrupt tasks file tasks.json (run taskmaster init to regenerate it): decode: unexpected EOF"},
		{"corrupt state file", func(t *testing.T) string {
			d := initialised(t)
			if err := os.WriteFile(filepath.Join(d, "tasks.state.json"), []byte("not json"), 0o644); err != nil {
				t.Fatal(err)
			}
			return d
		}, []string{"update", "task-1.1", "in_progress"}, 1, "taskmaster update: corrupt state file tasks.state.json: decode: invalid character 'o' in literal null (expecting 'u')"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup := tt.setup
			if setup == nil {
				setup = initialised
			}
			dir := setup(t)
			before := snapshot(t, dir)
			r := runIn(t, dir, tt.args...)
			if r.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", r.code, tt.wantCode, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stderr = %q\nwant it to contain %q", r.stderr, tt.wantStderr)
			}
			if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
				t.Errorf("a failed command changed the directory:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// snapshot maps each regular file in dir to its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, name := range listing(t, dir) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			files[name] = string(data)
		}
	}
	return files
}

func TestTaskLifecycleIsRecordedAndReported(t *testing.T) {
	dir := initialised(t)
	steps := []struct {
		args       []string
		wantStdout string
	}{
		{[]string{"assign", "task-1.1", "Ann Lee"}, "task-1.1: assigned to Ann Lee\n"},
		{[]string{"update", "task-1.1", "in_progress", "starting setup"}, "task-1.1: pending → in_progress (started "},
		{[]string{"update-subtask", "task-1.1", "task-1.1.1", "completed"}, "task-1.1.1: pending → completed (completed "},
		{[]string{"update-subtask", "task-1.1", "task-1.1.2", "completed"},
			"all subtasks of task-1.1 are completed; complete it with: taskmaster update task-1.1 completed\n"},
		{[]string{"update", "task-1.1", "completed", "done"}, "task-1.1: in_progress → completed (completed "},
		{[]string{"update", "task-2.1", "blocked", "waiting for 1.x"}, "task-2.1: pending → blocked\n"},
	}
	for _, s := range steps {
		if out := mustRun(t, dir, s.args...); !strings.Contains(out, s.wantStdout) {
			t.Fatalf("taskmaster %v printed %q, want it to contain %q", s.args, out, s.wantStdout)
		}
	}

	details := mustRun(t, dir, "details", "task-1.1")
	for _, want := range []string{"task-1.1: Setup\n", "Status:           completed", "Assignee:         Ann Lee", "Estimated hours:  6",
		"Subtasks (2/2 completed):", "task-1.1.1  completed  3h  Repository"} {
		if !strings.Contains(details, want) {
			t.Errorf("details lacks %q:\n%s", want, details)
		}
	}
	for _, field := range []string{"Started:", "Completed:"} {
		if line := lineWith(details, field); strings.HasSuffix(line, "-") {
			t.Errorf("details has no %s timestamp: %q", field, line)
		}
	}

	status := mustRun(t, dir, "status")
	for _, want := range []string{"etcd-monitor 1.0.0: 1/3 tasks completed (33.3%)", "Phase 1: Start (weeks 1-2) — 1/2 tasks completed (50.0%)",
		"[x] task-1.1  completed", "@Ann Lee  Setup", "[ ] task-1.2  pending    low", "[!] task-2.1  blocked"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}

	var pr tracker.Progress
	if err := json.Unmarshal([]byte(mustRun(t, dir, "progress")), &pr); err != nil {
		t.Fatal(err)
	}
	wantTasks := tracker.StatusCounts{Pending: 1, Completed: 1, Blocked: 1}
	if pr.TotalTasks != 3 || pr.Tasks != wantTasks || pr.CompletionPercent != 33.3 || pr.Subtasks.ByStatus.Completed != 2 ||
		pr.Subtasks.Total != 3 || pr.Hours != (tracker.Hours{Estimated: 18, Done: 6, Remaining: 12}) {
		t.Errorf("progress = %+v", pr)
	}

	history := mustRun(t, dir, "history", "2")
	if lines := strings.Split(strings.TrimSpace(history), "\n"); len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "#5 ") || !strings.HasPrefix(lines[1], "#6 ") ||
		!strings.HasSuffix(strings.Join(strings.Fields(lines[1]), " "), `task-2.1 pending → blocked "waiting for 1.x"`) {
		t.Errorf("history 2 =\n%s", history)
	}
}

func lineWith(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func TestInitOnEditedPRDKeepsStateOfSurvivingIds(t *testing.T) {
	dir := initialised(t)
	mustRun(t, dir, "update", "task-1.2", "in_progress")
	mustRun(t, dir, "update", "task-2.1", "blocked")
	mustRun(t, dir, "assign", "task-1.1", "Ann")

	edited := strings.Replace(samplePRD, "## Phase 2: Finish\n\n### Release\n\n- Tag\n", "## Phase 2: Finish\n\n### Announce\n", 1)
	edited = strings.Replace(edited, "### Docs [LOW]", "### Documentation [LOW]\n\n- Guide", 1)
	if err := os.WriteFile(filepath.Join(dir, "PRD.md"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, dir, "init")
	for _, want := range []string{"3 tasks, 3 subtasks", "kept the state of 3 ids: task-1.1, task-1.2, task-2.1\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("init printed %q, want it to contain %q", out, want)
		}
	}
	details := mustRun(t, dir, "details", "task-1.2")
	if !strings.Contains(details, "Documentation") || !strings.Contains(details, "Status:           in_progress") {
		t.Errorf("task-1.2 lost its state across init:\n%s", details)
	}
	if d := mustRun(t, dir, "details", "task-1.1"); !strings.Contains(d, "Assignee:         Ann") {
		t.Errorf("task-1.1 lost its assignee:\n%s", d)
	}
}

func TestInitReportsStateOfRemovedIds(t *testing.T) {
	dir := initialised(t)
	mustRun(t, dir, "update-subtask", "task-2.1", "task-2.1.1", "completed")
	edited := strings.Replace(samplePRD, "\n- Tag\n", "\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "PRD.md"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, dir, "init")
	if want := "1 ids with state are no longer in the PRD (their history stays in tasks.state.json): task-2.1.1"; !strings.Contains(out, want) {
		t.Errorf("init printed %q, want %q", out, want)
	}
	if status := mustRun(t, dir, "status"); !strings.Contains(status, "state kept for ids no longer in tasks.json: task-2.1.1") {
		t.Errorf("status does not mention the orphaned state:\n%s", status)
	}
}

func TestInitWithArgumentsWritesTheNamedFiles(t *testing.T) {
	dir := workdir(t, samplePRD)
	if err := os.Rename(filepath.Join(dir, "PRD.md"), filepath.Join(dir, "custom-prd.md")); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, dir, "init", "custom-prd.md", "my-tasks.json", "my-project", "2.0.0")
	if !strings.HasPrefix(out, "wrote my-tasks.json from custom-prd.md: 2 phases, 3 tasks, 3 subtasks, 18 estimated hours\n") {
		t.Errorf("init printed %q", out)
	}
	mustRun(t, dir, "--tasks", "my-tasks.json", "update", "task-1.2", "in_progress")
	if got := listing(t, dir); !reflect.DeepEqual(got, []string{"custom-prd.md", "my-tasks.json", "my-tasks.state.json"}) {
		t.Errorf("directory = %v", got)
	}
	if s := mustRun(t, dir, "--tasks", "my-tasks.json", "status"); !strings.HasPrefix(s, "my-project 2.0.0: 0/3 tasks completed") {
		t.Errorf("status = %q", s)
	}
}
