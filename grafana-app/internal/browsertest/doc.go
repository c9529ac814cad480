// Package browsertest runs the standalone console's browser scenarios (grafana-app/e2e) in
// Debian's Chromium against a real opsproxy, serving the console built into it, in front of a
// real 3-member etcd cluster. Its test is behind the build tag "browser": `make browser-test`,
// after `make console`.
package browsertest
