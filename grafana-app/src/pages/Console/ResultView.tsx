import React from 'react';
import { useStyles2 } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { kvRows, memberRows } from './resultShape';
import { getStyles } from './styles';

// ResultView is a run's structured view: the result etcdctl -w json would print, as a table
// when it holds keys or members, and always as a collapsible tree.
export function ResultView({ result }: { result: unknown }) {
  const styles = useStyles2(getStyles);
  if (result === null || result === undefined) {
    return <p className={styles.note}>This command has no structured result.</p>;
  }
  const kvs = kvRows(result);
  const members = memberRows(result);
  return (
    <>
      {kvs && <KvTable rows={kvs} />}
      {members && <MemberTable rows={members} />}
      <div className={styles.tree} data-testid={testIds.etcdctl.jsonTree}>
        <JsonNode name="result" value={result} depth={0} />
      </div>
    </>
  );
}

function KvTable({ rows }: { rows: NonNullable<ReturnType<typeof kvRows>> }) {
  const styles = useStyles2(getStyles);
  if (rows.length === 0) {
    return <p className={styles.note}>No keys.</p>;
  }
  return (
    <table className={styles.table} data-testid={testIds.etcdctl.kvTable}>
      <caption className={styles.caption}>Keys</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Value</th>
          <th scope="col">Modified at</th>
          <th scope="col">Version</th>
          <th scope="col">Lease</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            <td className={styles.mono}>{r.key}</td>
            <td className={styles.mono}>{r.value ?? ''}</td>
            <td>{r.mod_revision ?? ''}</td>
            <td>{r.version ?? ''}</td>
            <td className={styles.mono}>{r.lease ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MemberTable({ rows }: { rows: NonNullable<ReturnType<typeof memberRows>> }) {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.table} data-testid={testIds.etcdctl.memberTable}>
      <caption className={styles.caption}>Members</caption>
      <thead>
        <tr>
          <th scope="col">ID</th>
          <th scope="col">Name</th>
          <th scope="col">Peer URLs</th>
          <th scope="col">Client URLs</th>
          <th scope="col">Learner</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((m, i) => (
          <tr key={i}>
            <td className={styles.mono}>{m.id}</td>
            <td>{m.name}</td>
            <td className={styles.mono}>{m.peerURLs.join(', ')}</td>
            <td className={styles.mono}>{m.clientURLs.join(', ')}</td>
            <td>{m.isLearner ? 'yes' : 'no'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// inexact reports a whole number too big for JavaScript to hold exactly: etcd's uint64 ids
// (cluster, member, lease) lose their last digits in JSON.parse.
function inexact(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v);
}

// OPEN_DEPTH is how deep the tree starts unfolded.
const OPEN_DEPTH = 2;

// JsonNode is one value of the tree: objects and arrays fold (<details>, so the keyboard opens
// and closes them), the rest is shown as JSON.
function JsonNode({ name, value, depth }: { name: string; value: unknown; depth: number }) {
  const styles = useStyles2(getStyles);
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value as Record<string, unknown>);
    const shape = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
    return (
      <details open={depth < OPEN_DEPTH}>
        <summary>
          <span className={styles.jsonKey}>{name}</span> {shape}
        </summary>
        {entries.map(([k, v]) => (
          <JsonNode key={k} name={k} value={v} depth={depth + 1} />
        ))}
      </details>
    );
  }
  return (
    <div>
      <span className={styles.jsonKey}>{name}:</span>{' '}
      <span className={typeof value === 'string' ? styles.jsonString : styles.jsonOther}>{JSON.stringify(value)}</span>
      {inexact(value) && <span className={styles.meta}> (not exact: beyond JavaScript’s precision; see the text)</span>}
    </div>
  );
}
