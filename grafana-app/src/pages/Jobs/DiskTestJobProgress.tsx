import React from 'react';
import { useStyles2 } from '@grafana/ui';
import type { Job } from '../../api';
import { testIds } from '../../components/testIds';
import { isObject, num, str } from './JobFacts';
import { getStyles } from './styles';

// DiskTestJobProgress shows a disktest job (docs/job-kinds.md, "disktest"): the member being
// probed, how many of the members are done, and each probed member's verdict and stored result;
// once it ends, the job's verdict. The results in full are on the Disk page.
export function DiskTestJobProgress({ job }: { job: Job }) {
  const styles = useStyles2(getStyles);
  const p = isObject(job.progress) ? job.progress : {};
  const r = isObject(job.result) ? job.result : undefined;
  const done = num(p.done);
  const total = num(p.total);
  const list = Array.isArray(r?.members) ? r.members : Array.isArray(p.results) ? p.results : [];
  const members = list.filter(isObject);
  return (
    <div data-testid={testIds.jobs.kindProgress}>
      <dl className={styles.facts}>
        {!r && str(p.member) && (
          <>
            <dt>Probing</dt>
            <dd>{str(p.member)}</dd>
          </>
        )}
        {done !== undefined && (
          <>
            <dt>Members done</dt>
            <dd>{total !== undefined ? `${done} of ${total}` : done}</dd>
          </>
        )}
        {r && (
          <>
            <dt>Verdict</dt>
            <dd>{str(r.verdict) ?? '—'}</dd>
          </>
        )}
      </dl>
      {members.length > 0 && (
        <table className={styles.table}>
          <caption className={styles.caption}>Members probed</caption>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Verdict</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m, i) => (
              <tr key={i}>
                <td>{str(m.member) ?? '—'}</td>
                <td>{str(m.verdict) ?? '—'}</td>
                <td className={styles.mono}>{str(m.result) ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
