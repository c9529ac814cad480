package opsproxy

import "github.com/etcd-monitor/etcd-monitor/opsproxy/internal/ui"

// ConsolePath is where opsproxy serves the standalone console.
const ConsolePath = ui.Prefix

// ConsoleBuilt reports whether this binary embeds the standalone console (`make console` before
// building); without it, ConsolePath answers a page saying how to build it.
func ConsoleBuilt() bool { return ui.Built(ui.Bundle()) }
