import type { WatchEvent } from '../../api';

// eventsAsJsonLines writes events one JSON object a line, as opsproxy sent them (type, kv,
// prev_kv), oldest first: the format `jq` and log tools read.
export function eventsAsJsonLines(events: WatchEvent[]): string {
  return events.map((e) => JSON.stringify({ type: e.type, kv: e.kv, prev_kv: e.prev_kv }) + '\n').join('');
}

// downloadJsonLines offers events as a file download through a Blob URL, released afterwards.
export function downloadJsonLines(events: WatchEvent[], filename: string): void {
  const url = URL.createObjectURL(new Blob([eventsAsJsonLines(events)], { type: 'application/x-ndjson' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}
