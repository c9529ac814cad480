// Command taskmaster keeps etcd-monitor's plan: `init` parses PRD.md into tasks.json
// (phases → tasks → subtasks, stable ids), and the other commands record and report task
// state as an append-only history in tasks.state.json.
package main
