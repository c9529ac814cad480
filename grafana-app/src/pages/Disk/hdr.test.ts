import { inflateSync } from 'node:zlib';
import { decodeHdr } from './hdr';
import { bars, unitOf } from './histogram';

jest.mock('./inflate', () => ({ inflateZlib: async (b: Uint8Array) => new Uint8Array(inflateSync(b)) }));

// FIXTURE is what hdrhistogram-go v1.4.0 encodes for New(1, 60e9, 3) (nanoseconds) after
// 500 values of 0.8 ms, 300 of 2 ms, 150 of 4.5 ms, 45 of 12 ms and 5 of 30 ms; its
// Distribution() lists these buckets (from, to, count).
const FIXTURE = 'HISTFAAAADp42pJpmSzMwMAAwiDADKUZGRgYeH+4RzDYf4AIbF7B+IK9W+wGy3mhNUw3RaNui3IBAgAA///x3gvK';
const GO_BUCKETS = [
  [799744, 800255, 500],
  [1999872, 2000895, 300],
  [4497408, 4501503, 150],
  [11993088, 12001279, 45],
  [29999104, 30015487, 5],
];

// ENGINE_FIXTURE is the same values in the diskprobe engine's geometry: New(1_000, time.Minute, 3).
const ENGINE_FIXTURE = 'HISTFAAAADl42pJpmSzMwMAgxAABzFDqBQMDA+8P9wgG+w8Qkc0SL9i7xW6wnBdaw3RTNOq2KBcgAAD//wKODCI=';

test.each([
  ['lowest value 1', FIXTURE],
  ["the engine's lowest value 1,000", ENGINE_FIXTURE],
])('decodes the buckets hdrhistogram-go wrote, each with its value range (%s)', async (_, encoded) => {
  const h = await decodeHdr(encoded);
  expect(h.total).toBe(1000);
  expect(h.buckets.map((b) => [b.low, b.low + b.width - 1, b.count])).toEqual(GO_BUCKETS);
});

test('finds the unit from the report maximum and sums the buckets into 1-2-5 bins', async () => {
  const h = await decodeHdr(FIXTURE);
  expect(unitOf(h, 0.030015487)).toBe(1e-9);
  expect(bars(h, unitOf(h, 0.03))).toEqual([
    { from: 0.0005, to: 0.001, count: 500 },
    { from: 0.001, to: 0.002, count: 0 },
    { from: 0.002, to: 0.005, count: 450 },
    { from: 0.005, to: 0.01, count: 0 },
    { from: 0.01, to: 0.02, count: 45 },
    { from: 0.02, to: 0.05, count: 5 },
  ]);
});

test("the bars widen to the threshold's bin, so that its line falls on the chart", async () => {
  const h = await decodeHdr(FIXTURE);
  const fast = { buckets: h.buckets.slice(0, 2), total: 800 };
  expect(bars(fast, 1e-9, 0.01).map((b) => [b.from, b.count])).toEqual([
    [0.0005, 500],
    [0.001, 0],
    [0.002, 300],
    [0.005, 0],
    [0.01, 0],
  ]);
  const slow = { buckets: h.buckets.slice(3), total: 50 };
  expect(bars(slow, 1e-9, 0.001).map((b) => b.from)).toEqual([0.001, 0.002, 0.005, 0.01, 0.02]);
});

test('a histogram that is not one is refused with a reason', async () => {
  await expect(decodeHdr('%%%')).rejects.toThrow('histogram: not base64');
  await expect(decodeHdr(btoa('HISTFAAAAAA'))).rejects.toThrow('not an HdrHistogram V2 compressed encoding');
  await expect(decodeHdr(FIXTURE.slice(0, 20))).rejects.toThrow('histogram: truncated');
});
