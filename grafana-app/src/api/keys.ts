import type { Transport } from './transport';

// A key-value pair as opsproxy answers it. Keys and values that are valid UTF-8 come as text
// (key, value), others as base64 (key_base64, value_base64); with encoding=base64 every value
// comes as value_base64. keys_only answers leave both value fields out.
export type KeyValue = {
  key?: string;
  key_base64?: string;
  value?: string;
  value_base64?: string;
  create_revision: number;
  mod_revision: number;
  version: number;
  lease?: number;
};

export type KeysHeader = { cluster_id?: string; member_id?: string; revision?: number; raft_term?: number };

// One page of a range read: pass continueToken back (with the same range) for the next page,
// which is read at the first page's revision.
export type KeyPage = { kvs: KeyValue[]; more: boolean; continueToken?: string; revision?: number };

// A value to write: text (sent as value) or raw bytes in base64 (sent as value_base64), so bytes
// that are not UTF-8 reach etcd unchanged.
export type ValueToWrite = { text: string } | { base64: string };

type GetAnswer = { header?: KeysHeader; kvs?: KeyValue[]; more?: boolean; continue?: string };

const c = encodeURIComponent;

function pageOf(r: GetAnswer | undefined): KeyPage {
  return {
    kvs: r?.kvs ?? [],
    more: r?.more ?? false,
    continueToken: r?.continue || undefined,
    revision: r?.header?.revision,
  };
}

function valueFields(v: ValueToWrite): { value?: string; value_base64?: string } {
  return 'text' in v ? { value: v.text } : { value_base64: v.base64 };
}

// keysApi is the Keys page's part of the API client: reads, paged range reads, and writes that
// compare the key's mod revision first (keys/cas), so a concurrent change is a 409, not lost.
export function keysApi(t: Transport) {
  return {
    // getKey reads one key with its value in base64 (encoding=base64), at revision when given
    // (0 or undefined: the latest). undefined when the key does not exist. opsproxy answers 410
    // for a compacted revision and 400 for a future one.
    async getKey(cluster: string, key: string, revision?: number): Promise<KeyValue | undefined> {
      const r = await t.request<GetAnswer>('GET', `/clusters/${c(cluster)}/keys`, {
        query: { key, revision: revision || undefined, encoding: 'base64' },
      });
      return r.json?.kvs?.[0];
    },
    // listKeyNames reads one page of the key names under prefix (keys_only, in key order).
    async listKeyNames(cluster: string, prefix: string, limit: number, continueToken?: string): Promise<KeyPage> {
      const r = await t.request<GetAnswer>('GET', `/clusters/${c(cluster)}/keys`, {
        query: { key: prefix, prefix: 'true', keys_only: 'true', limit, continue: continueToken },
      });
      return pageOf(r.json);
    },
    // scanKeyNames reads up to limit key names in [start, end), in key order (keys_only); an
    // end of "\0" means every key from start on. The tree's skip-scan is made of these.
    async scanKeyNames(cluster: string, start: string, end: string, limit: number): Promise<KeyPage> {
      const r = await t.request<GetAnswer>('GET', `/clusters/${c(cluster)}/keys`, {
        query: { key: start, range_end: end, keys_only: 'true', limit },
      });
      return pageOf(r.json);
    },
    // putKeyIfUnchanged writes key only while its mod revision is still modRevision (0: only
    // when the key does not exist yet); a 409 ApiError says it changed.
    async putKeyIfUnchanged(cluster: string, key: string, modRevision: number, value: ValueToWrite): Promise<number> {
      const r = await t.request<{ header?: KeysHeader }>('POST', `/clusters/${c(cluster)}/keys/cas`, {
        body: { key, mod_revision: modRevision, ...valueFields(value) },
      });
      return r.json?.header?.revision ?? 0;
    },
    // deleteKeyIfUnchanged deletes key only while its mod revision is still modRevision.
    async deleteKeyIfUnchanged(cluster: string, key: string, modRevision: number): Promise<void> {
      await t.request('POST', `/clusters/${c(cluster)}/keys/cas`, {
        body: { key, mod_revision: modRevision, delete: true },
      });
    },
    // deletePrefix deletes every key under prefix and answers how many were deleted.
    async deletePrefix(cluster: string, prefix: string): Promise<number> {
      const r = await t.request<{ deleted?: number }>('DELETE', `/clusters/${c(cluster)}/keys`, {
        query: { key: prefix, prefix: 'true' },
      });
      return r.json?.deleted ?? 0;
    },
  };
}
