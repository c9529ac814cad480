// The shape of a keyspace as a tree: keys are split on "/", a node is a prefix, and its children
// are found by skip-scan (see KeyTree) rather than by reading every key under it.

export const SEPARATOR = '/';

// prefixEnd is the first key after every key that starts with prefix, as etcd's
// GetPrefixRangeEnd, in code points rather than bytes (UTF-8 keeps code point order, so the two
// bound the same UTF-8 keys). "\0" (every key from the start on) for an empty prefix.
export function prefixEnd(prefix: string): string {
  const cps = Array.from(prefix);
  while (cps.length > 0) {
    const last = cps.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return cps.join('') + String.fromCodePoint(next);
    }
  }
  return '\0';
}

// A child of a tree node: a key directly under the node (leaf) or a deeper prefix (branch, its
// name ends with the separator).
export type Child = { name: string; path: string; branch: boolean };

// childOf is the child of node that key falls under.
export function childOf(node: string, key: string): Child {
  const rest = key.slice(node.length);
  const cut = rest.indexOf(SEPARATOR);
  if (cut < 0) {
    return { name: rest, path: key, branch: false };
  }
  const name = rest.slice(0, cut + 1);
  return { name, path: node + name, branch: true };
}

// afterChild is where the next child of a node starts: right after a leaf's key, or, for a
// branch P+S+"/", at P+S+"0" — "0" is the character after "/", so this skips every key under it.
export function afterChild(child: Child): string {
  return child.branch ? prefixEnd(child.path) : `${child.path}\0`;
}
