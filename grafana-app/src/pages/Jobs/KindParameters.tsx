import React from 'react';
import { Checkbox, Field, Input } from '@grafana/ui';
import type { JobKind } from '../../api';
import { testIds } from '../../components/testIds';

// ParameterDraft is the form's text of a kind's parameters (docs/job-kinds.md); empty fields
// take the kind's defaults.
export type ParameterDraft = {
  members: string;
  rule: string;
  dryRun: boolean;
  assumeDiskRoom: boolean;
  member: string;
  name: string;
};

export const EMPTY_PARAMETERS: ParameterDraft = {
  members: '',
  rule: '',
  dryRun: false,
  assumeDiskRoom: false,
  member: '',
  name: '',
};

// toParameters makes the parameters a job of kind takes from the draft, with only the fields set.
export function toParameters(kind: JobKind, d: ParameterDraft): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  if (kind === 'defragment') {
    const members = d.members
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    if (members.length) {
      p.members = members;
    }
    if (d.rule.trim()) {
      p.rule = d.rule.trim();
    }
    if (d.dryRun) {
      p.dry_run = true;
    }
    if (d.assumeDiskRoom) {
      p.assume_disk_room = true;
    }
  } else {
    if (d.member.trim()) {
      p.member = d.member.trim();
    }
    if (d.name.trim()) {
      p.name = d.name.trim();
    }
  }
  return p;
}

type Props = { kind: JobKind; value: ParameterDraft; onChange: (d: ParameterDraft) => void };

// KindParameters: the fields of a kind's parameters.
export function KindParameters({ kind, value, onChange }: Props) {
  const set = (patch: Partial<ParameterDraft>) => onChange({ ...value, ...patch });
  if (kind === 'defragment') {
    return (
      <>
        <Field label="Members" description="Member ids in hex, comma-separated; empty: every member.">
          <Input
            id="jobs-param-members"
            value={value.members}
            onChange={(e) => set({ members: e.currentTarget.value })}
            data-testid={testIds.jobs.paramMembers}
          />
        </Field>
        <Field
          label="Rule"
          description="When a member needs a defragmentation, e.g. dbSizeFree > 1e9; empty: dbSize - dbSizeInUse > 0.5*dbSize || dbSize > 0.8*dbQuota."
        >
          <Input
            id="jobs-param-rule"
            value={value.rule}
            onChange={(e) => set({ rule: e.currentTarget.value })}
            data-testid={testIds.jobs.paramRule}
          />
        </Field>
        <Checkbox
          label="Dry run (plan only)"
          value={value.dryRun}
          onChange={(e) => set({ dryRun: e.currentTarget.checked })}
          data-testid={testIds.jobs.paramDryRun}
        />
        <Checkbox
          label="Assume every disk has room for a copy of its database"
          value={value.assumeDiskRoom}
          onChange={(e) => set({ assumeDiskRoom: e.currentTarget.checked })}
          data-testid={testIds.jobs.paramAssumeDiskRoom}
        />
      </>
    );
  }
  return (
    <>
      <Field label="Member" description="Member name; empty: the first healthy follower, else the leader.">
        <Input
          id="jobs-param-member"
          value={value.member}
          onChange={(e) => set({ member: e.currentTarget.value })}
          data-testid={testIds.jobs.paramMember}
        />
      </Field>
      <Field label="File name" description="Empty: <cluster>-<member>-<time>.db.">
        <Input
          id="jobs-param-name"
          value={value.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
          data-testid={testIds.jobs.paramName}
        />
      </Field>
    </>
  );
}
