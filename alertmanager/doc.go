// Package alertmanager holds etcd-monitor's Alertmanager configuration (alertmanager.yml and
// templates/) and Overlay, which rewrites its endpoints and secret file paths so that a test or a
// deployment can point the same routing at other servers without editing the shipped file.
package alertmanager
