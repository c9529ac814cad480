import React from 'react';
import { Badge, type BadgeColor } from '@grafana/ui';
import type { Job } from '../../api';

const COLORS: Record<string, BadgeColor> = {
  queued: 'blue',
  running: 'orange',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'darkgrey',
};

// JobStatusBadge shows a job's status, and that a cancel was asked while it still runs.
export function JobStatusBadge({ job }: { job: Pick<Job, 'status' | 'cancel_requested'> }) {
  const text = job.cancel_requested && job.status === 'running' ? 'running (cancel asked)' : job.status;
  return <Badge color={COLORS[job.status] ?? 'darkgrey'} text={text} />;
}
