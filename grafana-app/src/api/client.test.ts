import { of, throwError } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import { createApi } from './client';
import { consoleTransport } from './consoleTransport';
import { fakeTransport } from './fakeTransport';
import { grafanaTransport } from './grafanaTransport';
import { ApiError } from './transport';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

describe('API client', () => {
  test('lists clusters and a cluster’s endpoints, members and alarms', async () => {
    const t = fakeTransport({
      'GET /clusters': { clusters: [{ name: 'prod', reachable: true, revision: 7 }] },
      'GET /clusters/a%2Fb/endpoints': { healthy: 2, total: 3, endpoints: [{ endpoint: 'e1', healthy: true }] },
      'GET /clusters/prod/members': { members: [{ id: '1', name: 'm1' }] },
      'GET /clusters/prod/alarms': {},
    });
    const api = createApi(t);
    expect(await api.listClusters()).toEqual([{ name: 'prod', reachable: true, revision: 7 }]);
    expect((await api.clusterEndpoints('a/b')).healthy).toBe(2);
    expect(await api.listMembers('prod')).toEqual([{ id: '1', name: 'm1' }]);
    expect(await api.listAlarms('prod')).toEqual([]);
  });

  test('adds a learner, promotes and removes a member, disarms alarms', async () => {
    const t = fakeTransport({
      'POST /clusters/prod/members': { member: { id: 'a4', is_learner: true }, members: [{ id: 'a4' }] },
      'POST /clusters/prod/members/a4/promote': { members: [{ id: 'a4' }] },
      'DELETE /clusters/prod/members/a4': { members: [] },
      'DELETE /clusters/prod/alarms': { disarmed: [{ member_id: 'a2', alarm: 'NOSPACE' }] },
    });
    const api = createApi(t);
    expect((await api.addLearner('prod', ['https://m4:2380'])).member).toEqual({ id: 'a4', is_learner: true });
    expect(t.calls[0].opts.body).toEqual({ peer_urls: ['https://m4:2380'] });
    expect((await api.promoteMember('prod', 'a4')).members).toEqual([{ id: 'a4' }]);
    expect((await api.removeMember('prod', 'a4')).members).toEqual([]);
    expect(await api.disarmAlarms('prod', { member_id: 'a2' })).toEqual([{ member_id: 'a2', alarm: 'NOSPACE' }]);
    expect(t.calls[3].opts.query).toEqual({ member_id: 'a2', alarm: undefined });
    expect(await createApi(fakeTransport({ 'DELETE /clusters/prod/alarms': {} })).disarmAlarms('prod')).toEqual([]);

    t.answers['POST /clusters/prod/members/a4/promote'] = new ApiError('learner not in sync', 409, 'r2');
    await expect(api.promoteMember('prod', 'a4')).rejects.toMatchObject({
      status: 409,
      message: 'learner not in sync',
    });
  });

  test('queries the audit log newest first with the filter and the cursor', async () => {
    const t = fakeTransport({ 'GET /audit': { records: [{ seq: 5, operation: 'kv.get' }], next: 5 } });
    const api = createApi(t);
    const page = await api.queryAudit({ user: 'alice', outcome: '', cluster: '' }, 42);
    expect(page.next).toBe(5);
    expect(t.calls[0].opts.query).toEqual(
      expect.objectContaining({ user: 'alice', order: 'desc', limit: 100, cursor: 42, outcome: '' })
    );
    const last = await createApi(fakeTransport({ 'GET /audit': { records: [] } })).queryAudit({});
    expect(last).toEqual({ records: [], next: undefined });
  });

  test('verifies the audit log and passes errors on', async () => {
    const t = fakeTransport({
      'GET /audit/verify': { ok: false, verification: { checked: 3, break: { seq: 2, reason: 'hash' } } },
    });
    expect((await createApi(t).verifyAudit()).verification?.break?.seq).toBe(2);
    t.answers['GET /audit/verify'] = new ApiError('admin role required', 403, 'r1');
    await expect(createApi(t).verifyAudit()).rejects.toMatchObject({ status: 403, requestId: 'r1' });
  });
});

describe('grafanaTransport', () => {
  beforeEach(() => jest.resetAllMocks());

  test('calls the plugin resources and answers the JSON', async () => {
    const fetch = jest.fn().mockReturnValue(of({ status: 200, data: { clusters: [] } }));
    (getBackendSrv as jest.Mock).mockReturnValue({ fetch });
    const r = await grafanaTransport().request('GET', '/audit', { query: { user: 'a b', cluster: '' } });
    expect(r).toEqual({ status: 200, json: { clusters: [] } });
    expect(fetch.mock.calls[0][0]).toMatchObject({
      url: '/api/plugins/etcdmonitor-etcd-app/resources/api/v1/audit?user=a+b',
      method: 'GET',
      showErrorAlert: false,
    });
  });

  test('throws opsproxy’s error with status and request id, or Grafana’s message', async () => {
    const fetch = jest
      .fn()
      .mockReturnValueOnce(
        throwError(() => ({
          status: 404,
          statusText: 'Not Found',
          data: { error: 'no cluster "x"', request_id: 'abc' },
        }))
      )
      .mockReturnValueOnce(throwError(() => ({ status: 500, data: { message: 'app not configured' } })));
    (getBackendSrv as jest.Mock).mockReturnValue({ fetch });
    const t = grafanaTransport();
    await expect(t.request('GET', '/clusters/x/members')).rejects.toEqual(new ApiError('no cluster "x"', 404, 'abc'));
    await expect(t.request('GET', '/clusters')).rejects.toMatchObject({ message: 'app not configured', status: 500 });
  });

  test('offers links to the resources', () => {
    expect(grafanaTransport().href('/audit', { format: 'csv', user: undefined })).toBe(
      '/api/plugins/etcdmonitor-etcd-app/resources/api/v1/audit?format=csv'
    );
  });
});

describe('consoleTransport', () => {
  function answer(status: number, body: string) {
    return jest.fn().mockResolvedValue({ ok: status < 300, status, statusText: 'x', text: async () => body });
  }

  test('sends the token in the Authorization header, never in the URL', async () => {
    const f = answer(200, '{"clusters":[]}');
    const t = consoleTransport('https://ops:9980/', 's3cret', f);
    const r = await t.request('POST', '/clusters/p/compact', { body: { revision: 3 }, query: { x: 1 } });
    expect(r.json).toEqual({ clusters: [] });
    const [url, init] = f.mock.calls[0];
    expect(url).toBe('https://ops:9980/api/v1/clusters/p/compact?x=1');
    expect(url).not.toContain('s3cret');
    expect(init.headers.Authorization).toBe('Bearer s3cret');
    expect(init.body).toBe('{"revision":3}');
    expect(t.href('/audit', { format: 'csv' })).toBeUndefined();
  });

  test('throws opsproxy’s error, and says when opsproxy did not answer', async () => {
    const t = consoleTransport('https://ops', 'tok', answer(401, '{"error":"token revoked","request_id":"r9"}'));
    await expect(t.request('GET', '/clusters')).rejects.toEqual(new ApiError('token revoked', 401, 'r9'));
    const down = consoleTransport('https://ops', 'tok', jest.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    await expect(down.request('GET', '/clusters')).rejects.toMatchObject({
      status: 0,
      message: 'opsproxy did not answer: Failed to fetch',
    });
    const html = consoleTransport('https://ops', 'tok', answer(502, '<html>bad gateway</html>'));
    await expect(html.request('GET', '/clusters')).rejects.toMatchObject({ status: 502, message: 'x' });
  });
});
