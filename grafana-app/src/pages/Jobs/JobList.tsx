import React, { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert, Button, Field, Input, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import {
  JOB_STATUSES,
  SERVER_JOB_KINDS,
  jobKindLabel,
  useApi,
  type Cluster,
  type JobFilter,
  type JobPage,
} from '../../api';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { failure, FailureText, type Failure } from '../failure';
import { JobStatusBadge } from './JobStatusBadge';
import { getStyles } from './styles';

// The URL's parameters that filter the list; cursor is the page after the newest.
const FILTERS = ['kind', 'cluster', 'status', 'user'] as const;

type Loaded = { key: string; page?: JobPage; error?: Failure };

// JobList: the jobs of the clusters the user may see, newest first, filtered by kind, cluster,
// status and the user who asked, one page at a time (clusters: those the filter offers). Filters and page are in the URL (?kind=
// &cluster=&status=&user=&cursor=), so a link shows the same list; a job opens with ?job=.
export function JobList({ clusters }: { clusters: Cluster[] }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const filter: JobFilter = {};
  for (const f of FILTERS) {
    const v = params.get(f);
    if (v) {
      filter[f] = v;
    }
  }
  const cursor = params.get('cursor') ?? '';
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const key = JSON.stringify([filter, cursor, attempt]);
  const filterKey = JSON.stringify(filter);

  // What the form holds, for the URL's filters it was edited from: when the URL changes (a link,
  // back or forward), the form shows the URL's filters again.
  const [edited, setEdited] = useState<{ from: string; draft: JobFilter } | undefined>(undefined);
  const draft = edited?.from === filterKey ? edited.draft : filter;
  const setDraft = (d: JobFilter) => setEdited({ from: filterKey, draft: d });

  useEffect(() => {
    let cancelled = false;
    const [f, c] = JSON.parse(key) as [JobFilter, string];
    api.listJobs(f, c || undefined).then(
      (page) => !cancelled && setLoaded({ key, page }),
      (err) => !cancelled && setLoaded({ key, error: failure(err) })
    );
    return () => {
      cancelled = true;
    };
  }, [api, key]);

  const current = loaded?.key === key ? loaded : undefined;

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const f of FILTERS) {
      const v = draft[f]?.trim();
      if (v) {
        next.set(f, v);
      }
    }
    setParams(next);
  };
  const clear = () => {
    setDraft({});
    setParams(new URLSearchParams());
  };
  const withParam = (name: string, value?: string) => {
    const next = new URLSearchParams(params);
    if (value) {
      next.set(name, value);
    } else {
      next.delete(name);
    }
    setParams(next);
  };
  const set = (f: keyof JobFilter) => (v: string) => setDraft({ ...draft, [f]: v });
  // A kind in the URL that this app does not know (a newer server's) stays selectable.
  const kinds: string[] = [...SERVER_JOB_KINDS];
  if (draft.kind && !kinds.includes(draft.kind)) {
    kinds.push(draft.kind);
  }
  const clusterNames = clusters.map((c) => c.name);
  if (draft.cluster && !clusterNames.includes(draft.cluster)) {
    clusterNames.unshift(draft.cluster);
  }

  return (
    <div>
      <form className={styles.filters} onSubmit={apply} data-testid={testIds.jobs.filters} aria-label="Filter jobs">
        <Field label="Kind">
          <select
            id="jobs-filter-kind"
            className={styles.select}
            value={draft.kind ?? ''}
            onChange={(e) => set('kind')(e.currentTarget.value)}
            data-testid={testIds.jobs.kind}
          >
            <option value="">any</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {jobKindLabel(k)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Cluster">
          <select
            id="jobs-filter-cluster"
            className={styles.select}
            value={draft.cluster ?? ''}
            onChange={(e) => set('cluster')(e.currentTarget.value)}
            data-testid={testIds.jobs.cluster}
          >
            <option value="">any</option>
            {clusterNames.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Status">
          <select
            id="jobs-filter-status"
            className={styles.select}
            value={draft.status ?? ''}
            onChange={(e) => set('status')(e.currentTarget.value)}
            data-testid={testIds.jobs.status}
          >
            <option value="">any</option>
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Asked by">
          <Input
            id="jobs-filter-user"
            value={draft.user ?? ''}
            onChange={(e) => set('user')(e.currentTarget.value)}
            placeholder="user"
            data-testid={testIds.jobs.user}
          />
        </Field>
        <Field label="">
          <div className={styles.actions}>
            <Button type="submit" icon="filter" data-testid={testIds.jobs.apply}>
              Apply
            </Button>
            <Button type="button" variant="secondary" onClick={clear} data-testid={testIds.jobs.clear}>
              Clear
            </Button>
          </div>
        </Field>
      </form>
      {!current && (
        <div data-testid={testIds.jobs.loading}>
          <LoadingPlaceholder text="Loading the jobs…" />
        </div>
      )}
      {current?.error && (
        <ErrorWithRetry
          title="Could not load the jobs"
          failure={<FailureText f={current.error} />}
          onRetry={() => setAttempt((n) => n + 1)}
          testId={testIds.jobs.error}
          retryTestId={testIds.jobs.retry}
        />
      )}
      {current?.page && current.page.jobs.length === 0 && (
        <Alert severity="info" title="No jobs" data-testid={testIds.jobs.empty}>
          {Object.keys(filter).length > 0 || cursor
            ? 'No job matches these filters on this page.'
            : 'No job has run yet. Jobs started from the Maintenance, Benchmarks, Disk and Backups pages, or by a schedule, show here.'}
        </Alert>
      )}
      {current?.page && current.page.jobs.length > 0 && (
        <table className={styles.table} data-testid={testIds.jobs.table}>
          <caption className={styles.caption}>Jobs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Kind</th>
              <th scope="col">Cluster</th>
              <th scope="col">Status</th>
              <th scope="col">Asked by</th>
              <th scope="col">Created</th>
              <th scope="col">Attempts</th>
            </tr>
          </thead>
          <tbody>
            {current.page.jobs.map((j) => (
              <tr key={j.id} data-testid={testIds.jobs.row(j.id)}>
                <td>
                  <Button
                    size="sm"
                    variant="secondary"
                    fill="text"
                    onClick={() => withParam('job', j.id)}
                    aria-label={`Open job ${j.id}`}
                    data-testid={testIds.jobs.open(j.id)}
                  >
                    <span className={styles.mono}>{j.id}</span>
                  </Button>
                </td>
                <td title={j.kind}>{jobKindLabel(j.kind)}</td>
                <td>{j.cluster}</td>
                <td>
                  <JobStatusBadge job={j} />
                </td>
                <td>{j.requested_by || '—'}</td>
                <td>{j.created_at || '—'}</td>
                <td>{j.attempts ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {current?.page && (cursor || current.page.next) && (
        <div className={styles.actions}>
          {cursor && (
            <Button
              variant="secondary"
              icon="angle-double-left"
              onClick={() => withParam('cursor')}
              data-testid={testIds.jobs.newest}
            >
              Newest
            </Button>
          )}
          {current.page.next && (
            <Button
              variant="secondary"
              icon="angle-right"
              onClick={() => withParam('cursor', current.page?.next)}
              data-testid={testIds.jobs.older}
            >
              Older
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
