import React, { useState, type FormEvent } from 'react';
import { Alert, Button, Checkbox, ConfirmModal, Field, Input, Stack, useStyles2 } from '@grafana/ui';
import { useApi } from '../../api';
import type { RestoreRequest, RestoreResult } from '../../api/maintenance';
import { testIds } from '../../components/testIds';
import { failure, FailureText, type Failure } from '../failure';
import { getStyles } from './styles';

// dataDirName is the form of a restored data directory's name that opsproxy takes: a plain name
// under its restore directory, never a path.
const dataDirName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

type Outcome = { kind: 'done'; result: RestoreResult } | { kind: 'error'; error: Failure };

// validate answers the request the form describes, or the first problem, naming the field.
export function validateRestore(f: {
  dataDir: string;
  name: string;
  peerUrls: string;
  initialCluster: string;
  initialClusterToken: string;
  skipHashCheck: boolean;
}): RestoreRequest | string {
  const dataDir = f.dataDir.trim();
  if (!dataDirName.test(dataDir)) {
    return 'Data directory: letters, digits, ".", "_" or "-", at most 128, not starting with a dot';
  }
  if (!f.name.trim()) {
    return 'Member name: must not be empty';
  }
  const urls = f.peerUrls.split(/[\s,]+/).filter(Boolean);
  if (urls.length === 0) {
    return 'Peer URLs: must not be empty';
  }
  return {
    data_dir: dataDir,
    name: f.name.trim(),
    initial_advertise_peer_urls: urls,
    initial_cluster: f.initialCluster.trim() || undefined,
    initial_cluster_token: f.initialClusterToken.trim() || undefined,
    skip_hash_check: f.skipHashCheck || undefined,
  };
}

// RestoreForm restores one snapshot into a new data directory, the form opsproxy's restore
// takes, after a confirmation.
export function RestoreForm({ snapshot, onClose }: { snapshot: string; onClose: () => void }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [fields, setFields] = useState({
    dataDir: '',
    name: '',
    peerUrls: '',
    initialCluster: '',
    initialClusterToken: '',
    skipHashCheck: false,
  });
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [pending, setPending] = useState<RestoreRequest | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const set = (k: keyof typeof fields) => (e: React.FormEvent<HTMLInputElement>) => {
    const v = e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value;
    setFields((f) => ({ ...f, [k]: v }));
  };

  const ask = (e: FormEvent) => {
    e.preventDefault();
    const req = validateRestore(fields);
    if (typeof req === 'string') {
      setProblem(req);
      return;
    }
    setProblem(undefined);
    setPending(req);
  };
  const run = async () => {
    const req = pending;
    setPending(undefined);
    if (!req) {
      return;
    }
    try {
      setOutcome({ kind: 'done', result: await api.restoreSnapshot(snapshot, req) });
    } catch (err) {
      setOutcome({ kind: 'error', error: failure(err) });
    }
  };

  return (
    <form
      onSubmit={ask}
      aria-label={`Restore ${snapshot}`}
      className={styles.form}
      data-testid={testIds.maintenance.restoreForm}
    >
      <h4>Restore {snapshot}</h4>
      <p className={styles.note}>
        A restore writes a new data directory under opsproxy&apos;s restore directory and never touches a running
        member. Start a new etcd member from that directory (with the same name, peer URLs, initial cluster and token)
        to bring the snapshot&apos;s data back.
      </p>
      <Field label="Data directory" description="A new directory's name under the restore directory">
        <Input id="restore-data-dir" autoFocus value={fields.dataDir} onChange={set('dataDir')} />
      </Field>
      <Field label="Member name" description="The --name the restored member starts with">
        <Input id="restore-name" value={fields.name} onChange={set('name')} />
      </Field>
      <Field label="Peer URLs" description="Its --initial-advertise-peer-urls, comma-separated">
        <Input id="restore-peer-urls" value={fields.peerUrls} onChange={set('peerUrls')} />
      </Field>
      <Field label="Initial cluster" description="Default: <member name>=<first peer URL>">
        <Input id="restore-initial-cluster" value={fields.initialCluster} onChange={set('initialCluster')} />
      </Field>
      <Field label="Initial cluster token" description="Default: etcd-cluster">
        <Input
          id="restore-initial-cluster-token"
          value={fields.initialClusterToken}
          onChange={set('initialClusterToken')}
        />
      </Field>
      <Checkbox
        label="Skip the hash check"
        description="Only for a snapshot copied from a member's data directory, which carries no hash"
        value={fields.skipHashCheck}
        onChange={set('skipHashCheck')}
      />
      {problem && <Alert severity="error" title={problem} data-testid={testIds.maintenance.restoreError} />}
      {outcome?.kind === 'done' && (
        <Alert severity="success" title={`Restored ${snapshot}`} data-testid={testIds.maintenance.restoreDone}>
          New data directory {outcome.result.data_dir} for member {outcome.result.name} (initial cluster{' '}
          {outcome.result.initial_cluster}, token {outcome.result.initial_cluster_token}).
        </Alert>
      )}
      {outcome?.kind === 'error' && (
        <Alert severity="error" title="Restore failed" data-testid={testIds.maintenance.restoreError}>
          <FailureText f={outcome.error} />
        </Alert>
      )}
      <Stack gap={1}>
        <Button type="submit">Restore</Button>
        <Button type="button" variant="secondary" onClick={onClose}>
          Close
        </Button>
      </Stack>
      <ConfirmModal
        isOpen={pending !== undefined}
        title={`Restore ${snapshot} into ${pending?.data_dir ?? ''}?`}
        body={
          <div data-testid={testIds.maintenance.confirm}>
            opsproxy writes a new data directory {pending?.data_dir} for member {pending?.name} at{' '}
            {pending?.initial_advertise_peer_urls.join(', ')}. No running member is touched; an existing directory of
            that name is refused.
          </div>
        }
        confirmText="Restore"
        onConfirm={run}
        onDismiss={() => setPending(undefined)}
      />
    </form>
  );
}
