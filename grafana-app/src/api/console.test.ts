import { createApi } from './client';
import { fakeTransport } from './fakeTransport';
import { ApiError, errorFromBody } from './transport';

describe('console API', () => {
  test('runs a line in the body, under the cluster, and fills what the answer left out', async () => {
    const t = fakeTransport({
      'POST /clusters/prod%2Fa/console': { stdout: '/foo\nbar\n', exit_code: 0, operation: 'keys.get' },
    });
    const run = await createApi(t).runConsoleLine('prod/a', 'get /foo\n');
    expect(t.calls[0].opts.body).toEqual({ line: 'get /foo\n' });
    expect(run).toEqual({
      stdout: '/foo\nbar\n',
      stderr: '',
      exit_code: 0,
      result: null,
      operation: 'keys.get',
      format: 'simple',
      job: null,
      duration_ns: 0,
    });
  });

  test('a refusal is thrown with etcdctl’s exit code from the error body', async () => {
    const body = { error: 'unknown flag: --foo', request_id: 'r1', exit_code: 1 };
    const t = fakeTransport({ 'POST /clusters/prod/console': errorFromBody(400, body) });
    await expect(createApi(t).runConsoleLine('prod', 'get --foo')).rejects.toMatchObject({
      status: 400,
      message: 'unknown flag: --foo',
      requestId: 'r1',
      exitCode: 1,
    });
    expect(errorFromBody(403, { error: 'no' }).exitCode).toBeUndefined();
    expect(errorFromBody(400, { error: 'x', exit_code: 'one' }).exitCode).toBeUndefined();
  });

  test('completes with the line and cursor in the query', async () => {
    const t = fakeTransport({
      'GET /clusters/prod/complete': {
        from: 4,
        to: 9,
        candidates: [{ text: '/registry/', kind: 'key' }],
      },
    });
    const c = await createApi(t).completeLine('prod', 'get /regi', 9);
    expect(t.calls[0].opts.query).toEqual({ line: 'get /regi', cursor: 9 });
    expect(c).toEqual({ from: 4, to: 9, candidates: [{ text: '/registry/', kind: 'key' }], truncated: false });
    const empty = await createApi(fakeTransport({ 'GET /clusters/prod/complete': {} })).completeLine('prod', 'x', 1);
    expect(empty).toEqual({ from: 1, to: 1, candidates: [], truncated: false });
  });

  test('history: filtered pages, clear; settings read and written', async () => {
    const entry = {
      id: 'h1',
      cluster: 'prod',
      line: 'get /a',
      time: '2026-01-01T00:00:00Z',
      exit_code: 0,
      duration_ns: 5,
    };
    const t = fakeTransport({
      'GET /console/history': { entries: [entry], next: 'n2' },
      'DELETE /console/history': { deleted: 3 },
      'GET /console/settings': {},
      'PUT /console/settings': { keep_values: true },
    });
    const api = createApi(t);
    expect(await api.consoleHistory({ cluster: 'prod', q: 'get', limit: 10 })).toEqual({
      entries: [entry],
      next: 'n2',
    });
    expect(t.calls[0].opts.query).toEqual({ cluster: 'prod', q: 'get', limit: 10, cursor: undefined });
    expect(await api.clearConsoleHistory()).toBe(3);
    expect(await api.consoleSettings()).toEqual({ keep_values: false });
    expect(await api.setConsoleSettings({ keep_values: true })).toEqual({ keep_values: true });
    expect(t.calls[3].opts.body).toEqual({ keep_values: true });
    t.answers['DELETE /console/history'] = new ApiError('history store unavailable', 503);
    await expect(api.clearConsoleHistory()).rejects.toMatchObject({ status: 503 });
  });
});
