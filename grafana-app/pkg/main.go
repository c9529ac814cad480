// Command gpx_etcd is the backend of the etcd-monitor Grafana app: Grafana starts it and talks
// to it over the plugin gRPC protocol.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/app"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/etcd-monitor/etcd-monitor/grafana-app/pkg/plugin"
)

func main() {
	if err := app.Manage(plugin.ID, plugin.NewApp, app.ManageOpts{}); err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
