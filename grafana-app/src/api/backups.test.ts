import { onRefusedToken } from '../console/refusals';
import type { BackupLocation, BackupSummary } from './backups';
import { createApi } from './client';
import { consoleTransport } from './consoleTransport';
import { fakeTransport } from './fakeTransport';
import { ApiError } from './transport';

const location: BackupLocation = {
  name: 'local',
  kind: 'dir',
  where: 'dir /var/backups/etcd',
  encrypted: true,
  external: false,
  schedule: '0 */6 * * *',
  max_age_seconds: 46800,
  retention: { count: 14, max_age_seconds: 2592000 },
};

const summary: BackupSummary = {
  location: 'local',
  name: 'prod-20261206T100000Z.db.age',
  size: 2048,
  snapshot_size: 1900,
  created_at: '2026-12-06T10:00:00Z',
  encrypted: true,
  external: false,
  revision: 42,
  key_count: 7,
  verified: { ok: true, at: '2026-12-06T10:00:05Z' },
  drill: null,
  job_id: 'j1',
};

describe('backups API', () => {
  test('lists locations, backups and events with only the filters set; an empty answer is an empty list', async () => {
    const t = fakeTransport({
      'GET /clusters/prod%2Fa/backup-locations': { locations: [location] },
      'GET /clusters/prod/backups': { backups: [summary] },
      'GET /clusters/prod/backup-events': { events: [{ id: 'e1', kind: 'backup', ok: true }] },
    });
    const api = createApi(t);
    expect(await api.listBackupLocations('prod/a')).toEqual([location]);
    expect(await api.listBackups('prod', { location: 'local', limit: 5 })).toEqual([summary]);
    expect(t.calls[1].opts.query).toEqual({ location: 'local', limit: 5 });
    await api.listBackups('prod');
    expect(t.calls[2].opts.query).toEqual({ location: undefined, limit: undefined });
    expect(await api.listBackupEvents('prod', { location: 'local', kind: 'drill' })).toHaveLength(1);
    expect(t.calls[3].opts.query).toEqual({ location: 'local', kind: 'drill', limit: undefined });
    t.answers['GET /clusters/prod/backups'] = {};
    t.answers['GET /clusters/prod%2Fa/backup-locations'] = {};
    expect(await api.listBackups('prod')).toEqual([]);
    expect(await api.listBackupLocations('prod/a')).toEqual([]);
  });

  test('reads one backup with its record and events, the names escaped', async () => {
    const t = fakeTransport({
      'GET /clusters/prod/backups/s3%20eu/a%2Fb.db': { ...summary, record: null },
    });
    const detail = await createApi(t).getBackup('prod', 's3 eu', 'a/b.db');
    expect(detail.events).toEqual([]);
    expect(detail.record).toBeNull();
    expect(detail.name).toBe(summary.name);
  });

  test('a download is a link where the transport allows links, and a read into the browser otherwise', async () => {
    const linked = createApi(fakeTransport({}, 'https://grafana/api/plugins/x/resources/api/v1'));
    expect(linked.backupDownloadHref('prod', 'local', 'b 1')).toBe(
      'https://grafana/api/plugins/x/resources/api/v1/clusters/prod/backups/local/b%201/download?'
    );
    const blob = new Blob(['snapshot']);
    const t = fakeTransport({ 'DOWNLOAD /clusters/prod/backups/local/b1/download': blob });
    const api = createApi(t);
    expect(api.backupDownloadHref('prod', 'local', 'b1')).toBeUndefined();
    expect(await api.downloadBackup('prod', 'local', 'b1')).toBe(blob);
    const { download: _none, ...noDownload } = fakeTransport({});
    await expect(createApi(noDownload).downloadBackup('prod', 'local', 'b1')).rejects.toMatchObject({ status: 0 });
  });

  test('a refusal is thrown with its status and request id', async () => {
    const t = fakeTransport({
      'GET /clusters/prod/backup-locations': new ApiError('role viewer may not read backups: needs admin', 403, 'r9'),
    });
    await expect(createApi(t).listBackupLocations('prod')).rejects.toMatchObject({ status: 403, requestId: 'r9' });
  });
});

describe('consoleTransport downloads', () => {
  test('sends the token in the header, never in the URL, and answers the body as a Blob', async () => {
    const blob = new Blob(['snapshot bytes']);
    const f = jest.fn().mockResolvedValue({ ok: true, status: 200, blob: async () => blob });
    const t = consoleTransport('https://ops:9980', 's3cret', f);
    expect(await t.download!('/clusters/p/backups/l/b/download')).toBe(blob);
    const [url, init] = f.mock.calls[0];
    expect(url).toBe('https://ops:9980/api/v1/clusters/p/backups/l/b/download');
    expect(url).not.toContain('s3cret');
    expect(init.headers.Authorization).toBe('Bearer s3cret');
  });

  test('throws opsproxy’s error, and tells the console when the token was refused', async () => {
    const f = jest.fn().mockResolvedValue({
      ok: false,
      status: 401,
      statusText: 'Unauthorized',
      text: async () => '{"error":"token revoked","request_id":"r1"}',
    });
    const refused = jest.fn();
    const t = onRefusedToken(consoleTransport('https://ops', 'tok', f), refused);
    await expect(t.download!('/x')).rejects.toEqual(new ApiError('token revoked', 401, 'r1'));
    expect(refused).toHaveBeenCalledTimes(1);
    const down = consoleTransport('https://ops', 'tok', jest.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    await expect(down.download!('/x')).rejects.toMatchObject({
      status: 0,
      message: 'opsproxy did not answer: Failed to fetch',
    });
  });
});
