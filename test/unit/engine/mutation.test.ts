// Mutation check: turn on one deliberate protocol bug (config.ts RaftBugs) and the invariant checks must
// notice. The checks are deterministic schedules, one per rule (each keeps every invariant when Raft is
// right), plus random fault schedules like the property test's. Also: no bug is ever on by default.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClusterOptions, RAFT_BUGS, type RaftBugs, defaultClusterOptions, defaultRaftOptions, noBugs } from '../../../src/engine/config';
import { type Cluster, MS, S, cluster, node, quiet, request, runFor, runUntil } from './helpers';
import { runSchedule, scheduleArb } from './schedule';

type Bug = keyof RaftBugs;

/** A schedule that stresses one rule; returns the invariants it saw broken. */
type Scenario = (bug: Bug | null) => string[];

/** Quiet timers (only `forceTimeout` starts elections) and the bug, if any. */
function withBug(bug: Bug | null) {
  return (o: ClusterOptions): void => {
    quiet(o);
    if (bug !== null) o.raft.bugs[bug] = true;
  };
}

const broken = (c: Cluster): string[] => [...new Set(c.trace.flatMap((e) => (e.k === 'violation' ? [e.invariant] : [])))];

const SCENARIOS: Record<string, Scenario> = {
  /** Figure 8: the term-4 leader learns its term-2 entry is on a majority, then crashes; S5 wins term 5. */
  'Figure 8 (§5.4.2)': (bug) => {
    const c = cluster(['s1', 's2', 's3', 's4', 's5'], 8, (o) => {
      withBug(bug)(o);
      o.raft.maxBatchEntries = 1;
    });
    const { sim } = c;
    const others = (n: string) => ['s1', 's2', 's3', 's4', 's5'].filter((x) => x !== n);
    const hold = (from: string, to: string[]) => to.forEach((t) => sim.hold(from, t));
    const drop = (from: string, to: string[]) => to.forEach((t) => sim.release(from, t, false));
    sim.forceTimeout('s1');
    runFor(c, 100 * MS);
    sim.crash('s1');
    sim.restart('s1');
    sim.forceTimeout('s1'); // (a) term 2, index 2 to S2 only
    hold('s1', ['s3', 's4', 's5']);
    runFor(c, 100 * MS);
    sim.crash('s1');
    drop('s1', ['s3', 's4', 's5']);
    sim.forceTimeout('s5'); // (b) term 3, S5's own index 2 reaches nobody
    hold('s5', others('s5'));
    runFor(c, 100 * MS);
    sim.crash('s5');
    drop('s5', others('s5'));
    sim.restart('s1'); // (c) S1 wins term 4 and sends its term-2 entry to S3 and S4, one entry at a time
    sim.forceTimeout('s1');
    runFor(c, 100 * MS);
    sim.forceTimeout('s1');
    hold('s1', ['s2']);
    for (const f of ['s3', 's4']) {
      runUntil(c, () => node(c.world, f).log.length >= 2, 1 * S);
      sim.hold('s1', f);
    }
    runFor(c, 100 * MS);
    sim.crash('s1'); // (d) S5 wins term 5 and overwrites index 2
    drop('s1', ['s2', 's3', 's4']);
    sim.restart('s5');
    sim.forceTimeout('s5');
    runFor(c, 100 * MS);
    sim.forceTimeout('s5');
    runFor(c, 6 * S);
    return broken(c);
  },

  /** Two candidates in one term; the voter both ask restarts in between. */
  'one vote per term across a restart (Figure 2)': (bug) => {
    const c = cluster(3, 1, withBug(bug));
    c.sim.hold('n2', 'n3');
    c.sim.hold('n1', 'n2');
    c.sim.hold('n2', 'n1');
    c.sim.forceTimeout('n1');
    c.sim.forceTimeout('n2');
    c.sim.hold('n1', 'n3'); // after the vote request: n3 votes, but gets no entry
    runFor(c, 50 * MS); // n3 votes for n1, which wins term 1
    c.sim.crash('n3');
    c.sim.restart('n3');
    c.sim.release('n2', 'n3', true); // n2's request for term 1 reaches n3 only now
    runFor(c, 50 * MS);
    return broken(c);
  },

  /** A node that missed a committed write asks for votes. */
  'election restriction (§5.4.1)': (bug) => {
    const c = cluster(3, 2, withBug(bug));
    c.sim.hold('n1', 'n3');
    c.sim.forceTimeout('n1');
    runFor(c, 50 * MS);
    request(c, 'A', { op: 'put', key: 'x', value: '1' }, 'n1', 1 * S);
    c.sim.crash('n1');
    c.sim.forceTimeout('n3'); // term 1: n2 already voted in it
    runFor(c, 50 * MS);
    c.sim.forceTimeout('n3'); // term 2: n2's log is more up to date than n3's empty one
    runFor(c, 1 * S);
    return broken(c);
  },

  /** Four nodes split two and two; both sides try to elect. */
  'majority quorums (§5.2)': (bug) => {
    const c = cluster(4, 3, withBug(bug));
    c.sim.partition([['n1', 'n2'], ['n3', 'n4']], '{n1 n2} | {n3 n4}');
    c.sim.forceTimeout('n1');
    c.sim.forceTimeout('n3');
    runFor(c, 100 * MS);
    request(c, 'A', { op: 'put', key: 'x', value: '1' }, 'n1', 200 * MS);
    request(c, 'B', { op: 'put', key: 'x', value: '2' }, 'n3', 200 * MS);
    c.sim.heal();
    runFor(c, 6 * S);
    return broken(c);
  },

  /** A follower holds an entry the new leader's log does not have at the same index. */
  'AppendEntries consistency check (§5.3)': (bug) => {
    const c = cluster(3, 4, withBug(bug));
    c.sim.forceTimeout('n1');
    c.sim.hold('n1', 'n2'); // after its vote requests: it wins, its entries go nowhere
    c.sim.hold('n1', 'n3');
    runFor(c, 50 * MS);
    c.sim.release('n1', 'n2', false);
    c.sim.release('n1', 'n3', false);
    c.sim.crash('n1'); // n1 led term 1 and has its no-op alone
    c.sim.forceTimeout('n2'); // term 1: n3 already voted for n1
    runFor(c, 50 * MS);
    c.sim.forceTimeout('n2');
    runFor(c, 50 * MS);
    request(c, 'A', { op: 'put', key: 'x', value: '1' }, 'n2', 1 * S);
    c.sim.crash('n2'); // n2 and n3 hold [t2 t2]
    c.sim.restart('n1'); // n1 holds [t1]: at index 1 it differs from the others
    c.sim.forceTimeout('n3');
    runFor(c, 100 * MS);
    c.sim.forceTimeout('n3');
    runFor(c, 6 * S);
    return broken(c);
  },
};

/** Random schedules, fixed seed: how many of them see a violation. */
function randomKills(bug: Bug | null, runs: number): number {
  const samples = fc.sample(scheduleArb(50), { numRuns: runs, seed: 20260101 });
  let caught = 0;
  for (const sc of samples) if (runSchedule(sc, { bugs: bug === null ? {} : { [bug]: true }, safetyOnly: true, stopAtViolation: true }).violations.length > 0) caught++;
  return caught;
}

const RANDOM_RUNS = 300;

describe('mutation check: each deliberate bug breaks an invariant the checks see', () => {
  it('no bug is on by default', () => {
    expect(defaultRaftOptions().bugs).toEqual(noBugs());
    expect(defaultClusterOptions(['n1'], 1).raft.bugs).toEqual(noBugs());
    expect(Object.values(noBugs()).every((b) => b === false)).toBe(true);
    expect(Object.keys(noBugs()).sort()).toEqual([...RAFT_BUGS].sort());
  });

  it('without a bug, every scenario keeps every invariant (and so do the random schedules)', () => {
    for (const [name, run] of Object.entries(SCENARIOS)) expect([name, run(null)]).toEqual([name, []]);
    expect(randomKills(null, 100)).toBe(0);
  });

  // Which check is meant to catch each bug (others may catch it too). Random schedules find three of the
  // bugs on their own; commitOldTerm and forgetVoteOnRestart need a precise interleaving, which the
  // deterministic scenarios give.
  const expected: Record<Bug, { scenario: string; invariants: string[]; random: boolean }> = {
    commitOldTerm: { scenario: 'Figure 8 (§5.4.2)', invariants: ['State Machine Safety', 'Leader Completeness'], random: false },
    forgetVoteOnRestart: { scenario: 'one vote per term across a restart (Figure 2)', invariants: ['Election Safety', 'One Vote Per Term'], random: false },
    skipUpToDateCheck: { scenario: 'election restriction (§5.4.1)', invariants: ['Leader Completeness'], random: true },
    quorumOffByOne: { scenario: 'majority quorums (§5.2)', invariants: ['Election Safety'], random: true },
    skipLogMatchCheck: { scenario: 'AppendEntries consistency check (§5.3)', invariants: ['Log Matching'], random: true },
  };

  for (const bug of RAFT_BUGS) {
    it(`${bug} is caught`, () => {
      const e = expected[bug];
      const seen = SCENARIOS[e.scenario]!(bug);
      for (const inv of e.invariants) expect(seen).toContain(inv);
      if (e.random) expect(randomKills(bug, RANDOM_RUNS)).toBeGreaterThan(0);
    });
  }
});
