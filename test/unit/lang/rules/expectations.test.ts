// Rule family: failed expectations. "Expected FACT, found WHAT (at TIME); more evidence." pointing at
// the fact; the cell fails and later cells still run. Times depend on the engine's draws, so they are
// normalised to T.
import { describe, expect, it } from 'vitest';
import { FIVE, lastProblems } from '../helpers';

const failures = (cells: string[]): [string, number, number][] => lastProblems(cells).map((p) => [p.message.replace(/\(at [^)]+\)/, '(at T)'), p.column, p.endColumn]);

describe('failed expectations', () => {
  it.each([
    ['expect leader n3', 'Expected leader n3, found n1 (term 1) (at T); roles: n1=leader n2=follower n3=follower n4=follower n5=follower.', 8, 17],
    ['expect no leader', 'Expected no leader, found n1 (term 1) (at T); roles: n1=leader n2=follower n3=follower n4=follower n5=follower.', 8, 17],
    ['expect leader in {n2 n3}', 'Expected leader in {n2 n3}, found no leader there; the leader is n1 (term 1) (at T); roles: n1=leader n2=follower n3=follower n4=follower n5=follower.', 8, 25],
    ['expect term >= 2', 'Expected term >= 2, found term 1 (at T).', 8, 17],
    ['expect n2 term = 0', 'Expected n2 term = 0, found term 1 (at T).', 8, 19],
    ['expect n1 commit >= 1', 'Expected n1 commit >= 1, found commit index 0 (at T).', 8, 22],
    ['expect n1 log = 0', 'Expected n1 log = 0, found 1 entries (terms 1) (at T).', 8, 18],
    ['expect n1 is follower', 'Expected n1 is follower, found n1 is leader (term 1) (at T).', 8, 22],
    ['expect not n1 is leader', 'Expected not n1 is leader, found n1 is leader (term 1) (at T).', 8, 24],
    ['expect committed x=1', 'Expected committed x=1 on majority, found no committed write to x (at T).', 8, 21],
    ['expect n1 has x=1', "Expected n1 has x=1, found no x=1 in n1's log (length 1) (at T).", 8, 18],
    ['expect n1 has x', "Expected n1 has x, found no write to x in n1's log (length 1) (at T).", 8, 16],
    ['expect violation', 'Expected violation, found no violation (at T).', 8, 17],
  ])('%s', (cell, message, column, endColumn) => {
    expect(failures([FIVE, cell])).toEqual([[message, column, endColumn]]);
  });

  it('facts about writes and clients', () => {
    expect(failures([FIVE, 'A put x=1\nexpect committed x=2\nexpect A got 2\nexpect A failed\nexpect committed x=1 on all'])).toEqual([
      ['Expected committed x=2 on majority, found x=1 (index 2) (at T).', 8, 21],
      ['Expected A got 2, found A got OK (at T).', 8, 15],
      ['Expected A failed, found success: OK (at T).', 8, 16],
    ]);
    expect(failures([FIVE, 'crash n2 n3 n4\nA put x=1 within 1s\nexpect A got OK\nexpect n1 has x=1 committed'])).toEqual([
      ['Expected A got OK, found a failure: no answer within 1s (at T).', 8, 16],
      ["Expected n1 has x=1 committed, found x=1 at index 2 of n1's log (term 1, uncommitted there: its commit index is 0) (at T).", 8, 28],
    ]);
  });

  it('logs and safety', () => {
    expect(failures([FIVE, 'crash n5\nA put x=1\nexpect logs equal'])).toEqual([
      ['Expected logs equal, found different logs: lengths n1=2 n2=2 n3=2 n4=2 n5=0, last terms n1=t1 n2=t1 n3=t1 n4=t1 n5=t0 (at T).', 8, 18],
    ]);
  });

  it('a failed expectation does not stop the cell', () => {
    expect(failures([FIVE, 'expect term = 5\nrun 1s\nexpect term = 6'])).toEqual([
      ['Expected term = 5, found term 1 (at T).', 8, 16],
      ['Expected term = 6, found term 1 (at T).', 8, 16],
    ]);
  });
});
