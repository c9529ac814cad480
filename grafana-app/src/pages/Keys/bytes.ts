// Bytes of keys and values: opsproxy carries bytes that are not UTF-8 as base64; the page shows
// them as hex and sends them back as base64, so they round-trip unchanged.

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    out[i] = bin.charCodeAt(i);
  }
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i++) {
    bin += String.fromCharCode(bytes[i]);
  }
  return btoa(bin);
}

// utf8Text is bytes as text, or undefined when they are not valid UTF-8.
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function utf8Bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

const hex2 = (b: number) => b.toString(16).padStart(2, '0');

// hexDump writes bytes as lines of 16: offset, hex bytes, printable ASCII.
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = Array.from(bytes.subarray(off, off + 16));
    const hex = row
      .map(hex2)
      .join(' ')
      .padEnd(16 * 3 - 1, ' ');
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex}  |${ascii}|`);
  }
  return lines.join('\n');
}

// hexOf writes bytes as space-separated hex pairs, the form the editor's hex mode edits.
export function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes).map(hex2).join(' ');
}

// parseHex reads hex pairs, ignoring whitespace; an odd count or a non-hex digit is an error
// naming where it is.
export function parseHex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  const bad = digits.search(/[^0-9a-fA-F]/);
  if (bad >= 0) {
    throw new Error(`value: "${digits[bad]}" is not a hex digit (digit ${bad + 1})`);
  }
  if (digits.length % 2 !== 0) {
    throw new Error(`value: ${digits.length} hex digits, want an even number (two per byte)`);
  }
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}
