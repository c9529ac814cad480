import type { Role } from '../api';

const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

// atLeast reports whether role includes min (each role includes the ones below it).
export function atLeast(role: Role, min: Role): boolean {
  return (RANK[role] ?? 0) >= RANK[min];
}

// Abilities are what the pages offer, from the role opsproxy answered for the token: opsproxy
// refuses the rest anyway, the console just does not offer it.
export type Abilities = {
  // canWrite: put and delete keys (editor, under the token's key prefixes).
  canWrite: boolean;
  // canAdmin: membership, alarms, maintenance, tokens (admin).
  canAdmin: boolean;
  // canVerify: verify the audit log's chain (admin).
  canVerify: boolean;
};

export function abilitiesOf(role: Role): Abilities {
  return { canWrite: atLeast(role, 'editor'), canAdmin: atLeast(role, 'admin'), canVerify: atLeast(role, 'admin') };
}
