// Package plugin is the Go backend of the etcd-monitor Grafana app. It forwards the app's
// resource calls to opsproxy's /api/v1 with the service token from the app's secure settings,
// acting for the signed-in Grafana user (login and org role in opsproxy's user headers), streams
// opsproxy's watches to Grafana Live (one channel per user and watch), and its health check
// says what stands between Grafana and opsproxy.
package plugin
