import { createApi } from './client';
import type { DiskTestSummary } from './disktests';
import { fakeTransport } from './fakeTransport';
import { ApiError } from './transport';

const summary: DiskTestSummary = {
  id: 'd/1',
  cluster: 'prod',
  member: 'infra 0',
  job: 'j1',
  engine: 'native',
  profile: 'etcd',
  started_at: '2026-12-06T10:00:00Z',
  finished_at: '2026-12-06T10:00:20Z',
  verdict: 'pass',
  p50: 0.001,
  p99: 0.004,
  max: 0.02,
  iops: 900,
  threshold: 0.01,
  filesystem: 'ext4',
};

describe('disk tests API', () => {
  test('lists agents and results with only the filters set; an empty answer is an empty list', async () => {
    const t = fakeTransport({
      'GET /clusters/prod%2Fa/disk-agents': { agents: [{ member: 'infra0', url: 'https://h:9102', auth: 'basic' }] },
      'GET /disktests': { disktests: [summary] },
    });
    const api = createApi(t);
    expect(await api.listDiskAgents('prod/a')).toEqual([{ member: 'infra0', url: 'https://h:9102', auth: 'basic' }]);
    expect(await api.listDiskTests({ cluster: 'prod', limit: 5 })).toEqual([summary]);
    expect(t.calls[1].opts.query).toEqual({ cluster: 'prod', member: undefined, engine: undefined, limit: 5 });
    await api.listDiskTests({ cluster: 'prod', member: 'infra0', engine: 'fio' });
    expect(t.calls[2].opts.query).toMatchObject({ member: 'infra0', engine: 'fio' });
    t.answers['GET /disktests'] = {};
    expect(await api.listDiskTests({ cluster: 'prod' })).toEqual([]);
  });

  test('reads a result, compares it with a baseline or a result, and gets and sets baselines', async () => {
    const t = fakeTransport({
      'GET /disktests/d%2F1': { ...summary, result: { verdict: 'pass' } },
      'GET /disktests/d%2F1/compare': { verdict: 'unchanged' },
      'GET /clusters/prod/disk-baselines/infra%200': { member: 'infra 0', run: summary },
      'PUT /clusters/prod/disk-baselines/infra%200': { member: 'infra 0', run: summary },
    });
    const api = createApi(t);
    expect((await api.getDiskTest('d/1')).result.verdict).toBe('pass');
    await api.compareDiskTest('d/1', { baseline: 'infra 0' });
    expect(t.calls[1].opts.query).toEqual({ baseline: 'infra 0' });
    await api.compareDiskTest('d/1', { run: 'd2' });
    expect(t.calls[2].opts.query).toEqual({ against: 'd2' });
    expect((await api.getDiskBaseline('prod', 'infra 0')).run.id).toBe('d/1');
    await api.setDiskBaseline('prod', 'infra 0', 'd/1');
    expect(t.calls[4].opts.body).toEqual({ result_id: 'd/1' });
  });

  test('a refusal is thrown with its status and request id', async () => {
    const t = fakeTransport({ 'GET /clusters/prod/disk-agents': new ApiError('cluster prod: not found', 404, 'r9') });
    await expect(createApi(t).listDiskAgents('prod')).rejects.toMatchObject({ status: 404, requestId: 'r9' });
  });
});
