import { consoleTransport } from './consoleTransport';
import { fakeTransport } from './fakeTransport';
import { keysApi } from './keys';
import { ApiError } from './transport';

// A fetch that records what the console transport sends and answers status and body.
function recordingFetch(status: number, body: unknown) {
  const sent: Array<{ url: string; init?: RequestInit }> = [];
  const fetchFn = (async (url: string, init?: RequestInit) => {
    sent.push({ url, init });
    return { ok: status < 300, status, statusText: '', text: async () => JSON.stringify(body) };
  }) as unknown as typeof fetch;
  return { sent, fetchFn };
}

describe('keys API', () => {
  test('reads a key with every byte in base64, at a revision when given', async () => {
    const t = fakeTransport({
      'GET /clusters/prod/keys': { kvs: [{ key: '/a', value_base64: '/w==', mod_revision: 3 }] },
    });
    const api = keysApi(t);
    expect(await api.getKey('prod', '/a', 7)).toMatchObject({ key: '/a', value_base64: '/w==' });
    expect(t.calls[0].opts.query).toEqual({ key: '/a', revision: 7, encoding: 'base64' });
    await api.getKey('prod', '/a');
    expect(t.calls[1].opts.query).toEqual({ key: '/a', revision: undefined, encoding: 'base64' });
    t.answers['GET /clusters/prod/keys'] = { kvs: [] };
    expect(await api.getKey('prod', '/gone')).toBeUndefined();
  });

  test('pages key names with continue', async () => {
    const t = fakeTransport({
      'GET /clusters/prod/keys': { header: { revision: 9 }, kvs: [{ key: '/a' }], more: true, continue: 'tok' },
    });
    const page = await keysApi(t).listKeyNames('prod', '/', 500, 'prev');
    expect(page).toEqual({ kvs: [{ key: '/a' }], more: true, continueToken: 'tok', revision: 9 });
    expect(t.calls[0].opts.query).toEqual({
      key: '/',
      prefix: 'true',
      keys_only: 'true',
      limit: 500,
      continue: 'prev',
    });
  });

  test('sends key ranges as percent-encoded bytes, "\\0" included', async () => {
    const { sent, fetchFn } = recordingFetch(200, { kvs: [], more: false });
    const api = keysApi(consoleTransport('https://opsproxy:9980', 'secret-token', fetchFn));
    await api.scanKeyNames('a/b', '/registry/pods0', '\0', 16);
    expect(sent[0].url).toBe(
      'https://opsproxy:9980/api/v1/clusters/a%2Fb/keys?key=%2Fregistry%2Fpods0&range_end=%00&keys_only=true&limit=16'
    );
    // The token goes in the header, never in the URL.
    expect(sent[0].url).not.toContain('secret-token');
  });

  test('writes text or base64 with the mod revision to compare, and a changed key is a 409', async () => {
    const { sent, fetchFn } = recordingFetch(409, {
      error: 'compare failed: mod_revision of the key is 8, not 7',
      request_id: 'r-9',
    });
    const api = keysApi(consoleTransport('https://opsproxy:9980', 'secret-token', fetchFn));
    const err = await api.putKeyIfUnchanged('prod', '/a', 7, { base64: '/wA=' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, requestId: 'r-9' });
    expect(JSON.parse(String(sent[0].init?.body))).toEqual({ key: '/a', mod_revision: 7, value_base64: '/wA=' });

    const t = fakeTransport({
      'POST /clusters/prod/keys/cas': { header: { revision: 11 }, succeeded: true },
      'DELETE /clusters/prod/keys': { deleted: 4 },
    });
    const ok = keysApi(t);
    expect(await ok.putKeyIfUnchanged('prod', '/a', 0, { text: 'hi' })).toBe(11);
    expect(t.calls[0].opts.body).toEqual({ key: '/a', mod_revision: 0, value: 'hi' });
    await ok.deleteKeyIfUnchanged('prod', '/a', 11);
    expect(t.calls[1].opts.body).toEqual({ key: '/a', mod_revision: 11, delete: true });
    expect(await ok.deletePrefix('prod', '/app/')).toBe(4);
    expect(t.calls[2].opts.query).toEqual({ key: '/app/', prefix: 'true' });
  });
});
