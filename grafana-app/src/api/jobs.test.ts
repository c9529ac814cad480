import { createApi } from './client';
import { fakeTransport } from './fakeTransport';
import fs from 'fs';
import path from 'path';
import { jobKindLabel, POLL_MS, SERVER_JOB_KINDS, type Job } from './jobs';
import { ApiError } from './transport';

const running: Job = { id: 'j/1', kind: 'snapshot', cluster: 'prod', status: 'running' };
const done: Job = { ...running, status: 'succeeded', result: { name: 's.db' } };

function jobEvent(job: Job) {
  return { event: 'job', data: JSON.stringify(job) };
}

describe('job kinds', () => {
  // The kinds opsproxy registers are the Kind… constants of opsproxy/internal/jobkinds: a kind
  // added there and not here (or gone there) fails this test.
  test('are the kinds the server registers, each with a name for people', () => {
    const dir = path.resolve(__dirname, '..', '..', '..', 'opsproxy', 'internal', 'jobkinds');
    const server = new Set<string>();
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))) {
      for (const m of fs
        .readFileSync(path.join(dir, f), 'utf8')
        .matchAll(/^\s*(?:const\s+)?Kind\w+\s*=\s*"([^"]+)"/gm)) {
        server.add(m[1]);
      }
    }
    expect(server.size).toBeGreaterThanOrEqual(9);
    expect([...SERVER_JOB_KINDS].sort()).toEqual([...server].sort());
    for (const k of SERVER_JOB_KINDS) {
      expect(jobKindLabel(k)).not.toBe(k);
    }
    expect(jobKindLabel('compact')).toBe('compact');
    expect(jobKindLabel('constructor')).toBe('constructor');
  });
});

describe('jobs API', () => {
  test('enqueues with the idempotency key and only the parameters set', async () => {
    const t = fakeTransport({ 'POST /jobs': { ...running, status: 'queued' } });
    const api = createApi(t);
    expect((await api.enqueueJob({ kind: 'snapshot', cluster: 'prod', idempotency_key: 'k1' })).status).toBe('queued');
    expect(t.calls[0].opts.body).toEqual({ kind: 'snapshot', cluster: 'prod', idempotency_key: 'k1' });
    await api.enqueueJob({ kind: 'defragment', cluster: 'prod', parameters: { dry_run: true }, idempotency_key: 'k2' });
    expect(t.calls[1].opts.body).toEqual({
      kind: 'defragment',
      cluster: 'prod',
      parameters: { dry_run: true },
      idempotency_key: 'k2',
    });
  });

  test('lists with filters and cursor, gets and cancels; a refusal is thrown', async () => {
    const t = fakeTransport({
      'GET /jobs': { jobs: [running], next: 'c2' },
      'GET /jobs/j%2F1': running,
      'DELETE /jobs/j%2F1': { ...running, cancel_requested: true },
    });
    const api = createApi(t);
    expect(await api.listJobs({ kind: 'snapshot', user: 'ann' }, 'c1')).toEqual({ jobs: [running], next: 'c2' });
    expect(t.calls[0].opts.query).toEqual({ kind: 'snapshot', user: 'ann', cursor: 'c1', limit: 50 });
    expect((await api.getJob('j/1')).id).toBe('j/1');
    expect((await api.cancelJob('j/1')).cancel_requested).toBe(true);
    t.answers['DELETE /jobs/j%2F1'] = new ApiError('job j/1 has finished', 409, 'r1');
    await expect(api.cancelJob('j/1')).rejects.toMatchObject({ status: 409 });
    expect(await createApi(fakeTransport({ 'GET /jobs': {} })).listJobs({})).toEqual({ jobs: [], next: undefined });
  });

  test('schedules: create with only the fields set, list with filters, pause, resume, delete', async () => {
    const s = { id: 's1', name: 'nightly', kind: 'snapshot', cluster: 'prod', cron: '0 3 * * *', paused: false };
    const t = fakeTransport({
      'POST /schedules': s,
      'GET /schedules': { schedules: [s] },
      'GET /schedules/s1': s,
      'POST /schedules/s1/pause': { ...s, paused: true },
      'POST /schedules/s1/resume': s,
      'DELETE /schedules/s1': { deleted: 's1' },
    });
    const api = createApi(t);
    await api.createSchedule({ name: 'nightly', kind: 'snapshot', cluster: 'prod', cron: '0 3 * * *', parameters: {} });
    expect(t.calls[0].opts.body).toEqual({ name: 'nightly', kind: 'snapshot', cluster: 'prod', cron: '0 3 * * *' });
    await api.createSchedule({ ...s, kind: 'snapshot', timezone: 'Europe/Paris', parameters: { member: 'm1' } });
    expect(t.calls[1].opts.body).toMatchObject({ timezone: 'Europe/Paris', parameters: { member: 'm1' } });
    expect(await api.listSchedules({ cluster: 'prod', paused: false })).toEqual({ schedules: [s], next: undefined });
    expect(t.calls[2].opts.query).toEqual({
      cluster: 'prod',
      kind: undefined,
      paused: 'false',
      cursor: undefined,
      limit: 100,
    });
    expect((await api.getSchedule('s1')).name).toBe('nightly');
    expect((await api.pauseSchedule('s1')).paused).toBe(true);
    expect((await api.resumeSchedule('s1')).paused).toBe(false);
    expect(await api.deleteSchedule('s1')).toBe('s1');
  });

  test('follows a job over its event stream until it finishes', () => {
    const t = fakeTransport();
    const seen: Job[] = [];
    const errors: ApiError[] = [];
    createApi(t).followJob(
      'j/1',
      { onJob: (j) => seen.push(j), onError: (e) => errors.push(e) },
      new AbortController().signal
    );
    expect(t.streams[0].path).toBe('/jobs/j%2F1/events');
    t.emit('/jobs/j%2F1/events', { event: 'ping', data: '' }, jobEvent(running), jobEvent(done), jobEvent(running));
    expect(seen.map((j) => j.status)).toEqual(['running', 'succeeded']);
    expect(t.streams[0].closed).toBe(true);
    expect(errors).toEqual([]);
  });

  test('a refused stream is final; a broken one falls back to polling', async () => {
    const t = fakeTransport({ 'GET /jobs/j%2F1': done });
    const errors: Array<[number, boolean]> = [];
    const seen: Job[] = [];
    const api = createApi(t);
    const f = {
      onJob: (j: Job) => seen.push(j),
      onError: (e: ApiError, final: boolean) => errors.push([e.status, final]),
    };
    api.followJob('j/1', f, new AbortController().signal);
    t.streams[0].handlers.onError(new ApiError('job j/1 not found', 404));
    expect(errors).toEqual([[404, true]]);
    expect(t.calls).toEqual([]);

    api.followJob('j/1', f, new AbortController().signal);
    t.streams[1].handlers.onError(new ApiError('opsproxy did not answer', 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(t.calls.map((x) => x.path)).toEqual(['/jobs/j%2F1']);
    expect(seen.map((j) => j.status)).toEqual(['succeeded']);
  });

  test('without streams, polls every second until the job finishes, going on after a 5xx', async () => {
    jest.useFakeTimers();
    try {
      const answers: unknown[] = [running, new ApiError('store down', 503), done];
      const t = fakeTransport({ 'GET /jobs/j%2F1': () => answers.shift() });
      const noStreams = { ...t, stream: undefined };
      const seen: string[] = [];
      const errors: Array<[number, boolean]> = [];
      createApi(noStreams).followJob(
        'j/1',
        { onJob: (j) => seen.push(j.status), onError: (e, final) => errors.push([e.status, final]) },
        new AbortController().signal
      );
      await jest.advanceTimersByTimeAsync(0);
      expect(seen).toEqual(['running']);
      await jest.advanceTimersByTimeAsync(POLL_MS);
      expect(errors).toEqual([[503, false]]);
      await jest.advanceTimersByTimeAsync(POLL_MS);
      expect(seen).toEqual(['running', 'succeeded']);
      await jest.advanceTimersByTimeAsync(5 * POLL_MS);
      expect(t.calls).toHaveLength(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
