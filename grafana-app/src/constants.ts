import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;

// Route names of the app's pages, under PLUGIN_BASE_URL. The pages arrive one by one (issue #12):
// Overview, Keys, Watch, Cluster, Maintenance, Audit, Tokens; then Jobs (issue #13), Console (issue #14),
// Benchmarks (issue #15), Disk (issue #16), Backups (issue #17).
export enum ROUTES {
  Overview = 'overview',
  Keys = 'keys',
  Watch = 'watch',
  Cluster = 'cluster',
  Maintenance = 'maintenance',
  Audit = 'audit',
  Tokens = 'tokens',
  Jobs = 'jobs',
  Console = 'console',
  Benchmarks = 'benchmarks',
  Disk = 'disk',
  Backups = 'backups',
}
