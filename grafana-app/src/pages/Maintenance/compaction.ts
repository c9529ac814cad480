// The arithmetic of a compaction, done in the page before asking for confirmation, the same way
// opsproxy does it: compacting to revision R removes every superseded value older than R (reads
// at a revision before R fail as compacted); "keep the last N" compacts to the current revision
// minus N, as etcd's own revision retention does.

export type CompactMode = 'revision' | 'keep';

export type CompactionPlan =
  { ok: true; to: number; current: number; removed: number; readable: number } | { ok: false; error: string };

// planCompaction checks value (what the user typed) against the current revision and says what
// would be compacted.
export function planCompaction(mode: CompactMode, value: string, current: number): CompactionPlan {
  const field = mode === 'keep' ? 'Revisions to keep' : 'Revision';
  const text = value.trim();
  if (text === '') {
    return { ok: false, error: `${field}: enter a number` };
  }
  if (!/^\d+$/.test(text)) {
    return { ok: false, error: `${field}: must be a whole number` };
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    return { ok: false, error: `${field}: too large` };
  }
  if (n < 1) {
    return { ok: false, error: `${field}: must be at least 1` };
  }
  let to: number;
  if (mode === 'keep') {
    to = current - n;
    if (to < 1) {
      return { ok: false, error: `${field}: the cluster has only ${current} revisions` };
    }
  } else {
    if (n > current) {
      return { ok: false, error: `${field}: ${n} is after the current revision ${current}` };
    }
    to = n;
  }
  return { ok: true, to, current, removed: to - 1, readable: current - to + 1 };
}

// describePlan is the sentence the confirmation shows.
export function describePlan(mode: CompactMode, plan: Extract<CompactionPlan, { ok: true }>): string {
  if (plan.removed === 0) {
    return `Compacts to revision 1: there is no older history, so nothing is removed.`;
  }
  const what =
    `Compacts to revision ${plan.to}: the history of revisions 1 to ${plan.removed} is removed for good, ` +
    `and reads or watches from those revisions fail as compacted. Revisions ${plan.to} to ${plan.current} ` +
    `(${plan.readable}) stay readable; the current value of every key is kept.`;
  if (mode === 'keep') {
    return (
      `${what} The current revision was ${plan.current} when read; opsproxy reads it again and compacts ` +
      `to that revision minus the number kept.`
    );
  }
  return what;
}
