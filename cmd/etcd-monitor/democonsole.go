package main

import (
	"fmt"

	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// demoConsoleLines say where the standalone console is and how to sign in, or, when this binary
// was built without it, how to get it.
func demoConsoleLines(opsListen string) string {
	url := "http://" + opsListen + opsproxy.ConsolePath
	if !opsproxy.ConsoleBuilt() {
		return fmt.Sprintf("console:        %s   not built into this binary: run `make console` (needs Node.js), then `make demo` again", url)
	}
	return fmt.Sprintf("console:        %s   (sign in by pasting the admin token below)", url)
}
