// Package healthcheck is the `etcd-monitor healthcheck URL` subcommand: an HTTP GET that exits 0
// on a 2xx answer, for container health checks in an image that has no shell and no curl.
package healthcheck
