import React from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError, ApiProvider, type Job } from '../../api';
import { fakeTransport, type FakeTransport } from '../../api/fakeTransport';
import { testIds } from '../../components/testIds';
import { Maintenance } from './Maintenance';

function Location() {
  const loc = useLocation();
  return <div data-testid="location">{loc.pathname + loc.search}</div>;
}

function renderAt(t: FakeTransport, canAdmin = true) {
  return render(
    <ApiProvider transport={t}>
      <MemoryRouter
        initialEntries={['/maintenance?cluster=prod']}
        future={{ v7_startTransition: true, v7_relativeSplatPath: true }}
      >
        <Routes>
          <Route path="/maintenance" element={<Maintenance canAdmin={canAdmin} />} />
          <Route path="/jobs" element={<div data-testid="jobs-route" />} />
        </Routes>
        <Location />
      </MemoryRouter>
    </ApiProvider>
  );
}

const MiB = 1024 * 1024;

// The page's other sections, answered so that they do not fail.
function prod(extra: Record<string, unknown> = {}) {
  return {
    'GET /clusters': { clusters: [{ name: 'prod' }] },
    'GET /clusters/prod/keys': { header: { revision: 1000 }, count: 0 },
    'POST /clusters/prod/defragment': { dry_run: true, steps: [] },
    'GET /clusters/prod/endpoints': { healthy: 3, total: 3, endpoints: [] },
    'GET /snapshots': { snapshots: [] },
    ...extra,
  };
}

const planned: Job = {
  id: 'dry1',
  kind: 'defragment',
  cluster: 'prod',
  status: 'succeeded',
  result: {
    dry_run: true,
    members: [
      { id: 'aa', name: 'm2', state: 'pending', db_size_before: 40 * MiB },
      { id: 'cc', name: 'm1', leader: true, state: 'skipped', reason: 'not needed: the rule does not hold' },
    ],
  },
};

function jobEvent(job: Job) {
  return { event: 'job', data: JSON.stringify(job) };
}

jest.setTimeout(30000);

let user: ReturnType<typeof userEvent.setup>;
beforeEach(() => {
  user = userEvent.setup({ delay: null });
});

describe('Maintenance jobs', () => {
  test('defragment now: a dry-run job’s plan first, then the job after confirming, with a link to it', async () => {
    const bodies: unknown[] = [];
    const t = fakeTransport(
      prod({
        'POST /jobs': (opts: { body?: Record<string, unknown> }) => {
          bodies.push(opts.body);
          return opts.body?.parameters
            ? { ...planned, status: 'queued', result: undefined }
            : { id: 'd/2', kind: 'defragment', cluster: 'prod', status: 'queued' };
        },
      })
    );
    renderAt(t);
    await user.click(await screen.findByTestId(testIds.maintenance.defragNow));
    expect(await screen.findByTestId(testIds.maintenance.jobPlan)).toHaveTextContent('dry-run job dry1 is queued');
    expect(t.streams[0].path).toBe('/jobs/dry1/events');
    act(() => {
      t.emit('/jobs/dry1/events', jobEvent({ ...planned, status: 'running', result: undefined }), jobEvent(planned));
    });
    const dialog = within(await screen.findByRole('dialog'));
    expect(dialog.getByText(/1 member would be defragmented/)).toBeInTheDocument();
    expect(within(dialog.getByTestId(testIds.jobs.member('cc'))).getByText(/rule does not hold/)).toBeInTheDocument();
    expect(bodies).toHaveLength(1);

    await user.click(dialog.getByTestId(testIds.maintenance.defragConfirm));
    expect(await screen.findByTestId(testIds.maintenance.jobStarted)).toHaveTextContent('Defragmentation job queued');
    const [dry, real] = bodies as Array<Record<string, unknown>>;
    expect(dry).toMatchObject({ kind: 'defragment', cluster: 'prod', parameters: { dry_run: true } });
    expect(real).toMatchObject({ kind: 'defragment', cluster: 'prod' });
    expect(real.parameters).toBeUndefined();
    expect(real.idempotency_key).toEqual(expect.any(String));
    expect(real.idempotency_key).not.toBe(dry.idempotency_key);

    await user.click(screen.getByTestId(testIds.maintenance.jobLink));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/jobs?job=d%2F2'));
  });

  test('a plan with nothing to do offers no defragmentation', async () => {
    const nothing: Job = {
      ...planned,
      result: { dry_run: true, members: [{ id: 'cc', name: 'm1', state: 'skipped', reason: 'not needed' }] },
    };
    const t = fakeTransport(prod({ 'POST /jobs': { ...nothing, status: 'queued' } }));
    renderAt(t);
    await user.click(await screen.findByTestId(testIds.maintenance.defragNow));
    await waitFor(() => expect(t.streams).toHaveLength(1));
    act(() => {
      t.emit('/jobs/dry1/events', jobEvent(nothing));
    });
    const dialog = within(await screen.findByRole('dialog'));
    expect(dialog.getByText(/No member needs a defragmentation now/)).toBeInTheDocument();
    expect(dialog.queryByTestId(testIds.maintenance.defragConfirm)).not.toBeInTheDocument();
  });

  test('a failed dry run and a refused enqueue are shown with opsproxy’s message', async () => {
    const t = fakeTransport(prod({ 'POST /jobs': { ...planned, status: 'queued', result: undefined } }));
    renderAt(t);
    await user.click(await screen.findByTestId(testIds.maintenance.defragNow));
    await waitFor(() => expect(t.streams).toHaveLength(1));
    act(() => {
      t.emit(
        '/jobs/dry1/events',
        jobEvent({ ...planned, status: 'failed', result: undefined, error: 'member m3 is unhealthy' })
      );
    });
    expect(await screen.findByTestId(testIds.maintenance.jobError)).toHaveTextContent('member m3 is unhealthy');

    t.answers['POST /jobs'] = new ApiError('queue redis at 127.0.0.1:6379 does not answer', 503, 'r4');
    await user.click(screen.getByTestId(testIds.maintenance.defragNow));
    expect(await screen.findByTestId(testIds.maintenance.jobError)).toHaveTextContent(
      'queue redis at 127.0.0.1:6379 does not answer (request r4)'
    );
  });

  test('save snapshot: enqueues after confirming and links to the job', async () => {
    const t = fakeTransport(prod({ 'POST /jobs': { id: 's1', kind: 'snapshot', cluster: 'prod', status: 'queued' } }));
    renderAt(t);
    await user.click(await screen.findByTestId(testIds.maintenance.saveSnapshot));
    expect(t.calls.some((c) => c.path === '/jobs')).toBe(false);
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save snapshot' }));
    expect(await screen.findByTestId(testIds.maintenance.jobStarted)).toHaveTextContent('Snapshot job queued');
    expect(t.calls.find((c) => c.path === '/jobs')?.opts.body).toMatchObject({ kind: 'snapshot', cluster: 'prod' });
    expect(screen.getByTestId(testIds.maintenance.jobLink)).toHaveTextContent('Follow job s1 on the Jobs page');
  });

  test('a non-admin is offered neither', async () => {
    const t = fakeTransport(prod());
    renderAt(t, false);
    await screen.findByTestId(testIds.maintenance.adminOnly);
    expect(screen.queryByTestId(testIds.maintenance.defragNow)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.maintenance.saveSnapshot)).not.toBeInTheDocument();
  });
});
