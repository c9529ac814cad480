import { quorum, quorumChange } from './quorum';

const three = [
  { id: 'a1', name: 'm1' },
  { id: 'a2', name: 'm2' },
  { id: 'a3', name: 'm3' },
];

describe('quorum', () => {
  test('is a majority of the voters', () => {
    expect([1, 2, 3, 4, 5].map(quorum)).toEqual([1, 2, 2, 3, 3]);
  });

  test('says what each change does to the voters and the quorum', () => {
    expect(quorumChange(three, { kind: 'remove', id: 'a2' })).toBe(
      'Removing voting member m2 leaves 2 voting members: quorum goes from 2 of 3 to 2 of 2, and no member may fail.'
    );
    const withLearner = [...three, { id: 'a4', name: 'm4', is_learner: true }];
    expect(quorumChange(withLearner, { kind: 'remove', id: 'a4' })).toBe(
      'm4 is a learner and does not vote: quorum stays 2 of 3 voting members.'
    );
    expect(quorumChange(withLearner, { kind: 'promote', id: 'a4' })).toBe(
      'Promoting m4 makes 4 voting members: quorum goes from 2 of 3 to 3 of 4, and 1 member may fail.'
    );
    expect(quorumChange(three, { kind: 'add-learner' })).toMatch(/^A learner does not vote: quorum stays 2 of 3/);
    expect(quorumChange([three[0]], { kind: 'remove', id: 'a1' })).toMatch(/only voting member/);
  });

  test('warns when the remaining healthy voters are fewer than the quorum', () => {
    expect(quorumChange(three, { kind: 'remove', id: 'a1' }, new Set(['a1', 'a2']))).toMatch(
      /Only 1 of the remaining voters answer healthy: the cluster would lose quorum\.$/
    );
    expect(quorumChange(three, { kind: 'remove', id: 'a3' }, new Set(['a1', 'a2']))).not.toMatch(/lose quorum/);
  });
});
