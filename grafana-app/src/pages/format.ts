// formatBytes writes a size in binary units, as etcd's own quota (2 GiB by default) is given.
export function formatBytes(n?: number): string {
  if (n === undefined || n === null) {
    return '—';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}
