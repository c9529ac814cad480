// Command pluginzip zips the Grafana app's dist/ folder for release, under a top folder named
// for the plugin id, and checks the zip as Grafana's plugin validator would (offline).
//
//	go run ./grafana-app/packaging/cmd/pluginzip -dist grafana-app/dist -out app.zip -platforms linux_amd64
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/grafana-app/packaging"
)

func main() { os.Exit(run()) }

func run() int {
	dist := flag.String("dist", "grafana-app/dist", "the built plugin folder")
	pkgJSON := flag.String("package-json", "grafana-app/package.json", "package.json, whose version the plugin must have")
	id := flag.String("id", "etcdmonitor-etcd-app", "plugin id: the zip's top folder")
	out := flag.String("out", "", "zip to write")
	platforms := flag.String("platforms", strings.Join(packaging.Platforms, ","), "os_arch pairs whose executables must be in the package")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "pluginzip: -out is required")
		return 2
	}
	f, err := os.Open(*pkgJSON)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pluginzip:", err)
		return 1
	}
	version, err := packaging.PackageVersion(f)
	f.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pluginzip:", err)
		return 1
	}
	if err := packaging.Zip(*dist, *id, *out); err != nil {
		fmt.Fprintln(os.Stderr, "pluginzip:", err)
		return 1
	}
	errs := packaging.CheckZip(*out, packaging.Want{ID: *id, Version: version, Platforms: strings.Split(*platforms, ",")})
	for _, e := range errs {
		fmt.Fprintln(os.Stderr, "pluginzip:", e)
	}
	if len(errs) > 0 {
		return 1
	}
	fmt.Println(*out)
	return 0
}
