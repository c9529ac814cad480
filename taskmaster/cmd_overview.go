package main

import (
	"fmt"
	"io"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/plan"
)

func runOverview(w *workspace, args []string, stdout io.Writer) error {
	if err := argCount(args, 0, 0, "overview (no arguments)"); err != nil {
		return err
	}
	p, err := w.loadPlan()
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, plan.Overview(p))
	return nil
}
