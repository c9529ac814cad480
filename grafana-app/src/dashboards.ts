// The dashboards the app ships: plugin.json's includes of type dashboard, rendered by
// `make dashboards` to dashboards/json; Grafana installs them under these uids when the app is
// enabled. The one place the pages take the uids from (a test compares them with the files).
export const DASHBOARD_UIDS = {
  clusterOverview: 'etcd-monitor-cluster',
  memberDetail: 'etcd-monitor-member',
  exporter: 'etcd-monitor-exporter',
  opsproxy: 'etcd-monitor-opsproxy',
} as const;

export type DashboardUID = (typeof DASHBOARD_UIDS)[keyof typeof DASHBOARD_UIDS];

// dashboardHref links to a dashboard with its variables set (var-cluster=prod), under base:
// Grafana's sub-path (config.appSubUrl, '' when Grafana is served at the root).
export function dashboardHref(base: string, uid: DashboardUID, vars: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(vars)) {
    params.set(`var-${name}`, value);
  }
  const q = params.toString();
  return `${base}/d/${uid}${q ? `?${q}` : ''}`;
}
