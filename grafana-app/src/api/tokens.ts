import type { Transport } from './transport';

// opsproxy's API tokens (admin): /tokens. A token's secret is in the answer that creates it
// and nowhere else; the list never carries secrets.

export type TokenRole = 'viewer' | 'editor' | 'admin';

export type Token = {
  id: string;
  name: string;
  role: TokenRole;
  clusters?: string[];
  key_prefixes?: string[];
  acts_for_users?: boolean;
  created_at?: string;
  created_by?: string;
  expires_at?: string;
  revoked_at?: string;
};

// NewToken is what creating a token takes: empty clusters or key_prefixes mean all; expires_in
// is a duration such as 30d or 12h (unset: never expires).
export type NewToken = {
  name: string;
  role: TokenRole;
  clusters?: string[];
  key_prefixes?: string[];
  acts_for_users?: boolean;
  expires_in?: string;
};

export type CreatedToken = { token: Token; secret: string };

const c = encodeURIComponent;

export function tokensApi(t: Transport) {
  return {
    async listTokens(): Promise<Token[]> {
      const r = await t.request<{ tokens?: Token[] }>('GET', '/tokens');
      return r.json?.tokens ?? [];
    },
    // createToken answers the new token and its secret, which no later call shows again.
    async createToken(spec: NewToken): Promise<CreatedToken> {
      const body: NewToken = { name: spec.name, role: spec.role };
      if (spec.clusters?.length) {
        body.clusters = spec.clusters;
      }
      if (spec.key_prefixes?.length) {
        body.key_prefixes = spec.key_prefixes;
      }
      if (spec.acts_for_users) {
        body.acts_for_users = true;
      }
      if (spec.expires_in) {
        body.expires_in = spec.expires_in;
      }
      const r = await t.request<CreatedToken>('POST', '/tokens', { body });
      return r.json;
    },
    async revokeToken(id: string): Promise<Token | undefined> {
      const r = await t.request<{ token?: Token }>('DELETE', `/tokens/${c(id)}`);
      return r.json?.token;
    },
  };
}
