// Bad configuration gets a clear error (a full sentence naming the problem) or a documented cap, and
// never a hang: worldCreate refuses what validateClusterOptions refuses.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClusterOptions, ConfigError, MAX_BATCH_ENTRIES, MAX_DURATION_US, MAX_NODES, defaultClusterOptions, internName, validateClusterOptions } from '../../../src/engine/config';
import { worldCreate } from '../../../src/engine/sim';
import { MS, S, cluster, names, runFor } from './helpers';

function opts(tweak: (o: ClusterOptions) => void, n = 3): ClusterOptions {
  const o = defaultClusterOptions(names(n), 1);
  tweak(o);
  return o;
}

/** The problems, and worldCreate throws a ConfigError with all of them. */
function refused(o: ClusterOptions): string[] {
  const problems = validateClusterOptions(o);
  expect(() => worldCreate(o)).toThrow(ConfigError);
  try {
    worldCreate(o);
  } catch (e) {
    expect((e as ConfigError).problems).toEqual(problems);
    expect((e as Error).message).toBe(problems.join(' '));
  }
  return problems;
}

describe('cluster options', () => {
  it('the defaults are valid, and documented in units (150ms..300ms election timeout, 50ms heartbeat, 2ms..10ms latency)', () => {
    const o = defaultClusterOptions(names(5), 1);
    expect(validateClusterOptions(o)).toEqual([]);
    expect([o.raft.electionTimeoutUsMin, o.raft.electionTimeoutUsMax, o.raft.heartbeatUs]).toEqual([150 * MS, 300 * MS, 50 * MS]);
    expect([o.net.latencyUsMin, o.net.latencyUsMax]).toEqual([2 * MS, 10 * MS]);
  });

  it('0 nodes', () => {
    expect(refused(opts(() => {}, 0))).toEqual(['A cluster needs at least 1 node.']);
  });

  it(`10,000 nodes: the cap is ${MAX_NODES}, refused at once (no node is built)`, () => {
    const t0 = performance.now();
    expect(refused(opts(() => {}, 10_000))).toEqual([`A cluster has at most ${MAX_NODES} nodes; found 10,000.`]);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(validateClusterOptions(opts(() => {}, MAX_NODES))).toEqual([]);
  });

  it('a node declared twice, or without a name', () => {
    expect(refused({ ...opts(() => {}), nodes: ['a', 'b', 'a'] })).toEqual(['Node a is declared twice.']);
    expect(refused({ ...opts(() => {}), nodes: ['a', ''] })).toEqual(['A node needs a name.']);
  });

  it('negative or zero timeouts', () => {
    expect(refused(opts((o) => (o.raft.electionTimeoutUsMin = -5 * MS)))).toEqual(['The election timeout must be positive; found -5ms.']);
    expect(refused(opts((o) => (o.raft.heartbeatUs = 0)))).toEqual(['The heartbeat interval must be positive; found 0s.']);
    expect(refused(opts((o) => (o.raft.heartbeatUs = -1)))).toEqual(['The heartbeat interval must be positive; found -1us.']);
    expect(refused(opts((o) => (o.net.latencyUsMin = -1)))).toEqual(['The latency must be zero or more; found -1us.']);
    expect(refused(opts((o) => (o.client.retryUs = 0)))).toEqual(['The client retry interval must be positive; found 0s.']);
  });

  it('a range that ends before it starts', () => {
    expect(refused(opts((o) => ((o.raft.electionTimeoutUsMin = 300 * MS), (o.raft.electionTimeoutUsMax = 150 * MS))))).toEqual([
      'The election timeout range must not end before it starts.',
    ]);
    expect(refused(opts((o) => ((o.net.latencyUsMin = 10 * MS), (o.net.latencyUsMax = 2 * MS))))).toEqual(['The latency range must not end before it starts.']);
  });

  it('a heartbeat not shorter than the election timeout', () => {
    const msg = 'The heartbeat (150ms) must be shorter than the election timeout (150ms), or followers start elections against a live leader.';
    expect(refused(opts((o) => (o.raft.heartbeatUs = 150 * MS)))).toEqual([msg]);
    expect(refused(opts((o) => (o.raft.heartbeatUs = 1 * S)))).toHaveLength(1);
  });

  it(`durations are capped at ${MAX_DURATION_US / 3_600_000_000}h of virtual time; NaN and fractions are refused`, () => {
    expect(refused(opts((o) => (o.raft.electionTimeoutUsMax = 2 * MAX_DURATION_US)))).toEqual(['The election timeout is at most 3600s; found 7200s.']);
    expect(refused(opts((o) => (o.net.latencyUsMax = Number.NaN)))).toEqual(['The latency must be a whole number of microseconds; found NaN.']);
    expect(refused(opts((o) => (o.raft.heartbeatUs = 1.5)))).toEqual(['The heartbeat interval must be a whole number of microseconds; found 1.5.']);
  });

  it('loss and duplication are percentages', () => {
    expect(refused(opts((o) => (o.net.lossPermille = 1001)))).toEqual(['Message loss must be from 0% to 100%; found 100.1%.']);
    expect(refused(opts((o) => (o.net.duplicatePermille = -1)))).toEqual(['Message duplication must be from 0% to 100%; found -0.1%.']);
  });

  it(`a batch holds 1 to ${MAX_BATCH_ENTRIES} entries`, () => {
    expect(refused(opts((o) => (o.raft.maxBatchEntries = 0)))).toEqual([`A batch holds 1 to ${MAX_BATCH_ENTRIES.toLocaleString('en-US')} entries; found 0.`]);
  });

  it('the seed is a 32-bit whole number', () => {
    expect(refused(opts((o) => (o.seed = -1)))).toEqual(['The seed must be a whole number from 0 to 4294967295; found -1.']);
    expect(validateClusterOptions(opts((o) => (o.seed = 0xffffffff)))).toEqual([]);
  });

  it('every problem is listed at once', () => {
    const problems = refused({ ...opts((o) => ((o.raft.heartbeatUs = -1), (o.net.lossPermille = 2000))), nodes: [] });
    expect(problems).toHaveLength(3);
  });
});

describe('edge configurations that are valid run and stop', () => {
  it('one node elects itself and commits alone', () => {
    const c = cluster(1);
    runFor(c, 1 * S);
    expect(c.world.nodes[0]!.raft.role).toBe('leader');
    expect(c.world.nodes[0]!.raft.commitIndex).toBe(1);
  });

  it(`${MAX_NODES} nodes elect a leader`, () => {
    const c = cluster(MAX_NODES, 3);
    runFor(c, 3 * S);
    expect(c.world.nodes.filter((n) => n.raft.role === 'leader')).toHaveLength(1);
  });

  it('a 1µs heartbeat cannot hang a run: the event budget stops it', () => {
    const c = cluster(3, 1, (o) => ((o.raft.heartbeatUs = 1), (o.raft.electionTimeoutUsMin = 2), (o.raft.electionTimeoutUsMax = 3)));
    const r = c.sim.run(60 * S, 100_000);
    expect(r).toEqual({ reason: 'budget', events: 100_000 });
    expect(c.world.now).toBeLessThan(60 * S);
  });

  it('zero latency is fine: same-time events run in the order they were scheduled', () => {
    const c = cluster(3, 1, (o) => ((o.net.latencyUsMin = 0), (o.net.latencyUsMax = 0)));
    runFor(c, 1 * S);
    expect(c.world.nodes.filter((n) => n.raft.role === 'leader')).toHaveLength(1);
  });
});

describe('internName', () => {
  it('gives back the same name for any string, JavaScript property names and array indexes included', () => {
    for (const name of ['n1', '__proto__', 'toString', 'constructor', '0', '01', '4294967295', '-1', '', 'a b']) expect(internName(name)).toBe(name);
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (name) => internName(name) === name));
  });
});
