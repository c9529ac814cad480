import React, { useCallback, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, ConfirmModal, Field, Input, Stack, useStyles2 } from '@grafana/ui';
import { useApi } from '../../api';
import { testIds } from '../../components/testIds';
import { ClustersGate } from '../ClustersGate';
import { useClusterList } from '../useClusterList';
import { failure, FailureText, type Failure } from './failure';
import { KeyEditor } from './KeyEditor';
import { KeyList } from './KeyList';
import { KeyTree } from './KeyTree';
import { ValueViewer } from './ValueViewer';
import { getSelectStyle } from '../selectStyle';
import { ClusterOptions } from '../ClusterOptions';

type Outcome = { kind: 'done'; message: string } | { kind: 'error'; title: string; error: Failure };

// Keys: one cluster's keyspace. The URL holds the state, so a link shows the same view:
// ?cluster= the cluster, &prefix= the searched prefix (the tree's root), &dir= the tree node whose
// keys the list shows (default: the prefix), &key= the key open in the viewer, &rev= the
// revision it is read at. canWrite false (a Grafana Viewer) leaves out new, edit and delete.
export function Keys({ canWrite = false }: { canWrite?: boolean }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const cluster = params.get('cluster') ?? '';
  const prefix = params.get('prefix') ?? '';
  const dir = params.get('dir') ?? prefix;
  const openKey = params.get('key') ?? undefined;
  const revParam = Number(params.get('rev') ?? '');
  const revision = Number.isInteger(revParam) && revParam > 0 ? revParam : undefined;

  const [search, setSearch] = useState(prefix);
  const [reloadKey, setReloadKey] = useState(0);
  const [creating, setCreating] = useState(false);
  const [confirmPrefix, setConfirmPrefix] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);

  const selectFirst = useCallback(
    (first: string) => setParams((p) => withParams(p, { cluster: first }), { replace: true }),
    [setParams]
  );
  const { current, clusters, retry } = useClusterList(cluster, selectFirst, failure);

  // The search box follows the URL when the prefix changes there (a link, back, a tree click).
  const [searched, setSearched] = useState(prefix);
  if (searched !== prefix) {
    setSearched(prefix);
    setSearch(prefix);
  }

  const update = (changes: Record<string, string | undefined>) => setParams((p) => withParams(p, changes));
  const changed = (key?: string) => {
    setReloadKey((n) => n + 1);
    setCreating(false);
    update({ key, rev: undefined });
  };

  const submitSearch = (e: FormEvent) => {
    e.preventDefault();
    setOutcome(undefined);
    update({ prefix: search, dir: undefined, key: undefined, rev: undefined });
  };

  const deletePrefix = async () => {
    setConfirmPrefix(false);
    try {
      const n = await api.deletePrefix(cluster, dir);
      setOutcome({ kind: 'done', message: `Deleted ${n} key${n === 1 ? '' : 's'} under ${dir}.` });
      changed(undefined);
    } catch (err) {
      setOutcome({ kind: 'error', title: `Could not delete the keys under ${dir}`, error: failure(err) });
    }
  };

  return (
    <div data-testid={testIds.keys.page}>
      <Stack gap={2} alignItems="flex-end" wrap="wrap">
        <Field label="Cluster" htmlFor="keys-cluster-picker" className={styles.field}>
          <select
            id="keys-cluster-picker"
            className={styles.select}
            value={cluster}
            onChange={(e) => {
              setOutcome(undefined);
              setParams({ cluster: e.currentTarget.value });
            }}
            data-testid={testIds.keys.picker}
          >
            <ClusterOptions clusters={clusters} selected={cluster} />
          </select>
        </Field>
        <form onSubmit={submitSearch} className={styles.search} role="search" aria-label="Search keys by prefix">
          <Field label="Key prefix" htmlFor="keys-search" className={styles.grow}>
            <Input
              id="keys-search"
              placeholder="/registry/"
              value={search}
              onChange={(e) => setSearch(e.currentTarget.value)}
              data-testid={testIds.keys.search}
            />
          </Field>
          <Button type="submit" icon="search">
            Search
          </Button>
        </form>
        {canWrite && cluster && (
          <Button
            icon="plus"
            variant="secondary"
            onClick={() => {
              setCreating(true);
              update({ key: undefined, rev: undefined });
            }}
            data-testid={testIds.keys.newKey}
          >
            New key
          </Button>
        )}
        {canWrite && cluster && dir !== '' && (
          <Button
            icon="trash-alt"
            variant="destructive"
            onClick={() => setConfirmPrefix(true)}
            data-testid={testIds.keys.deletePrefix}
          >
            Delete prefix…
          </Button>
        )}
      </Stack>

      {outcome?.kind === 'done' && (
        <Alert
          severity="success"
          title={outcome.message}
          onRemove={() => setOutcome(undefined)}
          data-testid={testIds.keys.actionDone}
        />
      )}
      {outcome?.kind === 'error' && (
        <Alert
          severity="error"
          title={outcome.title}
          onRemove={() => setOutcome(undefined)}
          data-testid={testIds.keys.actionError}
        >
          <FailureText f={outcome.error} />
        </Alert>
      )}

      <ClustersGate
        loaded={current !== undefined}
        failure={current?.error && <FailureText f={current.error} />}
        cluster={cluster}
        onRetry={retry}
        testIds={testIds.keys}
      >
        <div className={styles.columns}>
          <nav aria-label="Keyspace" className={styles.tree}>
            <KeyTree
              cluster={cluster}
              root={prefix}
              selected={dir}
              openKey={openKey}
              onSelect={(node) => update({ dir: node === prefix ? undefined : node })}
              onOpenKey={(key) => {
                setCreating(false);
                update({ key, rev: undefined });
              }}
              reloadKey={reloadKey}
            />
          </nav>
          <div className={styles.list}>
            <KeyList
              key={`${cluster}\n${dir}\n${reloadKey}`}
              cluster={cluster}
              prefix={dir}
              openKey={openKey}
              onOpenKey={(key) => {
                setCreating(false);
                update({ key, rev: undefined });
              }}
            />
          </div>
          <div className={styles.viewer}>
            {creating && canWrite ? (
              <KeyEditor
                cluster={cluster}
                keyName={dir}
                isNew
                bytes={new Uint8Array()}
                modRevision={0}
                onSaved={(key) => changed(key)}
                onCancel={() => setCreating(false)}
              />
            ) : openKey !== undefined ? (
              <ValueViewer
                key={`${cluster}\n${openKey}`}
                cluster={cluster}
                keyName={openKey}
                revision={revision}
                onRevisionChange={(rev) => update({ rev: rev ? String(rev) : undefined })}
                canWrite={canWrite}
                onChanged={changed}
              />
            ) : (
              <p className={styles.hint}>Choose a key to see its value.</p>
            )}
          </div>
        </div>
      </ClustersGate>

      <ConfirmModal
        isOpen={confirmPrefix}
        title={`Delete every key under ${dir}?`}
        body={
          <div data-testid={testIds.keys.confirm}>
            Every key whose name starts with <code>{dir}</code> is deleted, however many there are. Type the prefix to
            confirm.
          </div>
        }
        confirmText="Delete keys"
        confirmationText={dir}
        onConfirm={deletePrefix}
        onDismiss={() => setConfirmPrefix(false)}
      />
    </div>
  );
}

// withParams is p with changes applied (undefined removes a parameter).
function withParams(p: URLSearchParams, changes: Record<string, string | undefined>): URLSearchParams {
  const next = new URLSearchParams(p);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) {
      next.delete(k);
    } else {
      next.set(k, v);
    }
  }
  return next;
}

const getStyles = (theme: GrafanaTheme2) => ({
  field: css({ minWidth: 200, marginBottom: 0 }),
  select: getSelectStyle(theme),
  search: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'flex-end', flex: 1, minWidth: 320 }),
  grow: css({ flex: 1, marginBottom: 0 }),
  columns: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(200px, 1fr) minmax(240px, 2fr) minmax(280px, 2fr)',
    gap: theme.spacing(2),
    marginTop: theme.spacing(2),
  }),
  tree: css({ minWidth: 0 }),
  list: css({ minWidth: 0 }),
  viewer: css({ minWidth: 0 }),
  hint: css({ color: theme.colors.text.secondary }),
});

export default Keys;
