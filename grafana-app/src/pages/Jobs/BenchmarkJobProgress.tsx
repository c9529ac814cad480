import React from 'react';
import { useStyles2 } from '@grafana/ui';
import type { Job } from '../../api';
import { testIds } from '../../components/testIds';
import { isObject, num, str } from './JobFacts';
import { getStyles } from './styles';

// BenchmarkJobProgress shows a benchmark job (docs/job-kinds.md, "benchmark"): the profile or
// command, the step under way and the requests done of its total; once it ends, the verdict and
// the checks that failed. The live charts are on the Benchmarks page.
export function BenchmarkJobProgress({ job }: { job: Job }) {
  const styles = useStyles2(getStyles);
  const p = isObject(job.progress) ? job.progress : {};
  const r = isObject(job.result) ? job.result : undefined;
  const step = num(p.step);
  const steps = num(p.steps);
  const done = num(p.done);
  const total = num(p.total);
  const verdict = r && isObject(r.verdict) ? r.verdict : undefined;
  const failed =
    verdict && Array.isArray(verdict.checks) ? verdict.checks.filter((c) => isObject(c) && c.pass === false) : [];
  const stored = Array.isArray(r?.results) ? r.results.length : Array.isArray(p.results) ? p.results.length : undefined;
  return (
    <dl className={styles.facts} data-testid={testIds.jobs.kindProgress}>
      <dt>Profile</dt>
      <dd>{str(r?.profile) ?? str(p.profile) ?? 'custom'}</dd>
      {str(p.command) && (
        <>
          <dt>Command</dt>
          <dd className={styles.mono}>{str(p.command)}</dd>
        </>
      )}
      {str(p.state) && (
        <>
          <dt>State</dt>
          <dd>{p.state === 'cleaning' ? 'cleaning up its keys' : str(p.state)}</dd>
        </>
      )}
      {step !== undefined && (
        <>
          <dt>Step</dt>
          <dd>{steps !== undefined ? `${step} of ${steps}` : step}</dd>
        </>
      )}
      {done !== undefined && (
        <>
          <dt>Requests</dt>
          <dd>
            {total
              ? `${done.toLocaleString()} of ${total.toLocaleString()} (${Math.floor((100 * done) / total)}%)`
              : done.toLocaleString()}
          </dd>
        </>
      )}
      {stored !== undefined && (
        <>
          <dt>Reports stored</dt>
          <dd>{stored}</dd>
        </>
      )}
      {verdict && (
        <>
          <dt>Verdict</dt>
          <dd>
            {verdict.pass === true ? 'pass' : verdict.pass === false ? 'fail' : '—'}
            {r?.partial === true ? ' (partial run)' : ''}
          </dd>
        </>
      )}
      {failed.map((c, i) => (
        <React.Fragment key={i}>
          <dt>Failed check</dt>
          <dd>{isObject(c) ? (str(c.message) ?? str(c.rule) ?? '—') : '—'}</dd>
        </React.Fragment>
      ))}
    </dl>
  );
}
