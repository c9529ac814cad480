import type { Member } from '../../api';

// quorum is the number of voting members etcd needs to agree: a majority of the voters.
export function quorum(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

function tolerance(voters: number): string {
  const f = voters - quorum(voters);
  return f === 0 ? 'no member may fail' : f === 1 ? '1 member may fail' : `${f} members may fail`;
}

export type Change = { kind: 'add-learner' } | { kind: 'promote'; id: string } | { kind: 'remove'; id: string };

// quorumChange says in a sentence what a membership change does to the voters and the quorum,
// computed from the member list: voters are the members that are not learners. healthy, when
// known, lists the ids of members whose endpoint answered healthy.
export function quorumChange(members: Member[], change: Change, healthy?: Set<string>): string {
  const voters = members.filter((m) => !m.is_learner);
  const n = voters.length;
  const now = `${quorum(n)} of ${n}`;
  const name = (id: string) => members.find((m) => m.id === id)?.name || id;
  switch (change.kind) {
    case 'add-learner':
      return `A learner does not vote: quorum stays ${now} voting members. It can be promoted once it has caught up.`;
    case 'promote': {
      const after = n + 1;
      return (
        `Promoting ${name(change.id)} makes ${after} voting members: quorum goes from ${now} to ` +
        `${quorum(after)} of ${after}, and ${tolerance(after)}.`
      );
    }
    case 'remove': {
      const target = members.find((m) => m.id === change.id);
      if (target?.is_learner) {
        return `${name(change.id)} is a learner and does not vote: quorum stays ${now} voting members.`;
      }
      const after = n - 1;
      if (after === 0) {
        return `${name(change.id)} is the only voting member: removing it leaves no cluster.`;
      }
      let s =
        `Removing voting member ${name(change.id)} leaves ${after} voting member${after === 1 ? '' : 's'}: ` +
        `quorum goes from ${now} to ${quorum(after)} of ${after}, and ${tolerance(after)}.`;
      if (healthy) {
        const up = voters.filter((m) => m.id !== change.id && healthy.has(m.id)).length;
        if (up < quorum(after)) {
          s += ` Only ${up} of the remaining voters answer healthy: the cluster would lose quorum.`;
        }
      }
      return s;
    }
  }
}
