import React, { useState, type FormEvent } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, ConfirmModal, Field, Input, Stack, useStyles2 } from '@grafana/ui';
import type { RestoreTarget } from './restoreTarget';

// OptionValues are a restore's own options beside its target: text fields and checkboxes.
type OptionValues = Record<string, string | boolean>;

// SetField answers the onChange of the input that edits field k.
export type SetField<F> = (k: keyof F) => (e: React.FormEvent<HTMLInputElement>) => void;

type Props<O extends OptionValues, R> = {
  // name is what is restored (a backup, a snapshot): the form is labelled "Restore <name>".
  name: string;
  heading: React.ReactNode;
  // note says what the restore writes and what it never touches.
  note: React.ReactNode;
  // idPrefix makes the inputs' ids: <idPrefix>-data-dir, -member, -peer-urls, -initial-cluster,
  // -initial-cluster-token.
  idPrefix: string;
  testIds: { form: string; problem: string; confirm: string };
  // options are the restore's own fields, at their first values; renderOptions shows them
  // under the target's.
  options: O;
  renderOptions: (fields: O, set: SetField<O>) => React.ReactNode;
  // check answers what to restore, or the first problem (naming the field) the form shows.
  check: (fields: RestoreTarget & O) => R | string;
  submitText: string;
  closeText: string;
  confirmTitle: (r: R) => string;
  confirmBody: (r: R) => React.ReactNode;
  confirmText: string;
  // onConfirm runs the restore once it is confirmed.
  onConfirm: (r: R) => void | Promise<void>;
  onClose: () => void;
  // children are what the page says of the restore it ran, above the buttons.
  children?: React.ReactNode;
};

// RestoreDataDirForm asks where to restore into a new data directory (the directory, and the
// member that starts from it) and the restore's own options, shows the first problem naming
// its field, and runs the restore only after a confirmation that says what it writes. The
// Backups and Maintenance pages restore through it.
export function RestoreDataDirForm<O extends OptionValues, R>(props: Props<O, R>) {
  const { name, idPrefix, testIds, check, onConfirm } = props;
  const styles = useStyles2(getStyles);
  const [fields, setFields] = useState<RestoreTarget & O>({
    dataDir: '',
    memberName: '',
    peerUrls: '',
    initialCluster: '',
    initialClusterToken: '',
    ...props.options,
  });
  const [problem, setProblem] = useState<string>();
  const [pending, setPending] = useState<R>();
  const set: SetField<RestoreTarget & O> = (k) => (e) => {
    const v = e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value;
    setFields((f) => ({ ...f, [k]: v }));
  };

  const ask = (e: FormEvent) => {
    e.preventDefault();
    const r = check(fields);
    if (typeof r === 'string') {
      setProblem(r);
      return;
    }
    setProblem(undefined);
    setPending(r);
  };
  const confirm = () => {
    const r = pending;
    setPending(undefined);
    if (r !== undefined) {
      void onConfirm(r);
    }
  };

  return (
    <form onSubmit={ask} aria-label={`Restore ${name}`} className={styles.form} data-testid={testIds.form}>
      <h4>{props.heading}</h4>
      <p className={styles.note}>{props.note}</p>
      <Field label="Data directory" description="A new directory's name under the restore directory">
        <Input id={`${idPrefix}-data-dir`} autoFocus value={fields.dataDir} onChange={set('dataDir')} />
      </Field>
      <Field label="Member name" description="The --name the restored member starts with">
        <Input id={`${idPrefix}-member`} value={fields.memberName} onChange={set('memberName')} />
      </Field>
      <Field label="Peer URLs" description="Its --initial-advertise-peer-urls, comma-separated">
        <Input id={`${idPrefix}-peer-urls`} value={fields.peerUrls} onChange={set('peerUrls')} />
      </Field>
      <Field label="Initial cluster" description="Default: <member name>=<first peer URL>">
        <Input id={`${idPrefix}-initial-cluster`} value={fields.initialCluster} onChange={set('initialCluster')} />
      </Field>
      <Field label="Initial cluster token" description="Default: etcd-cluster">
        <Input
          id={`${idPrefix}-initial-cluster-token`}
          value={fields.initialClusterToken}
          onChange={set('initialClusterToken')}
        />
      </Field>
      {props.renderOptions(fields, set)}
      {problem && <Alert severity="error" title={problem} data-testid={testIds.problem} />}
      {props.children}
      <Stack gap={1}>
        <Button type="submit">{props.submitText}</Button>
        <Button type="button" variant="secondary" onClick={props.onClose}>
          {props.closeText}
        </Button>
      </Stack>
      <ConfirmModal
        isOpen={pending !== undefined}
        title={pending !== undefined ? props.confirmTitle(pending) : ''}
        body={pending !== undefined && <div data-testid={testIds.confirm}>{props.confirmBody(pending)}</div>}
        confirmText={props.confirmText}
        onConfirm={confirm}
        onDismiss={() => setPending(undefined)}
      />
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  note: css({ color: theme.colors.text.secondary }),
  form: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), maxWidth: 720 }),
});
