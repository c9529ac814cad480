package tracker

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStoreAppendStampsAndNumbersEvents(t *testing.T) {
	p := testPlan(t)
	s := &Store{Path: filepath.Join(t.TempDir(), "tasks.state.json"), Now: func() time.Time { return at(7) }}
	for _, id := range []string{"task-1.1", "task-1.2"} {
		if _, err := s.Append(func(st State) (Change, error) { return UpdateTask(p, st, id, InProgress, "go") }); err != nil {
			t.Fatal(err)
		}
	}
	events, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Seq != 1 || events[1].Seq != 2 || !events[1].Time.Equal(at(7)) || events[1].Task != "task-1.2" {
		t.Fatalf("events = %+v", events)
	}
}

func TestStoreAppendWritesNothingWhenTheCheckFails(t *testing.T) {
	dir := t.TempDir()
	s := &Store{Path: filepath.Join(dir, "tasks.state.json")}
	refused := errors.New("refused")
	if _, err := s.Append(func(State) (Change, error) { return Change{}, refused }); !errors.Is(err, refused) {
		t.Fatalf("error = %v, want the check's error", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("directory holds %v after a refused append", entries)
	}
}

func TestStoreRefusesToAppendToACorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tasks.state.json")
	corrupt := []byte(`{"format": 1, "events": [`)
	if err := os.WriteFile(path, corrupt, 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Store{Path: path}
	_, err := s.Append(func(st State) (Change, error) {
		return Change{Event: Event{Task: "task-1.1", Action: ActionAssign, Assignee: "a"}}, nil
	})
	if err == nil || !strings.Contains(err.Error(), "corrupt state file "+path+": decode: unexpected EOF") {
		t.Fatalf("error = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != string(corrupt) {
		t.Fatalf("corrupt file was rewritten: %q", got)
	}
}

func TestStoreAppendsFromManyGoroutinesLoseNothing(t *testing.T) {
	s := &Store{Path: filepath.Join(t.TempDir(), "tasks.state.json")}
	const n = 40
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Append(func(State) (Change, error) {
				return Change{Event: Event{Task: "task-1.2", Action: ActionAssign, Assignee: "a"}}, nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	events, err := s.Load()
	if err != nil || len(events) != n {
		t.Fatalf("got %d events, %v; want %d", len(events), err, n)
	}
}
