import { createApi } from './client';
import { consoleTransport } from './consoleTransport';
import type { Job } from './jobs';
import type { ApiError } from './transport';

// streamAnswer is a fetch answer whose body streams the given chunks, then ends.
function streamAnswer(chunks: string[], cancelled: string[] = []): Response {
  const enc = new TextEncoder();
  let i = 0;
  return {
    ok: true,
    status: 200,
    statusText: 'OK',
    body: {
      getReader: () => ({
        read: async () => (i < chunks.length ? { value: enc.encode(chunks[i++]), done: false } : { done: true }),
        cancel: async () => {
          cancelled.push('cancelled');
        },
      }),
    },
  } as unknown as Response;
}

function jsonAnswer(status: number, body: unknown): Response {
  return {
    ok: status < 300,
    status,
    statusText: 'x',
    text: async () => JSON.stringify(body),
  } as unknown as Response;
}

const job = (status: string, extra: Partial<Job> = {}) => ({
  id: 'j1',
  kind: 'snapshot',
  cluster: 'prod',
  status,
  ...extra,
});

function follow(fetchFn: typeof fetch) {
  const seen: string[] = [];
  const errors: Array<[ApiError, boolean]> = [];
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  createApi(consoleTransport('http://ops/', 'emt_secret', fetchFn)).followJob(
    'j1',
    {
      onJob: (j) => {
        seen.push(`${j.status} ${JSON.stringify(j.progress ?? {})}`);
        if (['succeeded', 'failed', 'cancelled'].includes(j.status)) {
          finish();
        }
      },
      onError: (e, final) => {
        errors.push([e, final]);
        if (final) {
          finish();
        }
      },
    },
    new AbortController().signal
  );
  return { seen, errors, done };
}

describe('console job events', () => {
  test('reads the job’s event stream with the token in a header until the job finishes', async () => {
    const calls: Array<{ url: string; headers: Record<string, string> }> = [];
    const cancelled: string[] = [];
    const fetchFn = jest.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, headers: init.headers as Record<string, string> });
      return streamAnswer(
        [
          `: open\n\nevent: job\ndata: ${JSON.stringify(job('running', { progress: { bytes_written: 10 } }))}\n\n`,
          `event: job\ndata: ${JSON.stringify(job('succeeded'))}\n\nevent: job\ndata: {}\n\n`,
        ],
        cancelled
      );
    }) as unknown as typeof fetch;
    const { seen, errors, done } = follow(fetchFn);
    await done;
    expect(seen).toEqual(['running {"bytes_written":10}', 'succeeded {}']);
    expect(errors).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('http://ops/api/v1/jobs/j1/events');
    expect(calls[0].headers).toEqual({ Accept: 'text/event-stream', Authorization: 'Bearer emt_secret' });
    expect(cancelled).toEqual(['cancelled']);
  });

  test('a refusal ends the follow with opsproxy’s message, never the token', async () => {
    const fetchFn = jest.fn(async () =>
      jsonAnswer(404, { error: 'job j1 not found', request_id: 'r3' })
    ) as unknown as typeof fetch;
    const { errors, done } = follow(fetchFn);
    await done;
    expect(errors.map(([e, final]) => [e.status, e.message, e.requestId, final])).toEqual([
      [404, 'job j1 not found', 'r3', true],
    ]);
    expect(JSON.stringify(errors.map(([e]) => e.message))).not.toContain('emt_secret');
  });

  test('a stream that ends before the job finishes is followed by reading the job', async () => {
    const answers = [
      streamAnswer([`event: job\ndata: ${JSON.stringify(job('running'))}\n\n`]),
      jsonAnswer(200, job('cancelled', { error: 'cancelled by ann' })),
    ];
    const urls: string[] = [];
    const fetchFn = jest.fn(async (url: string) => {
      urls.push(url);
      return answers.shift()!;
    }) as unknown as typeof fetch;
    const { seen, done } = follow(fetchFn);
    await done;
    expect(seen).toEqual(['running {}', 'cancelled {}']);
    expect(urls).toEqual(['http://ops/api/v1/jobs/j1/events', 'http://ops/api/v1/jobs/j1']);
  });

  test('opsproxy’s error event is reported and the job is read instead', async () => {
    const answers = [
      streamAnswer([`event: error\ndata: {"error":"history store: connection refused"}\n\n`]),
      jsonAnswer(200, job('succeeded')),
    ];
    const fetchFn = jest.fn(async () => answers.shift()!) as unknown as typeof fetch;
    const { seen, errors, done } = follow(fetchFn);
    await done;
    expect(errors.map(([e, final]) => [e.message, final])).toEqual([['history store: connection refused', false]]);
    expect(seen).toEqual(['succeeded {}']);
  });
});
