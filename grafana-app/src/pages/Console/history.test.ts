import { appendLine, MAX_SEARCH_MATCHES, mergeHistory, searchHistory, stepHistory } from './history';

describe('console history', () => {
  const lines = ['get /a', 'put /b 1', 'del /c'];

  test('↑ walks to older lines and stops at the oldest; ↓ comes back to the draft', () => {
    let s = stepHistory(lines, undefined, 'get /dr', -1);
    expect(s).toEqual({ line: 'del /c', walk: { index: 2, draft: 'get /dr' } });
    s = stepHistory(lines, s!.walk, 'del /c', -1);
    s = stepHistory(lines, s!.walk, 'put /b 1', -1);
    expect(s?.line).toBe('get /a');
    expect(stepHistory(lines, s!.walk, 'get /a', -1)).toBeUndefined();
    s = stepHistory(lines, s!.walk, 'get /a', 1);
    expect(s?.line).toBe('put /b 1');
    s = stepHistory(lines, s!.walk, 'put /b 1', 1);
    s = stepHistory(lines, s!.walk, 'del /c', 1);
    expect(s).toEqual({ line: 'get /dr', walk: undefined });
    expect(stepHistory(lines, undefined, 'x', 1)).toBeUndefined();
    expect(stepHistory([], undefined, 'x', -1)).toBeUndefined();
  });

  test('stored lines (newest first) come before the session’s, without repeats in a row', () => {
    expect(mergeHistory(['c', 'b', 'b', 'a'], ['c', 'd', 'd'])).toEqual(['a', 'b', 'c', 'd']);
    expect(appendLine(['a'], 'a')).toEqual(['a']);
    expect(appendLine(['a'], 'b')).toEqual(['a', 'b']);
  });

  test('reverse search answers distinct matches, newest first, case-insensitive, bounded', () => {
    expect(searchHistory(['get /A', 'put /b', 'get /a', 'get /A'], 'GET /a')).toEqual(['get /A', 'get /a']);
    expect(searchHistory(lines, 'zzz')).toEqual([]);
    const many = Array.from({ length: MAX_SEARCH_MATCHES + 5 }, (_, i) => `get /k${i}`);
    const found = searchHistory(many, 'get');
    expect(found).toHaveLength(MAX_SEARCH_MATCHES);
    expect(found[0]).toBe(`get /k${MAX_SEARCH_MATCHES + 4}`);
  });
});
