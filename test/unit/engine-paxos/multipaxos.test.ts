// Multi-Paxos ("Paxos Made Simple" §3): a distinguished leader, phase 2 only for new instances, gaps
// filled with no-ops on a leader change, the replicated key-value store shared with Raft, and each
// teaching bug caught by the checkers.

import { describe, expect, it } from 'vitest';
import { paxosCheckCreate, paxosCheckEvent } from '../../../src/engine/check/paxos';
import {
  multiPaxosDecided,
  multiPaxosForceTimeout,
  multiPaxosPropose,
  multiPaxosProtocol,
  type MultiPaxosState,
} from '../../../src/engine/paxos/multi';
import { defaultMultiPaxosOptions, type MultiPaxosOptions } from '../../../src/engine/paxos/options';
import type { Command } from '../../../src/engine/trace';
import { eventsOf, Harness, type HarnessOptions, MS, names, S } from './harness';

function cluster(n: number, seed = 1, tweak?: (o: MultiPaxosOptions) => void, net: HarnessOptions = {}) {
  const nodes = names(n);
  const o = defaultMultiPaxosOptions();
  tweak?.(o);
  const h = new Harness<MultiPaxosState, MultiPaxosOptions>(multiPaxosProtocol, nodes, o, seed, net);
  const check = paxosCheckCreate(nodes, true);
  h.addCheck((ev) => paxosCheckEvent(check, ev)).start();
  const leader = (): string | null => nodes.find((x) => h.slot(x).up && h.state(x).role === 'leader') ?? null;
  const write = (client: string, key: string, value: string, boundUs = 5 * S): { ok: boolean; result: string } | null => {
    h.put(client, key, value);
    return h.run(boundUs, () => h.done(client)) ? h.last(client) : null;
  };
  const run = (client: string, cmd: (client: string, seq: number) => Command): { ok: boolean; result: string } | null => {
    h.submit(client, cmd);
    return h.run(5 * S, () => h.done(client)) ? h.last(client) : null;
  };
  return { h, nodes, check, leader, write, run };
}

/** Timers far away: only `multiPaxosForceTimeout` starts ballots (hand-driven scenarios). */
function quiet(o: MultiPaxosOptions): void {
  o.electionTimeoutUsMin = 10 * S;
  o.electionTimeoutUsMax = 20 * S;
  o.heartbeatUs = 5 * S;
}

describe('leader election (phase 1 for every instance)', () => {
  it('a node that hears no leader runs phase 1 and leads with a majority of promises', () => {
    const c = cluster(5, 1);
    expect(c.h.run(2 * S, () => c.leader() !== null)).toBe(true);
    const l = c.leader()!;
    const roles = eventsOf(c.h.trace, 'role').filter((e) => e.node === l).map((e) => `${e.from}->${e.to}`);
    expect(roles).toEqual(['follower->candidate', 'candidate->leader']);
    expect(eventsOf(c.h.trace, 'role').find((e) => e.to === 'leader')!.reason).toMatch(/^promises for #1\.\d from (n\d ){2}n\d \(3\/5, a majority\)$/);
    expect(c.h.violations()).toEqual([]);
  });
});

describe('the distinguished leader', () => {
  it('skips phase 1 for later instances: one Accept round trip per command', () => {
    const c = cluster(3, 2);
    c.h.run(2 * S, () => c.leader() !== null);
    expect(c.write('A', 'x', '0')?.ok).toBe(true);
    const prepares = eventsOf(c.h.trace, 'send').filter((e) => e.msg.type === 'Prepare').length;
    const from = c.h.trace.length;
    for (let i = 1; i <= 5; i++) expect(c.write('A', 'x', String(i))).toEqual({ ok: true, result: 'OK' });
    const sent = eventsOf(c.h.trace.slice(from), 'send');
    expect(sent.filter((e) => e.msg.type === 'Prepare')).toHaveLength(0);
    expect(eventsOf(c.h.trace, 'send').filter((e) => e.msg.type === 'Prepare')).toHaveLength(prepares);
    expect(sent.filter((e) => e.msg.type === 'Accept' && e.from === c.leader()).length).toBeGreaterThanOrEqual(10);
    const picks = eventsOf(c.h.trace.slice(from), 'pick');
    expect(picks.map((e) => e.instance)).toEqual([2, 3, 4, 5, 6]);
    expect(picks[0]!.reason).toBe("client A's command, in the next free instance (phase 2 only: the leader's ballot holds)");
  });

  it('runs the replicated key-value store Raft runs (applyCommand), the same on every node', () => {
    const c = cluster(3, 3);
    c.h.run(2 * S, () => c.leader() !== null);
    expect(c.write('A', 'x', '1')).toEqual({ ok: true, result: 'OK' });
    expect(c.run('B', (client, seq) => ({ op: 'cas', key: 'x', expect: '1', value: '2', client, seq }))).toEqual({ ok: true, result: 'OK' });
    expect(c.run('A', (client, seq) => ({ op: 'cas', key: 'x', expect: '1', value: '3', client, seq }))).toEqual({ ok: true, result: 'failed: x=2' });
    expect(c.run('B', (client, seq) => ({ op: 'get', key: 'x', client, seq }))).toEqual({ ok: true, result: '2' });
    expect(c.run('A', (client, seq) => ({ op: 'delete', key: 'x', client, seq }))).toEqual({ ok: true, result: 'deleted' });
    c.h.run(1 * S);
    for (const n of c.nodes) expect(c.h.state(n).kv, n).toEqual(new Map());
    expect(c.nodes.map((n) => c.h.state(n).chosenThrough)).toEqual([5, 5, 5]);
    expect(c.h.violations()).toEqual([]);
  });

  it('followers send clients to the leader (they answer with a leader hint)', () => {
    const c = cluster(3, 4);
    c.h.run(2 * S, () => c.leader() !== null);
    const follower = c.nodes.find((n) => n !== c.leader())!;
    c.h.submit('A', (client, seq) => ({ op: 'put', key: 'k', value: 'v', client, seq }), follower);
    c.h.run(2 * S, () => c.h.done('A'));
    const answers = eventsOf(c.h.trace, 'deliver').filter((e) => e.msg.type === 'ClientResponse').map((e) => e.msg);
    expect(answers[0]).toMatchObject({ ok: false, result: `not leader; try ${c.leader()}` });
    expect(c.h.last('A')).toEqual({ ok: true, result: 'OK' });
  });

  it('a value proposed at a follower is forwarded to the leader', () => {
    const c = cluster(3, 5);
    c.h.run(2 * S, () => c.leader() !== null);
    c.h.run(100 * MS); // the leader's first heartbeat tells the followers
    const follower = c.nodes.find((n) => n !== c.leader())!;
    c.h.call(follower, (s, env) => multiPaxosPropose(s, env, 'X'));
    c.h.run(1 * S);
    expect(eventsOf(c.h.trace, 'propose')[0]!.reason).toBe(`forwards it to leader ${c.leader()}`);
    for (const n of c.nodes) expect(multiPaxosDecided(c.h.state(n), 1)).toBe('X');
  });
});

describe('leader change', () => {
  it('a new leader adopts accepted values and fills the gaps with no-ops', () => {
    // n1 leads and proposes A, B, C in instances 1-3; its Accepts for instance 2 are all lost; n1 crashes.
    const c = cluster(3, 6, quiet);
    const { h } = c;
    h.call('n1', (s, env) => multiPaxosForceTimeout(s, env));
    h.run(100 * MS);
    expect(c.leader()).toBe('n1');
    h.hold('n1', 'n2');
    h.hold('n1', 'n3');
    for (const v of ['A', 'B', 'C']) h.call('n1', (s, env) => multiPaxosPropose(s, env, v));
    for (const p of ['n2', 'n3']) {
      expect(h.dropHeld('n1', p, (m) => m.type === 'Accept' && m.instance === 2)).toBe(1);
      h.release('n1', p);
    }
    h.run(100 * MS);
    h.crash('n1');
    h.call('n2', (s, env) => multiPaxosForceTimeout(s, env));
    h.run(200 * MS);
    expect(c.leader()).toBe('n2');
    const picks = eventsOf(h.trace, 'pick').filter((e) => e.node === 'n2');
    // n2 had not learned that i1 was chosen, so it re-proposes A there too: the same value, safely.
    expect(picks.map((e) => `i${e.instance}=${typeof e.value === 'string' ? e.value : e.value.op}`)).toEqual(['i1=A', 'i2=noop', 'i3=C']);
    expect(picks[1]!.reason).toBe('promises 2/3, a majority; none reports a value for i2: fills the gap with a no-op');
    expect(picks[2]!.reason).toMatch(/adopts C, the highest accepted at i3 \(#1\.1 reported by n[23]\)/);
    const log = (n: string): unknown[] => [1, 2, 3].map((i) => multiPaxosDecided(h.state(n), i));
    expect(log('n2')).toEqual(['A', { op: 'noop' }, 'C']);
    h.run(6 * S); // n3 learns from the next heartbeat
    expect(log('n3')).toEqual(['A', { op: 'noop' }, 'C']);
    expect(h.violations()).toEqual([]);
  });

  it('a restarted follower catches up on everything chosen while it was down', () => {
    const c = cluster(3, 7);
    c.h.run(2 * S, () => c.leader() !== null);
    const follower = c.nodes.find((n) => n !== c.leader())!;
    c.h.crash(follower);
    for (let i = 1; i <= 4; i++) expect(c.write('A', `k${i}`, String(i))?.ok).toBe(true);
    c.h.restart(follower);
    c.h.run(1 * S);
    expect(c.h.state(follower).kv).toEqual(new Map([['k1', '1'], ['k2', '2'], ['k3', '3'], ['k4', '4']]));
    expect(eventsOf(c.h.trace, 'send').some((e) => e.from === follower && e.msg.type === 'CatchUp')).toBe(true);
  });

  it('a leader cut off in a minority commits nothing; the majority elects another; on healing the old one steps down', () => {
    const c = cluster(5, 8);
    c.h.run(2 * S, () => c.leader() !== null);
    const old = c.leader()!;
    const rest = c.nodes.filter((n) => n !== old);
    c.h.partition([[old, rest[0]!], rest.slice(1)]);
    c.h.call(old, (s, env) => multiPaxosPropose(s, env, 'lost'));
    c.h.run(2 * S);
    const now = c.nodes.filter((n) => c.h.state(n).role === 'leader');
    expect(now).toHaveLength(2);
    expect(multiPaxosDecided(c.h.state(old), c.h.state(old).chosenThrough + 1)).toBeNull();
    c.h.heal();
    c.h.run(2 * S);
    expect(c.nodes.filter((n) => c.h.state(n).role === 'leader')).toHaveLength(1);
    expect(c.h.state(old).role).toBe('follower');
    expect(c.h.violations()).toEqual([]);
  });
});

describe('teaching bugs, each caught by the checkers', () => {
  it('quorumFromReachable: both sides of a partition elect a leader and choose (buy orders on one, sell on the other)', () => {
    const c = cluster(5, 9, (o) => (o.bugs.quorumFromReachable = true));
    c.h.run(2 * S, () => c.leader() !== null);
    c.h.partition([['n1', 'n2'], ['n3', 'n4', 'n5']]);
    c.h.run(2 * S);
    expect(c.nodes.filter((n) => c.h.state(n).role === 'leader').length).toBe(2);
    const [minority, majority] = [['n1', 'n2'], ['n3', 'n4', 'n5']].map((g) => g.find((n) => c.h.state(n).role === 'leader')!);
    c.h.submit('A', (client, seq) => ({ op: 'put', key: 'order', value: 'buy', client, seq }), minority!);
    c.h.submit('B', (client, seq) => ({ op: 'put', key: 'order', value: 'sell', client, seq }), majority!);
    c.h.run(2 * S);
    const v = c.h.violations();
    expect(v.some((x) => x.startsWith('Learned Is Chosen: '))).toBe(true);
    expect(v.some((x) => x.startsWith('Agreement: '))).toBe(true);
    expect(v.some((x) => x.startsWith('State Machine Safety: '))).toBe(true);
  });

  it('forgetPromiseOnRestart: a follower forgets the new leader\'s ballot and lets the old leader choose in the same instance', () => {
    const c = cluster(3, 1, (o) => {
      quiet(o);
      o.bugs.forgetPromiseOnRestart = true;
    }, { latencyUsMin: 5 * MS, latencyUsMax: 5 * MS });
    const { h } = c;
    h.call('n1', (s, env) => multiPaxosForceTimeout(s, env));
    h.run(50 * MS);
    expect(c.write('A', 'x', '1')?.ok).toBe(true);
    h.cut('n1', 'n3');
    h.cut('n3', 'n1');
    h.hold('n1', 'n2');
    h.put('A', 'x', '2'); // n1 proposes it at i2; its Accept to n2 is held
    h.run(1 * MS);
    h.call('n3', (s, env) => multiPaxosForceTimeout(s, env));
    h.run(20 * MS, () => h.state('n2').promised.proposer === 3);
    h.crash('n2');
    h.restart('n2');
    h.release('n1', 'n2');
    h.run(200 * MS);
    h.put('B', 'y', '9'); // reaches n3 in the end, which puts it at i2 too
    h.run(2 * S, () => h.done('B'));
    expect(h.violations()).toContain('Agreement: two values chosen at i2: put x=2 (#1.1, accepted by n1 n2) and put y=9 (#2.3, accepted by n2 n3)');
    expect(h.violations()).toContain('State Machine Safety: n3 applied put y=9 at index 2, n1 applied put x=2');
  });

  it('ignoreAcceptedValues: a new leader overwrites a chosen command with a no-op', () => {
    const c = cluster(3, 10, (o) => {
      quiet(o);
      o.bugs.ignoreAcceptedValues = true;
    });
    const { h } = c;
    h.call('n1', (s, env) => multiPaxosForceTimeout(s, env));
    h.run(100 * MS);
    expect(c.write('A', 'x', '1')?.ok).toBe(true); // chosen; the followers learn it with the next message
    h.crash('n1');
    h.call('n2', (s, env) => multiPaxosForceTimeout(s, env));
    h.run(200 * MS);
    expect(eventsOf(h.trace, 'pick').find((e) => e.node === 'n2')?.reason).toMatch(/ignores put x=1 accepted in #1\.1 at i1 and proposes a no-op \(bug ignoreAcceptedValues\)$/);
    expect(h.violations()).toEqual([
      'Agreement: two values chosen at i1: put x=1 (#1.1, accepted by n1 n3) and no-op (#2.2, accepted by n2 n3)',
      'Learned Is Chosen: n2 learned no-op at i1, but put x=1 was chosen there first (#1.1, accepted by n1 n3)',
      'Agreement: n1 learned put x=1 at i1 but n2 learned no-op',
      'State Machine Safety: n2 applied no-op at index 1, n1 applied put x=1',
    ]);
  });
});
