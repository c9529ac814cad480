import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../../api';
import { fakeTransport, type FakeTransport } from '../../api/fakeTransport';
import { testIds } from '../../components/testIds';
import { renderPage } from '../testing/renderPage';
import { Cluster } from './Cluster';

function renderAt(t: FakeTransport, url = '/cluster?cluster=prod', canAdmin = true, dashboardsBase?: string) {
  return renderPage(t, '/cluster', url, <Cluster canAdmin={canAdmin} dashboardsBase={dashboardsBase} />);
}

const members = [
  { id: 'a1', name: 'm1', peer_urls: ['https://m1:2380'], client_urls: ['https://m1:2379'] },
  { id: 'a2', name: 'm2', peer_urls: ['https://m2:2380'], client_urls: ['https://m2:2379'] },
  { id: 'a3', name: 'm3', peer_urls: ['https://m3:2380'], client_urls: ['https://m3:2379'] },
];

function prod(extra: Record<string, unknown> = {}) {
  return {
    'GET /clusters': { clusters: [{ name: 'prod' }, { name: 'lab' }] },
    'GET /clusters/prod/members': {
      members: [...members, { id: 'a4', peer_urls: ['https://m4:2380'], is_learner: true }],
    },
    'GET /clusters/prod/endpoints': {
      healthy: 2,
      total: 3,
      endpoints: [
        {
          endpoint: 'https://m1:2379',
          id: 'a1',
          member: 'm1',
          healthy: true,
          status: { is_leader: true, db_size: 3 * 1024 * 1024, raft_index: 1234, version: '3.6.5' },
        },
        {
          endpoint: 'https://m2:2379',
          member: 'm2',
          healthy: true,
          status: { db_size: 2048, raft_index: 1233, version: '3.6.5' },
        },
        { endpoint: 'https://m3:2379', healthy: false, reason: 'tls', error: 'x509: certificate has expired' },
      ],
    },
    'GET /clusters/prod/alarms': { alarms: [{ member_id: 'a2', alarm: 'NOSPACE' }] },
    ...extra,
  };
}

// The confirmation dialog's button (the page has buttons of the same name).
const inDialog = (name: string) => within(screen.getByRole('dialog')).getByRole('button', { name });

const cells = (id: string) =>
  within(screen.getByTestId(testIds.cluster.member(id)))
    .getAllByRole('cell')
    .map((c) => c.textContent);

describe('Cluster', () => {
  test('shows the members joined with their endpoints, endpoint health and alarms', async () => {
    const t = fakeTransport(prod());
    renderAt(t, '/cluster?cluster=prod', false);
    expect(screen.getByTestId(testIds.cluster.loading)).toBeInTheDocument();
    await screen.findByTestId(testIds.cluster.members);
    expect(cells('a1')).toEqual([
      'a1',
      'm1',
      'https://m1:2380',
      'https://m1:2379',
      'leader',
      'voter',
      '3.0 MiB',
      '1234',
      '3.6.5',
    ]);
    expect(cells('a2')).toEqual(expect.arrayContaining(['follower', '2.0 KiB', '1233']));
    expect(cells('a3')).toEqual(['a3', 'm3', 'https://m3:2380', 'https://m3:2379', '—', 'voter', '—', '—', '—']);
    expect(cells('a4')).toEqual(expect.arrayContaining(['(not started)', 'learner']));

    const m3 = screen.getByTestId(testIds.cluster.endpoint('https://m3:2379'));
    expect(m3).toHaveTextContent('tls');
    expect(m3).toHaveTextContent('x509: certificate has expired');
    expect(screen.getByTestId(testIds.cluster.endpoint('https://m1:2379'))).toHaveTextContent('healthy');
    expect(screen.getByTestId(testIds.cluster.alarms)).toHaveTextContent('NOSPACE on m2');
    expect(screen.getByLabelText('Cluster')).toHaveValue('prod');
  });

  test('a viewer is offered no actions', async () => {
    renderAt(fakeTransport(prod()), '/cluster?cluster=prod', false);
    await screen.findByTestId(testIds.cluster.members);
    expect(screen.queryByRole('columnheader', { name: 'Actions' })).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.cluster.remove('a1'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.cluster.promote('a4'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.cluster.disarm('a2', 'NOSPACE'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.cluster.addLearner)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /disarm|remove|promote|add learner/i })).not.toBeInTheDocument();
  });

  test('an admin removes a member after a confirmation that states the quorum change', async () => {
    const remaining = { members: members.slice(0, 2) };
    const t = fakeTransport(prod({ 'DELETE /clusters/prod/members/a3': remaining }));
    renderAt(t);
    await userEvent.click(await screen.findByTestId(testIds.cluster.remove('a3')));
    expect(screen.getByTestId(testIds.cluster.confirm)).toHaveTextContent(
      'Removing voting member m3 leaves 2 voting members: quorum goes from 2 of 3 to 2 of 2, and no member may fail.'
    );
    expect(t.calls.some((c) => c.method === 'DELETE')).toBe(false);

    t.answers['GET /clusters/prod/members'] = remaining;
    await userEvent.click(inDialog('Remove member'));
    expect(await screen.findByTestId(testIds.cluster.actionDone)).toHaveTextContent('Removed member m3.');
    expect(t.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/clusters/prod/members/a3']);
    await waitFor(() => expect(screen.queryByTestId(testIds.cluster.member('a3'))).not.toBeInTheDocument());
  });

  test('cancelling the confirmation changes nothing', async () => {
    const t = fakeTransport(prod());
    renderAt(t);
    await userEvent.click(await screen.findByTestId(testIds.cluster.promote('a4')));
    expect(screen.getByTestId(testIds.cluster.confirm)).toHaveTextContent(
      'Promoting a4 makes 4 voting members: quorum goes from 2 of 3 to 3 of 4'
    );
    await userEvent.click(inDialog('Cancel'));
    await waitFor(() => expect(screen.queryByTestId(testIds.cluster.confirm)).not.toBeInTheDocument());
    expect(t.calls.some((c) => c.method !== 'GET')).toBe(false);
  });

  test('a refused action shows opsproxy’s error', async () => {
    const t = fakeTransport(
      prod({
        'POST /clusters/prod/members/a4/promote': new ApiError(
          'learner a4 is not in sync with the leader yet',
          409,
          'req-9'
        ),
      })
    );
    renderAt(t);
    await userEvent.click(await screen.findByTestId(testIds.cluster.promote('a4')));
    await userEvent.click(inDialog('Promote'));
    const err = await screen.findByTestId(testIds.cluster.actionError);
    expect(err).toHaveTextContent('learner a4 is not in sync with the leader yet');
    expect(err).toHaveTextContent('req-9');
    expect(screen.getByTestId(testIds.cluster.member('a4'))).toBeInTheDocument();
  });

  test('an admin adds a learner and disarms an alarm, each after confirming', async () => {
    const t = fakeTransport(
      prod({
        'POST /clusters/prod/members': { member: { id: 'a5', is_learner: true } },
        'DELETE /clusters/prod/alarms': { disarmed: [{ member_id: 'a2', alarm: 'NOSPACE' }] },
      })
    );
    renderAt(t);
    await userEvent.type(await screen.findByTestId(testIds.cluster.peerUrls), 'https://m5:2380');
    await userEvent.click(screen.getByTestId(testIds.cluster.addLearner));
    expect(screen.getByTestId(testIds.cluster.confirm)).toHaveTextContent(
      'A learner does not vote: quorum stays 2 of 3'
    );
    await userEvent.click(inDialog('Add learner'));
    expect(await screen.findByTestId(testIds.cluster.actionDone)).toHaveTextContent('Added learner a5');
    expect(t.calls.find((c) => c.method === 'POST')?.opts.body).toEqual({ peer_urls: ['https://m5:2380'] });

    await userEvent.click(await screen.findByTestId(testIds.cluster.disarm('a2', 'NOSPACE')));
    expect(screen.getByTestId(testIds.cluster.confirm)).toHaveTextContent('quorum stays as it is');
    await userEvent.click(inDialog('Disarm'));
    await waitFor(() => expect(screen.getByTestId(testIds.cluster.actionDone)).toHaveTextContent('Disarmed 1 alarm.'));
    expect(t.calls.find((c) => c.method === 'DELETE')?.opts.query).toEqual({ member_id: 'a2', alarm: 'NOSPACE' });
  });

  test('without a cluster in the link it shows the first, and the picker changes the URL', async () => {
    const t = fakeTransport(
      prod({
        'GET /clusters/lab/members': { members: [] },
        'GET /clusters/lab/endpoints': {},
        'GET /clusters/lab/alarms': {},
      })
    );
    renderAt(t, '/cluster');
    await screen.findByTestId(testIds.cluster.members);
    expect(screen.getByTestId('location')).toHaveTextContent('?cluster=prod');
    await userEvent.selectOptions(screen.getByLabelText('Cluster'), 'lab');
    expect(await screen.findByTestId(testIds.cluster.empty)).toHaveTextContent('Cluster lab answered no members.');
    expect(screen.getByTestId('location')).toHaveTextContent('?cluster=lab');
  });

  test('says when there are no clusters', async () => {
    renderAt(fakeTransport({ 'GET /clusters': { clusters: [] } }), '/cluster');
    expect(await screen.findByTestId(testIds.cluster.empty)).toHaveTextContent(/no clusters are configured/i);
  });

  test('shows the error with a Retry that works from the keyboard; endpoints and alarms fail on their own', async () => {
    const t = fakeTransport({
      'GET /clusters': { clusters: [{ name: 'prod' }] },
      'GET /clusters/prod/members': new ApiError('cluster "prod" unreachable', 503, 'req-3'),
      'GET /clusters/prod/endpoints': new ApiError('cluster "prod" unreachable', 503),
      'GET /clusters/prod/alarms': new ApiError('cluster "prod" unreachable', 503),
    });
    renderAt(t);
    const alert = await screen.findByTestId(testIds.cluster.error);
    expect(alert).toHaveTextContent('cluster "prod" unreachable');
    expect(alert).toHaveTextContent('req-3');

    t.answers = prod({ 'GET /clusters/prod/alarms': new ApiError('alarms: context deadline exceeded', 504) });
    screen.getByTestId(testIds.cluster.retry).focus();
    await userEvent.keyboard('{Enter}');
    await screen.findByTestId(testIds.cluster.members);
    expect(screen.queryByTestId(testIds.cluster.error)).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.cluster.alarmsError)).toHaveTextContent('alarms: context deadline exceeded');
    expect(screen.getByTestId(testIds.cluster.endpoints)).toBeInTheDocument();
  });

  test('links the cluster and each started member to their dashboards', async () => {
    renderAt(fakeTransport(prod()), '/cluster?cluster=prod', false, '');
    await screen.findByTestId(testIds.cluster.members);
    expect(screen.getByRole('link', { name: 'Cluster dashboard' })).toHaveAttribute(
      'href',
      '/d/etcd-monitor-cluster?var-cluster=prod'
    );
    expect(
      within(screen.getByTestId(testIds.cluster.member('a2'))).getByRole('link', {
        name: 'Member detail dashboard of m2',
      })
    ).toHaveAttribute('href', '/d/etcd-monitor-member?var-cluster=prod&var-member=m2');
    // A learner not started yet has no name to select in the dashboard.
    expect(within(screen.getByTestId(testIds.cluster.member('a4'))).queryByRole('link')).not.toBeInTheDocument();
  });
});
