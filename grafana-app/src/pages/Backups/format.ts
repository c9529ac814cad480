// when writes a time the store or the engine answered (RFC 3339) as the browser's local time; an
// empty or unparsable one as a dash.
export function when(iso?: string): string {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

// duration writes seconds in the largest whole unit the configuration would use: 30d, 13h, 15m,
// 45s; mixed units when they do not divide (1h30m).
export function duration(seconds?: number): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds <= 0) {
    return '—';
  }
  const units: Array<[string, number]> = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  let rest = Math.round(seconds);
  let out = '';
  for (const [u, n] of units) {
    if (rest >= n) {
      out += `${Math.floor(rest / n)}${u}`;
      rest %= n;
    }
  }
  return out;
}

// count writes a whole number with thousands separators, or a dash when it is unknown.
export function count(n?: number): string {
  return n === undefined || n === null ? '—' : n.toLocaleString('en-US');
}
