import { bytesText, kvRows, MAX_CELL, idHex, memberRows } from './resultShape';

describe('structured results', () => {
  test('kvs: keys and values decoded from base64, bytes that are not UTF-8 in hex', () => {
    const result = {
      header: { revision: 9 },
      kvs: [
        { key: btoa('/foo'), value: btoa('bar'), create_revision: 2, mod_revision: 9, version: 3 },
        { key: btoa('/bin'), value: btoa('\xff\x00'), lease: 7 },
      ],
      count: 2,
    };
    expect(kvRows(result)).toEqual([
      { key: '/foo', value: 'bar', create_revision: 2, mod_revision: 9, version: 3 },
      { key: '/bin', value: '0xff00', lease: '7' },
    ]);
    expect(kvRows({ header: {} })).toBeUndefined();
    expect(kvRows(null)).toBeUndefined();
  });

  test('long values are cut with their length; text that is not base64 is shown as given', () => {
    const long = bytesText(btoa('x'.repeat(MAX_CELL + 1)));
    expect(long).toBe(`${'x'.repeat(MAX_CELL)}… (${MAX_CELL + 1} characters)`);
    expect(bytesText('not base64!')).toBe('not base64!');
    expect(bytesText(5)).toBeUndefined();
  });

  test('members: IDs in hex, never a rounded one', () => {
    const rows = memberRows({
      members: [
        { ID: 0x8e9e05c52164694d, name: 'm1', peerURLs: ['http://a:2380'], clientURLs: ['http://a:2379'] },
        { ID: 0x1f, name: 'm2', isLearner: true },
      ],
    });
    expect(rows?.[0].id).toMatch(/precision/);
    expect(rows?.[1]).toEqual({ id: '1f', name: 'm2', peerURLs: [], clientURLs: [], isLearner: true });
    expect(idHex('8e9e05c52164694d')).toBe('8e9e05c52164694d');
    expect(memberRows({ kvs: [] })).toBeUndefined();
  });
});
