import { inflateZlib } from './inflate';

// Reading the HDR histogram a probe stores (diskprobe.Latency.histogram): HdrHistogram's V2
// compressed encoding, base64, as hdrhistogram-go's Encode(V2CompressedEncodingCookieBase) writes
// it: a cookie and a length (big-endian int32), then zlib data holding a 40-byte header (cookie,
// payload length, normalizing offset, significant digits, lowest and highest trackable values,
// conversion ratio) and the counts as ZigZag LEB128 varints, a negative one being a run of zeros.

const COMPRESSED_COOKIE = 0x1c849304;
const COOKIE = 0x1c849303;
const HEADER = 40;

// HdrBucket is one non-empty bucket of a histogram: the values low to low+width-1 (in the
// histogram's own unit) were recorded count times.
export type HdrBucket = { low: number; width: number; count: number };

export type Hdr = { buckets: HdrBucket[]; total: number };

function base64Bytes(b64: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new Error('histogram: not base64');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    out[i] = bin.charCodeAt(i);
  }
  return out;
}

// decodeHdr reads an encoded histogram; the error says what is wrong with it.
export async function decodeHdr(b64: string): Promise<Hdr> {
  const raw = base64Bytes(b64);
  if (raw.length < 8) {
    throw new Error('histogram: truncated');
  }
  const outer = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if ((outer.getInt32(0) & ~0xf0) !== COMPRESSED_COOKIE) {
    throw new Error('histogram: not an HdrHistogram V2 compressed encoding');
  }
  const length = outer.getInt32(4);
  if (length < 0 || 8 + length > raw.length) {
    throw new Error('histogram: truncated');
  }
  const data = await inflateZlib(raw.subarray(8, 8 + length));
  if (data.length < HEADER) {
    throw new Error('histogram: truncated');
  }
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if ((v.getInt32(0) & ~0xf0) !== COOKIE) {
    throw new Error('histogram: not an HdrHistogram V2 encoding');
  }
  const payloadLength = v.getInt32(4);
  const digits = v.getInt32(12);
  const lowest = Math.max(1, Number(v.getBigInt64(16)));
  if (digits < 0 || digits > 5 || payloadLength < 0 || HEADER + payloadLength > data.length) {
    throw new Error('histogram: corrupt header');
  }
  // The geometry, as HdrHistogram derives it from the lowest value and the digits.
  const subBucketCountMagnitude = Math.ceil(Math.log2(2 * Math.pow(10, digits)));
  const halfMagnitude = Math.max(subBucketCountMagnitude, 1) - 1;
  const halfCount = 2 ** halfMagnitude;
  const subBucketCount = 2 * halfCount;
  const unitMagnitude = Math.max(0, Math.floor(Math.log2(lowest)));

  const buckets: HdrBucket[] = [];
  let total = 0;
  let index = 0;
  let at = HEADER;
  const end = HEADER + payloadLength;
  while (at < end) {
    // A ZigZag LEB128 varint of up to 9 bytes, read with floating-point arithmetic (counts and
    // runs stay far below 2^53).
    let value = 0;
    let scale = 1;
    let n = 0;
    for (;;) {
      if (at >= end) {
        throw new Error('histogram: truncated count');
      }
      const b = data[at++];
      n++;
      if (n === 9) {
        value += b * scale;
        break;
      }
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) {
        break;
      }
    }
    const count = value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    if (count < 0) {
      index += -count;
      continue;
    }
    if (count > 0) {
      const bucketIdx = index < subBucketCount ? 0 : Math.floor(index / halfCount) - 1;
      const sub = bucketIdx === 0 ? index : (index % halfCount) + halfCount;
      const width = 2 ** (unitMagnitude + bucketIdx);
      buckets.push({ low: sub * width, width, count });
      total += count;
    }
    index++;
  }
  return { buckets, total };
}
