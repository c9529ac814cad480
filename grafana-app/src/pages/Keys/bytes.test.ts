import { base64ToBytes, bytesToBase64, hexDump, hexOf, parseHex, utf8Bytes, utf8Text } from './bytes';

describe('bytes', () => {
  it('round-trips every byte through base64 and hex', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    expect(base64ToBytes(bytesToBase64(all))).toEqual(all);
    expect(parseHex(hexOf(all))).toEqual(all);
  });

  it('tells UTF-8 from other bytes', () => {
    expect(utf8Text(utf8Bytes('héllo ✓'))).toBe('héllo ✓');
    expect(utf8Text(new Uint8Array([0xff, 0xfe]))).toBeUndefined();
  });

  it('names what is wrong with hex input', () => {
    expect(() => parseHex('ab c')).toThrow('value: 3 hex digits, want an even number (two per byte)');
    expect(() => parseHex('ab zz')).toThrow('value: "z" is not a hex digit (digit 3)');
    expect(parseHex(' de AD\nbe ef ')).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
  });

  it('dumps hex with offsets and printable characters', () => {
    expect(hexDump(new Uint8Array([0x41, 0x00, 0xff]))).toBe(`00000000  41 00 ff${' '.repeat(39)}  |A..|`);
  });
});
