import fs from 'fs';
import path from 'path';
import { DASHBOARD_UIDS, dashboardHref } from './dashboards';

describe('dashboards', () => {
  test('the uids are those of the dashboards in dashboards/json', () => {
    const dir = path.resolve(__dirname, '..', '..', 'dashboards', 'json');
    const uids = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).uid)
      .sort();
    expect(Object.values(DASHBOARD_UIDS).sort()).toEqual(uids);
  });

  test('links to a dashboard with its variables set, under Grafana’s sub-path', () => {
    expect(dashboardHref('', DASHBOARD_UIDS.clusterOverview, { cluster: 'prod' })).toBe(
      '/d/etcd-monitor-cluster?var-cluster=prod'
    );
    expect(dashboardHref('/grafana', DASHBOARD_UIDS.memberDetail, { cluster: 'a b&c', member: 'm1' })).toBe(
      '/grafana/d/etcd-monitor-member?var-cluster=a+b%26c&var-member=m1'
    );
    expect(dashboardHref('', DASHBOARD_UIDS.opsproxy)).toBe('/d/etcd-monitor-opsproxy');
  });
});
