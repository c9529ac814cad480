import { useCallback, useEffect, useMemo, useState } from 'react';
import { useApi } from '../../api';
import { failure, type Failure } from '../failure';
import { appendLine, mergeHistory } from './history';

// HISTORY_LOADED is how many of the cluster's stored lines the prompt loads for ↑/↓ and Ctrl-R.
export const HISTORY_LOADED = 500;

export type ConsoleHistory = {
  // lines are the cluster's stored lines then this session's, oldest first.
  lines: string[];
  // problem is why the stored lines could not be loaded (the session's are still kept).
  problem?: Failure;
  // add keeps a line that ran on cluster for this session.
  add(cluster: string, line: string): void;
  // forget drops every line held, stored and of the session (the stored history was cleared).
  forget(): void;
};

// useConsoleHistory holds the prompt's history of cluster: the caller's stored lines of that
// cluster (the history store, shared with `etcd-monitor ctl`) and the lines run since the page
// opened, per cluster.
export function useConsoleHistory(cluster: string): ConsoleHistory {
  const api = useApi();
  const [stored, setStored] = useState<{ cluster: string; lines: string[]; problem?: Failure } | undefined>();
  const [session, setSession] = useState<Record<string, string[]>>({});

  useEffect(() => {
    if (!cluster) {
      return;
    }
    let cancelled = false;
    api.consoleHistory({ cluster, limit: HISTORY_LOADED }).then(
      (page) => !cancelled && setStored({ cluster, lines: page.entries.map((e) => e.line) }),
      (err) => !cancelled && setStored({ cluster, lines: [], problem: failure(err) })
    );
    return () => {
      cancelled = true;
    };
  }, [api, cluster]);

  const current = stored?.cluster === cluster ? stored : undefined;
  const own = session[cluster];
  const lines = useMemo(() => mergeHistory(current?.lines ?? [], own ?? []), [current, own]);
  const add = useCallback(
    (c: string, line: string) => setSession((s) => ({ ...s, [c]: appendLine(s[c] ?? [], line) })),
    []
  );
  const forget = useCallback(() => {
    setStored({ cluster, lines: [] });
    setSession({});
  }, [cluster]);
  return { lines, problem: current?.problem, add, forget };
}
