import { ApiError, type Transport } from './transport';

// Watching a key or a prefix (opsproxy's GET /clusters/{cluster}/watch, Server-Sent Events).
// Both transports carry the same messages (WatchMessage): the console reads opsproxy's event
// stream itself, Grafana gets it from the plugin backend over Grafana Live.

export type WatchQuery = {
  key: string;
  // prefix watches every key starting with key.
  prefix?: boolean;
  // start_revision replays the events since this revision (0 or unset: from now on).
  start_revision?: number;
  prev_kv?: boolean;
};

// WatchKV is a key-value as opsproxy sends it: text, or *_base64 for bytes that are not UTF-8.
export type WatchKV = {
  key?: string;
  key_base64?: string;
  value?: string;
  value_base64?: string;
  create_revision?: number;
  mod_revision?: number;
  version?: number;
  lease?: number;
};

export type WatchEvent = { type: 'put' | 'delete'; kv: WatchKV; prev_kv?: WatchKV };

export type WatchCompaction = { compactRevision: number; message: string };

// WatchState: connecting (first connection), open (events flow), reconnecting (the connection
// was lost and is being made again, resuming after the last revision received).
export type WatchState = 'connecting' | 'open' | 'reconnecting';

export type WatchHandlers = {
  onEvent(e: WatchEvent): void;
  // onProgress: every event up to revision has been delivered.
  onProgress?(revision: number): void;
  // onCompacted ends the watch: the start revision is gone.
  onCompacted(c: WatchCompaction): void;
  // onError with retrying false ends the watch (refused, bad request); with retrying true the
  // transport is reconnecting.
  onError(err: ApiError, retrying: boolean): void;
  onState?(state: WatchState): void;
};

// WatchMessage is one message of a watch stream, as the plugin backend sends it over Grafana
// Live (and as the console makes it from opsproxy's events): opsproxy's event name, id and
// data, "open" when the stream is (again) open, an error with retrying while reconnecting.
export type WatchMessage = {
  event: string;
  id?: number;
  data?: unknown;
  error?: string;
  status?: number;
  retrying?: boolean;
};

// deliverWatchMessage hands a message to the handlers and says whether the watch goes on.
export function deliverWatchMessage(m: WatchMessage, h: WatchHandlers): boolean {
  switch (m.event) {
    case 'put':
    case 'delete':
      h.onEvent(m.data as WatchEvent);
      return true;
    case 'progress':
      h.onProgress?.(Number((m.data as { revision?: number } | undefined)?.revision ?? m.id ?? 0));
      return true;
    case 'open':
      h.onState?.('open');
      return true;
    case 'compacted': {
      const d = (m.data ?? {}) as { compact_revision?: number; error?: string };
      h.onCompacted({
        compactRevision: Number(d.compact_revision ?? 0),
        message: m.error || d.error || 'the start revision is compacted',
      });
      return false;
    }
    case 'error': {
      const d = (m.data ?? {}) as { error?: string };
      h.onError(new ApiError(m.error || d.error || 'the watch failed', m.status ?? 0), Boolean(m.retrying));
      if (m.retrying) {
        h.onState?.('reconnecting');
      }
      return Boolean(m.retrying);
    }
  }
  return true;
}

// A watch's Grafana Live channel is plugin/<plugin id>/watch/<login>/<watch id>, the login
// base64url-encoded: one channel per user and watch, and the backend refuses anyone else's.
// What it watches goes as the channel's data (watchChannelData), since a channel has at most
// MAX_CHANNEL_LENGTH characters of [A-Za-z0-9_-/=.].
export const MAX_CHANNEL_LENGTH = 160;

export function watchChannelPath(login: string, watchId: string): string {
  return `watch/${base64url(login)}/${watchId}`;
}

export function watchChannelData(cluster: string, q: WatchQuery): Record<string, unknown> {
  const spec: Record<string, unknown> = { cluster, key: q.key };
  if (q.prefix) {
    spec.prefix = true;
  }
  if (q.start_revision) {
    spec.start_revision = q.start_revision;
  }
  if (q.prev_kv) {
    spec.prev_kv = true;
  }
  return spec;
}

// base64url encodes a string's UTF-8 bytes, without padding.
export function base64url(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) {
    bin += String.fromCharCode(b);
  }
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// randomTabId is a random id for this browser tab's watches.
export function randomTabId(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return base64url(String.fromCharCode(...b));
}

// watchApi: the pages' watch call; it ends when signal aborts.
export function watchApi(t: Transport) {
  return {
    watch(cluster: string, query: WatchQuery, handlers: WatchHandlers, signal: AbortSignal): void {
      t.watch(cluster, query, handlers, signal);
    },
  };
}
