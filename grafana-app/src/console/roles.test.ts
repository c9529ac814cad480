import { abilitiesOf, atLeast } from './roles';

describe('console roles', () => {
  test('each role includes the ones below it', () => {
    expect(atLeast('admin', 'viewer')).toBe(true);
    expect(atLeast('editor', 'editor')).toBe(true);
    expect(atLeast('editor', 'admin')).toBe(false);
    expect(atLeast('viewer', 'editor')).toBe(false);
  });

  test('abilities follow opsproxy’s roles', () => {
    expect(abilitiesOf('viewer')).toEqual({ canWrite: false, canAdmin: false, canVerify: false });
    expect(abilitiesOf('editor')).toEqual({ canWrite: true, canAdmin: false, canVerify: false });
    expect(abilitiesOf('admin')).toEqual({ canWrite: true, canAdmin: true, canVerify: true });
  });
});
