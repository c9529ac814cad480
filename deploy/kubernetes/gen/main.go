// Command gen writes the manifests of deploy/kubernetes derived from rules/*.yml and
// dashboards/json/*.json (`make kubernetes`). Run it from the repository root.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/etcd-monitor/etcd-monitor/deploy/kubernetes"
)

func main() { os.Exit(run()) }

func run() int {
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	files, err := kubernetes.Generate(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		return 1
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(*root, n)
		if err := writeAtomic(p, files[n]); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			return 1
		}
		fmt.Println("wrote", p)
	}
	return 0
}

// writeAtomic writes data beside path and renames it over path, so a failed run never leaves a
// half-written manifest.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
