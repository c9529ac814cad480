import React, { useEffect, useState, type FormEvent } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, ConfirmModal, Field, Input, LoadingPlaceholder, Stack, useStyles2 } from '@grafana/ui';
import { ApiError, useApi } from '../../api';
import type { KeyValue } from '../../api/keys';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { formatBytes } from '../format';
import { base64ToBytes, utf8Bytes } from './bytes';
import { failure, FailureText, type Failure } from './failure';
import { KeyEditor } from './KeyEditor';
import { ValuePreview } from './ValuePreview';

type Read = { key: string; kv?: KeyValue; bytes: Uint8Array; error?: Failure };

type Props = {
  cluster: string;
  keyName: string;
  // revision to read at (undefined: the latest), kept in the URL by the page.
  revision?: number;
  onRevisionChange: (revision?: number) => void;
  canWrite: boolean;
  // onChanged is called after a write or a delete, so the page reloads its lists.
  onChanged: (openKey?: string) => void;
};

// ValueViewer shows one key's value (read with encoding=base64, so every byte arrives as it is)
// and its metadata, at the latest revision or an older one, and, for a role that may write,
// offers edit (compare-and-swap) and delete.
export function ValueViewer({ cluster, keyName, revision, onRevisionChange, canWrite, onChanged }: Props) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [attempt, setAttempt] = useState(0);
  const readKey = `${cluster}\n${keyName}\n${revision ?? ''}\n${attempt}`;
  const [read, setRead] = useState<Read | undefined>(undefined);
  const [revInput, setRevInput] = useState(revision ? String(revision) : '');
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [actionError, setActionError] = useState<Failure | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    api.getKey(cluster, keyName, revision).then(
      (kv) => {
        if (!cancelled) {
          setRead({
            key: readKey,
            kv,
            bytes: kv?.value_base64 !== undefined ? base64ToBytes(kv.value_base64) : utf8Bytes(kv?.value ?? ''),
          });
        }
      },
      (err) => {
        if (!cancelled) {
          setRead({ key: readKey, bytes: new Uint8Array(), error: failure(err) });
        }
      }
    );
    return () => {
      cancelled = true;
    };
  }, [api, cluster, keyName, revision, readKey]);

  // The revision box follows the URL when the revision changes there.
  const [shownRevision, setShownRevision] = useState(revision);
  if (shownRevision !== revision) {
    setShownRevision(revision);
    setRevInput(revision ? String(revision) : '');
  }

  const current = read?.key === readKey ? read : undefined;
  const atLatest = revision === undefined;

  const showRevision = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(revInput.trim());
    if (revInput.trim() === '') {
      onRevisionChange(undefined);
    } else if (Number.isInteger(n) && n > 0) {
      onRevisionChange(n);
    }
  };
  const revInvalid =
    revInput.trim() !== '' && !(Number.isInteger(Number(revInput.trim())) && Number(revInput.trim()) > 0);

  const doDelete = async () => {
    setConfirmDelete(false);
    setActionError(undefined);
    if (!current?.kv) {
      return;
    }
    try {
      await api.deleteKeyIfUnchanged(cluster, keyName, current.kv.mod_revision);
      onChanged(undefined);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setActionError({
          message: `Not deleted: ${keyName} changed since you read it. It is shown again as it is now; look before deleting.`,
        });
        setAttempt((a) => a + 1);
      } else {
        setActionError(failure(err));
      }
    }
  };

  return (
    <section className={styles.viewer} aria-label={`Key ${keyName}`} data-testid={testIds.keys.viewer}>
      <h3 className={styles.key}>{keyName}</h3>
      <form onSubmit={showRevision} className={styles.revision} aria-label="Read at revision">
        <Field
          label="Revision"
          htmlFor="keys-revision"
          description="Empty: the latest"
          invalid={revInvalid}
          error={revInvalid ? 'revision: a whole number above 0' : undefined}
        >
          <Input
            id="keys-revision"
            inputMode="numeric"
            width={16}
            value={revInput}
            placeholder="latest"
            onChange={(e) => setRevInput(e.currentTarget.value)}
            data-testid={testIds.keys.revision}
          />
        </Field>
        <Button type="submit" variant="secondary" disabled={revInvalid} data-testid={testIds.keys.showRevision}>
          Show
        </Button>
        {!atLatest && (
          <Button variant="secondary" onClick={() => onRevisionChange(undefined)}>
            Latest
          </Button>
        )}
      </form>

      {actionError && (
        <Alert
          severity="error"
          title="Delete failed"
          onRemove={() => setActionError(undefined)}
          data-testid={testIds.keys.actionError}
        >
          <FailureText f={actionError} />
        </Alert>
      )}

      {!current && <LoadingPlaceholder text="Reading the value…" />}
      {current?.error?.status === 410 && (
        <Alert
          severity="warning"
          title={`Revision ${revision} has been compacted`}
          data-testid={testIds.keys.compacted}
        >
          etcd keeps the history of keys only back to its last compaction, and revision {revision} is older than that,
          so the value {keyName} had then is gone for good. Enter a later revision, or show the latest value.
          <div className={styles.gap}>
            <Button variant="secondary" onClick={() => onRevisionChange(undefined)}>
              Show the latest value
            </Button>
          </div>
        </Alert>
      )}
      {current?.error && current.error.status !== 410 && (
        <ErrorWithRetry
          title={`Could not read ${keyName}`}
          failure={<FailureText f={current.error} />}
          onRetry={() => setAttempt((a) => a + 1)}
          testId={testIds.keys.viewerError}
        />
      )}
      {current && !current.error && !current.kv && (
        <Alert severity="info" title="No such key" data-testid={testIds.keys.viewerError}>
          {atLatest
            ? `${keyName} does not exist (it may have just been deleted).`
            : `${keyName} did not exist at revision ${revision}.`}
        </Alert>
      )}
      {current?.kv && (
        <>
          <dl className={styles.meta} data-testid={testIds.keys.meta}>
            <dt>Size</dt>
            <dd>{formatBytes(current.bytes.length)}</dd>
            <dt>Create revision</dt>
            <dd>{current.kv.create_revision}</dd>
            <dt>Mod revision</dt>
            <dd>{current.kv.mod_revision}</dd>
            <dt>Version</dt>
            <dd>{current.kv.version}</dd>
            <dt>Lease</dt>
            <dd>{current.kv.lease ? current.kv.lease.toString(16) : 'none'}</dd>
          </dl>
          {!atLatest && (
            <p className={styles.note}>The value at revision {revision}. Editing is offered on the latest value.</p>
          )}
          <ValuePreview bytes={current.bytes} testId={testIds.keys.value} />
          {canWrite && atLatest && !editing && (
            <Stack gap={1}>
              <Button icon="pen" onClick={() => setEditing(true)} data-testid={testIds.keys.edit}>
                Edit
              </Button>
              <Button
                icon="trash-alt"
                variant="destructive"
                onClick={() => setConfirmDelete(true)}
                data-testid={testIds.keys.delete}
              >
                Delete
              </Button>
            </Stack>
          )}
          {canWrite && atLatest && editing && (
            <KeyEditor
              cluster={cluster}
              keyName={keyName}
              isNew={false}
              bytes={current.bytes}
              modRevision={current.kv.mod_revision}
              onSaved={() => {
                setEditing(false);
                setAttempt((a) => a + 1);
                onChanged(keyName);
              }}
              onCancel={() => setEditing(false)}
            />
          )}
        </>
      )}
      <ConfirmModal
        isOpen={confirmDelete}
        title={`Delete ${keyName}?`}
        body={
          <div data-testid={testIds.keys.confirm}>
            The key is deleted only if it is still at mod revision {current?.kv?.mod_revision}. Its history stays
            readable until the next compaction.
          </div>
        }
        confirmText="Delete key"
        onConfirm={doDelete}
        onDismiss={() => setConfirmDelete(false)}
      />
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  viewer: css({ minWidth: 0 }),
  key: css({ fontFamily: theme.typography.fontFamilyMonospace, wordBreak: 'break-all' }),
  revision: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'flex-start' }),
  meta: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.25),
    dd: { margin: 0 },
  }),
  note: css({ color: theme.colors.text.secondary }),
  gap: css({ marginTop: theme.spacing(1) }),
});
