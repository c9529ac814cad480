package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/tracker"
)

func runProgress(w *workspace, args []string, stdout io.Writer) error {
	if err := argCount(args, 0, 0, "progress (no arguments)"); err != nil {
		return err
	}
	p, state, _, err := w.load()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(tracker.Measure(p, state)); err != nil {
		return fmt.Errorf("write progress: %w", err)
	}
	return nil
}
