// What Ongaro's dissertation adds to the paper, each test named after its rule: pre-vote (§9.6),
// check-quorum (§6.2), leader stickiness (§4.2.3), the no-op of a new leader (§6.4, §8), ReadIndex
// (§6.4), lease reads (§6.4.1), client sessions (§6.3).

import { describe, expect, it } from 'vitest';
import { type Session, applyCommand } from '../../../src/engine/kv/store';
import { raftReceive, raftRestart } from '../../../src/engine/raft/node';
import { type Cluster, MS, S, ae, cluster, count, hand, leaderOf, node, quiet, request, runFor, runUntil, rv, submit } from './helpers';

/** 5 nodes; n1 leads; `tweak` sets the options under test. */
function fiveLedBy1(tweak: Parameters<typeof cluster>[2] = () => {}, seed = 1): Cluster {
  const c = cluster(5, seed, tweak);
  c.sim.forceTimeout('n1');
  expect(runUntil(c, () => leaderOf(c.world) === 'n1', 500 * MS)).toBe(true);
  runFor(c, 100 * MS);
  return c;
}

describe('pre-vote (§9.6)', () => {
  it('without pre-vote, a node cut off for a while comes back with a higher term and deposes a working leader', () => {
    const c = fiveLedBy1();
    c.sim.partition([['n5']], 'isolate n5');
    runFor(c, 3 * S);
    expect(node(c.world, 'n5').term).toBeGreaterThan(5);
    c.sim.heal();
    runFor(c, 50 * MS);
    expect(node(c.world, 'n1').role).toBe('follower'); // deposed by the higher term
  });

  it('with pre-vote, the cut-off node never wins a pre-vote, so its term stays put and the leader keeps leading', () => {
    const c = fiveLedBy1((o) => (o.raft.prevote = true));
    c.sim.partition([['n5']], 'isolate n5');
    runFor(c, 3 * S);
    expect(node(c.world, 'n5').term).toBe(1);
    expect(node(c.world, 'n5').role).toBe('precandidate');
    c.sim.heal();
    runFor(c, 1 * S);
    expect(leaderOf(c.world)).toBe('n1');
    expect(node(c.world, 'n1').term).toBe(1);
  });

  it('a pre-vote changes nothing on the voter: no term, no votedFor', () => {
    const h = hand('n2', ['n1', 'n2', 'n3']);
    raftReceive(h.s, h.env, 'n1', rv(5, 0, 0, true));
    expect(h.out[0]!.msg).toMatchObject({ type: 'RequestVoteResponse', granted: true, prevote: true, term: 5 });
    expect([h.s.term, h.s.votedFor]).toEqual([0, null]);
  });

  it('a voter refuses a pre-vote for a log behind its own, or while it hears from a leader', () => {
    const h = hand('n2', ['n1', 'n2', 'n3'], (o) => (o.raft.prevote = true));
    raftReceive(h.s, h.env, 'n1', ae(1, 0, 0, [{ term: 1, cmd: { op: 'noop' } }], 0));
    h.take();
    raftReceive(h.s, h.env, 'n3', rv(2, 1, 1, true));
    expect(h.out[0]!.msg).toMatchObject({ granted: false, prevote: true });
    expect((h.out[0]!.msg as { reason: string }).reason).toContain('§4.2.3');
    h.env.now += h.opts.raft.electionTimeoutUsMin;
    raftReceive(h.s, h.env, 'n3', rv(2, 0, 0, true));
    expect(h.out[1]!.msg).toMatchObject({ granted: false, prevote: true });
    expect((h.out[1]!.msg as { reason: string }).reason).toContain('§5.4.1');
    raftReceive(h.s, h.env, 'n3', rv(2, 1, 1, true));
    expect(h.out[2]!.msg).toMatchObject({ granted: true, prevote: true });
  });
});

describe('check-quorum (§6.2)', () => {
  it('a leader cut off from a majority steps down within two election timeouts', () => {
    const c = fiveLedBy1((o) => (o.raft.checkQuorum = true));
    c.sim.partition([['n1', 'n2']], '{n1 n2} | {n3 n4 n5}');
    const t0 = c.world.now;
    expect(runUntil(c, () => node(c.world, 'n1').role !== 'leader', 1 * S)).toBe(true);
    expect(c.world.now - t0).toBeLessThanOrEqual(2 * c.world.opts.raft.electionTimeoutUsMin + c.world.opts.raft.heartbeatUs);
    expect(c.trace.find((e) => e.k === 'role' && e.node === 'n1' && e.to === 'follower')).toMatchObject({ reason: expect.stringContaining('check-quorum') });
  });

  it('a healthy leader never steps down (no flapping, with latency jitter and 10% loss)', () => {
    for (const seed of [1, 2, 3]) {
      const c = fiveLedBy1((o) => ((o.raft.checkQuorum = true), (o.raft.prevote = true)), seed);
      c.sim.setLoss(100);
      runFor(c, 30 * S);
      expect(count(c.trace, (e) => e.k === 'role' && e.node === 'n1' && e.from === 'leader')).toBe(0);
    }
  });

  it('without check-quorum, a cut-off leader keeps believing it leads', () => {
    const c = fiveLedBy1();
    c.sim.partition([['n1', 'n2']], '{n1 n2} | {n3 n4 n5}');
    runFor(c, 5 * S);
    expect(node(c.world, 'n1').role).toBe('leader');
  });
});

describe('leader stickiness (§4.2.3)', () => {
  it('with check-quorum, a follower that heard from its leader within the minimum election timeout ignores a vote request: no term change, no vote', () => {
    const c = fiveLedBy1((o) => ((o.raft.checkQuorum = true), quiet(o)));
    c.sim.forceTimeout('n5'); // a disruptive election
    runFor(c, 50 * MS);
    expect(leaderOf(c.world)).toBe('n1');
    for (const n of ['n1', 'n2', 'n3', 'n4']) expect(node(c.world, n).term).toBe(1);
  });

  it('without it, a forced election deposes the leader', () => {
    const c = fiveLedBy1(quiet);
    c.sim.forceTimeout('n5');
    runFor(c, 50 * MS);
    expect(leaderOf(c.world)).toBe('n5');
  });

  it('a restarted node refuses to help elect another leader for one election timeout (it may have acknowledged a lease just before)', () => {
    const h = hand('n2', ['n1', 'n2', 'n3'], (o) => (o.raft.checkQuorum = true));
    h.env.now = 5 * S;
    h.s.role = 'down';
    raftRestart(h.s, h.env);
    raftReceive(h.s, h.env, 'n3', rv(1, 0, 0));
    expect(h.out[0]!.msg).toMatchObject({ granted: false });
    h.env.now += h.opts.raft.electionTimeoutUsMin;
    raftReceive(h.s, h.env, 'n3', rv(1, 0, 0));
    expect(h.out[1]!.msg).toMatchObject({ granted: true });
  });
});

describe('the no-op of a new leader (§6.4, §8)', () => {
  it('a new leader appends an empty entry of its term at once, and commits the entries before it with it', () => {
    const c = fiveLedBy1();
    expect(node(c.world, 'n1').log).toEqual([{ term: 1, cmd: { op: 'noop' } }]);
    expect(node(c.world, 'n1').commitIndex).toBe(1);
    c.sim.crash('n1');
    expect(runUntil(c, () => leaderOf(c.world) !== null, 2 * S)).toBe(true);
    const l = node(c.world, leaderOf(c.world)!);
    expect(l.log.map((e) => [e.term, e.cmd.op])).toEqual([
      [1, 'noop'],
      [l.term, 'noop'],
    ]);
  });
});

describe('reads', () => {
  it('ReadIndex (§6.4): a read is answered after a quorum confirms the leadership in a new heartbeat round', () => {
    const c = fiveLedBy1(quiet);
    expect(request(c, 'A', { op: 'put', key: 'x', value: '1' })).toEqual({ ok: true, result: 'OK' });
    const i0 = c.trace.length;
    expect(request(c, 'A', { op: 'get', key: 'x' })).toEqual({ ok: true, result: '1' });
    // One round of AppendEntries to the four followers, not through the log.
    expect(count(c.trace, (e) => e.k === 'send' && e.msg.type === 'AppendEntries', i0)).toBe(4);
    expect(count(c.trace, (e) => e.k === 'append', i0)).toBe(0);
  });

  it('ReadIndex: a leader cut off from its quorum never answers a read', () => {
    const c = fiveLedBy1(quiet);
    expect(request(c, 'A', { op: 'put', key: 'x', value: '1' })).toEqual({ ok: true, result: 'OK' });
    c.sim.partition([['n1', 'n2']], '{n1 n2} | {n3 n4 n5}');
    expect(request(c, 'A', { op: 'get', key: 'x' }, 'n1', 3 * S)).toBeNull();
  });

  it('a new leader answers no read before its no-op is committed (it does not know the commit index yet)', () => {
    const c = fiveLedBy1(quiet);
    c.sim.crash('n1');
    c.sim.forceTimeout('n2');
    for (const p of ['n3', 'n4', 'n5']) c.sim.hold('n2', p); // its vote requests are out; its no-op is not
    runFor(c, 50 * MS);
    expect(node(c.world, 'n2').role).toBe('leader');
    submit(c, 'A', { op: 'get', key: 'x' }, 'n2');
    runFor(c, 200 * MS);
    expect(c.sim.clientDone('A')).toBe(false);
    for (const p of ['n3', 'n4', 'n5']) c.sim.release('n2', p, true);
    expect(runUntil(c, () => c.sim.clientDone('A'), 1 * S)).toBe(true);
  });

  it('lease reads (§6.4.1): a healthy leader answers at once, without a round of messages', () => {
    const c = fiveLedBy1((o) => ((o.raft.checkQuorum = true), (o.raft.readMode = 'lease')));
    expect(request(c, 'A', { op: 'put', key: 'x', value: '1' })).toEqual({ ok: true, result: 'OK' });
    runFor(c, 100 * MS);
    const i0 = c.trace.length;
    submit(c, 'A', { op: 'get', key: 'x' }, 'n1');
    expect(runUntil(c, () => c.sim.clientDone('A'), 30 * MS)).toBe(true);
    expect(count(c.trace, (e) => e.k === 'send' && e.from === 'n1' && e.msg.type === 'AppendEntries', i0)).toBe(0);
  });

  it('lease reads need leader stickiness: without check-quorum or pre-vote they fall back to ReadIndex', () => {
    const c = fiveLedBy1((o) => (o.raft.readMode = 'lease'));
    runFor(c, 100 * MS);
    const i0 = c.trace.length;
    expect(request(c, 'A', { op: 'get', key: 'x' }, 'n1')).toEqual({ ok: true, result: '(none)' });
    expect(count(c.trace, (e) => e.k === 'send' && e.from === 'n1' && e.msg.type === 'AppendEntries', i0)).toBeGreaterThanOrEqual(4);
  });

  it('a lease read still waiting when stickiness is turned off (`set check-quorum=off`) is not served on the lease', () => {
    const c = fiveLedBy1((o) => {
      quiet(o);
      o.raft.checkQuorum = true;
      o.raft.readMode = 'lease';
    });
    expect(request(c, 'A', { op: 'put', key: 'x', value: '1' })).toEqual({ ok: true, result: 'OK' });
    c.sim.crash('n1');
    runFor(c, 11 * S); // past the followers' stickiness
    c.sim.forceTimeout('n2');
    expect(runUntil(c, () => node(c.world, 'n2').role === 'leader', 100 * MS)).toBe(true);
    for (const p of ['n3', 'n4', 'n5']) c.sim.hold(p, 'n2'); // the acknowledgements of n2's no-op wait
    submit(c, 'A', { op: 'get', key: 'x' }, 'n2'); // a lease read: n2 has no lease yet, so it waits
    runFor(c, 50 * MS);
    c.world.opts.raft.checkQuorum = false; // followers stop honouring leases
    for (const p of ['n3', 'n4', 'n5']) c.sim.hold('n2', p);
    c.sim.forceTimeout('n3'); // n3 wins term 3 at once and commits x=2
    expect(runUntil(c, () => node(c.world, 'n3').role === 'leader', 100 * MS)).toBe(true);
    expect(request(c, 'B', { op: 'put', key: 'x', value: '2' }, 'n3')).toEqual({ ok: true, result: 'OK' });
    for (const p of ['n4', 'n5', 'n3']) c.sim.release(p, 'n2', true); // the old acknowledgements arrive first
    runFor(c, 100 * MS);
    const answer = c.trace.find((e) => e.k === 'client-response' && e.client === 'A' && e.seq === 2);
    expect(answer === undefined || !(answer.k === 'client-response' && answer.ok && answer.result === '1')).toBe(true);
  });

  it('local reads are stale by design: a cut-off old leader answers with what it has', () => {
    const c = fiveLedBy1((o) => (o.raft.readMode = 'local'));
    expect(request(c, 'A', { op: 'put', key: 'x', value: '1' })).toEqual({ ok: true, result: 'OK' });
    c.sim.partition([['n1']], 'isolate n1');
    c.sim.forceTimeout('n2');
    expect(runUntil(c, () => node(c.world, 'n2').role === 'leader', 1 * S)).toBe(true);
    expect(request(c, 'B', { op: 'put', key: 'x', value: '2' }, 'n2')).toEqual({ ok: true, result: 'OK' });
    expect(request(c, 'A', { op: 'get', key: 'x' }, 'n1')).toEqual({ ok: true, result: '1' });
  });
});

describe('client sessions (§6.3): a retried command takes effect once', () => {
  it('a write delivered twice is applied once', () => {
    const c = fiveLedBy1((o) => (o.net.duplicatePermille = 1000));
    expect(request(c, 'A', { op: 'put', key: 'x', value: '1' })).toEqual({ ok: true, result: 'OK' });
    runFor(c, 200 * MS);
    const applied = c.trace.filter((e) => e.k === 'apply' && e.node === 'n1' && e.entry.cmd.op === 'put');
    expect(applied).toHaveLength(1);
  });

  it('a write whose answer was lost, retried at the next leader, is answered from the session: one entry, applied once', () => {
    const c = fiveLedBy1(quiet);
    c.sim.cut('n1', 'A', false); // A never hears n1's answer
    submit(c, 'A', { op: 'put', key: 'x', value: '1' });
    runFor(c, 100 * MS);
    expect(node(c.world, 'n1').kv).toEqual(new Map([['x', '1']]));
    c.sim.crash('n1');
    c.sim.forceTimeout('n2');
    expect(runUntil(c, () => c.sim.clientDone('A'), 3 * S)).toBe(true); // A times out and tries n2
    expect(c.world.clients[0]!.last).toMatchObject({ ok: true, result: 'OK' });
    expect(c.trace.filter((e) => e.k === 'send' && e.from === 'A').length).toBeGreaterThan(1);
    runFor(c, 6 * S); // the followers learn the commit index from the next heartbeat
    for (const n of ['n2', 'n3', 'n4', 'n5']) {
      expect(node(c.world, n).log.filter((e) => e.cmd.op === 'put')).toHaveLength(1);
      expect(c.trace.filter((e) => e.k === 'apply' && e.node === n && e.entry.cmd.op === 'put')).toHaveLength(1);
    }
  });

  it('the state machine applies a command with a sequence number it has seen once, and answers the first result again', () => {
    const kv = new Map([['x', '1']]);
    const sessions = new Map<string, Session>();
    const cas = { op: 'cas' as const, key: 'x', expect: '1', value: '2', client: 'A', seq: 7 };
    expect(applyCommand(kv, sessions, cas)).toBe('OK');
    expect(applyCommand(kv, sessions, cas)).toBe('OK'); // not "failed: x=2": it did not run again
    expect([...kv]).toEqual([['x', '2']]);
    expect(applyCommand(kv, sessions, { ...cas, seq: 8 })).toBe('failed: x=2');
  });
});
