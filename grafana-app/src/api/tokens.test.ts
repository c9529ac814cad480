import { createApi } from './client';
import { fakeTransport } from './fakeTransport';
import { ApiError } from './transport';

describe('tokens API', () => {
  test('lists, creates with only the fields set, and revokes', async () => {
    const t = fakeTransport({
      'GET /tokens': { tokens: [{ id: 't1', name: 'ci', role: 'viewer' }] },
      'POST /tokens': { token: { id: 't2', name: 'ops', role: 'editor' }, secret: 'emt_new' },
      'DELETE /tokens/t%2F2': { token: { id: 't/2', name: 'ops', role: 'editor', revoked_at: '2026-12-06T10:00:00Z' } },
    });
    const api = createApi(t);
    expect(await api.listTokens()).toEqual([{ id: 't1', name: 'ci', role: 'viewer' }]);
    const created = await api.createToken({
      name: 'ops',
      role: 'editor',
      clusters: [],
      key_prefixes: ['/app/'],
      expires_in: '30d',
    });
    expect(created.secret).toBe('emt_new');
    expect(t.calls[1].opts.body).toEqual({ name: 'ops', role: 'editor', key_prefixes: ['/app/'], expires_in: '30d' });
    expect((await api.revokeToken('t/2'))?.revoked_at).toBe('2026-12-06T10:00:00Z');
    expect(await createApi(fakeTransport({ 'GET /tokens': {} })).listTokens()).toEqual([]);
  });

  test('a refusal is thrown with its status', async () => {
    const t = fakeTransport({ 'GET /tokens': new ApiError('admin role required', 403, 'r9') });
    await expect(createApi(t).listTokens()).rejects.toMatchObject({ status: 403, requestId: 'r9' });
  });
});
