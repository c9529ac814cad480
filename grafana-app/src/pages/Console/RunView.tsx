import React, { memo, useState } from 'react';
import { Link } from 'react-router-dom';
import { Button, useStyles2 } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { ResultView } from './ResultView';
import { getStyles } from './styles';
import type { Run } from './useRuns';

// RunView is one run in the scrollback: the prompt and line, then etcdctl's text (stdout, stderr
// in the error colour, the exit code when not 0) or why opsproxy did not run it, and a toggle
// for the structured view beside the text. Memoised: a new run re-renders only itself, not the
// up to MAX_RUNS before it.
export const RunView = memo(function RunView({ run }: { run: Run }) {
  const styles = useStyles2(getStyles);
  const [structured, setStructured] = useState(false);
  const structuredId = `etcdctl-structured-${run.seq}`;
  return (
    <li className={styles.run} data-testid={testIds.etcdctl.run(run.seq)}>
      <div className={styles.runHead}>
        <pre className={styles.runLine} data-testid={testIds.etcdctl.runLine}>
          <span className={styles.prompt}>{run.cluster}$</span> {run.line}
        </pre>
        {run.state === 'done' && (
          <>
            <span className={styles.meta}>
              {run.answer.operation} · {formatDuration(run.answer.duration_ns)}
            </span>
            <Button
              size="sm"
              variant="secondary"
              fill="text"
              icon="brackets-curly"
              aria-expanded={structured}
              aria-controls={structuredId}
              onClick={() => setStructured((s) => !s)}
              data-testid={testIds.etcdctl.structuredToggle}
            >
              {structured ? 'Hide structured view' : 'Structured view'}
            </Button>
          </>
        )}
      </div>
      {run.state === 'running' && (
        <p className={styles.meta} data-testid={testIds.etcdctl.running}>
          Running…
        </p>
      )}
      {run.state === 'failed' && <Refusal run={run} />}
      {run.state === 'done' && (
        <div className={styles.runBody}>
          <div className={styles.text}>
            {run.answer.stdout && (
              <pre className={styles.out} data-testid={testIds.etcdctl.stdout}>
                {run.answer.stdout}
              </pre>
            )}
            {run.answer.stderr && (
              <pre className={styles.err} data-testid={testIds.etcdctl.stderr}>
                {run.answer.stderr}
              </pre>
            )}
            {run.answer.exit_code !== 0 && (
              <p className={styles.exit} data-testid={testIds.etcdctl.exitCode}>
                exit code {run.answer.exit_code}
              </p>
            )}
            {run.answer.job && (
              <Link
                to={`../${ROUTES.Jobs}?job=${encodeURIComponent(run.answer.job.id)}`}
                relative="path"
                data-testid={testIds.etcdctl.jobLink}
              >
                Follow {run.answer.job.kind} job {run.answer.job.id} ({run.answer.job.status}) on the Jobs page
              </Link>
            )}
          </div>
          {structured && (
            <section
              id={structuredId}
              className={styles.structured}
              aria-label={`Structured result of ${run.line.split('\n')[0]}`}
              data-testid={testIds.etcdctl.structured}
            >
              <ResultView result={run.answer.result} />
            </section>
          )}
        </div>
      )}
    </li>
  );
});

// refusalTitle says what opsproxy's answer means for the line.
function refusalTitle(status: number): string {
  switch (status) {
    case 400:
      return 'Not run';
    case 401:
      return 'Not signed in';
    case 403:
      return 'Refused';
    case 404:
      return 'Not found';
    case 413:
      return 'Too large';
    case 429:
      return 'Too many requests';
    case 503:
      return 'Unavailable';
    case 0:
      return 'No answer from opsproxy';
    default:
      return 'Not run';
  }
}

function Refusal({ run }: { run: Extract<Run, { state: 'failed' }> }) {
  const styles = useStyles2(getStyles);
  return (
    <div data-testid={testIds.etcdctl.refusal}>
      <p className={styles.err}>
        <strong>{refusalTitle(run.status)}</strong>
        {run.status > 0 && <> ({run.status})</>}: {run.message}
        {run.requestId && <span className={styles.meta}> (request {run.requestId})</span>}
      </p>
      <p className={styles.exit} data-testid={testIds.etcdctl.exitCode}>
        exit code {run.exitCode}
      </p>
    </div>
  );
}

// formatDuration writes a run's duration as etcdctl users read it: µs, ms or s.
function formatDuration(ns: number): string {
  if (ns < 1e6) {
    return `${Math.round(ns / 1e3)} µs`;
  }
  if (ns < 1e9) {
    return `${(ns / 1e6).toFixed(1)} ms`;
  }
  return `${(ns / 1e9).toFixed(2)} s`;
}
