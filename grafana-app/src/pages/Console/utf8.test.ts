import { byteOffset, indexOfByte } from './utf8';

describe('UTF-8 offsets', () => {
  test('ASCII offsets are string indexes', () => {
    expect(byteOffset('get /foo', 4)).toBe(4);
    expect(indexOfByte('get /foo', 4)).toBe(4);
  });

  test('multi-byte characters count their UTF-8 length both ways', () => {
    const line = 'get /é/😀/x';
    // "get /" 5, "é" 2, "/" 1, "😀" 4 (two UTF-16 units), "/" 1.
    expect(byteOffset(line, line.indexOf('x'))).toBe(13);
    expect(indexOfByte(line, 13)).toBe(line.indexOf('x'));
    expect(indexOfByte(line, 7)).toBe(line.indexOf('é') + 1);
    expect(indexOfByte(line, 99)).toBe(line.length);
    expect(indexOfByte(line, 0)).toBe(0);
  });
});
