// The prompt's history, as pure functions over the lines (oldest first) the page holds: the
// cluster's lines from the history store, then this session's.

// MAX_SEARCH_MATCHES bounds the matches the reverse search lists.
export const MAX_SEARCH_MATCHES = 20;

// Walk is where ↑/↓ are in the history: index into the lines (lines.length: the line being
// typed, kept as draft so that ↓ past the newest line brings it back).
export type Walk = { index: number; draft: string };

// stepHistory moves one line older (-1) or newer (+1) from walk (undefined: not walking yet,
// current is the line being typed). It answers the line to show and the new walk (undefined
// once back at the draft), or undefined when there is nothing further that way.
export function stepHistory(
  lines: string[],
  walk: Walk | undefined,
  current: string,
  dir: -1 | 1
): { line: string; walk: Walk | undefined } | undefined {
  const from = walk ?? { index: lines.length, draft: current };
  const index = from.index + dir;
  if (index < 0 || index > lines.length) {
    return undefined;
  }
  if (index === lines.length) {
    return { line: from.draft, walk: undefined };
  }
  return { line: lines[index], walk: { index, draft: from.draft } };
}

// appendLine adds a line that ran, unless it repeats the newest (as shells keep history).
export function appendLine(lines: string[], line: string): string[] {
  return lines[lines.length - 1] === line ? lines : [...lines, line];
}

// mergeHistory puts the stored lines (newest first, as the API answers) before the session's.
export function mergeHistory(storedNewestFirst: string[], session: string[]): string[] {
  let lines: string[] = [];
  for (let i = storedNewestFirst.length - 1; i >= 0; i--) {
    lines = appendLine(lines, storedNewestFirst[i]);
  }
  for (const l of session) {
    lines = appendLine(lines, l);
  }
  return lines;
}

// searchHistory answers the distinct lines containing query (case-insensitive), newest first,
// at most MAX_SEARCH_MATCHES of them.
export function searchHistory(lines: string[], query: string): string[] {
  const q = query.toLowerCase();
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = lines.length - 1; i >= 0 && out.length < MAX_SEARCH_MATCHES; i--) {
    const l = lines[i];
    if (!seen.has(l) && l.toLowerCase().includes(q)) {
      seen.add(l);
      out.push(l);
    }
  }
  return out;
}
