// Package packaging makes the Grafana app's zip from its built dist/ folder, and checks a
// built package offline as Grafana's plugin validator would: top folder named for the plugin
// id, plugin.json fields and paths, backend executables with the exec bit, module.js, README,
// CHANGELOG and LICENSE, and the version of package.json.
package packaging
