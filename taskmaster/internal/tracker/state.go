package tracker

import (
	"sort"
	"time"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/plan"
)

// Item is the current state of one task or subtask.
type Item struct {
	Status   string
	Assignee string
	// Started is set when the item enters in_progress and cleared when it goes back to pending.
	Started time.Time
	// Completed is set when the item is completed and cleared when it is reopened.
	Completed time.Time
}

// State is the replay of a history: the current state of every id it mentions.
type State struct {
	items map[string]Item
}

// Replay folds events, in order, into the current state.
func Replay(events []Event) State {
	s := State{items: map[string]Item{}}
	for _, e := range events {
		it := s.Item(e.ID())
		switch e.Action {
		case ActionAssign:
			it.Assignee = e.Assignee
		case ActionStatus:
			switch e.To {
			case Pending:
				it.Started, it.Completed = time.Time{}, time.Time{}
			case InProgress:
				if it.Started.IsZero() {
					it.Started = e.Time
				}
				it.Completed = time.Time{}
			case Completed:
				it.Completed = e.Time
			case Blocked:
				it.Completed = time.Time{}
			}
			it.Status = e.To
		}
		s.items[e.ID()] = it
	}
	return s
}

// Item returns the state of id; an id never changed is pending.
func (s State) Item(id string) Item {
	if it, ok := s.items[id]; ok {
		return it
	}
	return Item{Status: Pending}
}

// Has reports whether the history mentions id.
func (s State) Has(id string) bool {
	_, ok := s.items[id]
	return ok
}

// Orphans returns, sorted, the ids that have state but are not in p (for example after a
// feature was removed from the PRD). Their state is kept and comes back with the id.
func (s State) Orphans(p *plan.Plan) []string {
	known := map[string]bool{}
	for _, id := range p.IDs() {
		known[id] = true
	}
	var out []string
	for id := range s.items {
		if !known[id] {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Kept returns, in plan order, the ids of p that have state.
func (s State) Kept(p *plan.Plan) []string {
	var out []string
	for _, id := range p.IDs() {
		if s.Has(id) {
			out = append(out, id)
		}
	}
	return out
}
