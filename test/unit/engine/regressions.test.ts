// Bugs found in review, each pinned by the test that first failed on it.

import { describe, expect, it } from 'vitest';
import { raftForceTimeout, raftReceive } from '../../../src/engine/raft/node';
import { MS, S, ae, cluster, count, entries, hand, leaderOf, node, quiet, request, runFor, runUntil, rvr, submit } from './helpers';

describe('Simulation.run', () => {
  it('never processes an event after its deadline, even when a cancelled timer heads the queue', () => {
    // Every AppendEntries re-arms the follower's election timer, so cancelled timers sit at the head of
    // the queue all the time; skipping one must not run the next live event past the deadline.
    const c = cluster(3, 3);
    let late = 0;
    for (let t = 1_000; t < 5 * S; t += 7_000) {
      const from = c.trace.length;
      c.sim.run(t, Number.MAX_SAFE_INTEGER);
      late += count(c.trace, (e) => e.t > t, from);
      expect(c.world.now).toBe(t);
    }
    expect(late).toBe(0);
  });
});

describe('replication flow control', () => {
  // Each response used to trigger a new AppendEntries whether or not it acknowledged progress, so every
  // heartbeat (and every duplicated message) started one more replication stream that never ended under
  // load: traffic grew each second, and with duplication it exploded.
  for (const dup of [0, 50]) {
    it(`keeps AppendEntries traffic proportional to the load under steady writes (duplication ${dup / 10}%)`, () => {
      const c = cluster(3, 5, (o) => (o.net.duplicatePermille = dup));
      expect(runUntil(c, () => leaderOf(c.world) !== null, 5 * S)).toBe(true);
      const perSecond: number[] = [];
      let ops = 0;
      for (let sec = 0; sec < 4; sec++) {
        const from = c.trace.length;
        for (let i = 0; i < 500; i++) {
          const client = `c${ops % 20}`;
          if (c.sim.clientDone(client)) submit(c, client, { op: 'put', key: 'k', value: String(ops) });
          ops++;
          runFor(c, 2 * MS);
        }
        perSecond.push(count(c.trace, (e) => e.k === 'send' && e.msg.type === 'AppendEntries', from));
      }
      // 500 writes/s to 2 followers, each write in at most a couple of messages, plus heartbeats.
      for (const n of perSecond) expect(n).toBeLessThan(3_000);
      expect(perSecond[3]!).toBeLessThan(perSecond[0]! * 1.5 + 100);
    });
  }
});

describe('protocol bugs are reported, never thrown', () => {
  it('a follower told to overwrite a committed entry (only possible under a bug) truncates and lets the checker report it', () => {
    const h = hand('n2', ['n1', 'n2', 'n3'], (o) => (o.raft.bugs.commitOldTerm = true));
    raftReceive(h.s, h.env, 'n1', ae(1, 0, 0, entries(1, 1), 2));
    expect(h.s.commitIndex).toBe(2);
    expect(() => raftReceive(h.s, h.env, 'n3', ae(2, 1, 1, entries(1, 2).slice(1), 1))).not.toThrow();
    expect(h.trace.some((e) => e.k === 'truncate' && e.fromIndex === 2)).toBe(true);
    expect(h.s.log.map((e) => e.term)).toEqual([1, 2]);
  });
});

describe('check-quorum (dissertation §6.2)', () => {
  it('works when turned on while a leader is already leading (`set check-quorum=on`)', () => {
    const c = cluster(3, 11);
    expect(runUntil(c, () => leaderOf(c.world) !== null, 5 * S)).toBe(true);
    const old = leaderOf(c.world)!;
    c.world.opts.raft.checkQuorum = true;
    c.sim.partition([[old]], `isolate ${old}`);
    runFor(c, 1 * S);
    expect(node(c.world, old).role).not.toBe('leader');
  });
});

describe('lease reads (dissertation §6.4.1)', () => {
  it('a leader cut off from its quorum stops serving lease reads before another leader can commit a write', () => {
    const c = cluster(3, 2, (o) => {
      o.raft.electionTimeoutUsMin = 1 * S;
      o.raft.electionTimeoutUsMax = 2 * S;
      o.raft.heartbeatUs = 100 * MS;
      o.raft.checkQuorum = true;
      o.raft.readMode = 'lease';
    });
    c.sim.forceTimeout('n1');
    expect(runUntil(c, () => leaderOf(c.world) === 'n1', 1 * S)).toBe(true);
    expect(request(c, 'A', { op: 'put', key: 'x', value: '1' })).toEqual({ ok: true, result: 'OK' });
    c.sim.partition([['n1'], ['n2', 'n3']], 'isolate n1');
    runFor(c, 1100 * MS); // past the followers' leader stickiness
    c.sim.forceTimeout('n2');
    expect(runUntil(c, () => node(c.world, 'n2').role === 'leader', 1 * S)).toBe(true);
    expect(request(c, 'B', { op: 'put', key: 'x', value: '2' }, 'n2')).toEqual({ ok: true, result: 'OK' });
    // x=2 is committed and acknowledged; a read that starts now must not return 1.
    const r = request(c, 'A', { op: 'get', key: 'x' }, 'n1', 2 * S);
    expect(r !== null && r.ok && r.result === '1').toBe(false);
  });
});

describe('pre-vote (dissertation §9.6)', () => {
  it('a pre-candidate refused by a majority returns to follower', () => {
    const h = hand('n1', ['n1', 'n2', 'n3'], (o) => (o.raft.prevote = true));
    raftForceTimeout(h.s, h.env);
    expect(h.s.role).toBe('precandidate');
    raftReceive(h.s, h.env, 'n2', rvr(0, false, true));
    raftReceive(h.s, h.env, 'n3', rvr(0, false, true));
    expect(h.s.role).toBe('follower');
    expect(h.s.term).toBe(0);
  });
});

describe('clients', () => {
  it('a client whose leader is cut off finds the new leader on the other side (redirects do not trap it)', () => {
    // A 3/2 split with the old leader n1 on the 2-side: n2 keeps redirecting to n1, which never answers.
    const c = cluster(5, 6, (o) => {
      o.raft.electionTimeoutUsMin = 10 * S;
      o.raft.electionTimeoutUsMax = 20 * S;
      o.raft.heartbeatUs = 1 * S;
    });
    c.sim.forceTimeout('n1');
    expect(runUntil(c, () => leaderOf(c.world) === 'n1', 1 * S)).toBe(true);
    expect(request(c, 'D', { op: 'put', key: 'x', value: '1' })).toEqual({ ok: true, result: 'OK' });
    c.sim.partition([['n1', 'n2'], ['n3', 'n4', 'n5']], '{n1 n2} | {n3 n4 n5}');
    c.sim.forceTimeout('n4');
    expect(runUntil(c, () => node(c.world, 'n4').role === 'leader', 1 * S)).toBe(true);
    expect(request(c, 'D', { op: 'put', key: 'x', value: '2' }, null, 10 * S)).toEqual({ ok: true, result: 'OK' });
  });
});

describe('split votes', () => {
  it('with one fixed election timeout the vote splits forever, whatever the latency jitter (the misconfiguration)', () => {
    // A candidate refused by a majority stays on its election timer (Figure 2 resets it only on hearing
    // from a leader or granting a vote), so the fixed timers stay in lockstep.
    for (const seed of [1, 2, 3]) {
      const c = cluster(5, seed, (o) => (o.raft.electionTimeoutUsMin = o.raft.electionTimeoutUsMax = 200 * MS));
      runFor(c, 30 * S);
      expect(leaderOf(c.world)).toBeNull();
      expect(node(c.world, 'n1').term).toBeGreaterThanOrEqual(140);
    }
  });
});

describe('quiet scenarios', () => {
  it('large election timeouts leave elections to `forceTimeout` alone', () => {
    const c = cluster(3, 1, quiet);
    runFor(c, 9 * S);
    expect(leaderOf(c.world)).toBeNull();
    c.sim.forceTimeout('n2');
    expect(runUntil(c, () => leaderOf(c.world) === 'n2', 100 * MS)).toBe(true);
  });
});
