import React from 'react';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError, type BackupDetail, type BackupLocation, type BackupSummary, type Job } from '../../api';
import { fakeTransport, type FakeTransport } from '../../api/fakeTransport';
import { testIds } from '../../components/testIds';
import { renderPage } from '../testing/renderPage';
import { Backups } from './Backups';
import { validateBackupRestore, type RestoreFields } from './RestoreBackupForm';

// Grafana's Drawer measures its title and watches its scroll edges; jsdom has neither
// ResizeObserver nor IntersectionObserver (browsers do).
class NoObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
beforeAll(() => {
  for (const name of ['ResizeObserver', 'IntersectionObserver']) {
    if (!(name in globalThis)) {
      Object.assign(globalThis, { [name]: NoObserver });
    }
  }
});

function renderAt(t: FakeTransport, url = '/backups?cluster=prod', canAdmin = true) {
  return renderPage(t, '/backups', url, <Backups canAdmin={canAdmin} />);
}

const local: BackupLocation = {
  name: 'local',
  kind: 'dir',
  where: 'dir /var/backups/etcd',
  encrypted: true,
  external: false,
  schedule: '0 */6 * * *',
  max_age_seconds: 46800,
  retention: { count: 14, max_age_seconds: 30 * 86400 },
  drill_schedule: '30 3 * * *',
};
const watched: BackupLocation = {
  name: 'cron',
  kind: 's3',
  where: 's3://etcd/prod/',
  encrypted: false,
  external: true,
  max_age_seconds: 90000,
  inspect_schedule: '*/15 * * * *',
};

const good: BackupSummary = {
  location: 'local',
  name: 'prod-2.db.age',
  size: 3 * 1024 * 1024,
  snapshot_size: 3 * 1024 * 1024 - 200,
  created_at: '2026-12-06T12:00:00Z',
  encrypted: true,
  external: false,
  revision: 1812,
  key_count: 1204,
  verified: { ok: true, at: '2026-12-06T12:00:04Z' },
  drill: { ok: true, at: '2026-12-06T13:30:00Z' },
  job_id: 'j-good',
};
const bad: BackupSummary = {
  ...good,
  name: 'prod-1.db.age',
  size: 4096,
  revision: 1700,
  key_count: 3,
  created_at: '2026-12-06T06:00:00Z',
  verified: { ok: false, at: '2026-12-06T06:00:03Z', error: 'prod-1.db.age: sha256 mismatch' },
  drill: { ok: false, at: '2026-12-06T07:00:00Z', error: 'restored member: key count 2, want 3' },
  job_id: 'j-bad',
};

const detail: BackupDetail = {
  ...good,
  record: {
    cluster: 'prod',
    location: 'local',
    name: good.name,
    member: 'infra1',
    started_at: '2026-12-06T12:00:00Z',
    finished_at: '2026-12-06T12:00:03Z',
    snapshot_size: good.snapshot_size!,
    sha256: 'aa'.repeat(32),
    size: good.size,
    stored_sha256: 'bb'.repeat(32),
    encrypted: true,
    status: { revision: 1812, hash: 3735928559, total_keys: 2400, total_size: good.snapshot_size! },
    restore: { revision: 1812, hash_kv: 12345, compact_revision: 1500, key_count: 1204 },
    attempts: [{ member: 'infra0', error: 'stream broke at 1.2 MiB' }],
  },
  events: [
    {
      id: 'e2',
      cluster: 'prod',
      location: 'local',
      kind: 'drill',
      name: good.name,
      started_at: '2026-12-06T13:30:00Z',
      finished_at: '2026-12-06T13:30:09Z',
      ok: true,
    },
    {
      id: 'e1',
      cluster: 'prod',
      location: 'local',
      kind: 'backup',
      name: good.name,
      job_id: 'j-good',
      started_at: '2026-12-06T12:00:00Z',
      finished_at: '2026-12-06T12:00:04Z',
      ok: true,
    },
  ],
};

const failedBackup = {
  id: 'e3',
  cluster: 'prod',
  location: 'local',
  kind: 'backup' as const,
  job_id: 'j-failed',
  started_at: '2026-12-06T18:00:00Z',
  finished_at: '2026-12-06T18:00:01Z',
  ok: false,
  error: 'location local: dir /var/backups/etcd: permission denied',
};

function answers(extra: Record<string, unknown> = {}) {
  return fakeTransport({
    'GET /clusters': { clusters: [{ name: 'prod' }, { name: 'lab' }] },
    'GET /clusters/prod/backup-locations': { locations: [local, watched] },
    'GET /clusters/prod/backups': (o: { query?: Record<string, unknown> }) =>
      o.query?.location === 'local' ? { backups: [good, bad] } : { backups: [] },
    [`GET /clusters/prod/backups/local/${encodeURIComponent(good.name)}`]: detail,
    [`GET /clusters/prod/backups/local/${encodeURIComponent(bad.name)}`]: { ...bad, record: null, events: [] },
    'GET /schedules': {
      schedules: [
        {
          id: 'backups/prod/local/backup',
          name: 'backups/local/backup',
          kind: 'backup',
          cluster: 'prod',
          parameters: { location: 'local' },
          cron: '0 */6 * * *',
          paused: true,
          last_slot: '2026-12-06T12:00:00Z',
        },
        {
          id: 'd1',
          name: 'nightly defrag',
          kind: 'defragment',
          cluster: 'prod',
          cron: '30 3 * * *',
          paused: false,
        },
      ],
    },
    'GET /clusters/prod/backup-events': (o: { query?: Record<string, unknown> }) =>
      o.query?.location === 'local' ? { events: [failedBackup, ...detail.events] } : { events: [] },
    ...extra,
  });
}

async function fill(input: HTMLElement, text: string) {
  await userEvent.click(input);
  await userEvent.paste(text);
}

// confirmDialog is the confirmation (the drawer is a dialog too).
function confirmDialog(testId: string) {
  return within(screen.getByTestId(testId).closest('[role="dialog"]') as HTMLElement);
}

const location = () => screen.getByTestId('location').textContent ?? '';

test('lists the locations with their badges and schedules, and the first one’s backups with verification and drill', async () => {
  renderAt(answers());
  const list = await screen.findByTestId(testIds.backups.list);
  const locs = screen.getByTestId(testIds.backups.locations);
  const l = within(locs).getByTestId(testIds.backups.location('local'));
  expect(l).toHaveTextContent('encrypted');
  expect(l).toHaveTextContent('dir /var/backups/etcd');
  expect(l).toHaveTextContent('0 */6 * * *');
  // The configuration's schedule as the jobs system runs it: paused, when it last fired; the
  // drill schedule has no schedule in the jobs system here, and a defragment schedule is not one.
  await waitFor(() =>
    expect(l.textContent).toContain(`paused last fired ${new Date('2026-12-06T12:00:00Z').toLocaleString()}`)
  );
  expect(l).not.toHaveTextContent('not fired yet');
  expect(l).toHaveTextContent('13h');
  expect(l).toHaveTextContent('last 14, none older than 30d');
  expect(l).toHaveTextContent('30 3 * * *');
  const w = within(locs).getByTestId(testIds.backups.location('cron'));
  expect(w).toHaveTextContent('not encrypted');
  expect(w).toHaveTextContent('external');
  expect(w).toHaveTextContent('watched */15 * * * *');
  expect(w).toHaveTextContent('kept by the tool that fills it');
  expect(screen.getByTestId(testIds.backups.selectLocation('local'))).toHaveAttribute('aria-pressed', 'true');

  const rows = within(list).getAllByRole('row');
  expect(rows[1]).toHaveTextContent(good.name);
  expect(rows[1]).toHaveTextContent('3.0 MiB');
  expect(rows[1]).toHaveTextContent('1,812');
  expect(rows[1]).toHaveTextContent('1,204');
  expect(screen.getByTestId(testIds.backups.verified(good.name))).toHaveTextContent('✓ ok');
  expect(screen.getByTestId(testIds.backups.drilled(good.name))).toHaveTextContent(
    `✓ restored ${new Date(good.drill!.at).toLocaleString()}`
  );
  expect(screen.getByTestId(testIds.backups.verified(bad.name))).toHaveTextContent(
    '✗ failed: prod-1.db.age: sha256 mismatch'
  );
  expect(screen.getByTestId(testIds.backups.drilled(bad.name))).toHaveTextContent(
    'restored member: key count 2, want 3'
  );
  expect(screen.getByTestId(testIds.backups.backupNow)).toBeInTheDocument();
});

test('a failed backup, which leaves no backup to list, shows in the location’s latest activity', async () => {
  const t = answers();
  renderAt(t);
  const activity = await screen.findByTestId(testIds.backups.activity);
  expect(within(activity).getByTestId(testIds.backups.activityRow('e3'))).toHaveTextContent(
    'backup—failed location local: dir /var/backups/etcd: permission denied'
  );
  expect(t.calls.find((c) => c.path === '/clusters/prod/backup-events')?.opts.query).toEqual({
    location: 'local',
    kind: undefined,
    limit: 20,
  });
  await userEvent.click(screen.getByTestId(testIds.backups.selectLocation('cron')));
  expect(await screen.findByTestId(testIds.backups.activityEmpty)).toHaveTextContent('Nothing has happened here yet.');
});

test('the location and the open backup are in the URL; the drawer shows the record and events and closes', async () => {
  const t = answers();
  renderAt(t);
  await userEvent.click(await screen.findByTestId(testIds.backups.selectLocation('cron')));
  expect(location()).toBe('?cluster=prod&location=cron');
  expect(await screen.findByTestId(testIds.backups.listEmpty)).toHaveTextContent('No backup in cron yet.');
  // An external location is inspected, not backed up.
  expect(screen.getByTestId(testIds.backups.inspectNow)).toBeInTheDocument();
  expect(screen.queryByTestId(testIds.backups.backupNow)).not.toBeInTheDocument();

  await userEvent.click(screen.getByTestId(testIds.backups.selectLocation('local')));
  await userEvent.click(await screen.findByTestId(testIds.backups.open(good.name)));
  expect(location()).toBe(`?cluster=prod&location=local&backup=${encodeURIComponent(good.name).replace(/%20/g, '+')}`);
  const record = await screen.findByTestId(testIds.backups.record);
  expect(record).toHaveTextContent('member infra1');
  expect(record).toHaveTextContent('infra0: stream broke at 1.2 MiB');
  expect(record).toHaveTextContent('aa'.repeat(32));
  expect(record).toHaveTextContent('revision 1,812, HashKV 12345, 1,204 live keys, compacted at 1,500');
  const events = within(screen.getByTestId(testIds.backups.events)).getAllByRole('row');
  expect(events[1]).toHaveTextContent('drill');
  expect(events[2]).toHaveTextContent('backup');
  expect(events[2]).toHaveTextContent('j-good');

  // The drawer's close button (Escape in a browser: the Chromium scenario) closes it.
  await userEvent.click(screen.getByRole('button', { name: 'Close' }));
  await waitFor(() => expect(location()).toBe('?cluster=prod&location=local'));
  expect(screen.queryByTestId(testIds.backups.detail)).not.toBeInTheDocument();
});

test('a link opens the drawer of its backup', async () => {
  renderAt(answers(), `/backups?cluster=prod&location=local&backup=${encodeURIComponent(good.name)}`);
  expect(await screen.findByTestId(testIds.backups.record)).toHaveTextContent('member infra1');
  expect(screen.getByTestId(testIds.backups.open(good.name))).toHaveAttribute('aria-pressed', 'true');
});

test('back up now asks first, then starts the job and follows it live; the list is read again when it ends', async () => {
  const t = answers();
  const job: Job = { id: 'j9', kind: 'backup', cluster: 'prod', status: 'queued' };
  t.answers['POST /jobs'] = job;
  renderAt(t);
  await userEvent.click(await screen.findByTestId(testIds.backups.backupNow));
  const confirm = screen.getByTestId(testIds.backups.confirm);
  expect(confirm).toHaveTextContent('Streams a snapshot of prod from a healthy member');
  expect(t.calls.some((c) => c.method === 'POST')).toBe(false);
  await userEvent.click(confirmDialog(testIds.backups.confirm).getByRole('button', { name: 'Start' }));
  await waitFor(() => expect(t.streams.some((s) => s.path === '/jobs/j9/events')).toBe(true));
  expect(t.calls.find((c) => c.method === 'POST')?.opts.body).toMatchObject({
    kind: 'backup',
    cluster: 'prod',
    parameters: { location: 'local' },
  });

  const emit = (status: string, extra: Partial<Job>) =>
    act(() => {
      t.emit('/jobs/j9/events', { event: 'job', data: JSON.stringify({ ...job, status, ...extra }) });
    });
  emit('running', { progress: { phase: 'saving', bytes: 2 * 1024 * 1024 } });
  expect(screen.getByTestId(testIds.backups.job('j9'))).toHaveTextContent(
    'Back up prod to local: job j9 running — saving, 2.0 MiB'
  );
  emit('running', { progress: { phase: 'verifying', bytes: 3 * 1024 * 1024 } });
  expect(screen.getByTestId(testIds.backups.job('j9'))).toHaveTextContent('verifying, 3.0 MiB');
  const lists = t.calls.filter((c) => c.path === '/clusters/prod/backups').length;
  emit('succeeded', {
    result: { location: 'local', backup: { name: 'prod-3.db.age' }, retention: { deleted: ['prod-0.db.age'] } },
  });
  expect(screen.getByTestId(testIds.backups.jobOutcome('j9'))).toHaveTextContent(
    'Made prod-3.db.age. Retention deleted 1 older.'
  );
  await waitFor(() => expect(t.calls.filter((c) => c.path === '/clusters/prod/backups').length).toBe(lists + 1));
});

test('a failed job says why; a refused start says why and starts nothing', async () => {
  const t = answers();
  const job: Job = { id: 'j4', kind: 'backup-drill', cluster: 'prod', status: 'queued' };
  t.answers['POST /jobs'] = job;
  renderAt(t, `/backups?cluster=prod&location=local&backup=${encodeURIComponent(good.name)}`);
  await userEvent.click(await screen.findByTestId(testIds.backups.drill));
  expect(screen.getByTestId(testIds.backups.confirm)).toHaveTextContent('No running member is touched');
  await userEvent.click(confirmDialog(testIds.backups.confirm).getByRole('button', { name: 'Start' }));
  await waitFor(() => expect(t.streams.some((s) => s.path === '/jobs/j4/events')).toBe(true));
  expect(t.calls.find((c) => c.method === 'POST')?.opts.body).toMatchObject({
    kind: 'backup-drill',
    parameters: { location: 'local', name: good.name },
  });
  act(() => {
    t.emit('/jobs/j4/events', {
      event: 'job',
      data: JSON.stringify({ ...job, status: 'failed', error: 'drill: restored member: hash_kv 1, want 12345' }),
    });
  });
  expect(screen.getByTestId(testIds.backups.jobOutcome('j4'))).toHaveTextContent(
    'drill: restored member: hash_kv 1, want 12345'
  );

  t.answers['POST /jobs'] = new ApiError('role viewer may not enqueue backup-verify jobs: needs admin', 403, 'r7');
  await userEvent.click(screen.getByTestId(testIds.backups.verify));
  await userEvent.click(confirmDialog(testIds.backups.confirm).getByRole('button', { name: 'Start' }));
  expect(await screen.findByTestId(testIds.backups.startError)).toHaveTextContent(
    'role viewer may not enqueue backup-verify jobs: needs admin (request r7)'
  );
});

test('a restore is refused in the form until it is whole, then confirmed as a NEW directory and started as a job', async () => {
  const t = answers();
  const job: Job = { id: 'j5', kind: 'backup-restore', cluster: 'prod', status: 'queued' };
  t.answers['POST /jobs'] = job;
  renderAt(t, `/backups?cluster=prod&location=local&backup=${encodeURIComponent(good.name)}`);
  await userEvent.click(await screen.findByTestId(testIds.backups.restore));
  const form = within(screen.getByTestId(testIds.backups.restoreForm));
  const field = (label: RegExp) => form.getByLabelText(label, { selector: 'input' });
  expect(field(/^Data directory/)).toHaveFocus();
  expect(screen.getByTestId(testIds.backups.restoreForm)).toHaveTextContent('never touches a running member');

  await fill(field(/^Data directory/), '../etc');
  await userEvent.click(form.getByRole('button', { name: 'Restore…' }));
  expect(screen.getByTestId(testIds.backups.restoreProblem)).toHaveTextContent(/^Data directory:/);
  await userEvent.clear(field(/^Data directory/));
  await fill(field(/^Data directory/), 'infra1-restored');
  await fill(field(/^Member name/), 'infra1');
  await fill(field(/^Peer URLs/), 'https://infra1:2380');
  await fill(field(/^Bump revision/), '1000000');
  await userEvent.click(form.getByRole('button', { name: 'Restore…' }));
  expect(screen.getByTestId(testIds.backups.restoreProblem)).toHaveTextContent(/^Mark compacted: required/);
  await userEvent.click(form.getByRole('checkbox', { name: /^Mark compacted/ }));
  await userEvent.click(form.getByRole('button', { name: 'Restore…' }));

  const confirm = screen.getByTestId(testIds.backups.restoreConfirm);
  expect(confirm).toHaveTextContent('writes a NEW data directory infra1-restored');
  expect(confirm).toHaveTextContent('It never touches a running member');
  expect(confirm).toHaveTextContent('bumped by 1000000 and marked compacted');
  expect(t.calls.some((c) => c.method === 'POST')).toBe(false);
  await userEvent.click(
    confirmDialog(testIds.backups.restoreConfirm).getByRole('button', { name: 'Write the new directory' })
  );
  await waitFor(() => expect(t.streams.some((s) => s.path === '/jobs/j5/events')).toBe(true));
  expect(t.calls.find((c) => c.method === 'POST')?.opts.body).toMatchObject({
    kind: 'backup-restore',
    cluster: 'prod',
    parameters: {
      location: 'local',
      name: good.name,
      data_dir: 'infra1-restored',
      member_name: 'infra1',
      initial_cluster: 'infra1=https://infra1:2380',
      initial_advertise_peer_urls: ['https://infra1:2380'],
      bump_revision: 1000000,
      mark_compacted: true,
    },
  });
  act(() => {
    t.emit('/jobs/j5/events', {
      event: 'job',
      data: JSON.stringify({
        ...job,
        status: 'succeeded',
        result: { name: good.name, data_dirs: { infra1: '/var/lib/restores/infra1-restored' } },
      }),
    });
  });
  expect(screen.getByTestId(testIds.backups.jobOutcome('j5'))).toHaveTextContent(
    'Wrote the new data directory /var/lib/restores/infra1-restored.'
  );
});

test('an unverified backup is neither drilled nor restored', async () => {
  renderAt(answers(), `/backups?cluster=prod&location=local&backup=${encodeURIComponent(bad.name)}`);
  await screen.findByTestId(testIds.backups.verify);
  // Disabled with a tooltip that says why (Grafana's buttons with a tooltip stay focusable).
  expect(screen.getByTestId(testIds.backups.restore)).toHaveAttribute('aria-disabled', 'true');
  expect(screen.getByTestId(testIds.backups.drill)).toHaveAttribute('aria-disabled', 'true');
  expect(screen.getByTestId(testIds.backups.verify)).toBeEnabled();
  await userEvent.click(screen.getByTestId(testIds.backups.restore));
  await userEvent.click(screen.getByTestId(testIds.backups.drill));
  expect(screen.queryByTestId(testIds.backups.restoreForm)).not.toBeInTheDocument();
  expect(screen.queryByTestId(testIds.backups.confirm)).not.toBeInTheDocument();
});

test('the console downloads through its transport; Grafana offers a link', async () => {
  const blob = new Blob(['snapshot']);
  const t = answers({ [`DOWNLOAD /clusters/prod/backups/local/${encodeURIComponent(good.name)}/download`]: blob });
  const created = jest.fn(() => 'blob:x');
  const revoked = jest.fn();
  Object.assign(URL, { createObjectURL: created, revokeObjectURL: revoked });
  const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
  renderAt(t, `/backups?cluster=prod&location=local&backup=${encodeURIComponent(good.name)}`);
  await userEvent.click(await screen.findByTestId(testIds.backups.download));
  await waitFor(() => expect(created).toHaveBeenCalledWith(blob));
  expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe('prod-2.db');
  await waitFor(() => expect(revoked).toHaveBeenCalledWith('blob:x'));
  click.mockRestore();

  t.answers[`DOWNLOAD /clusters/prod/backups/local/${encodeURIComponent(good.name)}/download`] = new ApiError(
    'backups location local: gone',
    502
  );
  await userEvent.click(screen.getByTestId(testIds.backups.download));
  expect(await screen.findByTestId(testIds.backups.downloadError)).toHaveTextContent('backups location local: gone');
});

test('in Grafana the download is a link', async () => {
  const t = fakeTransport({ ...answers().answers }, '/api/plugins/app/resources/api/v1');
  renderAt(t, `/backups?cluster=prod&location=local&backup=${encodeURIComponent(good.name)}`);
  const link = await screen.findByTestId(testIds.backups.download);
  expect(link).toHaveAttribute(
    'href',
    `/api/plugins/app/resources/api/v1/clusters/prod/backups/local/${encodeURIComponent(good.name)}/download?`
  );
  expect(link).toHaveAttribute('download', 'prod-2.db');
});

test('each part shows its error with a Retry that works from the keyboard', async () => {
  const t = answers({ 'GET /clusters/prod/backup-locations': new ApiError('store unavailable', 503, 'r1') });
  renderAt(t);
  expect(await screen.findByTestId(testIds.backups.locationsError)).toHaveTextContent('store unavailable (request r1)');
  t.answers['GET /clusters/prod/backup-locations'] = { locations: [local] };
  t.answers['GET /clusters/prod/backups'] = new ApiError(
    'location local: dir /var/backups/etcd: permission denied',
    502
  );
  screen.getByTestId(testIds.backups.locationsRetry).focus();
  await userEvent.keyboard('{Enter}');
  expect(await screen.findByTestId(testIds.backups.listError)).toHaveTextContent('permission denied');
  t.answers['GET /clusters/prod/backups'] = { backups: [good] };
  screen.getByTestId(testIds.backups.listRetry).focus();
  await userEvent.keyboard('{Enter}');
  expect(await screen.findByTestId(testIds.backups.row(good.name))).toBeInTheDocument();

  t.answers[`GET /clusters/prod/backups/local/${encodeURIComponent(good.name)}`] = new ApiError('etcd is gone', 502);
  await userEvent.click(screen.getByTestId(testIds.backups.open(good.name)));
  expect(await screen.findByTestId(testIds.backups.detailError)).toHaveTextContent('etcd is gone');
  t.answers[`GET /clusters/prod/backups/local/${encodeURIComponent(good.name)}`] = detail;
  await userEvent.click(screen.getByTestId(testIds.backups.detailRetry));
  expect(await screen.findByTestId(testIds.backups.record)).toBeInTheDocument();
});

test('loading, no location and no backups are said', async () => {
  const t = answers({ 'GET /clusters/prod/backup-locations': () => new Promise(() => undefined) });
  renderAt(t);
  expect(await screen.findByTestId(testIds.backups.locationsLoading)).toBeInTheDocument();

  renderAt(answers({ 'GET /clusters/prod/backup-locations': {} }));
  expect(await screen.findByTestId(testIds.backups.noLocations)).toHaveTextContent('backups.clusters.prod');
});

test('someone who is not an admin is told so and nothing of backups is read', async () => {
  const t = answers();
  renderAt(t, '/backups?cluster=prod', false);
  expect(await screen.findByTestId(testIds.backups.notAdmin)).toHaveTextContent('only an admin');
  expect(t.calls.filter((c) => c.path.includes('backup'))).toEqual([]);
});

test('the restore form checks every field and names it', () => {
  const f: RestoreFields = {
    dataDir: 'new',
    memberName: 'm1',
    peerUrls: 'https://m1:2380, https://m1b:2380',
    initialCluster: '',
    initialClusterToken: '',
    bumpRevision: '',
    markCompacted: false,
  };
  expect(validateBackupRestore(f)).toEqual({
    data_dir: 'new',
    member_name: 'm1',
    initial_cluster: 'm1=https://m1:2380',
    initial_advertise_peer_urls: ['https://m1:2380', 'https://m1b:2380'],
  });
  expect(validateBackupRestore({ ...f, dataDir: '.hidden' })).toMatch(/^Data directory:/);
  expect(validateBackupRestore({ ...f, dataDir: 'a/b' })).toMatch(/^Data directory:/);
  expect(validateBackupRestore({ ...f, memberName: ' ' })).toBe('Member name: must not be empty');
  expect(validateBackupRestore({ ...f, peerUrls: '' })).toBe('Peer URLs: must not be empty');
  expect(validateBackupRestore({ ...f, peerUrls: 'm1:2380' })).toMatch(/^Peer URLs: m1:2380 is not/);
  expect(validateBackupRestore({ ...f, bumpRevision: '-1' })).toMatch(/^Bump revision:/);
  expect(validateBackupRestore({ ...f, bumpRevision: '1.5' })).toMatch(/^Bump revision:/);
  expect(validateBackupRestore({ ...f, markCompacted: true })).toBe('Mark compacted: only with a revision bump');
  expect(
    validateBackupRestore({ ...f, initialCluster: 'm1=https://m1:2380,m2=https://m2:2380', initialClusterToken: 't1' })
  ).toMatchObject({ initial_cluster: 'm1=https://m1:2380,m2=https://m2:2380', initial_cluster_token: 't1' });
  expect(validateBackupRestore({ ...f, initialCluster: 'm2=https://m2:2380' })).toBe(
    'Initial cluster: does not list member m1'
  );
  expect(validateBackupRestore({ ...f, initialCluster: 'm1' })).toBe(
    'Initial cluster: m1 is not name=http(s)://host:port'
  );
});
