// Safety under random fault schedules (schedules.ts): with the bugs off, no checker ever fires, over
// thousands of schedules drawn by fast-check; with each teaching bug on, the checkers find it within a
// bounded number of seeds (seeds 1, 2, 3, … in order, so the first seed that finds it is reproducible).
//
// Bounds come from measured detection rates (per seed, 2,000 single-decree / 500 Multi-Paxos seeds):
// quorumFromReachable 13% / 61%, ignoreAcceptedValues 38% / 78%, forgetPromiseOnRestart 1.9% / 1.4%
// (it needs a reboot between a promise and a stale Accept: the reactive nemesis and partial partitions
// in schedules.ts make that happen). Each bound leaves the chance of a miss below 1 in 1,000.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runMultiPaxosSchedule, runPaxosSchedule, type BugName, type ScheduleResult } from './schedules';

const seedArb = fc.integer({ min: 1, max: 0x7fffffff });

describe('no violation with the bugs off', () => {
  it('single-decree Paxos: 2,000 random fault schedules', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        expect(runPaxosSchedule(seed).violations).toEqual([]);
      }),
      { numRuns: 2_000 },
    );
  });

  it('Multi-Paxos with clients: 1,000 random fault schedules', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        expect(runMultiPaxosSchedule(seed).violations).toEqual([]);
      }),
      { numRuns: 1_000 },
    );
  });

  it('the schedules do reach decisions (a checker that never sees one proves nothing)', () => {
    let decided = 0;
    for (let seed = 1; seed <= 50; seed++) if (runPaxosSchedule(seed).decided && runMultiPaxosSchedule(seed).decided) decided++;
    expect(decided).toBeGreaterThanOrEqual(48);
  });
});

/** The first seed in 1..bound whose schedule the checkers flag, or null. */
function firstFinding(run: (seed: number, bug: BugName) => ScheduleResult, bug: BugName, bound: number): { seed: number; violations: string[] } | null {
  for (let seed = 1; seed <= bound; seed++) {
    const r = run(seed, bug);
    if (r.violations.length > 0) return { seed, violations: r.violations };
  }
  return null;
}

describe('each teaching bug is found within a bounded number of seeds', () => {
  const cases: [string, (seed: number, bug: BugName) => ScheduleResult, BugName, number][] = [
    ['Paxos', runPaxosSchedule, 'quorumFromReachable', 100],
    ['Paxos', runPaxosSchedule, 'ignoreAcceptedValues', 100],
    ['Paxos', runPaxosSchedule, 'forgetPromiseOnRestart', 1_000],
    ['Multi-Paxos', runMultiPaxosSchedule, 'quorumFromReachable', 50],
    ['Multi-Paxos', runMultiPaxosSchedule, 'ignoreAcceptedValues', 50],
    ['Multi-Paxos', runMultiPaxosSchedule, 'forgetPromiseOnRestart', 600],
  ];
  for (const [protocol, run, bug, bound] of cases) {
    it(`${protocol}: ${bug} within ${bound} seeds`, () => {
      const found = firstFinding(run, bug, bound);
      expect(found, `${bug} not found in seeds 1..${bound}`).not.toBeNull();
      // A safety finding, never a crash of the checker or the protocol.
      expect(found!.violations.every((v) => /^(Agreement|Validity|Learned Is Chosen|State Machine Safety): /.test(v))).toBe(true);
    });
  }
});
