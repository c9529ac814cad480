import React from 'react';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError, SERVER_JOB_KINDS, type Job, type Schedule } from '../../api';
import { fakeTransport, type FakeTransport } from '../../api/fakeTransport';
import { testIds } from '../../components/testIds';
import { renderPage } from '../testing/renderPage';
import { Jobs } from './Jobs';

function renderAt(t: FakeTransport, url = '/jobs', canAdmin = true) {
  return renderPage(t, '/jobs', url, <Jobs canAdmin={canAdmin} />);
}

const MiB = 1024 * 1024;

const snap: Job = {
  id: 'j2',
  kind: 'snapshot',
  cluster: 'prod',
  status: 'succeeded',
  requested_by: 'ann',
  attempts: 1,
  created_at: '2026-12-06T10:00:00Z',
  started_at: '2026-12-06T10:00:01Z',
  finished_at: '2026-12-06T10:00:03.500Z',
  result: {
    name: 'prod-m1.db',
    size: 3 * MiB,
    sha256: 'ab12',
    member: 'm1',
    status: { revision: 900, hash: 1, total_keys: 42, total_size: 3 * MiB },
  },
};

const defrag: Job = {
  id: 'j1',
  kind: 'defragment',
  cluster: 'prod',
  status: 'running',
  requested_by: 'bob',
  attempts: 1,
  worker: 'w1',
  progress: {
    rule: 'dbSizeFree > 1e9',
    members: [
      { id: 'aa', name: 'm1', endpoint: 'https://m1:2379', state: 'running', db_size_before: 8 * MiB },
      { id: 'bb', name: 'm2', endpoint: 'https://m2:2379', state: 'pending', db_size_before: 6 * MiB },
      { id: 'cc', name: 'm0', leader: true, state: 'skipped', reason: 'not needed: the rule does not hold' },
    ],
  },
};

const clusters = { clusters: [{ name: 'prod' }, { name: 'lab' }] };

const nightly: Schedule = {
  id: 's1',
  name: 'nightly',
  kind: 'snapshot',
  cluster: 'prod',
  cron: '0 3 * * *',
  timezone: 'Europe/Berlin',
  paused: false,
  created_by: 'ann',
  last_slot: '2026-12-06T02:00:00Z',
  last_job_id: 'j2',
  missed_slots: 0,
};

function jobEvent(job: Job) {
  return { event: 'job', data: JSON.stringify(job) };
}

// The tests type whole forms: on a busy machine that takes longer than jest's default.
jest.setTimeout(30000);

let user: ReturnType<typeof userEvent.setup>;
beforeEach(() => {
  user = userEvent.setup({ delay: null });
});

describe('Jobs list', () => {
  test('lists the jobs of the URL’s filters; applying filters and paging go to the URL', async () => {
    const t = fakeTransport({ 'GET /clusters': clusters, 'GET /jobs': { jobs: [defrag, snap], next: 'c2' } });
    renderAt(t, '/jobs?kind=snapshot&user=ann');
    await screen.findByTestId(testIds.jobs.table);
    expect(t.calls.find((c) => c.path === '/jobs')?.opts.query).toEqual({
      kind: 'snapshot',
      user: 'ann',
      cursor: undefined,
      limit: 50,
    });
    const row = within(screen.getByTestId(testIds.jobs.row('j1')));
    expect(row.getByText('Defragmentation')).toBeInTheDocument();
    expect(row.getByText('running')).toBeInTheDocument();
    expect(row.getByText('bob')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.jobs.kind)).toHaveValue('snapshot');

    await user.selectOptions(screen.getByTestId(testIds.jobs.status), 'failed');
    await user.selectOptions(screen.getByTestId(testIds.jobs.cluster), 'lab');
    await user.click(screen.getByTestId(testIds.jobs.apply));
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent('?kind=snapshot&cluster=lab&status=failed&user=ann')
    );

    await user.click(await screen.findByTestId(testIds.jobs.older));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('cursor=c2'));
    await waitFor(() => expect(t.calls.filter((c) => c.path === '/jobs').pop()?.opts.query?.cursor).toBe('c2'));
    await user.click(await screen.findByTestId(testIds.jobs.newest));
    await waitFor(() => expect(screen.getByTestId('location')).not.toHaveTextContent('cursor'));
  });

  test('the kind filter offers every kind the server runs, by name, and filters by the one chosen', async () => {
    const t = fakeTransport({ 'GET /clusters': clusters, 'GET /jobs': { jobs: [snap] } });
    renderAt(t, '/jobs');
    await screen.findByTestId(testIds.jobs.table);
    const select = screen.getByTestId(testIds.jobs.kind);
    const options = within(select)
      .getAllByRole('option')
      .map((o) => [(o as HTMLOptionElement).value, o.textContent]);
    expect(options).toEqual([
      ['', 'any'],
      ['defragment', 'Defragmentation'],
      ['snapshot', 'Snapshot'],
      ['benchmark', 'Benchmark'],
      ['disktest', 'Disk test'],
      ['backup', 'Backup'],
      ['backup-verify', 'Backup verification'],
      ['backup-drill', 'Restore drill'],
      ['backup-inspect', 'Location inspection'],
      ['backup-restore', 'Restore from backup'],
    ]);
    expect(options.slice(1).map(([v]) => v)).toEqual([...SERVER_JOB_KINDS]);

    await user.selectOptions(select, 'Backup verification');
    await user.click(screen.getByTestId(testIds.jobs.apply));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('?kind=backup-verify'));
    await waitFor(() =>
      expect(t.calls.filter((c) => c.path === '/jobs').pop()?.opts.query?.kind).toBe('backup-verify')
    );
  });

  test('a kind in the URL that this app does not know stays selected, under its own name', async () => {
    const verify: Job = { ...snap, id: 'j9', kind: 'backup-verify' };
    const t = fakeTransport({ 'GET /clusters': clusters, 'GET /jobs': { jobs: [verify] } });
    renderAt(t, '/jobs?kind=compact');
    await screen.findByTestId(testIds.jobs.table);
    expect(screen.getByTestId(testIds.jobs.kind)).toHaveValue('compact');
    expect(within(screen.getByTestId(testIds.jobs.kind)).getByRole('option', { name: 'compact' })).toBeInTheDocument();
    expect(within(screen.getByTestId(testIds.jobs.row('j9'))).getByText('Backup verification')).toBeInTheDocument();
  });

  test('says when there are no jobs', async () => {
    renderAt(fakeTransport({ 'GET /clusters': clusters, 'GET /jobs': { jobs: [] } }));
    expect(await screen.findByTestId(testIds.jobs.empty)).toHaveTextContent('No job has run yet');
  });

  test('shows a failure with the request id and retries', async () => {
    const t = fakeTransport({
      'GET /clusters': clusters,
      'GET /jobs': new ApiError('history store: connection refused', 503, 'r7'),
    });
    renderAt(t);
    const err = await screen.findByTestId(testIds.jobs.error);
    expect(err).toHaveTextContent('history store: connection refused (request r7)');
    t.answers['GET /jobs'] = { jobs: [snap] };
    await user.click(screen.getByTestId(testIds.jobs.retry));
    expect(await screen.findByTestId(testIds.jobs.row('j2'))).toBeInTheDocument();
  });

  test('opens a job from the list and goes back to the same filters', async () => {
    const t = fakeTransport({ 'GET /clusters': clusters, 'GET /jobs': { jobs: [snap] } });
    renderAt(t, '/jobs?status=succeeded');
    await user.click(await screen.findByTestId(testIds.jobs.open('j2')));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('?status=succeeded&job=j2'));
    expect(t.streams[0].path).toBe('/jobs/j2/events');
    await user.click(screen.getByTestId(testIds.jobs.back));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('?status=succeeded'));
    expect(await screen.findByTestId(testIds.jobs.table)).toBeInTheDocument();
  });
});

describe('a job', () => {
  test('shows a finished snapshot: who asked, timings, bytes and result', async () => {
    const t = fakeTransport({ 'GET /clusters': clusters });
    renderAt(t, '/jobs?job=j2');
    act(() => {
      t.emit('/jobs/j2/events', jobEvent(snap));
    });
    const detail = within(await screen.findByTestId(testIds.jobs.detail));
    expect(detail.getByText('ann')).toBeInTheDocument();
    expect(detail.getByText('2.5 s')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.jobs.snapshotProgress)).toHaveTextContent('3.0 MiB');
    expect(screen.getByTestId(testIds.jobs.result)).toHaveTextContent('ab12');
    expect(screen.getByTestId(testIds.jobs.result)).toHaveTextContent('900');
    expect(screen.queryByTestId(testIds.jobs.cancel)).not.toBeInTheDocument();
  });

  test('follows a running defragmentation member by member until it finishes', async () => {
    const t = fakeTransport({ 'GET /clusters': clusters });
    renderAt(t, '/jobs?job=j1');
    expect(screen.getByTestId(testIds.jobs.detailLoading)).toBeInTheDocument();
    act(() => {
      t.emit('/jobs/j1/events', jobEvent(defrag));
    });
    const m1 = within(await screen.findByTestId(testIds.jobs.member('aa')));
    expect(m1.getByText('running')).toBeInTheDocument();
    expect(m1.getByText('8.0 MiB')).toBeInTheDocument();
    expect(within(screen.getByTestId(testIds.jobs.member('cc'))).getByText(/rule does not hold/)).toBeInTheDocument();

    const members = (defrag.progress as { members: Array<Record<string, unknown>> }).members;
    const later: Job = {
      ...defrag,
      progress: {
        members: [
          { ...members[0], state: 'done', db_size_after: 2 * MiB },
          { ...members[1], state: 'running' },
          members[2],
        ],
      },
    };
    act(() => {
      t.emit('/jobs/j1/events', jobEvent(later));
    });
    expect(within(screen.getByTestId(testIds.jobs.member('aa'))).getByText('done')).toBeInTheDocument();
    expect(within(screen.getByTestId(testIds.jobs.member('aa'))).getByText('2.0 MiB')).toBeInTheDocument();
    expect(within(screen.getByTestId(testIds.jobs.member('bb'))).getByText('running')).toBeInTheDocument();

    act(() => {
      t.emit('/jobs/j1/events', jobEvent({ ...later, status: 'failed', error: 'member m2 is unhealthy; done: m1' }));
    });
    expect(screen.getByTestId(testIds.jobs.jobError)).toHaveTextContent('member m2 is unhealthy; done: m1');
    expect(screen.getByTestId(testIds.jobs.jobStatus)).toHaveTextContent('failed');
    expect(t.streams[0].closed).toBe(true);
    expect(screen.queryByTestId(testIds.jobs.cancel)).not.toBeInTheDocument();
  });

  test('follows a benchmark: its step and requests, then its verdict and the checks that failed', async () => {
    const bench: Job = {
      id: 'b1',
      kind: 'benchmark',
      cluster: 'prod',
      status: 'running',
      progress: {
        state: 'running',
        profile: 'm',
        step: 1,
        steps: 2,
        command: 'put',
        done: 31200,
        total: 60000,
        results: [],
      },
    };
    const t = fakeTransport({ 'GET /clusters': clusters });
    renderAt(t, '/jobs?job=b1');
    act(() => {
      t.emit('/jobs/b1/events', jobEvent(bench));
    });
    const progress = await screen.findByTestId(testIds.jobs.kindProgress);
    expect(progress).toHaveTextContent('Profilem');
    expect(progress).toHaveTextContent('Step1 of 2');
    expect(progress).toHaveTextContent(`Requests${(31200).toLocaleString()} of ${(60000).toLocaleString()} (52%)`);

    act(() => {
      t.emit(
        '/jobs/b1/events',
        jobEvent({
          ...bench,
          status: 'succeeded',
          progress: { ...bench.progress, state: 'running', step: 2, done: 60000 },
          result: {
            profile: 'm',
            results: ['r1', 'r2'],
            partial: false,
            verdict: {
              pass: false,
              checks: [
                { rule: 'p99 < 25ms', pass: false, message: 'put p99 31ms over 25ms' },
                { rule: 'errors == 0', pass: true, message: 'no errors' },
              ],
            },
          },
        })
      );
    });
    const finished = screen.getByTestId(testIds.jobs.kindProgress);
    expect(finished).toHaveTextContent('Reports stored2');
    expect(finished).toHaveTextContent('Verdictfail');
    expect(finished).toHaveTextContent('put p99 31ms over 25ms');
    expect(finished).not.toHaveTextContent('no errors');
  });

  test('shows a disk test’s members and a backup’s phase; other shapes field by field, never a crash', async () => {
    const disk: Job = {
      id: 'd1',
      kind: 'disktest',
      cluster: 'prod',
      status: 'running',
      progress: { member: 'm2', done: 1, total: 3, results: [{ member: 'm1', result: 'res-1', verdict: 'pass' }] },
    };
    const t = fakeTransport({ 'GET /clusters': clusters });
    const { unmount } = renderAt(t, '/jobs?job=d1');
    act(() => {
      t.emit('/jobs/d1/events', jobEvent(disk));
    });
    const progress = await screen.findByTestId(testIds.jobs.kindProgress);
    expect(progress).toHaveTextContent('Probingm2');
    expect(progress).toHaveTextContent('Members done1 of 3');
    expect(within(progress).getByRole('row', { name: 'm1 pass res-1' })).toBeInTheDocument();
    unmount();

    const t2 = fakeTransport({ 'GET /clusters': clusters });
    const second = renderAt(t2, '/jobs?job=k1');
    act(() => {
      t2.emit(
        '/jobs/k1/events',
        jobEvent({
          id: 'k1',
          kind: 'backup',
          cluster: 'prod',
          status: 'running',
          progress: { phase: 'saving', bytes: 3 * MiB },
        })
      );
    });
    expect(await screen.findByTestId(testIds.jobs.kindProgress)).toHaveTextContent(
      'Phasesaving the snapshot into the locationSaved3.0 MiB'
    );
    second.unmount();

    // A kind this app has no view for, with a result of any shape.
    const t3 = fakeTransport({ 'GET /clusters': clusters });
    renderAt(t3, '/jobs?job=x1');
    act(() => {
      t3.emit(
        '/jobs/x1/events',
        jobEvent({
          id: 'x1',
          kind: 'backup-verify',
          cluster: 'prod',
          status: 'failed',
          progress: { phase: 7, odd: [1, 'two', null] } as Record<string, unknown>,
          result: { name: 'prod-1.db', ok: false, snapshot_size: 1024, status: { revision: 12 }, error: null },
        })
      );
    });
    const result = await screen.findByTestId(testIds.jobs.result);
    expect(result).toHaveTextContent('Nameprod-1.db');
    expect(result).toHaveTextContent('Okno');
    expect(result).toHaveTextContent('Snapshot size1024');
    expect(result).toHaveTextContent('"revision": 12');
    expect(screen.getByTestId(testIds.jobs.detail)).toHaveTextContent('Odd1, two, null');
  });

  test('a job that cannot be read says why and retries', async () => {
    const t = fakeTransport({ 'GET /clusters': clusters });
    renderAt(t, '/jobs?job=nope');
    act(() => t.streams[0].handlers.onError(new ApiError('job nope not found', 404, 'r2')));
    expect(await screen.findByTestId(testIds.jobs.detailError)).toHaveTextContent('job nope not found (request r2)');
    await user.click(screen.getByTestId(testIds.jobs.detailRetry));
    expect(t.streams).toHaveLength(2);
  });

  test('cancels a running job after a confirmation', async () => {
    const t = fakeTransport({ 'GET /clusters': clusters, 'DELETE /jobs/j1': { ...defrag, cancel_requested: true } });
    renderAt(t, '/jobs?job=j1');
    act(() => {
      t.emit('/jobs/j1/events', jobEvent(defrag));
    });
    await user.click(await screen.findByTestId(testIds.jobs.cancel));
    expect(screen.getByText(/stops after the member being defragmented/)).toBeInTheDocument();
    expect(t.calls.some((c) => c.method === 'DELETE')).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Cancel job' }));
    await waitFor(() => expect(screen.getByTestId(testIds.jobs.cancel)).toHaveTextContent('Cancel asked'));
    expect(screen.getByTestId(testIds.jobs.cancel)).toBeDisabled();
    expect(screen.getByTestId(testIds.jobs.jobStatus)).toHaveTextContent('running (cancel asked)');
    expect(t.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/jobs/j1']);
  });

  test('a refused cancel is shown', async () => {
    const t = fakeTransport({
      'GET /clusters': clusters,
      'DELETE /jobs/j1': new ApiError('job j1 has finished', 409, 'r5'),
    });
    renderAt(t, '/jobs?job=j1');
    act(() => {
      t.emit('/jobs/j1/events', jobEvent(defrag));
    });
    await user.click(await screen.findByTestId(testIds.jobs.cancel));
    await user.click(screen.getByRole('button', { name: 'Cancel job' }));
    expect(await screen.findByTestId(testIds.jobs.cancelError)).toHaveTextContent('job j1 has finished (request r5)');
  });

  test('a non-admin sees the running job and no cancel', async () => {
    const t = fakeTransport({ 'GET /clusters': clusters });
    renderAt(t, '/jobs?job=j1', false);
    act(() => {
      t.emit('/jobs/j1/events', jobEvent(defrag));
    });
    expect(await screen.findByTestId(testIds.jobs.members)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.jobs.cancel)).not.toBeInTheDocument();
  });
});

describe('schedules', () => {
  test('lists schedules; pause, resume and delete after a confirmation', async () => {
    const t = fakeTransport({
      'GET /clusters': clusters,
      'GET /schedules': { schedules: [nightly] },
      'POST /schedules/s1/pause': { ...nightly, paused: true },
      'POST /schedules/s1/resume': nightly,
      'DELETE /schedules/s1': { deleted: 's1' },
    });
    renderAt(t, '/jobs?tab=schedules');
    const row = within(await screen.findByTestId(testIds.jobs.schedule('s1')));
    expect(row.getByText('0 3 * * *')).toBeInTheDocument();
    expect(row.getByText('Europe/Berlin')).toBeInTheDocument();
    expect(row.getByText('active')).toBeInTheDocument();

    await user.click(screen.getByTestId(testIds.jobs.pause('s1')));
    expect(await within(screen.getByTestId(testIds.jobs.schedule('s1'))).findByText('paused')).toBeInTheDocument();
    await user.click(screen.getByTestId(testIds.jobs.resume('s1')));
    expect(await within(screen.getByTestId(testIds.jobs.schedule('s1'))).findByText('active')).toBeInTheDocument();

    await user.click(screen.getByTestId(testIds.jobs.deleteSchedule('s1')));
    expect(t.calls.some((c) => c.method === 'DELETE')).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    expect(await screen.findByTestId(testIds.jobs.schedulesEmpty)).toBeInTheDocument();
    expect(t.calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /schedules/s1/pause',
      'POST /schedules/s1/resume',
      'DELETE /schedules/s1',
    ]);
  });

  test('opens the job a schedule last started', async () => {
    const t = fakeTransport({ 'GET /clusters': clusters, 'GET /schedules': { schedules: [nightly] } });
    renderAt(t, '/jobs?tab=schedules');
    await user.click(await screen.findByRole('button', { name: 'Open job j2' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('?job=j2'));
    expect(await screen.findByTestId(testIds.jobs.detail)).toBeInTheDocument();
  });

  test('a non-admin sees schedules without actions', async () => {
    const t = fakeTransport({ 'GET /clusters': clusters, 'GET /schedules': { schedules: [nightly] } });
    renderAt(t, '/jobs?tab=schedules', false);
    await screen.findByTestId(testIds.jobs.schedule('s1'));
    expect(screen.queryByTestId(testIds.jobs.pause('s1'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.jobs.deleteSchedule('s1'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.jobs.newSchedule)).not.toBeInTheDocument();
  });

  test('empty, and a failure with retry', async () => {
    const t = fakeTransport({
      'GET /clusters': clusters,
      'GET /schedules': new ApiError('history store: connection refused', 503),
    });
    renderAt(t, '/jobs?tab=schedules');
    expect(await screen.findByTestId(testIds.jobs.schedulesError)).toHaveTextContent('connection refused');
    t.answers['GET /schedules'] = {};
    await user.click(screen.getByTestId(testIds.jobs.schedulesRetry));
    expect(await screen.findByTestId(testIds.jobs.schedulesEmpty)).toBeInTheDocument();
  });

  test('creates a schedule with the kind’s parameters; a bad cron shows opsproxy’s 400', async () => {
    const created: Schedule = {
      ...nightly,
      id: 's2',
      name: 'weekly defrag',
      kind: 'defragment',
      last_job_id: undefined,
    };
    const t = fakeTransport({
      'GET /clusters': clusters,
      'GET /schedules': { schedules: [] },
      'POST /schedules': new ApiError('cron: expected exactly 5 fields, found 2: [every day]', 400, 'r9'),
    });
    renderAt(t, '/jobs?tab=schedules');
    await screen.findByTestId(testIds.jobs.schedulesEmpty);
    await user.click(screen.getByTestId(testIds.jobs.newSchedule));
    await user.type(screen.getByTestId(testIds.jobs.scheduleName), 'weekly defrag');
    await user.selectOptions(screen.getByTestId(testIds.jobs.scheduleKind), 'defragment');
    await user.selectOptions(screen.getByTestId(testIds.jobs.scheduleCluster), 'lab');
    await user.type(screen.getByTestId(testIds.jobs.scheduleCron), 'every day');
    await user.type(screen.getByTestId(testIds.jobs.scheduleTimezone), 'Europe/Berlin');
    await user.type(screen.getByTestId(testIds.jobs.paramRule), 'dbSizeFree > 1e9');
    await user.click(screen.getByTestId(testIds.jobs.scheduleSubmit));
    expect(await screen.findByTestId(testIds.jobs.scheduleFormError)).toHaveTextContent(
      'cron: expected exactly 5 fields, found 2: [every day] (request r9)'
    );
    expect(t.calls.find((c) => c.method === 'POST')?.opts.body).toEqual({
      name: 'weekly defrag',
      kind: 'defragment',
      cluster: 'lab',
      cron: 'every day',
      timezone: 'Europe/Berlin',
      parameters: { rule: 'dbSizeFree > 1e9' },
    });

    t.answers['POST /schedules'] = created;
    await user.clear(screen.getByTestId(testIds.jobs.scheduleCron));
    await user.type(screen.getByTestId(testIds.jobs.scheduleCron), '0 4 * * 0');
    await user.click(screen.getByTestId(testIds.jobs.scheduleSubmit));
    expect(await screen.findByTestId(testIds.jobs.schedule('s2'))).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.jobs.scheduleForm)).not.toBeInTheDocument();
  });

  test('an empty cron is refused before asking opsproxy', async () => {
    const t = fakeTransport({ 'GET /clusters': clusters, 'GET /schedules': { schedules: [] } });
    renderAt(t, '/jobs?tab=schedules');
    await user.click(await screen.findByTestId(testIds.jobs.newSchedule));
    await user.type(screen.getByTestId(testIds.jobs.scheduleName), 'x');
    await user.click(screen.getByTestId(testIds.jobs.scheduleSubmit));
    expect(await screen.findByTestId(testIds.jobs.scheduleFormError)).toHaveTextContent('Cron: must not be empty.');
    expect(t.calls.some((c) => c.method === 'POST')).toBe(false);
  });

  test('the tabs switch by keyboard and keep the tab in the URL', async () => {
    const t = fakeTransport({ 'GET /clusters': clusters, 'GET /jobs': { jobs: [] }, 'GET /schedules': {} });
    renderAt(t);
    await screen.findByTestId(testIds.jobs.empty);
    screen.getByTestId(testIds.jobs.tabSchedules).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('?tab=schedules'));
    expect(await screen.findByTestId(testIds.jobs.schedulesEmpty)).toBeInTheDocument();
  });
});
