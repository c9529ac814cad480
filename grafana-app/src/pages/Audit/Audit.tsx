import React, { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Field, Input, LinkButton, LoadingPlaceholder, Stack, useStyles2 } from '@grafana/ui';
import { ApiError, useApi, type AuditFilter, type AuditRecord, type AuditVerification } from '../../api';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { FailureText } from '../failure';
import { getSelectStyle } from '../selectStyle';
import { getTableStyles } from '../tableStyles';

// The filters, in the order of the form; each is kept in the URL query under its API name, so a
// link to the page shows the same records.
const FILTERS: Array<{ name: keyof AuditFilter; label: string; placeholder?: string }> = [
  { name: 'from', label: 'From', placeholder: '2026-01-02T15:04:05Z' },
  { name: 'to', label: 'To', placeholder: '2026-01-02T16:00:00Z' },
  { name: 'user', label: 'User' },
  { name: 'cluster', label: 'Cluster' },
  { name: 'operation', label: 'Operation', placeholder: 'kv.put' },
  { name: 'outcome', label: 'Outcome' },
  { name: 'request_id', label: 'Request id' },
];

const OUTCOMES = ['attempted', 'succeeded', 'failed', 'denied'];

function filterFrom(params: URLSearchParams): AuditFilter {
  const f: Record<string, string> = {};
  for (const { name } of FILTERS) {
    const v = params.get(name);
    if (v) {
      f[name] = v;
    }
  }
  return f as AuditFilter;
}

type Failure = { message: string; requestId?: string };

function failure(err: unknown): Failure {
  return {
    message: err instanceof Error ? err.message : String(err),
    requestId: err instanceof ApiError ? err.requestId : undefined,
  };
}

// Records of one query (key: the filter and attempt it was loaded for).
type Loaded = {
  key: string;
  records: AuditRecord[];
  next?: number;
  error?: Failure;
  loadingOlder?: boolean;
  olderError?: Failure;
};

type Verify =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'done'; result: AuditVerification }
  | { kind: 'error'; error: Failure };

// Audit: opsproxy's audit log, newest first, filtered, paged to older records, exported as CSV
// and verified. Verifying needs the admin role; canVerify false leaves the button out.
export function Audit({ canVerify = true }: { canVerify?: boolean }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => filterFrom(params), [params]);
  const [attempt, setAttempt] = useState(0);
  const key = `${JSON.stringify(filter)}#${attempt}`;
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [verify, setVerify] = useState<Verify>({ kind: 'idle' });

  useEffect(() => {
    let cancelled = false;
    api.queryAudit(filter).then(
      (page) => !cancelled && setLoaded({ key, records: page.records, next: page.next }),
      (err) => !cancelled && setLoaded({ key, records: [], error: failure(err) })
    );
    return () => {
      cancelled = true;
    };
  }, [api, filter, key]);

  const current = loaded?.key === key ? loaded : undefined;

  const apply = (f: AuditFilter) => {
    const next = new URLSearchParams();
    for (const { name } of FILTERS) {
      const v = f[name]?.trim();
      if (v) {
        next.set(name, v);
      }
    }
    setParams(next);
  };

  const older = useCallback(async () => {
    if (!current?.next) {
      return;
    }
    const cursor = current.next;
    setLoaded({ ...current, loadingOlder: true, olderError: undefined });
    try {
      const page = await api.queryAudit(filter, cursor);
      setLoaded((l) =>
        l?.key === current.key
          ? { ...l, records: [...l.records, ...page.records], next: page.next, loadingOlder: false }
          : l
      );
    } catch (err) {
      setLoaded((l) => (l?.key === current.key ? { ...l, loadingOlder: false, olderError: failure(err) } : l));
    }
  }, [api, current, filter]);

  const runVerify = async () => {
    setVerify({ kind: 'running' });
    try {
      setVerify({ kind: 'done', result: await api.verifyAudit() });
    } catch (err) {
      setVerify({ kind: 'error', error: failure(err) });
    }
  };

  const csv = api.auditCsvHref(filter);

  return (
    <div data-testid={testIds.audit.page}>
      <AuditFilters key={params.toString()} initial={filter} onApply={apply} />

      <Stack gap={1}>
        {canVerify && (
          <Button
            variant="secondary"
            icon="shield"
            onClick={runVerify}
            disabled={verify.kind === 'running'}
            data-testid={testIds.audit.verify}
          >
            {verify.kind === 'running' ? 'Verifying…' : 'Verify the log'}
          </Button>
        )}
        {csv && (
          <LinkButton
            variant="secondary"
            icon="download-alt"
            href={csv}
            download="audit.csv"
            data-testid={testIds.audit.csv}
          >
            Export CSV
          </LinkButton>
        )}
      </Stack>
      <VerifyResult verify={verify} />

      {!current && (
        <div data-testid={testIds.audit.loading}>
          <LoadingPlaceholder text="Loading audit records…" />
        </div>
      )}
      {current?.error && (
        <ErrorWithRetry
          title="Could not load the audit log"
          failure={<FailureText f={current.error} />}
          onRetry={() => setAttempt((n) => n + 1)}
          testId={testIds.audit.error}
          retryTestId={testIds.audit.retry}
        />
      )}
      {current && !current.error && current.records.length === 0 && (
        <Alert severity="info" title="No audit records" data-testid={testIds.audit.empty}>
          No records match these filters.
        </Alert>
      )}
      {current && current.records.length > 0 && (
        <>
          <table className={styles.table} data-testid={testIds.audit.table}>
            <caption className={styles.caption}>Audit records, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">Time</th>
                <th scope="col">User</th>
                <th scope="col">Cluster</th>
                <th scope="col">Operation</th>
                <th scope="col">Key</th>
                <th scope="col">Outcome</th>
                <th scope="col">Request id</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {current.records.map((r) => (
                <tr key={r.seq}>
                  <td>{r.seq}</td>
                  <td>{r.time}</td>
                  <td>{r.user || r.token_id}</td>
                  <td>{r.cluster}</td>
                  <td>{r.operation}</td>
                  <td className={styles.key}>{r.key}</td>
                  <td>{r.outcome}</td>
                  <td>{r.request_id}</td>
                  <td>{r.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {current.olderError && (
            <Alert severity="error" title="Could not load older records">
              {current.olderError.message}
            </Alert>
          )}
          {current.next ? (
            <Button
              variant="secondary"
              onClick={older}
              disabled={current.loadingOlder}
              data-testid={testIds.audit.older}
              className={styles.older}
            >
              {current.loadingOlder ? 'Loading…' : 'Older records'}
            </Button>
          ) : (
            <p className={styles.end}>No older records.</p>
          )}
        </>
      )}
    </div>
  );
}

// AuditFilters edits the filters and applies them to the URL; it is keyed by the URL's query, so
// going back or following a link shows that link's filters.
function AuditFilters({ initial, onApply }: { initial: AuditFilter; onApply: (f: AuditFilter) => void }) {
  const styles = useStyles2(getStyles);
  const [draft, setDraft] = useState<AuditFilter>(initial);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  return (
    <form onSubmit={submit} data-testid={testIds.audit.filters} aria-label="Audit filters" className={styles.filters}>
      {FILTERS.map(({ name, label, placeholder }) => (
        <Field key={name} label={label} className={styles.field}>
          {name === 'outcome' ? (
            <select
              id={`audit-${name}`}
              className={styles.select}
              value={draft.outcome ?? ''}
              onChange={(e) => setDraft({ ...draft, outcome: e.currentTarget.value as AuditFilter['outcome'] })}
            >
              <option value="">any</option>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          ) : (
            <Input
              id={`audit-${name}`}
              value={draft[name] ?? ''}
              placeholder={placeholder}
              onChange={(e) => setDraft({ ...draft, [name]: e.currentTarget.value })}
            />
          )}
        </Field>
      ))}
      <Stack gap={1} alignItems="flex-end">
        <Button type="submit" data-testid={testIds.audit.apply}>
          Apply
        </Button>
        <Button type="button" variant="secondary" onClick={() => onApply({})} data-testid={testIds.audit.clear}>
          Clear
        </Button>
      </Stack>
    </form>
  );
}

function VerifyResult({ verify }: { verify: Verify }) {
  if (verify.kind === 'error') {
    return (
      <Alert severity="error" title="Could not verify the audit log" data-testid={testIds.audit.verifyError}>
        {verify.error.message}
        {verify.error.requestId && <> (request {verify.error.requestId})</>}
      </Alert>
    );
  }
  if (verify.kind !== 'done') {
    return null;
  }
  const { ok, verification: v, seal } = verify.result;
  const sealReport = seal && (
    <div data-testid={testIds.audit.seal}>
      Signed checkpoints: {seal.checkpoints ?? 0}; sealed up to record {seal.sealed ?? 0}
      {seal.witnesses?.length ? `; ${seal.witnesses.length} witness(es)` : ''}.
      {seal.problems?.length ? (
        <ul>
          {seal.problems.map((p, i) => (
            <li key={i}>
              record {p.seq}
              {p.source ? ` (${p.source})` : ''}: {p.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
  if (ok) {
    return (
      <Alert severity="success" title="The audit log verifies" data-testid={testIds.audit.verifyOk}>
        {v?.checked ?? 0} records checked, the hash chain is intact.
        {sealReport}
      </Alert>
    );
  }
  return (
    <Alert severity="error" title="The audit log does not verify" data-testid={testIds.audit.verifyBroken}>
      {v?.break ? (
        <>
          Broken at record {v.break.seq}: {v.break.reason}.
        </>
      ) : (
        'The signed checkpoints do not vouch for the log.'
      )}{' '}
      {v?.checked !== undefined && <>{v.checked} records checked.</>}
      {sealReport}
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => {
  const tables = getTableStyles(theme);
  return {
    filters: css({
      display: 'flex',
      flexWrap: 'wrap',
      gap: theme.spacing(1),
      alignItems: 'flex-end',
      marginBottom: theme.spacing(2),
    }),
    field: css({ marginBottom: 0, minWidth: 160 }),
    select: getSelectStyle(theme),
    caption: tables.caption,
    // These tables stand below a form.
    table: cx(tables.table, css({ marginTop: theme.spacing(2) })),
    key: tables.mono,
    older: css({ marginTop: theme.spacing(1) }),
    end: css({ marginTop: theme.spacing(1), color: theme.colors.text.secondary }),
  };
};

export default Audit;
