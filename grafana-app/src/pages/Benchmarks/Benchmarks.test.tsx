import React from 'react';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  ApiError,
  parseFlags,
  type BenchmarkProfile,
  type BenchmarkRun,
  type BenchmarkSummary,
  type Comparison,
  type Job,
} from '../../api';
import { fakeTransport, type FakeTransport } from '../../api/fakeTransport';
import type { RequestOptions } from '../../api/transport';
import { testIds } from '../../components/testIds';
import { renderPage } from '../testing/renderPage';
import { Benchmarks } from './Benchmarks';

function renderAt(t: FakeTransport, url = '/benchmarks?cluster=prod', canAdmin = true) {
  return renderPage(t, '/benchmarks', url, <Benchmarks canAdmin={canAdmin} />);
}

const clusters = { clusters: [{ name: 'prod' }, { name: 'lab' }] };

function summary(id: string, throughput: number, p99: number, extra: Partial<BenchmarkSummary> = {}): BenchmarkSummary {
  return {
    id,
    cluster: 'prod',
    profile: 'm',
    job: 'j-' + id,
    step: 1,
    steps: 1,
    command: 'put',
    started_at: '2026-12-06T10:00:00Z',
    finished_at: '2026-12-06T10:01:00Z',
    verdict: 'pass',
    requests: throughput * 60,
    throughput,
    latency_p99: p99,
    ...extra,
  };
}

function run(s: BenchmarkSummary): BenchmarkRun {
  const pct = (f: number) => ({
    '10': f,
    '25': f * 1.2,
    '50': f * 1.5,
    '75': f * 2,
    '90': f * 3,
    '95': f * 4,
    '99': s.latency_p99,
    '99.9': s.latency_p99 * 2,
  });
  return {
    ...s,
    parameters: { job: s.job, profile: s.profile, command: s.command },
    report: {
      command: s.command,
      requests: s.requests,
      throughput: s.throughput,
      latency: {
        count: s.requests,
        fastest: 0.0005,
        slowest: 0.2,
        average: 0.004,
        stddev: 0.002,
        percentiles: pct(0.001),
      },
      service: {
        count: s.requests,
        fastest: 0.0005,
        slowest: 0.2,
        average: 0.004,
        stddev: 0.002,
        percentiles: pct(0.001),
      },
      runner: { host: 'bench-1', cpus: 2, cpu_percent: 71 },
      samples: [0, 1, 2].map((second) => ({
        second,
        requests: s.throughput,
        errors: 0,
        throughput: s.throughput,
        p50: s.latency_p99 / 4,
        p99: s.latency_p99,
      })),
    },
  };
}

const newer = summary('r2aaaaaaaa', 600, 0.03, { verdict: 'fail' });
const older = summary('r1bbbbbbbb', 1000, 0.01);

const regressed: Comparison = {
  run: newer,
  baseline: older,
  verdict: 'regressed',
  results: [
    {
      metric: 'throughput',
      verdict: 'regressed',
      change: -0.4,
      low: -0.42,
      high: -0.38,
      baseline_median: 1000,
      run_median: 600,
    },
    { metric: 'p99', verdict: 'regressed', change: 2, low: 1.8, high: 2.2, baseline_median: 0.01, run_median: 0.03 },
  ],
};

function profile(name: string, source: BenchmarkProfile['source'], description = ''): BenchmarkProfile {
  return {
    name,
    description,
    source,
    steps: [{ command: 'put', rate: 150, duration_seconds: 60 }],
    rules: {
      min_throughput_ratio: 0.9,
      min_throughput: 0,
      max_slowest_seconds: 0,
      max_stddev_seconds: 0,
      max_p99_seconds: 0.1,
      max_errors: 0,
    },
  };
}

// prodProfiles are prod's: two built-in ones, the global file's and prod's own.
const prodProfiles = {
  cluster: 'prod',
  profiles: [
    profile('m', 'builtin'),
    profile('nightly', 'cluster', 'prod nightly load'),
    profile('s', 'config'),
    profile('xl', 'builtin'),
  ],
};

function answers(): FakeTransport {
  return fakeTransport({
    'GET /clusters': clusters,
    'GET /clusters/prod/benchmark-profiles': prodProfiles,
    'GET /benchmarks': { benchmarks: [newer, older] },
    [`GET /benchmarks/${newer.id}`]: run(newer),
    [`GET /benchmarks/${older.id}`]: run(older),
    [`GET /benchmarks/${newer.id}/compare`]: regressed,
  });
}

test('lists the runs of the cluster with their verdicts, partial runs marked', async () => {
  const t = answers();
  t.answers['GET /benchmarks'] = { benchmarks: [newer, { ...older, partial: true }] };
  renderAt(t);
  const table = await screen.findByTestId(testIds.benchmarks.runs);
  expect(within(table).getByTestId(testIds.benchmarks.row(newer.id))).toHaveTextContent('fail');
  expect(within(table).getByTestId(testIds.benchmarks.row(older.id))).toHaveTextContent('partial');
  expect(t.calls.find((c) => c.path === '/benchmarks')?.opts.query).toMatchObject({ cluster: 'prod' });
});

test('runs that cannot be read are shown with Retry, which reads them again', async () => {
  const t = answers();
  t.answers['GET /benchmarks'] = new ApiError('history store: connection refused', 503, 'r1');
  renderAt(t);
  expect(await screen.findByTestId(testIds.benchmarks.runsError)).toHaveTextContent(
    'history store: connection refused (request r1)'
  );
  expect(screen.queryByTestId(testIds.benchmarks.runs)).not.toBeInTheDocument();

  t.answers['GET /benchmarks'] = { benchmarks: [newer, older] };
  await userEvent.click(screen.getByTestId(testIds.benchmarks.runsRetry));
  expect(await screen.findByTestId(testIds.benchmarks.runs)).toBeInTheDocument();
  expect(screen.queryByTestId(testIds.benchmarks.runsError)).not.toBeInTheDocument();
});

test('another cluster shows its own runs, never those of the cluster before', async () => {
  const t = answers();
  t.answers['GET /benchmarks'] = (opts: RequestOptions) => {
    if (opts.query?.cluster === 'lab') {
      throw new ApiError('lab: history store unavailable', 503, 'r2');
    }
    return { benchmarks: [newer, older] };
  };
  renderAt(t, `/benchmarks?cluster=prod&runs=${newer.id}`);
  await screen.findByTestId(testIds.benchmarks.runs);
  await userEvent.selectOptions(screen.getByTestId(testIds.benchmarks.cluster), 'lab');
  expect(await screen.findByTestId(testIds.benchmarks.runsError)).toHaveTextContent('lab: history store unavailable');
  expect(screen.queryByTestId(testIds.benchmarks.runs)).not.toBeInTheDocument();
  expect(screen.getByTestId('location')).toHaveTextContent(/^\?cluster=lab$/);
});

test('two runs selected are overlaid and compared, with the regression badge', async () => {
  const t = answers();
  renderAt(t);
  await userEvent.click(await screen.findByTestId(testIds.benchmarks.select(newer.id)));
  await userEvent.click(screen.getByTestId(testIds.benchmarks.select(older.id)));
  const chart = await screen.findByTestId(testIds.benchmarks.chart);
  expect(within(chart).getByTestId(testIds.benchmarks.series(newer.id))).toBeInTheDocument();
  expect(within(chart).getByTestId(testIds.benchmarks.series(older.id))).toBeInTheDocument();
  const perSecond = screen.getByTestId(testIds.benchmarks.samples('throughput'));
  expect(perSecond.querySelectorAll('polyline')).toHaveLength(2);
  expect(perSecond).toHaveTextContent('max 1,000/s');
  const badge = await screen.findByTestId(testIds.benchmarks.regression);
  expect(badge).toHaveTextContent('regressed against run r1bbbbbb');
  expect(badge).toHaveTextContent('throughput: regressed, -40.0 % (-42.0 % to -38.0 %)');
  expect(t.calls.find((c) => c.path === `/benchmarks/${newer.id}/compare`)?.opts.query).toEqual({ against: older.id });
  expect(screen.getByTestId('location')).toHaveTextContent(`runs=${newer.id}%2C${older.id}`);
});

test('an admin sets a run as the baseline and compares with it', async () => {
  const t = answers();
  t.answers['PUT /clusters/prod/baselines/golden'] = {
    cluster: 'prod',
    name: 'golden',
    set_by: 'ann',
    set_at: '',
    run: older,
  };
  renderAt(t, `/benchmarks?cluster=prod&runs=${older.id}`);
  await userEvent.click(await screen.findByTestId(testIds.benchmarks.setBaseline));
  expect(await screen.findByTestId(testIds.benchmarks.baselineMessage)).toHaveTextContent(
    'Baseline golden now points at this run.'
  );
  expect(t.calls.find((c) => c.method === 'PUT')?.opts.body).toEqual({ result_id: older.id });

  t.answers[`GET /benchmarks/${older.id}/compare`] = {
    ...regressed,
    run: older,
    baseline_name: 'golden',
    verdict: 'unchanged',
    results: [],
  };
  await userEvent.click(screen.getByTestId(testIds.benchmarks.compareBaseline));
  expect(await screen.findByTestId(testIds.benchmarks.regression)).toHaveTextContent(
    'unchanged against baseline golden'
  );
});

test('a viewer is offered neither a run nor a baseline to set', async () => {
  renderAt(answers(), `/benchmarks?cluster=prod&runs=${older.id}`, false);
  await screen.findByTestId(testIds.benchmarks.detail);
  expect(screen.queryByTestId(testIds.benchmarks.start)).not.toBeInTheDocument();
  expect(screen.queryByTestId(testIds.benchmarks.setBaseline)).not.toBeInTheDocument();
});

test('a run from a profile is enqueued and followed live until it ends; the list is read again', async () => {
  const t = answers();
  const job: Job = { id: 'j9', kind: 'benchmark', cluster: 'prod', status: 'queued' };
  t.answers['POST /jobs'] = job;
  renderAt(t);
  await userEvent.selectOptions(await screen.findByTestId(testIds.benchmarks.profile), 'm');
  await userEvent.click(screen.getByTestId(testIds.benchmarks.run));
  await waitFor(() => expect(t.streams.some((s) => s.path === '/jobs/j9/events')).toBe(true));
  const body = t.calls.find((c) => c.method === 'POST')?.opts.body as Record<string, unknown>;
  expect(body).toMatchObject({ kind: 'benchmark', cluster: 'prod', parameters: { profile: 'm' } });

  const progress = (done: number, status = 'running') =>
    JSON.stringify({
      ...job,
      status,
      progress: { state: 'running', profile: 'm', step: 1, steps: 1, command: 'put', done, total: 60000 },
    });
  act(() => {
    t.emit('/jobs/j9/events', { event: 'job', data: progress(1000) });
  });
  expect(screen.getByTestId(testIds.benchmarks.progress)).toHaveTextContent('1,000 / 60,000 requests');
  await new Promise((r) => setTimeout(r, 20));
  act(() => {
    t.emit('/jobs/j9/events', { event: 'job', data: progress(2000) });
  });
  expect(screen.getByTestId(testIds.benchmarks.liveRate)).toHaveTextContent('/s');
  const lists = t.calls.filter((c) => c.path === '/benchmarks').length;
  act(() => {
    t.emit('/jobs/j9/events', { event: 'job', data: progress(60000, 'succeeded') });
  });
  expect(screen.getByTestId(testIds.benchmarks.jobOutcome)).toHaveTextContent('Finished');
  await waitFor(() => expect(t.calls.filter((c) => c.path === '/benchmarks').length).toBe(lists + 1));
});

test('while a run goes on, its per-second throughput and p99 are drawn from the progress samples', async () => {
  const t = answers();
  const job: Job = { id: 'j7', kind: 'benchmark', cluster: 'prod', status: 'queued' };
  t.answers['POST /jobs'] = job;
  renderAt(t);
  await userEvent.selectOptions(await screen.findByTestId(testIds.benchmarks.profile), 'm');
  await userEvent.click(screen.getByTestId(testIds.benchmarks.run));
  await waitFor(() => expect(t.streams.some((s) => s.path === '/jobs/j7/events')).toBe(true));

  const sample = (second: number, throughput: number, p99: number) => ({
    second,
    unix: 1_800_000_000 + second,
    requests: throughput,
    errors: 0,
    throughput,
    p50: p99 / 4,
    p99,
  });
  const emit = (progress: Record<string, unknown>, status = 'running') =>
    act(() => {
      t.emit('/jobs/j7/events', {
        event: 'job',
        data: JSON.stringify({
          ...job,
          status,
          progress: { state: 'running', profile: 'm', steps: 2, command: 'put', total: 60000, ...progress },
        }),
      });
    });
  const points = (metric: string) =>
    screen.getByTestId(testIds.benchmarks.liveSamples(metric)).querySelector('polyline')?.getAttribute('points') ?? '';

  // No second has closed yet: nothing to draw.
  emit({ step: 1, done: 100 });
  expect(screen.queryByTestId(testIds.benchmarks.liveCharts)).not.toBeInTheDocument();

  emit({ step: 1, done: 900, samples_step: 1, samples: [sample(0, 800, 0.004)] });
  expect(screen.getByTestId(testIds.benchmarks.liveSamples('throughput'))).toHaveTextContent('max 800/s');
  expect(points('p99').split(' ')).toHaveLength(1);

  // Each progress write redraws with the seconds closed since.
  emit({
    step: 1,
    done: 3100,
    samples_step: 1,
    samples: [sample(0, 800, 0.004), sample(1, 1200, 0.006), sample(2, 1100, 0.012)],
  });
  expect(screen.getByTestId(testIds.benchmarks.liveSamples('throughput'))).toHaveTextContent('max 1,200/s');
  expect(screen.getByTestId(testIds.benchmarks.liveSamples('p99'))).toHaveTextContent('p99 per second (max');
  expect(points('throughput').split(' ')).toHaveLength(3);
  expect(points('p99').split(' ')).toHaveLength(3);
  // The finished runs' charts are not the live ones.
  expect(screen.queryByTestId(testIds.benchmarks.samples('throughput'))).not.toBeInTheDocument();

  // The next step has begun but none of its seconds has closed: the last step's are not shown as its.
  emit({ step: 2, done: 50, samples_step: 1, samples: [sample(0, 800, 0.004)] });
  expect(screen.queryByTestId(testIds.benchmarks.liveCharts)).not.toBeInTheDocument();
  emit({ step: 2, done: 700, samples_step: 2, samples: [sample(0, 650, 0.02)] });
  expect(screen.getByTestId(testIds.benchmarks.liveSamples('throughput'))).toHaveTextContent('max 650/s');

  const lists = t.calls.filter((c) => c.path === '/benchmarks').length;
  emit({ step: 2, done: 60000, samples_step: 2, samples: [sample(0, 650, 0.02)] }, 'succeeded');
  expect(screen.getByTestId(testIds.benchmarks.jobOutcome)).toHaveTextContent('Finished');
  expect(screen.queryByTestId(testIds.benchmarks.liveCharts)).not.toBeInTheDocument();
  // The finished run's charts come from its stored report, in the list read again.
  await waitFor(() => expect(t.calls.filter((c) => c.path === '/benchmarks').length).toBe(lists + 1));
});

test("the form offers the cluster's own profiles, marked by where they come from, and runs one", async () => {
  const t = answers();
  t.answers['POST /jobs'] = { id: 'j7', kind: 'benchmark', cluster: 'prod', status: 'queued' };
  renderAt(t);
  const select = await screen.findByTestId(testIds.benchmarks.profile);
  await waitFor(() => expect(within(select).getByRole('option', { name: /nightly/ })).toBeInTheDocument());
  const names = within(select)
    .getAllByRole('option')
    .map((o) => o.textContent);
  expect(names).toEqual(['m', "nightly (this cluster's)", 's (configured)', 'xl', 'custom command']);
  expect(within(select).getByRole('option', { name: /nightly/ })).toHaveAttribute('title', 'prod nightly load');
  await userEvent.selectOptions(select, 'nightly');
  await userEvent.click(screen.getByTestId(testIds.benchmarks.run));
  await waitFor(() =>
    expect(t.calls.find((c) => c.method === 'POST')?.opts.body).toMatchObject({
      cluster: 'prod',
      parameters: { profile: 'nightly' },
    })
  );
});

test('a cluster whose list cannot be read is offered the built-in profiles, and told so', async () => {
  const t = answers();
  t.answers['GET /clusters/lab/benchmark-profiles'] = new ApiError('token t1 may not act on cluster "lab"', 403);
  renderAt(t, '/benchmarks?cluster=lab');
  expect(await screen.findByTestId(testIds.benchmarks.profilesError)).toHaveTextContent('may not act on cluster "lab"');
  const names = within(screen.getByTestId(testIds.benchmarks.profile))
    .getAllByRole('option')
    .map((o) => o.textContent);
  expect(names).toEqual(['s', 'm', 'l', 'xl', 'k8s-large', 'custom command']);
  expect(t.calls.some((c) => c.path === '/clusters/prod/benchmark-profiles')).toBe(false);
});

test('custom flags are sent by name; a flag without a value is refused before anything is sent', async () => {
  const t = answers();
  t.answers['POST /jobs'] = new ApiError('parameters: flags: --total: must be positive', 400);
  renderAt(t);
  await userEvent.selectOptions(await screen.findByTestId(testIds.benchmarks.profile), 'custom');
  const flags = screen.getByTestId(testIds.benchmarks.flags);
  await userEvent.clear(flags);
  await userEvent.type(flags, '--total');
  await userEvent.click(screen.getByTestId(testIds.benchmarks.run));
  expect(await screen.findByTestId(testIds.benchmarks.startError)).toHaveTextContent('flags: "--total" has no value');
  expect(t.calls.some((c) => c.method === 'POST')).toBe(false);

  await userEvent.clear(flags);
  await userEvent.type(flags, '--total=0 --clients 4');
  await userEvent.click(screen.getByTestId(testIds.benchmarks.force));
  await userEvent.click(screen.getByTestId(testIds.benchmarks.run));
  await waitFor(() =>
    expect(screen.getByTestId(testIds.benchmarks.startError)).toHaveTextContent('--total: must be positive')
  );
  expect(t.calls.find((c) => c.method === 'POST')?.opts.body).toMatchObject({
    parameters: { command: 'put', flags: { total: '0', clients: '4' }, force: true },
  });
});

test('every control of the form and the baseline is named by its label', async () => {
  renderAt(answers(), `/benchmarks?cluster=prod&runs=${older.id}`);
  await userEvent.selectOptions(await screen.findByLabelText(/^Profile/), 'custom');
  expect(screen.getByLabelText('Command')).toBe(screen.getByTestId(testIds.benchmarks.command));
  expect(screen.getByLabelText(/^Flags/)).toBe(screen.getByTestId(testIds.benchmarks.flags));
  expect(await screen.findByLabelText('Baseline name')).toBe(screen.getByTestId(testIds.benchmarks.baselineName));
});

test('parseFlags reads etcd-style flags', () => {
  expect(parseFlags('--total=10 --clients 4\n-conns=2 rate=5')).toEqual({
    total: '10',
    clients: '4',
    conns: '2',
    rate: '5',
  });
  expect(() => parseFlags('--total')).toThrow('flags: "--total" has no value');
});
