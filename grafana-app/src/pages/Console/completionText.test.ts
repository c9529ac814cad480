import { completedWord } from './completionText';

describe('a taken candidate', () => {
  test('a whole word gets a space; a key prefix, an open quote or a following space none', () => {
    expect(completedWord('get', '')).toBe('get ');
    expect(completedWord('--prefix', '')).toBe('--prefix ');
    expect(completedWord('/app/key', '')).toBe('/app/key ');
    expect(completedWord("'/app/a b'", '')).toBe("'/app/a b' ");
    expect(completedWord("$'\\x00'", '')).toBe("$'\\x00' ");
    expect(completedWord('/app/', '')).toBe('/app/');
    expect(completedWord("'/app/a b/", '')).toBe("'/app/a b/");
    expect(completedWord("'/app/a b", '')).toBe("'/app/a b");
    expect(completedWord("$'\\xff", '')).toBe("$'\\xff");
    expect(completedWord('get', ' /a')).toBe('get');
  });
});
