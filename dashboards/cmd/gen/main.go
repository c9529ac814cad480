package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/etcd-monitor/etcd-monitor/dashboards"
)

func main() { os.Exit(run()) }

func run() int {
	out := flag.String("out", filepath.Join("dashboards", "json"), "directory to write the dashboard JSON files to")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		return 1
	}
	return 0
}

// write renders every dashboard into dir, one file each.
func write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, d := range dashboards.All() {
		raw, err := d.Render()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, d.File), raw, 0o644); err != nil {
			return err
		}
	}
	return nil
}
