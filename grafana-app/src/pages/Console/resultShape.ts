import { base64ToBytes, hexOf, utf8Text } from '../Keys/bytes';

// The shapes of etcdctl's -w json results the structured view shows as tables: a range's kvs
// (keys and values in base64, as etcdctl prints them) and a member list.

export type KvRow = {
  key: string;
  value?: string;
  create_revision?: number;
  mod_revision?: number;
  version?: number;
  lease?: string;
};

export type MemberRow = { id: string; name: string; peerURLs: string[]; clientURLs: string[]; isLearner: boolean };

// MAX_CELL bounds the characters of a value a table cell shows.
export const MAX_CELL = 200;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// bytesText shows base64 bytes as text when they are UTF-8, else as hex; not base64: as given.
export function bytesText(b64: unknown): string | undefined {
  if (typeof b64 !== 'string') {
    return undefined;
  }
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(b64);
  } catch {
    return b64;
  }
  const text = utf8Text(bytes);
  const shown = text ?? `0x${hexOf(bytes).replace(/ /g, '')}`;
  return shown.length > MAX_CELL ? `${shown.slice(0, MAX_CELL)}… (${shown.length} characters)` : shown;
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

// kvRows are the result's kvs, or undefined when it has none to show.
export function kvRows(result: unknown): KvRow[] | undefined {
  if (!isObj(result) || !Array.isArray(result.kvs)) {
    return undefined;
  }
  return result.kvs.filter(isObj).map((kv) => ({
    key: bytesText(kv.key) ?? '',
    value: bytesText(kv.value),
    create_revision: num(kv.create_revision),
    mod_revision: num(kv.mod_revision),
    version: num(kv.version),
    lease: kv.lease ? idHex(kv.lease) : undefined,
  }));
}

// idHex writes a member's or a lease's ID in hex as etcdctl's text does. A JSON number above 2^53
// has lost its last digits on the way into JavaScript, so it is not shown as if it were exact.
export function idHex(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    return v.toString(16);
  }
  return typeof v === 'number' ? '(beyond JavaScript’s precision: see the text)' : '';
}

const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

// memberRows are the result's members, or undefined when it has none.
export function memberRows(result: unknown): MemberRow[] | undefined {
  if (!isObj(result) || !Array.isArray(result.members)) {
    return undefined;
  }
  return result.members.filter(isObj).map((m) => ({
    id: idHex(m.ID),
    name: typeof m.name === 'string' ? m.name : '',
    peerURLs: strings(m.peerURLs),
    clientURLs: strings(m.clientURLs),
    isLearner: m.isLearner === true,
  }));
}
