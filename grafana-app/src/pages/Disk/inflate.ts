// inflateZlib inflates zlib-wrapped deflate data (RFC 1950) with the browser's own
// DecompressionStream ("deflate" is the zlib format there), so the app carries no inflater of
// its own. Tests replace this module with Node's zlib.
export async function inflateZlib(data: Uint8Array): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new Error('this browser cannot decompress the stored histogram (no DecompressionStream)');
  }
  const ds = new DecompressionStream('deflate');
  const writer = ds.writable.getWriter();
  // The write and close settle only as the readable side is read: not awaited here.
  writer.write(data as Uint8Array<ArrayBuffer>).catch(() => undefined);
  writer.close().catch(() => undefined);
  const reader = ds.readable.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    parts.push(value);
    size += value.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
