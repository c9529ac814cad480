import React, { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Checkbox, Field, Input, useStyles2 } from '@grafana/ui';
import { useApi, type WatchKV, type WatchQuery } from '../../api';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { FailureText } from '../failure';
import { downloadJsonLines } from './exportEvents';
import { MAX_SHOWN, useWatch, type Received, type WatchStatus } from './useWatch';
import { getTableStyles } from '../tableStyles';
import { getSelectStyle } from '../selectStyle';

// The watch and the filters live in the URL (cluster, key, prefix, rev; type, q), so that a
// link opens the same watch with the same filters.
type Target = { cluster: string; key: string; prefix: boolean; rev: string };

function targetFrom(p: URLSearchParams): Target {
  return {
    cluster: p.get('cluster') ?? '',
    key: p.get('key') ?? '',
    prefix: p.get('prefix') === '1',
    rev: p.get('rev') ?? '',
  };
}

type TypeFilter = '' | 'put' | 'delete';

// Watch: the live events of a key or a prefix from a revision, with pause/resume, filters,
// export, and what a compacted start revision or a lost connection means.
export function Watch() {
  const [params, setParams] = useSearchParams();
  const target = useMemo(() => targetFrom(params), [params]);
  const typeFilter = (params.get('type') ?? '') as TypeFilter;
  const keyFilter = params.get('q') ?? '';
  const [attempt, setAttempt] = useState(0);

  const query = useMemo<WatchQuery | undefined>(() => {
    if (!target.cluster || (!target.key && !target.prefix)) {
      return undefined;
    }
    const rev = Number(target.rev);
    return {
      key: target.key,
      prefix: target.prefix || undefined,
      start_revision: Number.isInteger(rev) && rev > 0 ? rev : undefined,
      prev_kv: true,
    };
  }, [target]);

  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) {
      next.set(name, value);
    } else {
      next.delete(name);
    }
    setParams(next, { replace: true });
  };
  const start = (t: Target) => {
    const next = new URLSearchParams();
    next.set('cluster', t.cluster);
    next.set('key', t.key);
    if (t.prefix) {
      next.set('prefix', '1');
    }
    if (t.rev) {
      next.set('rev', t.rev);
    }
    for (const name of ['type', 'q']) {
      const v = params.get(name);
      if (v) {
        next.set(name, v);
      }
    }
    setParams(next);
    setAttempt((n) => n + 1);
  };

  return (
    <div data-testid={testIds.watch.page}>
      <WatchForm
        key={`${target.cluster}|${target.key}|${target.prefix}|${target.rev}`}
        initial={target}
        onStart={start}
      />

      {query && (
        <WatchRun
          key={`${target.cluster}|${JSON.stringify(query)}|${attempt}`}
          cluster={target.cluster}
          query={query}
          typeFilter={typeFilter}
          keyFilter={keyFilter}
          setParam={setParam}
          onRetry={() => setAttempt((n) => n + 1)}
        />
      )}
    </div>
  );
}

type RunProps = {
  cluster: string;
  query: WatchQuery;
  typeFilter: TypeFilter;
  keyFilter: string;
  setParam: (name: string, value: string) => void;
  onRetry: () => void;
};

// WatchRun is one watch, from its start to its end: the page keys it by the watch and attempt.
function WatchRun({ cluster, query, typeFilter, keyFilter, setParam, onRetry }: RunProps) {
  const styles = useStyles2(getStyles);
  const w = useWatch(cluster, query);
  const shown = useMemo(
    () =>
      w.events.filter(
        (e) => (!typeFilter || e.type === typeFilter) && (!keyFilter || keyText(e.kv).includes(keyFilter))
      ),
    [w.events, typeFilter, keyFilter]
  );
  return (
    <>
      <StatusLine status={w.status} revision={w.revision} />
      <WatchProblem status={w.status} onRetry={onRetry} onFromCurrent={() => setParam('rev', '')} />

      <div className={styles.toolbar} role="toolbar" aria-label="Watch events">
        <Button
          variant={w.paused ? 'primary' : 'secondary'}
          icon={w.paused ? 'play' : 'pause'}
          onClick={() => w.setPaused(!w.paused)}
          aria-pressed={w.paused}
          data-testid={testIds.watch.pause}
        >
          {w.paused ? 'Resume' : 'Pause'}
        </Button>
        {w.paused && (
          <span data-testid={testIds.watch.buffered} role="status">
            {w.buffered} new event{w.buffered === 1 ? '' : 's'} held while paused
          </span>
        )}
        <Field label="Type" className={styles.filter}>
          <select
            id="watch-type"
            className={styles.select}
            value={typeFilter}
            onChange={(e) => setParam('type', e.currentTarget.value)}
          >
            <option value="">put and delete</option>
            <option value="put">put</option>
            <option value="delete">delete</option>
          </select>
        </Field>
        <Field label="Key contains" className={styles.filter}>
          <Input id="watch-q" value={keyFilter} onChange={(e) => setParam('q', e.currentTarget.value)} />
        </Field>
        <Button
          variant="secondary"
          icon="download-alt"
          disabled={shown.length === 0}
          onClick={() => downloadJsonLines(shown, `watch-${cluster}.jsonl`)}
          data-testid={testIds.watch.export}
        >
          Export JSON lines
        </Button>
        <Button variant="secondary" icon="trash-alt" onClick={w.clear} data-testid={testIds.watch.clear}>
          Clear
        </Button>
      </div>

      {w.total > MAX_SHOWN && (
        <p className={styles.note} data-testid={testIds.watch.cap}>
          Showing the last {MAX_SHOWN} of {w.total} events received; export to keep them all as they come.
        </p>
      )}
      {shown.length === 0 ? (
        <p className={styles.note} data-testid={testIds.watch.empty}>
          {w.events.length === 0 ? 'No events yet.' : 'No events match the filters.'}
        </p>
      ) : (
        <EventTable events={shown} />
      )}
    </>
  );
}

function WatchForm({ initial, onStart }: { initial: Target; onStart: (t: Target) => void }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [draft, setDraft] = useState<Target>(initial);
  const [clusters, setClusters] = useState<string[]>([]);
  const [problem, setProblem] = useState('');
  useEffect(() => {
    let cancelled = false;
    api.listClusters().then(
      (cs) => !cancelled && setClusters(cs.map((c) => c.name)),
      () => undefined
    );
    return () => {
      cancelled = true;
    };
  }, [api]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const rev = draft.rev.trim();
    if (!draft.cluster.trim()) {
      setProblem('Cluster: choose the cluster to watch.');
    } else if (!draft.key && !draft.prefix) {
      setProblem('Key: give a key, or tick "prefix" to watch every key.');
    } else if (rev && !/^\d+$/.test(rev)) {
      setProblem('Start revision: want a whole number (empty: from now on).');
    } else {
      setProblem('');
      onStart({ ...draft, cluster: draft.cluster.trim(), rev });
    }
  };
  return (
    <form onSubmit={submit} className={styles.form} aria-label="Watch" data-testid={testIds.watch.form}>
      <Field label="Cluster" className={styles.field}>
        <Input
          id="watch-cluster"
          list="watch-clusters"
          value={draft.cluster}
          onChange={(e) => setDraft({ ...draft, cluster: e.currentTarget.value })}
        />
      </Field>
      <datalist id="watch-clusters">
        {clusters.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <Field label="Key" className={styles.keyField}>
        <Input
          id="watch-key"
          value={draft.key}
          placeholder="/registry/pods/"
          onChange={(e) => setDraft({ ...draft, key: e.currentTarget.value })}
        />
      </Field>
      <Checkbox
        label="Prefix"
        description="every key starting with it"
        value={draft.prefix}
        onChange={(e) => setDraft({ ...draft, prefix: e.currentTarget.checked })}
      />
      <Field label="Start revision" className={styles.field}>
        <Input
          id="watch-rev"
          value={draft.rev}
          placeholder="now"
          inputMode="numeric"
          onChange={(e) => setDraft({ ...draft, rev: e.currentTarget.value })}
        />
      </Field>
      <Button type="submit" icon="eye" data-testid={testIds.watch.start}>
        Watch
      </Button>
      {problem && (
        <Alert severity="error" title="Cannot watch" className={styles.problem}>
          {problem}
        </Alert>
      )}
    </form>
  );
}

const STATUS_TEXT: Record<WatchStatus['kind'], string> = {
  connecting: 'Connecting…',
  open: 'Connected, watching',
  reconnecting: 'Connection lost, reconnecting…',
  compacted: 'Stopped: start revision compacted',
  failed: 'Stopped',
};

function StatusLine({ status, revision }: { status: WatchStatus; revision?: number }) {
  const styles = useStyles2(getStyles);
  return (
    <p className={styles.status} role="status" aria-live="polite" data-testid={testIds.watch.status}>
      {STATUS_TEXT[status.kind]}
      {revision !== undefined && <> · up to revision {revision}</>}
    </p>
  );
}

function WatchProblem({
  status,
  onRetry,
  onFromCurrent,
}: {
  status: WatchStatus;
  onRetry: () => void;
  onFromCurrent: () => void;
}) {
  if (status.kind === 'reconnecting' && status.error) {
    return (
      <Alert severity="warning" title="Reconnecting" data-testid={testIds.watch.reconnecting}>
        {status.error.message}. The watch resumes after the last revision received, so no event is lost.
      </Alert>
    );
  }
  if (status.kind === 'compacted') {
    const { compactRevision, message } = status.compaction;
    return (
      <Alert severity="warning" title="The start revision is compacted" data-testid={testIds.watch.compacted}>
        <p>
          etcd keeps the history of keys only from revision {compactRevision} on: older revisions were removed by
          compaction, so their events cannot be replayed. ({message})
        </p>
        <p>
          Watch from the current revision to see the changes from now on; read the keys first for their current values.
        </p>
        <Button variant="primary" onClick={onFromCurrent} data-testid={testIds.watch.fromCurrent}>
          Watch from the current revision
        </Button>
      </Alert>
    );
  }
  if (status.kind === 'failed') {
    return (
      <ErrorWithRetry
        title="The watch stopped"
        failure={<FailureText f={status.error} />}
        onRetry={onRetry}
        testId={testIds.watch.error}
        retryTestId={testIds.watch.retry}
      />
    );
  }
  return null;
}

function EventTable({ events }: { events: Received[] }) {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.table} data-testid={testIds.watch.events}>
      <caption className={styles.caption}>Events, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Revision</th>
          <th scope="col">Type</th>
          <th scope="col">Key</th>
          <th scope="col">Value</th>
          <th scope="col">Previous value</th>
        </tr>
      </thead>
      <tbody>
        {[...events].reverse().map((e) => (
          <tr key={e.seq}>
            <td>{e.kv.mod_revision}</td>
            <td>{e.type}</td>
            <td className={styles.mono}>{keyText(e.kv)}</td>
            <td className={styles.mono}>{e.type === 'put' ? valueText(e.kv) : ''}</td>
            <td className={styles.mono}>{e.prev_kv ? valueText(e.prev_kv) : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const MAX_VALUE_SHOWN = 200;

// keyText and valueText show text as it is and bytes that are not UTF-8 as hex.
function keyText(kv: WatchKV): string {
  return kv.key ?? (kv.key_base64 ? hex(kv.key_base64) : '');
}

function valueText(kv: WatchKV): string {
  const v = kv.value ?? (kv.value_base64 ? hex(kv.value_base64) : '');
  return v.length > MAX_VALUE_SHOWN ? `${v.slice(0, MAX_VALUE_SHOWN)}… (${v.length} characters)` : v;
}

function hex(b64: string): string {
  let out = '0x';
  for (const ch of atob(b64)) {
    out += ch.charCodeAt(0).toString(16).padStart(2, '0');
  }
  return out;
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...getTableStyles(theme),
  form: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    alignItems: 'flex-end',
    marginBottom: theme.spacing(2),
  }),
  field: css({ marginBottom: 0, minWidth: 160 }),
  keyField: css({ marginBottom: 0, minWidth: 320, flexGrow: 1 }),
  problem: css({ flexBasis: '100%' }),
  toolbar: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    alignItems: 'flex-end',
    margin: theme.spacing(1, 0),
  }),
  filter: css({ marginBottom: 0, minWidth: 160 }),
  select: getSelectStyle(theme),
  status: css({ color: theme.colors.text.secondary, margin: theme.spacing(1, 0) }),
  note: css({ color: theme.colors.text.secondary, marginTop: theme.spacing(1) }),
});

export default Watch;
