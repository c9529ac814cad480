import { useCallback, useRef, useState } from 'react';
import { ApiError, useApi, type ConsoleRun } from '../../api';

// MAX_RUNS bounds the scrollback kept in memory: the newest runs.
export const MAX_RUNS = 200;

// A run in the scrollback: running until opsproxy answers, then done (the command ran, even
// when etcd answered an error: exit_code != 0) or failed (refused, malformed, or no answer).
export type Run = { seq: number; cluster: string; line: string } & (
  | { state: 'running' }
  | { state: 'done'; answer: ConsoleRun }
  | { state: 'failed'; status: number; message: string; requestId?: string; exitCode: number }
);

export type Runs = {
  runs: Run[];
  // dropped counts the older runs let go to stay within MAX_RUNS.
  dropped: number;
  busy: boolean;
  run(cluster: string, line: string): Promise<void>;
  clear(): void;
};

// useRuns keeps the scrollback and runs lines one at a time.
export function useRuns(): Runs {
  const api = useApi();
  const [runs, setRuns] = useState<Run[]>([]);
  // total counts the runs since the last clear; the ones beyond runs were dropped.
  const [total, setTotal] = useState(0);
  const [busy, setBusy] = useState(false);
  const seq = useRef(0);

  const settle = useCallback((n: number, r: Run) => setRuns((l) => l.map((x) => (x.seq === n ? r : x))), []);

  const run = useCallback(
    async (cluster: string, line: string) => {
      const n = ++seq.current;
      const base = { seq: n, cluster, line };
      setBusy(true);
      setTotal((t) => t + 1);
      setRuns((l) => [...l, { ...base, state: 'running' as const }].slice(-MAX_RUNS));
      try {
        const answer = await api.runConsoleLine(cluster, line);
        settle(n, { ...base, state: 'done', answer });
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError(String(err), 0);
        settle(n, {
          ...base,
          state: 'failed',
          status: e.status,
          message: e.message,
          requestId: e.requestId,
          // etcdctl exits 1 for most errors and 2 when it cannot connect.
          exitCode: e.exitCode ?? (e.status === 0 || e.status === 503 ? 2 : 1),
        });
      } finally {
        setBusy(false);
      }
    },
    [api, settle]
  );

  const clear = useCallback(() => {
    setRuns([]);
    setTotal(0);
  }, []);

  return { runs, dropped: total - runs.length, busy, run, clear };
}
