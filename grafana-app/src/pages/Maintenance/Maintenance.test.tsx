import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../../api';
import { fakeTransport, type FakeTransport } from '../../api/fakeTransport';
import { testIds } from '../../components/testIds';
import { renderPage } from '../testing/renderPage';
import { Maintenance } from './Maintenance';

function renderAt(t: FakeTransport, url = '/maintenance?cluster=prod', canAdmin = true) {
  return renderPage(t, '/maintenance', url, <Maintenance canAdmin={canAdmin} />);
}

const MiB = 1024 * 1024;

function prod(extra: Record<string, unknown> = {}) {
  return {
    'GET /clusters': { clusters: [{ name: 'prod' }, { name: 'lab' }] },
    'GET /clusters/prod/keys': { header: { revision: 1000 }, count: 0 },
    'POST /clusters/prod/defragment': {
      dry_run: true,
      steps: [
        { member: 'm2', endpoint: 'https://m2:2379', db_size_before: 40 * MiB },
        { member: 'm3', endpoint: 'https://m3:2379', db_size_before: 30 * MiB },
        { member: 'm1', endpoint: 'https://m1:2379', leader: true, db_size_before: 50 * MiB },
      ],
    },
    'GET /clusters/prod/endpoints': {
      healthy: 3,
      total: 3,
      endpoints: [
        { endpoint: 'https://m1:2379', healthy: true, status: { db_size: 50 * MiB, db_size_in_use: 20 * MiB } },
        { endpoint: 'https://m2:2379', healthy: true, status: { db_size: 40 * MiB, db_size_in_use: 30 * MiB } },
        { endpoint: 'https://m3:2379', healthy: true, status: { db_size: 30 * MiB, db_size_in_use: 30 * MiB } },
      ],
    },
    'GET /snapshots': {
      snapshots: [
        { name: 'lab-1.db', size: 2048, cluster: 'lab', member: 'l1', mod_time: '2026-12-01T10:00:00Z' },
        { name: 'prod-1.db', size: 3 * MiB, cluster: 'prod', member: 'm2', mod_time: '2026-12-05T10:00:00Z' },
      ],
    },
    ...extra,
  };
}

// fill pastes text into an input, as typing it key by key re-renders the page's tables each time.
async function fill(input: HTMLElement, text: string) {
  await userEvent.click(input);
  await userEvent.paste(text);
}

// The confirmation dialog's button (the page has buttons of the same name).
const inDialog = (name: string) => within(screen.getByRole('dialog')).getByRole('button', { name });

const cells = (testId: string) =>
  within(screen.getByTestId(testId))
    .getAllByRole('cell')
    .map((c) => c.textContent);

describe('Maintenance', () => {
  test('shows the current revision, the defragmentation plan in order and the snapshots', async () => {
    const t = fakeTransport(prod());
    renderAt(t);
    expect(screen.getByTestId(testIds.maintenance.loading)).toBeInTheDocument();
    expect(await screen.findByTestId(testIds.maintenance.revision)).toHaveTextContent('Current revision of prod: 1000');
    expect(t.calls.find((c) => c.path === '/clusters/prod/keys')?.opts.query).toEqual({
      key: 'health',
      count_only: 'true',
    });

    await screen.findByTestId(testIds.maintenance.defragPlan);
    expect(t.calls.find((c) => c.path === '/clusters/prod/defragment')?.opts.body).toEqual({ dry_run: true });
    const order = within(screen.getByTestId(testIds.maintenance.defragPlan))
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.getAttribute('data-testid'));
    expect(order).toEqual([
      testIds.maintenance.defragStep('m2'),
      testIds.maintenance.defragStep('m3'),
      testIds.maintenance.defragStep('m1'),
    ]);
    expect(cells(testIds.maintenance.defragStep('m1'))).toEqual([
      '3',
      'm1',
      'https://m1:2379',
      'leader',
      '50.0 MiB',
      '30.0 MiB',
    ]);
    expect(cells(testIds.maintenance.defragStep('m3'))).toEqual(expect.arrayContaining(['follower', '0 B']));
    expect(screen.getByText(/in all it would free about 40\.0 MiB/i)).toBeInTheDocument();

    const snaps = await screen.findByTestId(testIds.maintenance.snapshots);
    const names = within(snaps)
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.getAttribute('data-testid'));
    // This cluster's snapshots first.
    expect(names).toEqual([testIds.maintenance.snapshot('prod-1.db'), testIds.maintenance.snapshot('lab-1.db')]);
    expect(cells(testIds.maintenance.snapshot('prod-1.db')).slice(0, 4)).toEqual([
      'prod-1.db',
      'prod',
      'm2',
      '3.0 MiB',
    ]);
  });

  test('a non-admin sees the revision and is offered no action, and no admin call is made', async () => {
    const t = fakeTransport(prod());
    renderAt(t, '/maintenance?cluster=prod', false);
    await screen.findByTestId(testIds.maintenance.revision);
    expect(screen.getByTestId(testIds.maintenance.adminOnly)).toHaveTextContent(/need the Admin role/);
    expect(screen.queryByTestId(testIds.maintenance.compact)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.maintenance.defragPlan)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.maintenance.snapshots)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /compact|restore|status/i })).not.toBeInTheDocument();
    expect(t.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /clusters', 'GET /clusters/prod/keys']);
  });

  test('keep the last N shows what is compacted and compacts only after confirming', async () => {
    const t = fakeTransport(prod({ 'POST /clusters/prod/compact': { compacted_to: 900, header: { revision: 1000 } } }));
    renderAt(t);
    await userEvent.type(await screen.findByTestId(testIds.maintenance.compactValue), '100');
    expect(screen.getByTestId(testIds.maintenance.compactPlan)).toHaveTextContent(
      'Compacts to revision 900: the history of revisions 1 to 899 is removed for good'
    );
    expect(screen.getByTestId(testIds.maintenance.compactPlan)).toHaveTextContent('Revisions 900 to 1000 (101)');
    await userEvent.click(screen.getByTestId(testIds.maintenance.compact));
    expect(screen.getByRole('dialog')).toHaveTextContent('Compact prod to revision 900?');

    // Cancelling changes nothing.
    await userEvent.click(inDialog('Cancel'));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(t.calls.some((c) => c.path.endsWith('/compact'))).toBe(false);

    await userEvent.click(screen.getByRole('checkbox', { name: /physical/i }));
    await userEvent.click(screen.getByTestId(testIds.maintenance.compact));
    expect(screen.getByTestId(testIds.maintenance.confirm)).toHaveTextContent('waits until the compaction is applied');
    await userEvent.click(inDialog('Compact'));
    expect(await screen.findByTestId(testIds.maintenance.compactDone)).toHaveTextContent(
      'Compacted prod to revision 900.'
    );
    // opsproxy gets the number to keep, and reads the revision again itself.
    expect(t.calls.find((c) => c.path.endsWith('/compact'))?.opts.body).toEqual({ keep: 100, physical: true });
  });

  test('compacting to a revision: bad input is refused naming the field, a refusal is shown', async () => {
    const t = fakeTransport(
      prod({ 'POST /clusters/prod/compact': new ApiError('revision 500 is already compacted', 409, 'req-5') })
    );
    renderAt(t);
    await screen.findByTestId(testIds.maintenance.revision);
    await userEvent.click(screen.getByRole('radio', { name: 'To a revision' }));
    const input = screen.getByTestId(testIds.maintenance.compactValue);
    await userEvent.type(input, '1001');
    expect(screen.getByText('Revision: 1001 is after the current revision 1000')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.maintenance.compact)).toBeDisabled();

    await userEvent.clear(input);
    await userEvent.type(input, '500{Enter}');
    expect(screen.getByTestId(testIds.maintenance.confirm)).toHaveTextContent('Revisions 500 to 1000 (501)');
    await userEvent.click(inDialog('Compact'));
    const err = await screen.findByTestId(testIds.maintenance.compactError);
    expect(err).toHaveTextContent('revision 500 is already compacted');
    expect(err).toHaveTextContent('req-5');
    expect(t.calls.find((c) => c.path.endsWith('/compact'))?.opts.body).toEqual({ revision: 500, physical: false });
  });

  test('reads a snapshot’s status and restores it into a new data directory after confirming', async () => {
    const t = fakeTransport(
      prod({
        'GET /snapshots/prod-1.db': {
          name: 'prod-1.db',
          size: 3 * MiB,
          sha256: 'abc123',
          status: { revision: 812, hash: 3735928559, total_keys: 1204, total_size: 3 * MiB, version: '3.6.0' },
        },
        'POST /snapshots/prod-1.db/restore': {
          data_dir: '/var/lib/etcd-monitor/restore/m1-restored',
          name: 'm1',
          initial_cluster: 'm1=https://m1:2380',
          initial_cluster_token: 'etcd-cluster',
        },
      })
    );
    renderAt(t);
    await userEvent.click(await screen.findByTestId(testIds.maintenance.status('prod-1.db')));
    const st = await screen.findByTestId(testIds.maintenance.statusResult('prod-1.db'));
    expect(st).toHaveTextContent('Revision812');
    expect(st).toHaveTextContent('Hash3735928559');
    expect(st).toHaveTextContent('Total keys1204');
    expect(st).toHaveTextContent('Total size3.0 MiB');

    await userEvent.click(screen.getByTestId(testIds.maintenance.restore('prod-1.db')));
    const form = within(screen.getByTestId(testIds.maintenance.restoreForm));
    // The form takes the keyboard's focus where it opens.
    expect(form.getByLabelText(/^Data directory/, { selector: 'input' })).toHaveFocus();
    expect(screen.getByTestId(testIds.maintenance.restoreForm)).toHaveTextContent('never touches a running member');

    // A data directory that is a path is refused before anything is sent.
    await fill(form.getByLabelText(/^Data directory/, { selector: 'input' }), '../etc');
    await userEvent.click(form.getByRole('button', { name: 'Restore' }));
    expect(screen.getByTestId(testIds.maintenance.restoreError)).toHaveTextContent(/^Data directory:/);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();

    await userEvent.clear(form.getByLabelText(/^Data directory/, { selector: 'input' }));
    await fill(form.getByLabelText(/^Data directory/, { selector: 'input' }), 'm1-restored');
    await fill(form.getByLabelText(/^Member name/, { selector: 'input' }), 'm1');
    await fill(form.getByLabelText(/^Peer URLs/, { selector: 'input' }), 'https://m1:2380');
    await userEvent.click(form.getByRole('button', { name: 'Restore' }));
    expect(screen.getByTestId(testIds.maintenance.confirm)).toHaveTextContent('No running member is touched');
    expect(t.calls.some((c) => c.method === 'POST' && c.path.endsWith('/restore'))).toBe(false);
    await userEvent.click(inDialog('Restore'));
    expect(await screen.findByTestId(testIds.maintenance.restoreDone)).toHaveTextContent(
      '/var/lib/etcd-monitor/restore/m1-restored'
    );
    expect(t.calls.find((c) => c.path.endsWith('/restore'))?.opts.body).toEqual({
      data_dir: 'm1-restored',
      name: 'm1',
      initial_advertise_peer_urls: ['https://m1:2380'],
    });
  });

  test('says when there are no clusters', async () => {
    renderAt(fakeTransport({ 'GET /clusters': { clusters: [] } }), '/maintenance');
    expect(await screen.findByTestId(testIds.maintenance.empty)).toHaveTextContent(/no clusters are configured/i);
  });

  test('says when there are no snapshots and no members; picks the first cluster when the link has none', async () => {
    const t = fakeTransport(prod({ 'GET /snapshots': {}, 'POST /clusters/prod/defragment': { steps: [] } }));
    renderAt(t, '/maintenance');
    expect(await screen.findByTestId(testIds.maintenance.snapshotsEmpty)).toHaveTextContent('no snapshot');
    expect(await screen.findByTestId(testIds.maintenance.defragEmpty)).toHaveTextContent('prod answered no members');
    expect(screen.getByTestId('location')).toHaveTextContent('?cluster=prod');
  });

  test('each part shows its error with a Retry that works from the keyboard', async () => {
    const t = fakeTransport({
      'GET /clusters': new ApiError('opsproxy unreachable', 0),
    });
    renderAt(t);
    expect(await screen.findByTestId(testIds.maintenance.error)).toHaveTextContent('opsproxy unreachable');

    t.answers = prod({
      'POST /clusters/prod/defragment': new ApiError('member m3 (https://m3:2379) is unhealthy: refused', 409, 'r1'),
      'GET /snapshots': new ApiError('snapshot directory: permission denied', 500),
      'GET /clusters/prod/keys': new ApiError('cluster "prod" unreachable', 503),
    });
    screen.getByTestId(testIds.maintenance.retry).focus();
    await userEvent.keyboard('{Enter}');
    expect(await screen.findByTestId(testIds.maintenance.defragError)).toHaveTextContent('member m3');
    const snapErr = await screen.findByTestId(testIds.maintenance.snapshotsError);
    expect(snapErr).toHaveTextContent('snapshot directory: permission denied');
    expect(await screen.findByTestId(testIds.maintenance.revisionError)).toHaveTextContent(
      'cluster "prod" unreachable'
    );
    expect(screen.queryByTestId(testIds.maintenance.compact)).not.toBeInTheDocument();

    t.answers['GET /clusters/prod/keys'] = prod()['GET /clusters/prod/keys'];
    await userEvent.click(
      within(screen.getByTestId(testIds.maintenance.revisionError)).getByRole('button', { name: 'Retry' })
    );
    expect(await screen.findByTestId(testIds.maintenance.revision)).toHaveTextContent('1000');

    t.answers['GET /snapshots'] = prod()['GET /snapshots'];
    screen.getByTestId(testIds.maintenance.snapshotsRetry).focus();
    await userEvent.keyboard('{Enter}');
    expect(await screen.findByTestId(testIds.maintenance.snapshots)).toBeInTheDocument();
  });
});
