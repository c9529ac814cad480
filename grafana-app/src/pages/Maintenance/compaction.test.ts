import { describePlan, planCompaction } from './compaction';

describe('planCompaction', () => {
  test('keep the last N compacts to the current revision minus N', () => {
    expect(planCompaction('keep', '100', 1000)).toEqual({
      ok: true,
      to: 900,
      current: 1000,
      removed: 899,
      readable: 101,
    });
    expect(planCompaction('keep', ' 999 ', 1000)).toMatchObject({ ok: true, to: 1 });
  });

  test('keep refuses more revisions than the cluster has', () => {
    expect(planCompaction('keep', '1000', 1000)).toEqual({
      ok: false,
      error: 'Revisions to keep: the cluster has only 1000 revisions',
    });
  });

  test('a revision compacts to itself and may not be in the future', () => {
    expect(planCompaction('revision', '42', 50)).toEqual({ ok: true, to: 42, current: 50, removed: 41, readable: 9 });
    expect(planCompaction('revision', '50', 50)).toMatchObject({ ok: true, to: 50, readable: 1 });
    expect(planCompaction('revision', '51', 50)).toEqual({
      ok: false,
      error: 'Revision: 51 is after the current revision 50',
    });
  });

  test('refuses what is not a whole number of at least 1, naming the field', () => {
    expect(planCompaction('revision', '', 50)).toEqual({ ok: false, error: 'Revision: enter a number' });
    expect(planCompaction('revision', '4.5', 50)).toEqual({ ok: false, error: 'Revision: must be a whole number' });
    expect(planCompaction('keep', '-3', 50)).toEqual({ ok: false, error: 'Revisions to keep: must be a whole number' });
    expect(planCompaction('keep', '0', 50)).toEqual({ ok: false, error: 'Revisions to keep: must be at least 1' });
    expect(planCompaction('keep', '99999999999999999999', 50)).toEqual({
      ok: false,
      error: 'Revisions to keep: too large',
    });
  });

  test('describes what is removed and what stays readable', () => {
    const plan = planCompaction('revision', '42', 50);
    if (!plan.ok) {
      throw new Error(plan.error);
    }
    expect(describePlan('revision', plan)).toContain('the history of revisions 1 to 41 is removed for good');
    expect(describePlan('revision', plan)).toContain('Revisions 42 to 50 (9) stay readable');
    const one = planCompaction('revision', '1', 50);
    expect(one.ok && describePlan('revision', one)).toBe(
      'Compacts to revision 1: there is no older history, so nothing is removed.'
    );
  });
});
