package jobkinds

import (
	"encoding/json"
	"strings"
)

// States of a member in a defragmentation.
const (
	statePending = "pending"
	stateSkipped = "skipped"
	stateRunning = "running"
	stateDone    = "done"
	stateFailed  = "failed"
)

// reasonInterrupted marks the pending step of a member that a previous attempt was
// defragmenting when it stopped.
const reasonInterrupted = "was running when the previous attempt stopped"

// memberStep is one member's part of a defragmentation, as its progress and result show it.
type memberStep struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	Leader   bool   `json:"leader"`
	// State is pending, skipped, running, done or failed.
	State string `json:"state"`
	// Reason says why the member was skipped or failed, or how it was done.
	Reason       string `json:"reason,omitempty"`
	DBSizeBefore int64  `json:"db_size_before"`
	DBSizeAfter  int64  `json:"db_size_after,omitempty"`
	// Fence is the fencing token of the attempt that recorded the state.
	Fence int64 `json:"fence,omitempty"`
}

// defragProgress is the progress of a "defragment" job, and its result.
type defragProgress struct {
	// Fence is the fencing token of the attempt that wrote it.
	Fence   int64        `json:"fence"`
	DryRun  bool         `json:"dry_run"`
	Rule    string       `json:"rule"`
	Members []memberStep `json:"members"`
}

func (p *defragProgress) json() json.RawMessage {
	raw, _ := json.Marshal(p)
	return raw
}

// interrupted reports whether a previous attempt stopped while defragmenting a member.
func (p *defragProgress) interrupted() bool {
	for _, m := range p.Members {
		if m.State == statePending && m.Reason == reasonInterrupted {
			return true
		}
	}
	return false
}

// doneMembers names the members done so far, for an error.
func (p *defragProgress) doneMembers() string {
	var done []string
	for _, m := range p.Members {
		if m.State == stateDone {
			done = append(done, m.Name)
		}
	}
	if len(done) == 0 {
		return "none"
	}
	return strings.Join(done, ", ")
}

// previousSteps reads the member steps a previous attempt recorded, by member id.
func previousSteps(progress json.RawMessage) map[string]memberStep {
	var p defragProgress
	out := map[string]memberStep{}
	if len(progress) == 0 || json.Unmarshal(progress, &p) != nil {
		return out
	}
	for _, m := range p.Members {
		out[m.ID] = m
	}
	return out
}
