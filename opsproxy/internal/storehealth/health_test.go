package storehealth

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func TestTrackerGoesDownOnOutagesAndUpOnAnyAnswer(t *testing.T) {
	outage := errors.New("dial tcp: connection refused")
	steps := []struct {
		name   string
		err    error
		wantUp bool
	}{
		{"answer keeps it up", nil, true},
		{"not found is an answer", fmt.Errorf("token: %w", store.ErrNotFound), true},
		{"connection refused takes it down", outage, false},
		{"a cancelled caller says nothing", context.Canceled, false},
		{"a commit timeout keeps it down", context.DeadlineExceeded, false},
		{"conflict is an answer", store.ErrConflict, true},
		{"invalid is an answer", store.ErrInvalid, true},
	}
	var flips []bool
	tr := New(func(up bool, _ error) { flips = append(flips, up) })
	for _, s := range steps {
		tr.Observe(s.err)
		if got := tr.Up(); got != s.wantUp {
			t.Fatalf("%s: up = %v, want %v", s.name, got, s.wantUp)
		}
	}
	if fmt.Sprint(flips) != "[false true]" {
		t.Fatalf("flips = %v, want [false true]", flips)
	}
}
