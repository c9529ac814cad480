import { createApi } from './client';
import { fakeTransport } from './fakeTransport';

describe('whoami', () => {
  test('answers the principal opsproxy sees', async () => {
    const principal = {
      user: 'alice',
      token_id: 't1',
      role: 'editor',
      clusters: ['c1'],
      key_prefixes: ['/a/'],
      acts_for_users: true,
    };
    const t = fakeTransport({ 'GET /whoami': principal });
    expect(await createApi(t).whoami()).toEqual(principal);
  });

  test('fills in what an older opsproxy leaves out with the least it can mean', async () => {
    const t = fakeTransport({ 'GET /whoami': { user: 'bob', token_id: 't2' } });
    expect(await createApi(t).whoami()).toEqual({
      user: 'bob',
      token_id: 't2',
      role: 'viewer',
      clusters: [],
      key_prefixes: [],
      acts_for_users: false,
    });
  });
});
