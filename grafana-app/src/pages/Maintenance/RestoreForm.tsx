import React, { useState } from 'react';
import { Alert, Checkbox } from '@grafana/ui';
import { useApi } from '../../api';
import type { RestoreRequest, RestoreResult } from '../../api/maintenance';
import { testIds } from '../../components/testIds';
import { failure, FailureText, type Failure } from '../failure';
import { RestoreDataDirForm } from '../RestoreDataDirForm';
import { checkRestoreTarget, type RestoreTarget } from '../restoreTarget';

type Outcome = { kind: 'done'; result: RestoreResult } | { kind: 'error'; error: Failure };

// HashCheckOption is what a snapshot's restore takes beside its target.
type HashCheckOption = { skipHashCheck: boolean };

// validateRestore answers the request the form describes, or the first problem, naming the field.
export function validateRestore(f: RestoreTarget & HashCheckOption): RestoreRequest | string {
  const target = checkRestoreTarget(f);
  if (typeof target === 'string') {
    return target;
  }
  return {
    data_dir: target.dataDir,
    name: target.memberName,
    initial_advertise_peer_urls: target.peerUrls,
    initial_cluster: target.initialCluster || undefined,
    initial_cluster_token: target.initialClusterToken || undefined,
    skip_hash_check: f.skipHashCheck || undefined,
  };
}

// RestoreForm restores one snapshot into a new data directory, the form opsproxy's restore
// takes, after a confirmation.
export function RestoreForm({ snapshot, onClose }: { snapshot: string; onClose: () => void }) {
  const api = useApi();
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const run = async (req: RestoreRequest) => {
    try {
      setOutcome({ kind: 'done', result: await api.restoreSnapshot(snapshot, req) });
    } catch (err) {
      setOutcome({ kind: 'error', error: failure(err) });
    }
  };

  return (
    <RestoreDataDirForm
      name={snapshot}
      heading={<>Restore {snapshot}</>}
      note={
        <>
          A restore writes a new data directory under opsproxy&apos;s restore directory and never touches a running
          member. Start a new etcd member from that directory (with the same name, peer URLs, initial cluster and token)
          to bring the snapshot&apos;s data back.
        </>
      }
      idPrefix="restore"
      testIds={{
        form: testIds.maintenance.restoreForm,
        problem: testIds.maintenance.restoreError,
        confirm: testIds.maintenance.confirm,
      }}
      options={{ skipHashCheck: false }}
      renderOptions={(fields, set) => (
        <Checkbox
          label="Skip the hash check"
          description="Only for a snapshot copied from a member's data directory, which carries no hash"
          value={fields.skipHashCheck}
          onChange={set('skipHashCheck')}
        />
      )}
      check={validateRestore}
      submitText="Restore"
      closeText="Close"
      confirmTitle={(req) => `Restore ${snapshot} into ${req.data_dir}?`}
      confirmBody={(req) => (
        <>
          opsproxy writes a new data directory {req.data_dir} for member {req.name} at{' '}
          {req.initial_advertise_peer_urls.join(', ')}. No running member is touched; an existing directory of that name
          is refused.
        </>
      )}
      confirmText="Restore"
      onConfirm={run}
      onClose={onClose}
    >
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
    </RestoreDataDirForm>
  );
}
