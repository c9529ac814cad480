import { ApiError, type RequestOptions } from '../../api';
import type { KeyValue } from '../../api/keys';
import { base64ToBytes, bytesToBase64, utf8Bytes, utf8Text } from './bytes';
import { prefixEnd } from './keyspace';

// For the Keys page's tests: answers for the fake transport that keep a small keyspace and
// answer opsproxy's keys calls as opsproxy does (ranges in key order, limit and continue, a
// single key, encoding=base64, keys/cas with 409 on a changed mod revision, prefix delete).

type Entry = { bytes: Uint8Array; create: number; mod: number; version: number };

export type Keyspace = {
  revision: number;
  entries: Map<string, Entry>;
  put: (key: string, value: string | Uint8Array) => void;
  answers: (cluster: string) => Record<string, (opts: RequestOptions) => unknown>;
};

function kvOf(key: string, e: Entry, keysOnly: boolean, base64: boolean): KeyValue {
  const kv: KeyValue = { key, create_revision: e.create, mod_revision: e.mod, version: e.version };
  if (!keysOnly) {
    const text = utf8Text(e.bytes);
    if (base64 || text === undefined) {
      kv.value_base64 = bytesToBase64(e.bytes);
    } else {
      kv.value = text;
    }
  }
  return kv;
}

export function keyspace(initial: Record<string, string | Uint8Array> = {}): Keyspace {
  const ks: Keyspace = {
    revision: 1,
    entries: new Map(),
    put(key, value) {
      ks.revision++;
      const old = ks.entries.get(key);
      ks.entries.set(key, {
        bytes: typeof value === 'string' ? utf8Bytes(value) : value,
        create: old?.create ?? ks.revision,
        mod: ks.revision,
        version: (old?.version ?? 0) + 1,
      });
    },
    answers(cluster) {
      const base = `/clusters/${cluster}/keys`;
      return {
        [`GET ${base}`]: ({ query = {} }) => {
          const key = String(query.key ?? '');
          const limit = Number(query.limit ?? 0);
          if (query.revision && Number(query.revision) < 2) {
            throw new ApiError(`etcdserver: mvcc: required revision has been compacted`, 410, 'req-410');
          }
          const keysOnly = query.keys_only === 'true';
          const base64 = query.encoding === 'base64';
          if (query.prefix !== 'true' && query.range_end === undefined) {
            const e = ks.entries.get(key);
            return {
              header: { revision: ks.revision },
              kvs: e ? [kvOf(key, e, keysOnly, base64)] : [],
              count: e ? 1 : 0,
            };
          }
          let start = key;
          const end = query.prefix === 'true' ? (key === '' ? '\0' : prefixEnd(key)) : String(query.range_end);
          if (query.continue) {
            start = String(query.continue).slice('next:'.length);
          }
          const all = [...ks.entries.keys()].sort().filter((k) => k >= start && (end === '\0' || k < end));
          const page = limit > 0 ? all.slice(0, limit) : all;
          const more = page.length < all.length;
          return {
            header: { revision: ks.revision },
            kvs: page.map((k) => kvOf(k, ks.entries.get(k)!, keysOnly, base64)),
            count: all.length,
            more,
            continue: more && query.range_end === undefined ? `next:${page[page.length - 1]}\0` : undefined,
          };
        },
        [`POST ${base}/cas`]: ({ body }) => {
          const b = body as {
            key: string;
            mod_revision: number;
            value?: string;
            value_base64?: string;
            delete?: boolean;
          };
          const current = ks.entries.get(b.key)?.mod ?? 0;
          if (current !== b.mod_revision) {
            throw new ApiError(
              `compare failed: mod_revision of the key is ${current}, not ${b.mod_revision}`,
              409,
              'req-409'
            );
          }
          if (b.delete) {
            ks.revision++;
            ks.entries.delete(b.key);
          } else {
            ks.put(b.key, b.value_base64 !== undefined ? base64ToBytes(b.value_base64) : (b.value ?? ''));
          }
          return { header: { revision: ks.revision }, succeeded: true };
        },
        [`DELETE ${base}`]: ({ query = {} }) => {
          const key = String(query.key);
          const gone = [...ks.entries.keys()].filter((k) => k.startsWith(key));
          gone.forEach((k) => ks.entries.delete(k));
          ks.revision++;
          return { header: { revision: ks.revision }, deleted: gone.length };
        },
      };
    },
  };
  for (const [k, v] of Object.entries(initial)) {
    ks.put(k, v);
  }
  return ks;
}
