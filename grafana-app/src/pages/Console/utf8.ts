// The console API counts a line's cursor and completion range in UTF-8 bytes (as Go slices the
// line); the input counts UTF-16 code units. These convert between the two.

const encoder = new TextEncoder();

// byteOffset is the UTF-8 length of text[0:index].
export function byteOffset(text: string, index: number): number {
  return encoder.encode(text.slice(0, index)).length;
}

// indexOfByte is the string index where the UTF-8 offset bytes falls: the end of the code point
// it lands in, or text.length past the end.
export function indexOfByte(text: string, bytes: number): number {
  let seen = 0;
  let i = 0;
  while (i < text.length && seen < bytes) {
    const cp = text.codePointAt(i) ?? 0;
    seen += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}
