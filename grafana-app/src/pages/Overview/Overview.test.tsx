import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError, ApiProvider } from '../../api';
import { fakeTransport, type FakeTransport } from '../../api/fakeTransport';
import { testIds } from '../../components/testIds';
import { Overview } from './Overview';

function renderWith(t: FakeTransport, dashboardsBase?: string) {
  return render(
    <ApiProvider transport={t}>
      <Overview dashboardsBase={dashboardsBase} />
    </ApiProvider>
  );
}

const prod = {
  'GET /clusters/prod/endpoints': {
    healthy: 2,
    total: 3,
    endpoints: [
      {
        endpoint: 'https://m1:2379',
        member: 'm1',
        healthy: true,
        status: { is_leader: true, db_size: 3 * 1024 * 1024, version: '3.7.3', revision: 41 },
      },
      { endpoint: 'https://m2:2379', member: 'm2', healthy: true, status: { version: '3.7.3', db_size: 1024 } },
      { endpoint: 'https://m3:2379', healthy: false, reason: 'refused', error: 'connection refused' },
    ],
  },
  'GET /clusters/prod/members': {
    members: [
      { id: 'a1', name: 'm1' },
      { id: 'a2', name: 'm2' },
      { id: 'a3', name: 'm3' },
    ],
  },
  'GET /clusters/prod/alarms': { alarms: [{ member_id: 'a2', alarm: 'NOSPACE' }] },
};

describe('Overview', () => {
  test('shows every cluster with health, leader, members, DB size, alarms, revision and version', async () => {
    const t = fakeTransport({
      'GET /clusters': {
        clusters: [
          { name: 'prod', reachable: true, revision: 42 },
          { name: 'lab', reachable: false, error: 'dial tcp: connection refused' },
        ],
      },
      ...prod,
      'GET /clusters/lab/endpoints': new ApiError('cluster "lab" unreachable', 503),
      'GET /clusters/lab/members': new ApiError('cluster "lab" unreachable', 503),
      'GET /clusters/lab/alarms': new ApiError('cluster "lab" unreachable', 503),
    });
    renderWith(t);
    expect(screen.getByTestId(testIds.overview.loading)).toBeInTheDocument();

    const row = within(await screen.findByTestId(testIds.overview.row('prod')));
    const cells = row.getAllByRole('cell').map((c) => c.textContent);
    // Health, endpoints healthy, leader, members up, DB size, alarms, revision, version.
    expect(cells).toEqual(['degraded', '2/3', 'm1', '2/3', '3.0 MiB', 'NOSPACE on m2', '42', '3.7.3']);
    expect(screen.getByRole('columnheader', { name: 'Members up' })).toBeInTheDocument();

    const lab = within(screen.getByTestId(testIds.overview.row('lab')));
    expect(lab.getByText('unreachable')).toBeInTheDocument();
    expect(lab.getByText('dial tcp: connection refused')).toBeInTheDocument();
    expect(lab.getByText('endpoints: cluster "lab" unreachable')).toBeInTheDocument();
  });

  test('says when there are no clusters', async () => {
    renderWith(fakeTransport({ 'GET /clusters': { clusters: [] } }));
    expect(await screen.findByTestId(testIds.overview.empty)).toHaveTextContent(/no clusters are configured/i);
    expect(screen.getByTestId(testIds.overview.empty)).toHaveTextContent(/your token may use none/i);
  });

  test('shows the API’s error with a Retry button that works from the keyboard', async () => {
    const t = fakeTransport({ 'GET /clusters': new ApiError('token revoked', 401, 'req-7') });
    renderWith(t);
    const alert = await screen.findByTestId(testIds.overview.error);
    expect(alert).toHaveTextContent('token revoked');
    expect(alert).toHaveTextContent('req-7');

    t.answers = { 'GET /clusters': { clusters: [{ name: 'prod', reachable: true, revision: 42 }] }, ...prod };
    const retry = screen.getByTestId(testIds.overview.retry);
    retry.focus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByTestId(testIds.overview.row('prod'))).toBeInTheDocument());
    expect(screen.queryByTestId(testIds.overview.error)).not.toBeInTheDocument();
  });

  test('links each cluster to its dashboards with the cluster variable set', async () => {
    const t = fakeTransport({
      'GET /clusters': {
        clusters: [
          { name: 'prod', reachable: true },
          { name: 'lab a', reachable: true },
        ],
      },
      ...prod,
      'GET /clusters/lab%20a/endpoints': { healthy: 0, total: 0, endpoints: [] },
      'GET /clusters/lab%20a/members': {},
      'GET /clusters/lab%20a/alarms': {},
    });
    renderWith(t, '/grafana');
    const row = within(await screen.findByTestId(testIds.overview.row('prod')));
    expect(row.getByRole('link', { name: 'Cluster overview dashboard of prod' })).toHaveAttribute(
      'href',
      '/grafana/d/etcd-monitor-cluster?var-cluster=prod'
    );
    expect(row.getByRole('link', { name: 'Member detail dashboard of prod' })).toHaveAttribute(
      'href',
      '/grafana/d/etcd-monitor-member?var-cluster=prod'
    );
    const lab = within(screen.getByTestId(testIds.overview.row('lab a')));
    expect(lab.getByRole('link', { name: 'Cluster overview dashboard of lab a' })).toHaveAttribute(
      'href',
      '/grafana/d/etcd-monitor-cluster?var-cluster=lab+a'
    );
  });

  test('without Grafana (the standalone console) there are no dashboard links', async () => {
    renderWith(fakeTransport({ 'GET /clusters': { clusters: [{ name: 'prod', reachable: true }] }, ...prod }));
    await screen.findByTestId(testIds.overview.row('prod'));
    expect(screen.queryByRole('columnheader', { name: 'Dashboards' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });
});
