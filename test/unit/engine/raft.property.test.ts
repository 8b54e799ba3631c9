// Property: under any schedule of faults (crash/restart, partitions, one-way cuts, loss, duplication,
// reordering by slow links, GC pauses, clock drift, forced elections) with client reads and writes,
// every Raft invariant holds after every event, and the clients' history (reads by ReadIndex, lease or
// the log; writes) is linearizable; and once everything is healed, a leader appears within a bound, a
// write commits, and every committed entry is applied on every node.
//
// Reproduce a failure with the seed and path fast-check prints:
//   FC_SEED=123 FC_PATH="4:1:0" npx vitest run test/unit/engine/raft.property.test.ts
// FC_RUNS overrides the number of schedules (default 2000).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizable, clientHistory } from '../../../src/engine/check/linearizable';
import { S } from './helpers';
import { LEADER_BOUND_US, type Schedule, describeSchedule, runSchedule, scheduleArb } from './schedule';

const RUNS = Number(process.env['FC_RUNS'] ?? 2000);
const SEED = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : undefined;
const PATH = process.env['FC_PATH'];

/** Plays one schedule and throws, with the evidence, if an invariant broke or the cluster did not recover. */
function check(sc: Schedule, stats: { leaderUsMax: number; events: number; schedules: number; operations: number }): void {
  const r = runSchedule(sc);
  stats.leaderUsMax = Math.max(stats.leaderUsMax, r.leaderAfterUs ?? 0);
  stats.events += r.events;
  stats.schedules++;
  const problems: string[] = [];
  if (r.violations.length > 0) problems.push(`invariant violated: ${r.violations.slice(0, 3).map((v) => `${v.invariant} at ${v.t}us: ${v.detail}`).join('; ')}`);
  const lin = checkLinearizable(clientHistory(r.clientEvents));
  stats.operations += lin.ok === true ? lin.operations : 0;
  if (lin.ok === 'undecided') problems.push(`linearizability undecided for key ${lin.key}`);
  else if (lin.ok === false) problems.push(`client history not linearizable on ${lin.key}: ${lin.evidence.map((op) => `${op.client} ${op.cmd.op} [${op.callUs}us..${op.retUs}us] -> ${op.result}`).join('; ')}`);
  if (r.leaderAfterUs === null) problems.push(`no leader within ${LEADER_BOUND_US / S}s after healing`);
  else if (!r.wrote) problems.push('a write after healing was not acknowledged');
  else if (!r.converged) problems.push('committed entries were not applied on every node');
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\nschedule: ${describeSchedule(sc)}`);
}

describe('Raft under random fault schedules (fast-check)', () => {
  it(`keeps every invariant and a linearizable client history, and recovers after healing (${RUNS} schedules)`, () => {
    const stats = { leaderUsMax: 0, events: 0, schedules: 0, operations: 0 };
    fc.assert(
      fc.property(scheduleArb(50), (sc) => check(sc, stats)),
      { numRuns: RUNS, seed: SEED, path: PATH },
    );
    expect(stats.schedules).toBeGreaterThanOrEqual(RUNS);
    // The bound is generous; in practice a leader comes within a few election timeouts.
    expect(stats.leaderUsMax).toBeLessThan(LEADER_BOUND_US);
    // The clients' histories were checked, not empty.
    expect(stats.operations).toBeGreaterThan(RUNS);
  });

  it('the checker notices stale reads: with read=local, some schedules give a history that is not linearizable', () => {
    let found = 0;
    for (const sc of fc.sample(scheduleArb(50), { numRuns: 200, seed: 20261130 })) {
      const r = runSchedule({ ...sc, readMode: 'local' }, { safetyOnly: true });
      if (checkLinearizable(clientHistory(r.clientEvents)).ok === false) found++;
    }
    expect(found).toBeGreaterThan(0);
  });
});

