import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi, type ApiError, type WatchCompaction, type WatchEvent, type WatchQuery } from '../../api';

// MAX_SHOWN bounds the events kept for the list and the export: the newest ones.
export const MAX_SHOWN = 1000;

// A received event with its arrival number (stable list keys across the cap).
export type Received = WatchEvent & { seq: number };

export type WatchStatus =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'reconnecting'; error?: ApiError }
  | { kind: 'compacted'; compaction: WatchCompaction }
  | { kind: 'failed'; error: ApiError };

export type Watch = {
  status: WatchStatus;
  // events shown (newest last), at most MAX_SHOWN; total counts every event received.
  events: Received[];
  total: number;
  // revision: every event up to it has been received (from events and progress notifications).
  revision?: number;
  paused: boolean;
  // buffered: events received while paused, shown on resume.
  buffered: number;
  setPaused(p: boolean): void;
  clear(): void;
};

function keep(list: Received[], more: Received[]): Received[] {
  const all = more.length ? list.concat(more) : list;
  return all.length > MAX_SHOWN ? all.slice(all.length - MAX_SHOWN) : all;
}

// useWatch runs a watch of cluster/query for the life of the component (which its page keys by
// the watch, so that another watch starts afresh). Events received while paused wait in a
// buffer and join the list on resume.
export function useWatch(cluster: string, query: WatchQuery): Watch {
  const api = useApi();
  const [status, setStatus] = useState<WatchStatus>({ kind: 'connecting' });
  const [events, setEvents] = useState<Received[]>([]);
  const [total, setTotal] = useState(0);
  const [revision, setRevision] = useState<number | undefined>(undefined);
  const [paused, setPausedState] = useState(false);
  const [buffered, setBuffered] = useState(0);
  const pausedRef = useRef(false);
  const buffer = useRef<Received[]>([]);
  const seq = useRef(0);
  const queryKey = JSON.stringify(query);

  useEffect(() => {
    const ctl = new AbortController();
    api.watch(
      cluster,
      JSON.parse(queryKey) as WatchQuery,
      {
        onEvent(e) {
          if (ctl.signal.aborted) {
            return;
          }
          const r: Received = { ...e, seq: ++seq.current };
          setTotal((n) => n + 1);
          if (e.kv.mod_revision) {
            setRevision(e.kv.mod_revision);
          }
          if (pausedRef.current) {
            buffer.current = keep(buffer.current, [r]);
            setBuffered((n) => n + 1);
          } else {
            setEvents((l) => keep(l, [r]));
          }
        },
        onProgress(rev) {
          if (!ctl.signal.aborted) {
            setRevision(rev);
          }
        },
        onCompacted(compaction) {
          if (!ctl.signal.aborted) {
            setStatus({ kind: 'compacted', compaction });
          }
        },
        onError(error, retrying) {
          if (!ctl.signal.aborted) {
            setStatus(retrying ? { kind: 'reconnecting', error } : { kind: 'failed', error });
          }
        },
        onState(s) {
          if (ctl.signal.aborted) {
            return;
          }
          if (s === 'open') {
            setStatus({ kind: 'open' });
          } else if (s === 'connecting') {
            setStatus({ kind: 'connecting' });
          } else {
            setStatus((old) => (old.kind === 'reconnecting' ? old : { kind: 'reconnecting' }));
          }
        },
      },
      ctl.signal
    );
    return () => ctl.abort();
  }, [api, cluster, queryKey]);

  const setPaused = useCallback((p: boolean) => {
    pausedRef.current = p;
    setPausedState(p);
    if (!p) {
      const held = buffer.current;
      buffer.current = [];
      setBuffered(0);
      setEvents((l) => keep(l, held));
    }
  }, []);

  const clear = useCallback(() => {
    buffer.current = [];
    setBuffered(0);
    setEvents([]);
  }, []);

  return { status, events, total, revision, paused, buffered, setPaused, clear };
}
