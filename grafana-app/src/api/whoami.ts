import type { Transport } from './transport';

export type Role = 'viewer' | 'editor' | 'admin';

// Whoami is the principal as opsproxy sees a request: the end user, the token's id, the
// effective role (the lower one when a service token acts for a Grafana user) and the token's
// scope (empty: all clusters, all key prefixes). It never carries a secret.
export type Whoami = {
  user: string;
  token_id: string;
  role: Role;
  clusters: string[];
  key_prefixes: string[];
  acts_for_users: boolean;
};

// whoamiApi is the part of the API client that asks opsproxy who the caller is.
export function whoamiApi(t: Transport) {
  return {
    async whoami(): Promise<Whoami> {
      const r = await t.request<Partial<Whoami>>('GET', '/whoami');
      const w = r.json ?? {};
      return {
        user: w.user ?? '',
        token_id: w.token_id ?? '',
        role: w.role ?? 'viewer',
        clusters: w.clusters ?? [],
        key_prefixes: w.key_prefixes ?? [],
        acts_for_users: w.acts_for_users ?? false,
      };
    },
  };
}
