import React from 'react';
import { Checkbox, Field, Input } from '@grafana/ui';
import type { BackupRestore } from '../../api';
import { testIds } from '../../components/testIds';
import { RestoreDataDirForm } from '../RestoreDataDirForm';
import { checkRestoreTarget, type RestoreTarget } from '../restoreTarget';

// BumpOptions are what a backup's restore takes beside its target, as etcdutl snapshot restore does.
type BumpOptions = { bumpRevision: string; markCompacted: boolean };

export type RestoreFields = RestoreTarget & BumpOptions;

// validateBackupRestore answers the restore the form describes, or the first problem, naming
// the field. The restore job refuses what opsproxy's engine would refuse later, so its peer URLs
// and initial cluster are checked here too. As etcdutl snapshot restore, --mark-compacted goes
// with a revision bump and only with one.
export function validateBackupRestore(f: RestoreFields): BackupRestore | string {
  const target = checkRestoreTarget(f);
  if (typeof target === 'string') {
    return target;
  }
  const { dataDir, memberName: member, peerUrls: urls, initialCluster, initialClusterToken } = target;
  for (const u of urls) {
    if (!/^https?:\/\/[^/\s]+$/.test(u.replace(/\/$/, ''))) {
      return `Peer URLs: ${u} is not an http:// or https:// URL of a host and port`;
    }
  }
  if (initialCluster) {
    for (const m of initialCluster.split(',')) {
      const [n, u] = m.split('=', 2);
      if (!n || !u || !/^https?:\/\/[^/\s]+/.test(u)) {
        return `Initial cluster: ${m} is not name=http(s)://host:port`;
      }
    }
    if (!`,${initialCluster}`.includes(`,${member}=`)) {
      return `Initial cluster: does not list member ${member}`;
    }
  }
  const bumpText = f.bumpRevision.trim();
  let bump = 0;
  if (bumpText) {
    if (!/^\d+$/.test(bumpText) || !Number.isSafeInteger(Number(bumpText))) {
      return 'Bump revision: a whole number of revisions, 0 or more';
    }
    bump = Number(bumpText);
  }
  if (bump > 0 && !f.markCompacted) {
    return 'Mark compacted: required with a revision bump (as etcdutl requires --mark-compacted with --bump-revision)';
  }
  if (bump === 0 && f.markCompacted) {
    return 'Mark compacted: only with a revision bump';
  }
  const restore: BackupRestore = {
    data_dir: dataDir,
    member_name: member,
    initial_cluster: initialCluster || `${member}=${urls[0]}`,
    initial_advertise_peer_urls: urls,
  };
  if (initialClusterToken) {
    restore.initial_cluster_token = initialClusterToken;
  }
  if (bump > 0) {
    restore.bump_revision = bump;
    restore.mark_compacted = true;
  }
  return restore;
}

type Props = { location: string; name: string; onRestore: (r: BackupRestore) => void; onClose: () => void };

// RestoreBackupForm asks where to restore a verified backup: a new data directory for one new
// member. After a confirmation that says it writes a new directory and touches no running
// member, onRestore starts the restore job.
export function RestoreBackupForm({ location, name, onRestore, onClose }: Props) {
  return (
    <RestoreDataDirForm
      name={name}
      heading={<>Restore {name} to a new data directory</>}
      note={
        <>
          The restore writes a new data directory under opsproxy&apos;s restore directory from this verified backup; it
          never touches a running member, and an existing directory of that name is refused. Start a new etcd member
          from it with the same name, peer URLs and initial cluster.
        </>
      }
      idPrefix="backups-restore"
      testIds={{
        form: testIds.backups.restoreForm,
        problem: testIds.backups.restoreProblem,
        confirm: testIds.backups.restoreConfirm,
      }}
      options={{ bumpRevision: '', markCompacted: false }}
      renderOptions={(fields, set) => (
        <>
          <Field
            label="Bump revision"
            description="For clusters that serve Kubernetes: raise the revision by this much (etcdutl --bump-revision), so that watchers' caches are invalidated"
          >
            <Input
              id="backups-restore-bump-revision"
              inputMode="numeric"
              placeholder="0"
              value={fields.bumpRevision}
              onChange={set('bumpRevision')}
            />
          </Field>
          <Checkbox
            label="Mark compacted"
            description="Mark the restored revision compacted (etcdutl --mark-compacted), required with a bump"
            value={fields.markCompacted}
            onChange={set('markCompacted')}
          />
        </>
      )}
      check={validateBackupRestore}
      submitText="Restore…"
      closeText="Cancel"
      confirmTitle={(r) => `Restore ${name} into a NEW data directory ${r.data_dir}?`}
      confirmBody={(r) => (
        <>
          opsproxy writes a NEW data directory {r.data_dir} from backup {name} of location {location}, for member{' '}
          {r.member_name} at {r.initial_advertise_peer_urls.join(', ')} (initial cluster {r.initial_cluster})
          {r.bump_revision ? `, the revision bumped by ${r.bump_revision} and marked compacted` : ''}. It never touches
          a running member: start a new member from the directory yourself.
        </>
      )}
      confirmText="Write the new directory"
      onConfirm={onRestore}
      onClose={onClose}
    />
  );
}
