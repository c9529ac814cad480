import { Subject } from 'rxjs';
import {
  LiveChannelConnectionState,
  LiveChannelEventType,
  LiveChannelScope,
  type LiveChannelEvent,
} from '@grafana/data';
import { config, getGrafanaLiveSrv } from '@grafana/runtime';
import { createApi } from './client';
import { consoleTransport } from './consoleTransport';
import { fakeTransport } from './fakeTransport';
import { grafanaTransport } from './grafanaTransport';
import type { ApiError } from './transport';
import { base64url, type WatchHandlers, type WatchMessage } from './watch';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getGrafanaLiveSrv: jest.fn(),
}));

// recorder collects what a watch hands its handlers, as lines.
function recorder() {
  const log: string[] = [];
  let resolveEnd: () => void = () => {};
  const ended = new Promise<void>((r) => (resolveEnd = r));
  const h: WatchHandlers = {
    onEvent: (e) => log.push(`${e.type} ${e.kv.key}=${e.kv.value ?? ''}`),
    onProgress: (rev) => log.push(`progress ${rev}`),
    onCompacted: (c) => {
      log.push(`compacted ${c.compactRevision}: ${c.message}`);
      resolveEnd();
    },
    onError: (err: ApiError, retrying) => {
      log.push(`error ${err.status} ${err.message}${retrying ? ' (retrying)' : ''}`);
      if (!retrying) {
        resolveEnd();
      }
    },
    onState: (s) => log.push(`state ${s}`),
  };
  return { log, h, ended };
}

// streamAnswer is a fetch answer whose body streams the given chunks, then ends.
function streamAnswer(chunks: string[]): Response {
  const enc = new TextEncoder();
  let i = 0;
  return {
    ok: true,
    status: 200,
    statusText: 'OK',
    body: {
      getReader: () => ({
        read: async () => (i < chunks.length ? { value: enc.encode(chunks[i++]), done: false } : { done: true }),
      }),
    },
  } as unknown as Response;
}

function errorAnswer(status: number, body: unknown): Response {
  return { ok: false, status, statusText: 'x', text: async () => JSON.stringify(body) } as unknown as Response;
}

describe('console watch', () => {
  test('streams events with the token in a header, resumes with Last-Event-ID, ends on a refusal', async () => {
    const calls: Array<{ url: string; headers: Record<string, string> }> = [];
    const answers = [
      streamAnswer([': watching\n\nid: 5\nevent: put\ndata: {"type":"put","kv":{"key":"/a","value":"1"}}\n', '\n']),
      errorAnswer(503, { error: 'etcd unavailable' }),
      streamAnswer([
        'event: delete\nid: 9\ndata: {"type":"delete","kv":{"key":"/a"}}\n\nevent: progress\nid: 9\ndata: {"revision":9}\n\n',
      ]),
      errorAnswer(403, { error: 'token limited to cluster b', request_id: 'r1' }),
    ];
    const fetchFn = jest.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, headers: init.headers as Record<string, string> });
      return answers.shift()!;
    }) as unknown as typeof fetch;
    const { log, h, ended } = recorder();
    const ctl = new AbortController();
    createApi(consoleTransport('http://ops/', 'emt_secret', fetchFn, 1)).watch(
      'prod',
      { key: '/a', prefix: true, start_revision: 3 },
      h,
      ctl.signal
    );
    await ended;
    expect(calls[0].url).toBe('http://ops/api/v1/clusters/prod/watch?key=%2Fa&prefix=true&start_revision=3');
    expect(calls[0].headers.Authorization).toBe('Bearer emt_secret');
    expect(calls[0].headers['Last-Event-ID']).toBeUndefined();
    expect(calls.slice(1).map((c) => c.headers['Last-Event-ID'])).toEqual(['5', '5', '9']);
    expect(calls.every((c) => !c.url.includes('emt_secret'))).toBe(true);
    expect(log).toEqual([
      'state connecting',
      'state open',
      'put /a=1',
      'error 0 opsproxy ended the watch stream (retrying)',
      'state reconnecting',
      'error 503 etcd unavailable (retrying)',
      'state reconnecting',
      'state open',
      'delete /a=',
      'progress 9',
      'error 0 opsproxy ended the watch stream (retrying)',
      'state reconnecting',
      'error 403 token limited to cluster b',
    ]);
    expect(log.join('\n')).not.toContain('emt_secret');
  });

  test('a compacted start revision ends the watch with opsproxy’s explanation', async () => {
    const fetchFn = jest.fn(async () =>
      streamAnswer([
        'event: compacted\ndata: {"compact_revision":40,"error":"revision 3 is compacted: read again and watch from the revision read at (the oldest available is 40)"}\n\n',
      ])
    ) as unknown as typeof fetch;
    const { log, h, ended } = recorder();
    createApi(consoleTransport('http://ops', 't', fetchFn, 1)).watch(
      'c',
      { key: 'k', start_revision: 3 },
      h,
      new AbortController().signal
    );
    await ended;
    expect(log.pop()).toBe(
      'compacted 40: revision 3 is compacted: read again and watch from the revision read at (the oldest available is 40)'
    );
    expect(fetchFn).toHaveBeenCalledTimes(1);
  });

  test('opsproxy not answering is retried until the page stops the watch', async () => {
    const ctl = new AbortController();
    const fetchFn = jest.fn(async () => {
      if ((fetchFn as jest.Mock).mock.calls.length >= 3) {
        ctl.abort();
      }
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    const { log, h } = recorder();
    createApi(consoleTransport('http://ops', 't', fetchFn, 1)).watch('c', { key: 'k' }, h, ctl.signal);
    await new Promise<void>((r) => ctl.signal.addEventListener('abort', () => setTimeout(r, 5)));
    expect(log.filter((l) => l.startsWith('error'))).toEqual([
      'error 0 opsproxy did not answer: Failed to fetch (retrying)',
      'error 0 opsproxy did not answer: Failed to fetch (retrying)',
    ]);
  });
});

describe('Grafana watch', () => {
  test('subscribes to the user’s own plugin channel and hands on the backend’s messages', () => {
    const live = new Subject<LiveChannelEvent<WatchMessage>>();
    const getStream = jest.fn(() => live.asObservable());
    (getGrafanaLiveSrv as jest.Mock).mockReturnValue({ getStream });
    config.bootData.user.login = 'alice@example.com';
    const { log, h } = recorder();
    const ctl = new AbortController();
    createApi(grafanaTransport()).watch('prod', { key: '/app/ü', prefix: true }, h, ctl.signal);

    const addr = (getStream.mock.calls[0] as unknown[])[0] as {
      scope: string;
      stream: string;
      path: string;
      data: unknown;
    };
    expect(addr.scope).toBe(LiveChannelScope.Plugin);
    expect(addr.stream).toBe('etcdmonitor-etcd-app');
    const [kind, user, tab, ...rest] = addr.path.split('/');
    expect(kind).toBe('watch');
    expect(user).toBe(base64url('alice@example.com'));
    expect(tab).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(rest).toEqual([]);
    expect(addr.data).toEqual({ cluster: 'prod', key: '/app/ü', prefix: true });

    const msg = (message: WatchMessage) => live.next({ type: LiveChannelEventType.Message, message });
    msg({ event: 'open' });
    msg({ event: 'put', id: 4, data: { type: 'put', kv: { key: '/app/x', value: 'v' } } });
    live.next({
      type: LiveChannelEventType.Status,
      id: 'x',
      timestamp: 0,
      state: LiveChannelConnectionState.Disconnected,
    });
    msg({ event: 'error', error: 'opsproxy at http://ops is unreachable', retrying: true });
    msg({ event: 'error', status: 403, error: 'denied' });
    msg({ event: 'put', data: { type: 'put', kv: { key: '/late' } } });
    expect(log).toEqual([
      'state connecting',
      'state open',
      'put /app/x=v',
      'state reconnecting',
      'error 0 opsproxy at http://ops is unreachable (retrying)',
      'state reconnecting',
      'error 403 denied',
    ]);
    ctl.abort();
    expect(live.observed).toBe(false);
  });

  test('each watch gets a channel of its own', () => {
    const getStream = jest.fn(() => new Subject<LiveChannelEvent<WatchMessage>>());
    (getGrafanaLiveSrv as jest.Mock).mockReturnValue({ getStream });
    const api = createApi(grafanaTransport());
    const { h } = recorder();
    api.watch('c', { key: 'k' }, h, new AbortController().signal);
    api.watch('c', { key: 'k' }, h, new AbortController().signal);
    const paths = getStream.mock.calls.map((c) => ((c as unknown[])[0] as { path: string }).path);
    expect(paths[0]).not.toBe(paths[1]);
  });
});

describe('fake transport watch', () => {
  test('records watches and pushes messages to the open one', () => {
    const t = fakeTransport();
    const { log, h } = recorder();
    const ctl = new AbortController();
    createApi(t).watch('c', { key: 'k' }, h, ctl.signal);
    expect(t.watches[0]).toMatchObject({ cluster: 'c', query: { key: 'k' } });
    expect(t.push({ event: 'put', data: { type: 'put', kv: { key: 'k', value: '1' } } })).toBe(true);
    ctl.abort();
    expect(t.push({ event: 'put', data: { type: 'put', kv: { key: 'k' } } })).toBe(false);
    expect(log).toEqual(['put k=1']);
  });

  test('a login too long for a Live channel is refused without subscribing', () => {
    const getStream = jest.fn(() => new Subject<LiveChannelEvent<WatchMessage>>());
    (getGrafanaLiveSrv as jest.Mock).mockReturnValue({ getStream });
    config.bootData.user.login = 'x'.repeat(100);
    const { log, h } = recorder();
    createApi(grafanaTransport()).watch('c', { key: 'k'.repeat(5000) }, h, new AbortController().signal);
    expect(getStream).not.toHaveBeenCalled();
    expect(log).toEqual(['error 0 your Grafana login is too long for a Grafana Live channel (160 characters)']);
  });
});
