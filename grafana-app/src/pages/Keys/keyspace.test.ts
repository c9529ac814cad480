import { afterChild, childOf, prefixEnd } from './keyspace';

describe('keyspace', () => {
  it('ends a prefix as etcd does, in code points', () => {
    expect(prefixEnd('/registry/')).toBe('/registry0');
    expect(prefixEnd('a')).toBe('b');
    expect(prefixEnd('')).toBe('\0');
    expect(prefixEnd('é')).toBe('ê');
    expect(prefixEnd('x\u{10ffff}')).toBe('y');
  });

  it('finds the child a key falls under and where the next child starts', () => {
    const branch = childOf('/registry/', '/registry/pods/default/web-1');
    expect(branch).toEqual({ name: 'pods/', path: '/registry/pods/', branch: true });
    expect(afterChild(branch)).toBe('/registry/pods0');
    const leaf = childOf('/registry/', '/registry/health');
    expect(leaf).toEqual({ name: 'health', path: '/registry/health', branch: false });
    expect(afterChild(leaf)).toBe('/registry/health\0');
  });
});
