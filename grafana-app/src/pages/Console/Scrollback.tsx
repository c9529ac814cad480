import React, { useEffect, useRef } from 'react';
import { useStyles2 } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { RunView } from './RunView';
import { getStyles } from './styles';
import { MAX_RUNS, type Run } from './useRuns';

// Scrollback lists the runs, oldest first, and follows the newest as a terminal does. Screen
// readers hear each new run's output (role log).
export function Scrollback({ runs, dropped }: { runs: Run[]; dropped: number }) {
  const styles = useStyles2(getStyles);
  const box = useRef<HTMLDivElement>(null);
  const last = runs[runs.length - 1];
  const lastKey = last ? `${last.seq}:${last.state}` : '';
  useEffect(() => {
    const el = box.current;
    if (el) {
      el.scrollTop = el.scrollHeight;
    }
  }, [lastKey]);
  return (
    <div
      ref={box}
      className={styles.scrollback}
      role="log"
      aria-label="Console output"
      aria-live="polite"
      // The scrollback scrolls: the keyboard reaches it to scroll it.
      tabIndex={0}
      data-testid={testIds.etcdctl.scrollback}
    >
      {dropped > 0 && (
        <p className={styles.note} data-testid={testIds.etcdctl.dropped}>
          {dropped} older run{dropped === 1 ? '' : 's'} let go: the page keeps the last {MAX_RUNS}.
        </p>
      )}
      {runs.length === 0 ? (
        <p className={styles.note}>No commands run yet. Type one below, e.g. get / --prefix --keys-only --limit 10.</p>
      ) : (
        <ol aria-label="Runs" className={styles.runs}>
          {runs.map((r) => (
            <RunView key={r.seq} run={r} />
          ))}
        </ol>
      )}
    </div>
  );
}
