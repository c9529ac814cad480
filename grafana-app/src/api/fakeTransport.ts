import type { SseEvent } from './sse';
import { ApiError, type RequestOptions, type StreamHandlers, type Transport } from './transport';
import { deliverWatchMessage, type WatchHandlers, type WatchMessage, type WatchQuery } from './watch';

// A transport double for tests: answers are looked up by "METHOD /path"; an ApiError (or a
// function throwing one) is thrown as the transport would. Watches are recorded; a test pushes
// their messages (as opsproxy or the plugin backend sends them) with push. Event streams are
// recorded too; a test sends their events with emit. Downloads are answered by "DOWNLOAD /path".
export type Answer = unknown | ApiError | ((opts: RequestOptions) => unknown);

export type FakeWatch = { cluster: string; query: WatchQuery; handlers: WatchHandlers; signal: AbortSignal };

export type FakeStream = { path: string; handlers: StreamHandlers; signal: AbortSignal; closed: boolean };

export type FakeTransport = Transport & {
  calls: Array<{ method: string; path: string; opts: RequestOptions }>;
  answers: Record<string, Answer>;
  watches: FakeWatch[];
  // push delivers messages to the latest watch still open; it answers false when there is none.
  push(...messages: WatchMessage[]): boolean;
  streams: FakeStream[];
  // emit delivers events to the latest open stream of path, as the server sends them; it answers
  // false when there is none.
  emit(path: string, ...events: SseEvent[]): boolean;
};

export function fakeTransport(answers: Record<string, Answer> = {}, linkBase?: string): FakeTransport {
  const t: FakeTransport = {
    calls: [],
    answers,
    watches: [],
    streams: [],
    stream(path, handlers, signal) {
      t.streams.push({ path, handlers, signal, closed: false });
    },
    emit(path, ...events) {
      const s = [...t.streams].reverse().find((x) => x.path === path && !x.closed && !x.signal.aborted);
      if (!s) {
        return false;
      }
      for (const ev of events) {
        if (!s.handlers.onEvent(ev)) {
          s.closed = true;
          break;
        }
      }
      return true;
    },
    watch(cluster, query, handlers, signal) {
      t.watches.push({ cluster, query, handlers, signal });
    },
    push(...messages) {
      const w = [...t.watches].reverse().find((x) => !x.signal.aborted);
      if (!w) {
        return false;
      }
      for (const m of messages) {
        deliverWatchMessage(m, w.handlers);
      }
      return true;
    },
    async request(method, path, opts = {}) {
      t.calls.push({ method, path, opts });
      const key = `${method} ${path}`;
      if (!(key in t.answers)) {
        throw new ApiError(`no answer for ${key}`, 404);
      }
      let a = t.answers[key];
      if (typeof a === 'function') {
        a = (a as (o: RequestOptions) => unknown)(opts);
      }
      if (a instanceof ApiError) {
        throw a;
      }
      return { status: 200, json: a as never };
    },
    // download answers "DOWNLOAD /path" (a Blob, or an ApiError thrown) and records the call.
    async download(path, query) {
      t.calls.push({ method: 'DOWNLOAD', path, opts: { query } });
      const a = t.answers[`DOWNLOAD ${path}`];
      if (a === undefined) {
        throw new ApiError(`no answer for DOWNLOAD ${path}`, 404);
      }
      if (a instanceof ApiError) {
        throw a;
      }
      return a as Blob;
    },
    href(path, query) {
      if (!linkBase) {
        return undefined;
      }
      const q = new URLSearchParams(
        Object.entries(query ?? {}).filter(([, v]) => v !== undefined && v !== '') as string[][]
      );
      return `${linkBase}${path}?${q}`;
    },
  };
  return t;
}
