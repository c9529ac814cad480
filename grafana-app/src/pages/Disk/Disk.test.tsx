import React from 'react';
import { inflateSync } from 'node:zlib';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError, type DiskResult, type DiskTest, type DiskTestSummary, type Job } from '../../api';
import { fakeTransport, type FakeTransport } from '../../api/fakeTransport';
import { testIds } from '../../components/testIds';
import { renderPage } from '../testing/renderPage';
import { Disk } from './Disk';
import { parseThreshold } from './StartProbe';

// The browser's DecompressionStream is not in jsdom: Node's zlib inflates instead.
jest.mock('./inflate', () => ({ inflateZlib: async (b: Uint8Array) => new Uint8Array(inflateSync(b)) }));

// HISTOGRAM is hdrhistogram-go's encoding (nanoseconds, the engine's geometry) of 500 syncs of 0.8 ms, 300 of 2 ms, 150
// of 4.5 ms, 45 of 12 ms and 5 of 30 ms (see hdr.test.ts).
const HISTOGRAM = 'HISTFAAAADl42pJpmSzMwMAgxAABzFDqBQMDA+8P9wgG+w8Qkc0SL9i7xW6wnBdaw3RTNOq2KBcgAAD//wKODCI=';

function renderAt(t: FakeTransport, url = '/disk?cluster=prod', canAdmin = true) {
  return renderPage(t, '/disk', url, <Disk canAdmin={canAdmin} />);
}

const clusters = { clusters: [{ name: 'prod' }, { name: 'lab' }] };
const agents = {
  agents: [
    { member: 'm0', url: 'https://10.0.0.1:9102', auth: 'basic' },
    { member: 'm1', url: 'https://10.0.0.2:9102', auth: 'mtls' },
  ],
};

function summary(id: string, member: string, engine: 'native' | 'fio', p99: number, at: string): DiskTestSummary {
  return {
    id,
    cluster: 'prod',
    member,
    job: 'j-' + id,
    engine,
    profile: 'etcd',
    started_at: at,
    finished_at: at,
    verdict: p99 < 0.01 ? 'pass' : 'fail',
    p50: p99 / 4,
    p99,
    max: p99 * 3,
    iops: 850,
    threshold: 0.01,
    filesystem: 'ext4',
  };
}

// Newest first, as opsproxy answers.
const m0fio = summary('d4', 'm0', 'fio', 0.0044, '2026-12-06T12:00:00Z');
const m0native = summary('d3', 'm0', 'native', 0.004, '2026-12-06T11:00:00Z');
const m1native = summary('d2', 'm1', 'native', 0.03, '2026-12-06T10:30:00Z');
const m0old = summary('d1', 'm0', 'native', 0.006, '2026-12-06T10:00:00Z');
const results = [m0fio, m0native, m1native, m0old];

function full(s: DiskTestSummary, extra: Partial<DiskResult> = {}): DiskTest {
  return {
    ...s,
    result: {
      engine: s.engine,
      job: { profile: 'etcd', block_size: 2300, size: 23068672, preallocate: 67108864 },
      dir: '/var/lib/etcd',
      host: 'host-0',
      filesystem: { type: 'ext4', device: '/dev/nvme0n1p2', mount_point: '/var/lib/etcd', free_bytes: 10 * 2 ** 30 },
      started_at: s.started_at,
      finished_at: s.finished_at,
      syncs: 1000,
      bytes: 2300000,
      elapsed_ns: 1.2e9,
      iops: s.iops,
      sync: {
        count: 1000,
        min: 0.0008,
        mean: 0.002,
        stddev: 0.003,
        max: 0.030015487,
        percentiles: { '50': s.p50, '90': 0.0045, '99': s.p99, '99.9': 0.03 },
        histogram: s.engine === 'native' ? HISTOGRAM : undefined,
      },
      threshold: 0.01,
      verdict: s.verdict,
      verdict_reason: `p99 ${s.p99 * 1000} ms is under 10 ms`,
      ...extra,
    },
  };
}

function answers(): FakeTransport {
  return fakeTransport({
    'GET /clusters': clusters,
    'GET /clusters/prod/disk-agents': agents,
    'GET /disktests': { disktests: results },
    'GET /disktests/d3': full(m0native, {
      warnings: ['the directory is on tmpfs: the result says nothing about a disk'],
    }),
    'GET /disktests/d4': full(m0fio),
  });
}

test('lists the results with their verdicts, draws p99 per member against the line, and sets native beside fio', async () => {
  const t = answers();
  renderAt(t);
  const table = await screen.findByTestId(testIds.disk.results);
  expect(within(table).getByTestId(testIds.disk.row('d2'))).toHaveTextContent('fail (line 10.0 ms)');
  expect(within(table).getByTestId(testIds.disk.row('d3'))).toHaveTextContent('pass (line 10.0 ms)');
  expect(t.calls.find((c) => c.path === '/disktests')?.opts.query).toMatchObject({ cluster: 'prod', limit: 200 });

  const history = screen.getByTestId(testIds.disk.history);
  expect(within(history).getByTestId(testIds.disk.thresholdLine)).toHaveTextContent('10.0 ms line');
  // m0: a native line of two results and a fio point; m1: one native point.
  const m0 = within(history).getByTestId(testIds.disk.historySeries('m0'));
  expect(m0.querySelectorAll('circle')).toHaveLength(2);
  expect(m0.querySelectorAll('rect')).toHaveLength(1);
  expect(within(history).getByTestId(testIds.disk.historySeries('m1')).querySelectorAll('circle')).toHaveLength(1);
  expect(history).toHaveAttribute('aria-label', expect.stringContaining('1 at or over the line'));

  const pair = screen.getByTestId(testIds.disk.pair('m0'));
  // The latest native (d3, not d1) beside the latest fio: 4.0 / 4.4 ms.
  expect(pair).toHaveTextContent('p99 4.00 ms');
  expect(pair).toHaveTextContent('p99 4.40 ms');
  expect(pair).toHaveTextContent('×0.91 agree');
  expect(screen.getByTestId(testIds.disk.pair('m1'))).toHaveTextContent('no fio result yet');
});

test('a cluster without agents says how to configure disk_agents and offers no start', async () => {
  const t = answers();
  t.answers['GET /clusters/prod/disk-agents'] = { agents: [] };
  t.answers['GET /disktests'] = { disktests: [] };
  renderAt(t);
  const empty = await screen.findByTestId(testIds.disk.noAgents);
  expect(empty).toHaveTextContent('disk_agents');
  expect(empty).toHaveTextContent('- name: prod');
  expect(await screen.findByTestId(testIds.disk.resultsEmpty)).toHaveTextContent(
    'No disk test has run on this cluster'
  );
  expect(screen.queryByTestId(testIds.disk.start)).not.toBeInTheDocument();
  expect(screen.queryByTestId(testIds.disk.member)).not.toBeInTheDocument();
});

test('agents and results that cannot be read are shown with Retry, which reads them again', async () => {
  const t = answers();
  t.answers['GET /clusters/prod/disk-agents'] = new ApiError('opsproxy: store unavailable', 503, 'r1');
  t.answers['GET /disktests'] = new ApiError('history store: connection refused', 503, 'r2');
  renderAt(t);
  expect(await screen.findByTestId(testIds.disk.agentsError)).toHaveTextContent(
    'opsproxy: store unavailable (request r1)'
  );
  expect(await screen.findByTestId(testIds.disk.resultsError)).toHaveTextContent('history store: connection refused');

  t.answers['GET /clusters/prod/disk-agents'] = agents;
  await userEvent.click(screen.getByTestId(testIds.disk.agentsRetry));
  expect(await screen.findByTestId(testIds.disk.member)).toBeInTheDocument();
  t.answers['GET /disktests'] = { disktests: results };
  await userEvent.click(screen.getByTestId(testIds.disk.resultsRetry));
  expect(await screen.findByTestId(testIds.disk.results)).toBeInTheDocument();
  expect(screen.queryByTestId(testIds.disk.resultsError)).not.toBeInTheDocument();
});

test('picking a member puts it in the URL and reads its results only', async () => {
  const t = answers();
  renderAt(t);
  await userEvent.selectOptions(await screen.findByTestId(testIds.disk.member), 'm1');
  expect(screen.getByTestId('location')).toHaveTextContent('member=m1');
  await waitFor(() =>
    expect(t.calls.filter((c) => c.path === '/disktests').pop()?.opts.query).toMatchObject({ member: 'm1' })
  );
  expect(screen.getByTestId(testIds.disk.start)).toHaveTextContent('Probe member m1');
  expect(screen.getByText('Agent https://10.0.0.2:9102 (client certificate)')).toBeInTheDocument();
});

test('an admin runs native and fio on a member: two jobs one after the other, followed live', async () => {
  const t = answers();
  const native: Job = { id: 'j-native', kind: 'disktest', cluster: 'prod', status: 'queued' };
  const fio: Job = { id: 'j-fio', kind: 'disktest', cluster: 'prod', status: 'queued' };
  const enqueued: Array<Record<string, unknown>> = [];
  t.answers['POST /jobs'] = (opts: { body?: unknown }) => {
    const body = opts.body as Record<string, unknown>;
    enqueued.push(body);
    return enqueued.length === 1 ? native : fio;
  };
  renderAt(t, '/disk?cluster=prod&member=m0');
  await userEvent.selectOptions(await screen.findByTestId(testIds.disk.engine), 'both');
  await userEvent.selectOptions(screen.getByTestId(testIds.disk.profile), 'agent');
  await userEvent.clear(screen.getByTestId(testIds.disk.threshold));
  await userEvent.type(screen.getByTestId(testIds.disk.threshold), '20');
  await userEvent.click(screen.getByTestId(testIds.disk.run));
  await waitFor(() => expect(t.streams.some((s) => s.path === '/jobs/j-native/events')).toBe(true));
  expect(enqueued).toHaveLength(1);
  expect(enqueued[0]).toMatchObject({
    kind: 'disktest',
    cluster: 'prod',
    parameters: { member: 'm0', engine: 'native', profile: 'agent', threshold: 0.02, block_size: 0, size: 0 },
  });
  expect(screen.getByTestId(testIds.disk.run)).toBeDisabled();

  const event = (j: Job, status: string, progress: object) => ({
    event: 'job',
    data: JSON.stringify({ ...j, status, progress }),
  });
  act(() => {
    t.emit('/jobs/j-native/events', event(native, 'running', { member: 'm0', done: 0, total: 1 }));
  });
  expect(screen.getByTestId(testIds.disk.job('j-native'))).toHaveTextContent(
    'native: job j-native running — 0 of 1 member probed, probing m0'
  );
  const lists = t.calls.filter((c) => c.path === '/disktests').length;
  act(() => {
    t.emit('/jobs/j-native/events', event(native, 'succeeded', { member: 'm0', done: 1, total: 1 }));
  });
  await waitFor(() => expect(t.streams.some((s) => s.path === '/jobs/j-fio/events')).toBe(true));
  expect(enqueued[1]).toMatchObject({ parameters: { member: 'm0', engine: 'fio', profile: 'agent' } });
  expect(enqueued[1].idempotency_key).not.toEqual(enqueued[0].idempotency_key);
  expect(screen.queryByTestId(testIds.disk.jobOutcome)).not.toBeInTheDocument();
  act(() => {
    t.emit(
      '/jobs/j-fio/events',
      event(fio, 'succeeded', {
        member: 'm0',
        done: 1,
        total: 1,
        results: [{ member: 'm0', result: 'd4', verdict: 'pass' }],
      })
    );
  });
  expect(screen.getByTestId(testIds.disk.jobOutcome)).toHaveTextContent('Finished; the results are below.');
  expect(screen.getByTestId(testIds.disk.run)).toBeEnabled();
  // The results are read again after each job.
  await waitFor(() => expect(t.calls.filter((c) => c.path === '/disktests').length).toBe(lists + 2));
  // The stored result opens from the job's line.
  await userEvent.click(screen.getByTestId(testIds.disk.jobResult('d4')));
  expect(screen.getByTestId('location')).toHaveTextContent('result=d4');
  expect(await screen.findByTestId(testIds.disk.detail)).toHaveTextContent('m0: fio etcd probe');
});

test('when the native job fails, fio is not started and the failure is shown', async () => {
  const t = answers();
  const native: Job = { id: 'j-n', kind: 'disktest', cluster: 'prod', status: 'queued' };
  t.answers['POST /jobs'] = native;
  renderAt(t);
  await userEvent.selectOptions(await screen.findByTestId(testIds.disk.engine), 'both');
  await userEvent.click(screen.getByTestId(testIds.disk.run));
  await waitFor(() => expect(t.streams.some((s) => s.path === '/jobs/j-n/events')).toBe(true));
  expect((t.calls.find((c) => c.method === 'POST')?.opts.body as { parameters: object }).parameters).toMatchObject({
    member: '',
  });
  act(() => {
    t.emit('/jobs/j-n/events', {
      event: 'job',
      data: JSON.stringify({
        ...native,
        status: 'failed',
        error: 'member m1: agent https://10.0.0.2:9102: a probe is already running (409)',
        progress: { member: 'm1', done: 1, total: 2 },
      }),
    });
  });
  expect(screen.getByTestId(testIds.disk.progress)).toHaveTextContent(
    'job j-n failed — 1 of 2 members probed: member m1: agent https://10.0.0.2:9102: a probe is already running (409)'
  );
  expect(screen.getByTestId(testIds.disk.progress)).toHaveTextContent('fio: not started: the native job failed');
  expect(screen.getByTestId(testIds.disk.jobOutcome)).toHaveTextContent('Finished with a problem');
  expect(t.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  // The results are read again after the failed job too.
  await waitFor(() => expect(t.calls.filter((c) => c.path === '/disktests')).toHaveLength(2));
  await act(async () => {});
});

test('an admin cancels a running probe: the job ends cancelled and fio does not start', async () => {
  const t = answers();
  const native: Job = { id: 'j-c', kind: 'disktest', cluster: 'prod', status: 'queued' };
  t.answers['POST /jobs'] = native;
  t.answers['DELETE /jobs/j-c'] = new ApiError('job j-c has finished', 409, 'r3');
  renderAt(t, '/disk?cluster=prod&member=m0');
  await userEvent.selectOptions(await screen.findByTestId(testIds.disk.engine), 'both');
  await userEvent.click(screen.getByTestId(testIds.disk.run));
  await waitFor(() => expect(t.streams.some((s) => s.path === '/jobs/j-c/events')).toBe(true));
  act(() => {
    t.emit('/jobs/j-c/events', {
      event: 'job',
      data: JSON.stringify({ ...native, status: 'running', progress: { member: 'm0', done: 0, total: 1 } }),
    });
  });
  // A cancel refused is said so, and the job goes on.
  await userEvent.click(screen.getByTestId(testIds.disk.cancel));
  expect(await screen.findByTestId(testIds.disk.cancelError)).toHaveTextContent('job j-c has finished (request r3)');

  t.answers['DELETE /jobs/j-c'] = { ...native, status: 'running', cancel_requested: true };
  await userEvent.click(screen.getByTestId(testIds.disk.cancel));
  await waitFor(() => expect(screen.getByTestId(testIds.disk.cancel)).toHaveTextContent('Cancel asked'));
  expect(screen.getByTestId(testIds.disk.cancel)).toBeDisabled();
  expect(screen.queryByTestId(testIds.disk.cancelError)).not.toBeInTheDocument();
  act(() => {
    t.emit('/jobs/j-c/events', {
      event: 'job',
      data: JSON.stringify({
        ...native,
        status: 'cancelled',
        error: 'cancelled by ann',
        progress: { member: 'm0', done: 0, total: 1 },
      }),
    });
  });
  expect(screen.getByTestId(testIds.disk.progress)).toHaveTextContent('native: job j-c cancelled');
  expect(screen.getByTestId(testIds.disk.progress)).toHaveTextContent('fio: not started: the native job cancelled');
  expect(screen.queryByTestId(testIds.disk.cancel)).not.toBeInTheDocument();
  expect(t.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  await waitFor(() => expect(t.calls.filter((c) => c.path === '/disktests')).toHaveLength(2));
  await act(async () => {});
});

test('a threshold that is not a latency is refused naming the field, and a refused start is shown', async () => {
  expect(parseThreshold('10')).toBe(0.01);
  expect(() => parseThreshold('0')).toThrow('threshold:');
  const t = answers();
  t.answers['POST /jobs'] = new ApiError('parameters.profile: unknown profile "x"', 400, 'r5');
  renderAt(t);
  await userEvent.clear(await screen.findByTestId(testIds.disk.threshold));
  await userEvent.type(screen.getByTestId(testIds.disk.threshold), 'fast');
  await userEvent.click(screen.getByTestId(testIds.disk.run));
  expect(screen.getByTestId(testIds.disk.startError)).toHaveTextContent(
    'threshold: "fast" is not a latency in milliseconds'
  );
  expect(t.calls.some((c) => c.method === 'POST')).toBe(false);

  await userEvent.clear(screen.getByTestId(testIds.disk.threshold));
  await userEvent.type(screen.getByTestId(testIds.disk.threshold), '10');
  await userEvent.click(screen.getByTestId(testIds.disk.run));
  expect(await screen.findByTestId(testIds.disk.startError)).toHaveTextContent(
    'parameters.profile: unknown profile "x" (request r5)'
  );
  expect(screen.getByTestId(testIds.disk.run)).toBeEnabled();

  // With both engines, a refused first job starts neither.
  await userEvent.selectOptions(screen.getByTestId(testIds.disk.engine), 'both');
  await userEvent.click(screen.getByTestId(testIds.disk.run));
  await waitFor(() => expect(screen.getByTestId(testIds.disk.progress)).toHaveTextContent('fio: not started'));
  expect(screen.getByTestId(testIds.disk.progress)).toHaveTextContent('native: not started');
  expect(screen.getByTestId(testIds.disk.jobOutcome)).toHaveTextContent('Finished with a problem');
  expect(screen.getByTestId(testIds.disk.run)).toBeEnabled();
  expect(t.calls.filter((c) => c.method === 'POST')).toHaveLength(2);
});

test('a result opened from the list (by keyboard) shows its verdict, figures, filesystem, warnings and histogram', async () => {
  const t = answers();
  renderAt(t);
  const open = await screen.findByTestId(testIds.disk.open('d3'));
  open.focus();
  await userEvent.keyboard('{Enter}');
  expect(screen.getByTestId('location')).toHaveTextContent('result=d3');
  const detail = await screen.findByTestId(testIds.disk.detail);
  expect(within(detail).getByTestId(testIds.disk.verdict)).toHaveTextContent(
    'pass p99 4.00 ms against the 10.0 ms line: p99 4 ms is under 10 ms'
  );
  const figures = within(detail).getByTestId(testIds.disk.figures);
  expect(figures).toHaveTextContent('p50p90p99p99.9max');
  expect(figures).toHaveTextContent('1.00 ms4.50 ms4.00 ms30.0 ms30.0 ms');
  expect(figures).toHaveTextContent('850 IOPS');
  expect(within(detail).getByTestId(testIds.disk.filesystem)).toHaveTextContent(
    'Measured on ext4 (/dev/nvme0n1p2 mounted at /var/lib/etcd) on host-0, 10.0 GiB free'
  );
  expect(within(detail).getByTestId(testIds.disk.warnings)).toHaveTextContent('on tmpfs');
  // The histogram as bars: 1-2-5 bins from 0.5 ms to 50 ms, those at or over 10 ms in red.
  const bars = await within(detail).findByTestId(testIds.disk.bars);
  expect(within(bars).getByTestId(testIds.disk.bar('0.0005'))).toHaveTextContent('500');
  expect(within(bars).getByTestId(testIds.disk.bar('0.002'))).toHaveTextContent('450');
  expect(within(bars).getByTestId(testIds.disk.bar('0.01'))).toHaveTextContent('45');
  expect(bars.querySelectorAll('rect')).toHaveLength(6);
  expect(bars).toHaveAttribute('aria-label', expect.stringContaining('1000 syncs, 50 in bins at or over the 10.0 ms'));
});

test('a fio result says it has no histogram; without a reason the verdict gives p99 as a share of the line', async () => {
  const t = answers();
  t.answers['GET /disktests/d4'] = full(m0fio, { verdict_reason: '' });
  renderAt(t, '/disk?cluster=prod&result=d4');
  expect(await screen.findByTestId(testIds.disk.verdict)).toHaveTextContent(
    'pass p99 4.40 ms against the 10.0 ms line (44 % of it)'
  );
  expect(await screen.findByTestId(testIds.disk.barsNote)).toHaveTextContent(
    'No histogram: fio reports percentiles only.'
  );
});

test('an admin sets a result as its member baseline and compares with it; a failed compare is shown', async () => {
  const t = answers();
  t.answers['PUT /clusters/prod/disk-baselines/m0'] = {
    cluster: 'prod',
    member: 'm0',
    set_by: 'ann',
    set_at: '',
    run: m0old,
  };
  renderAt(t, '/disk?cluster=prod&result=d3');
  await userEvent.click(await screen.findByTestId(testIds.disk.setBaseline));
  expect(await screen.findByTestId(testIds.disk.baselineMessage)).toHaveTextContent(
    'This result is now the baseline of m0.'
  );
  expect(t.calls.find((c) => c.method === 'PUT')?.opts.body).toEqual({ result_id: 'd3' });

  t.answers['GET /disktests/d3/compare'] = {
    run: m0native,
    reference: m0old,
    p50_ratio: 0.98,
    p99_ratio: 1.4,
    verdict: 'slower',
  };
  await userEvent.click(screen.getByTestId(testIds.disk.compareBaseline));
  expect(await screen.findByTestId(testIds.disk.comparison)).toHaveTextContent(
    'slower than the baseline (the native result of'
  );
  expect(screen.getByTestId(testIds.disk.comparison)).toHaveTextContent('p50 ×0.98, p99 ×1.40');
  expect(t.calls.find((c) => c.path === '/disktests/d3/compare')?.opts.query).toEqual({ baseline: 'm0' });

  t.answers['GET /disktests/d3/compare'] = new ApiError('member m0 has no disk baseline', 404, 'r7');
  await userEvent.click(screen.getByTestId(testIds.disk.compareBaseline));
  expect(await screen.findByTestId(testIds.disk.baselineMessage)).toHaveTextContent(
    'member m0 has no disk baseline (request r7)'
  );
  expect(screen.queryByTestId(testIds.disk.comparison)).not.toBeInTheDocument();
});

test('a viewer reads results and compares with a baseline but is offered neither a start nor a baseline to set', async () => {
  renderAt(answers(), '/disk?cluster=prod&result=d3', false);
  await screen.findByTestId(testIds.disk.detail);
  expect(screen.getByTestId(testIds.disk.member)).toBeInTheDocument();
  expect(screen.queryByTestId(testIds.disk.start)).not.toBeInTheDocument();
  expect(screen.queryByTestId(testIds.disk.setBaseline)).not.toBeInTheDocument();
  expect(screen.getByTestId(testIds.disk.compareBaseline)).toBeInTheDocument();
});

test('a result that cannot be read is shown with Retry', async () => {
  const t = answers();
  t.answers['GET /disktests/d3'] = new ApiError('disk test d3: not found', 404, 'r8');
  renderAt(t, '/disk?cluster=prod&result=d3');
  expect(await screen.findByTestId(testIds.disk.detailError)).toHaveTextContent('disk test d3: not found (request r8)');
  t.answers['GET /disktests/d3'] = full(m0native);
  await userEvent.click(screen.getByTestId(testIds.disk.detailRetry));
  expect(await screen.findByTestId(testIds.disk.detail)).toBeInTheDocument();
});

test('the clusters that cannot be read are shown with Retry', async () => {
  const t = answers();
  t.answers['GET /clusters'] = new ApiError('opsproxy unreachable', 502);
  renderAt(t, '/disk');
  expect(await screen.findByTestId(testIds.disk.error)).toHaveTextContent('opsproxy unreachable');
  t.answers['GET /clusters'] = clusters;
  await userEvent.click(screen.getByTestId(testIds.disk.retry));
  expect(await screen.findByTestId(testIds.disk.results)).toBeInTheDocument();
  expect(screen.getByTestId('location')).toHaveTextContent('cluster=prod');
});
