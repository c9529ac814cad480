import { createApi } from './client';
import { fakeTransport } from './fakeTransport';
import { ApiError } from './transport';

describe('maintenance API', () => {
  test('reads the current revision from a count-only read’s header', async () => {
    const t = fakeTransport({ 'GET /clusters/a%2Fb/keys': { header: { revision: 77 }, count: 1 } });
    expect(await createApi(t).currentRevision('a/b')).toBe(77);
    expect(t.calls[0].opts.query).toEqual({ key: 'health', count_only: 'true' });
  });

  test('compacts to a revision or keeping the last N, physical when asked', async () => {
    const t = fakeTransport({ 'POST /clusters/prod/compact': { compacted_to: 90, header: { revision: 100 } } });
    const api = createApi(t);
    expect(await api.compact('prod', { keep: 10 }, true)).toEqual({ compacted_to: 90, revision: 100 });
    expect(t.calls[0].opts.body).toEqual({ keep: 10, physical: true });
    await api.compact('prod', { revision: 90 }, false);
    expect(t.calls[1].opts.body).toEqual({ revision: 90, physical: false });
  });

  test('asks for the defragmentation plan as a dry run', async () => {
    const t = fakeTransport({ 'POST /clusters/prod/defragment': { dry_run: true, steps: [{ member: 'm1' }] } });
    expect(await createApi(t).defragPlan('prod')).toEqual([{ member: 'm1' }]);
    expect(t.calls[0].opts.body).toEqual({ dry_run: true });
    expect(await createApi(fakeTransport({ 'POST /clusters/prod/defragment': {} })).defragPlan('prod')).toEqual([]);
  });

  test('lists snapshots, reads one’s status and restores it; a refusal is thrown', async () => {
    const t = fakeTransport({
      'GET /snapshots': {},
      'GET /snapshots/a%20b.db': { name: 'a b.db', size: 1, status: { revision: 5 } },
      'POST /snapshots/a%20b.db/restore': { data_dir: '/r/d1', name: 'm1' },
    });
    const api = createApi(t);
    expect(await api.listSnapshots()).toEqual([]);
    expect((await api.snapshotStatus('a b.db')).status?.revision).toBe(5);
    const req = { data_dir: 'd1', name: 'm1', initial_advertise_peer_urls: ['https://m1:2380'] };
    expect((await api.restoreSnapshot('a b.db', req)).data_dir).toBe('/r/d1');
    expect(t.calls[2].opts.body).toEqual(req);

    t.answers['POST /snapshots/a%20b.db/restore'] = new ApiError('data_dir "d1" already exists', 409, 'r3');
    await expect(api.restoreSnapshot('a b.db', req)).rejects.toMatchObject({ status: 409 });
  });
});
