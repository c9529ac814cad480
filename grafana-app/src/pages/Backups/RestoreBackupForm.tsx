import React, { useState, type FormEvent } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Checkbox, ConfirmModal, Field, Input, Stack, useStyles2 } from '@grafana/ui';
import type { BackupRestore } from '../../api';
import { testIds } from '../../components/testIds';

// dataDirName is the form of a restored data directory's name that opsproxy takes: a plain name
// under its restore directory, never a path.
const dataDirName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export type RestoreFields = {
  dataDir: string;
  memberName: string;
  peerUrls: string;
  initialCluster: string;
  initialClusterToken: string;
  bumpRevision: string;
  markCompacted: boolean;
};

// validateBackupRestore answers the restore the form describes, or the first problem, naming
// the field. As etcdutl snapshot restore, --mark-compacted goes with a revision bump and only with one.
export function validateBackupRestore(f: RestoreFields): BackupRestore | string {
  const dataDir = f.dataDir.trim();
  if (!dataDirName.test(dataDir)) {
    return 'Data directory: letters, digits, ".", "_" or "-", at most 128, not starting with a dot';
  }
  const member = f.memberName.trim();
  if (!member) {
    return 'Member name: must not be empty';
  }
  const urls = f.peerUrls.split(/[\s,]+/).filter(Boolean);
  if (urls.length === 0) {
    return 'Peer URLs: must not be empty';
  }
  for (const u of urls) {
    if (!/^https?:\/\/[^/\s]+$/.test(u.replace(/\/$/, ''))) {
      return `Peer URLs: ${u} is not an http:// or https:// URL of a host and port`;
    }
  }
  const initialCluster = f.initialCluster.trim();
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
  if (f.initialClusterToken.trim()) {
    restore.initial_cluster_token = f.initialClusterToken.trim();
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
  const styles = useStyles2(getStyles);
  const [fields, setFields] = useState<RestoreFields>({
    dataDir: '',
    memberName: '',
    peerUrls: '',
    initialCluster: '',
    initialClusterToken: '',
    bumpRevision: '',
    markCompacted: false,
  });
  const [problem, setProblem] = useState<string>();
  const [pending, setPending] = useState<BackupRestore>();
  const set = (k: keyof RestoreFields) => (e: React.FormEvent<HTMLInputElement>) => {
    const v = e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value;
    setFields((f) => ({ ...f, [k]: v }));
  };

  const ask = (e: FormEvent) => {
    e.preventDefault();
    const r = validateBackupRestore(fields);
    if (typeof r === 'string') {
      setProblem(r);
      return;
    }
    setProblem(undefined);
    setPending(r);
  };

  return (
    <form
      onSubmit={ask}
      aria-label={`Restore ${name}`}
      className={styles.form}
      data-testid={testIds.backups.restoreForm}
    >
      <h4>Restore {name} to a new data directory</h4>
      <p className={styles.note}>
        The restore writes a new data directory under opsproxy&apos;s restore directory from this verified backup; it
        never touches a running member, and an existing directory of that name is refused. Start a new etcd member from
        it with the same name, peer URLs and initial cluster.
      </p>
      <Field label="Data directory" description="A new directory's name under the restore directory">
        <Input id="backups-restore-data-dir" autoFocus value={fields.dataDir} onChange={set('dataDir')} />
      </Field>
      <Field label="Member name" description="The --name the restored member starts with">
        <Input id="backups-restore-member" value={fields.memberName} onChange={set('memberName')} />
      </Field>
      <Field label="Peer URLs" description="Its --initial-advertise-peer-urls, comma-separated">
        <Input id="backups-restore-peer-urls" value={fields.peerUrls} onChange={set('peerUrls')} />
      </Field>
      <Field label="Initial cluster" description="Default: <member name>=<first peer URL>">
        <Input id="backups-restore-initial-cluster" value={fields.initialCluster} onChange={set('initialCluster')} />
      </Field>
      <Field label="Initial cluster token" description="Default: etcd-cluster">
        <Input
          id="backups-restore-initial-cluster-token"
          value={fields.initialClusterToken}
          onChange={set('initialClusterToken')}
        />
      </Field>
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
      {problem && <Alert severity="error" title={problem} data-testid={testIds.backups.restoreProblem} />}
      <Stack gap={1}>
        <Button type="submit">Restore…</Button>
        <Button type="button" variant="secondary" onClick={onClose}>
          Cancel
        </Button>
      </Stack>
      <ConfirmModal
        isOpen={pending !== undefined}
        title={`Restore ${name} into a NEW data directory ${pending?.data_dir ?? ''}?`}
        body={
          <div data-testid={testIds.backups.restoreConfirm}>
            opsproxy writes a NEW data directory {pending?.data_dir} from backup {name} of location {location}, for
            member {pending?.member_name} at {pending?.initial_advertise_peer_urls.join(', ')} (initial cluster{' '}
            {pending?.initial_cluster})
            {pending?.bump_revision ? `, the revision bumped by ${pending.bump_revision} and marked compacted` : ''}. It
            never touches a running member: start a new member from the directory yourself.
          </div>
        }
        confirmText="Write the new directory"
        onConfirm={() => {
          const r = pending;
          setPending(undefined);
          if (r) {
            onRestore(r);
          }
        }}
        onDismiss={() => setPending(undefined)}
      />
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  note: css({ color: theme.colors.text.secondary }),
  form: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), maxWidth: 720 }),
});
