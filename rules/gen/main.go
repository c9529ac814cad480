package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/etcd-monitor/etcd-monitor/rules"
)

func main() { os.Exit(run()) }

func run() int {
	config := flag.String("config", "rules/config/settings.yml", "settings file to render the rules from")
	out := flag.String("out", "rules", "directory the rule files are written to")
	flag.Parse()
	if err := generate(*config, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		return 1
	}
	return 0
}

func generate(config, out string) error {
	cfg, err := rules.LoadConfig(config)
	if err != nil {
		return err
	}
	files, err := rules.Generate(cfg)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(out, n)
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		fmt.Println("wrote", p)
	}
	return nil
}
