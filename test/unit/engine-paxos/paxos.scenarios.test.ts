// Single-decree Paxos, whole clusters: the classic scenarios, message by message where the textbook
// gives the schedule, and each teaching bug caught by the checkers.

import { describe, expect, it } from 'vitest';
import { paxosChosen, paxosCheckCreate, paxosCheckEvent } from '../../../src/engine/check/paxos';
import { paxosDecided, paxosPropose, paxosProtocol, type PaxosState } from '../../../src/engine/paxos/basic';
import { defaultPaxosOptions, type PaxosOptions } from '../../../src/engine/paxos/options';
import { eventsOf, Harness, type HarnessOptions, MS, names, S } from './harness';

function cluster(n: number, seed = 1, tweak?: (o: PaxosOptions) => void, net: HarnessOptions = {}) {
  const nodes = names(n);
  const o = defaultPaxosOptions();
  tweak?.(o);
  const h = new Harness<PaxosState, PaxosOptions>(paxosProtocol, nodes, o, seed, net);
  const check = paxosCheckCreate(nodes, false);
  h.addCheck((ev) => paxosCheckEvent(check, ev)).start();
  const propose = (node: string, value: string): void => void h.call(node, (s, env) => paxosPropose(s, env, value));
  const decided = (node: string): string | null => paxosDecided(h.state(node)) as string | null;
  const everyone = (): (string | null)[] => nodes.map(decided);
  return { h, nodes, check, propose, decided, everyone };
}

describe('one proposer', () => {
  it('decides its value in two round trips, and every node learns it', () => {
    const c = cluster(3, 1, undefined, { latencyUsMin: 5 * MS, latencyUsMax: 5 * MS });
    c.propose('n1', 'X');
    c.h.run(1 * S);
    expect(c.everyone()).toEqual(['X', 'X', 'X']);
    // Prepare out, Promise back, Accept out, Accepted back: the proposer learns at 4 one-way delays.
    expect(eventsOf(c.h.trace, 'learn').find((e) => e.node === 'n1')!.t).toBe(20 * MS);
    const sent = eventsOf(c.h.trace, 'send').map((e) => e.msg.type);
    expect(sent.filter((t) => t === 'Prepare')).toHaveLength(2);
    expect(sent.filter((t) => t === 'Accept')).toHaveLength(2);
    expect(c.h.violations()).toEqual([]);
  });
});

describe('a competing proposer must adopt what may have been chosen (§2.2, P2c)', () => {
  it('a later proposer proposes the decided value, not its own', () => {
    const c = cluster(5, 2);
    c.propose('n1', 'X');
    c.h.run(1 * S);
    c.propose('n5', 'Y');
    c.h.run(1 * S);
    const pick = eventsOf(c.h.trace, 'pick').find((e) => e.node === 'n5');
    // n5 learned X before it could even propose, or it adopted X from its promises.
    if (pick !== undefined) expect(pick).toMatchObject({ value: 'X' });
    expect(c.everyone()).toEqual(['X', 'X', 'X', 'X', 'X']);
    expect(c.h.violations()).toEqual([]);
  });

  it('LANGUAGE.md "adopt the highest accepted value": X on one acceptor is not chosen; the first proposer retries with Y', () => {
    // Three acceptors, two proposers (n1 and n3). n1's prepare reaches only n1 and n2, its accept only
    // n1 itself; n3 completes both phases on {n2, n3}; n1 retries and must propose n3's value.
    const c = cluster(3, 1, (o) => {
      o.retryUsMin = 100 * MS;
      o.retryUsMax = 100 * MS;
    }, { latencyUsMin: 5 * MS, latencyUsMax: 5 * MS });
    const { h } = c;
    h.holdBetween('n1', ['n3']);
    h.hold('n1', 'n2');
    c.propose('n1', 'X');
    h.release('n1', 'n2'); // Prepare #1.1 reaches n2 (and n1's own acceptor)
    h.hold('n1', 'n2'); // n2's promise comes back, but n1's Accept will not reach n2
    h.run(20 * MS, () => h.state('n1').phase === 'accept');
    h.hold('n2', 'n1'); // from now on n1 hears nothing either
    expect(eventsOf(h.trace, 'accept').filter((e) => e.granted).map((e) => `${e.node}=${e.value}`)).toEqual(['n1=X']);

    c.propose('n3', 'Y');
    h.run(100 * MS, () => c.decided('n3') !== null);
    expect(c.decided('n3')).toBe('Y');
    expect(eventsOf(h.trace, 'pick').find((e) => e.node === 'n3')?.reason).toBe(
      'promises 2/3, a majority; none reports an accepted value, so it proposes its own Y',
    );
    // X was accepted by one acceptor only: never chosen.
    expect(paxosChosen(c.check, 0)).toBe('Y');

    // What was in flight to and from n1 is lost; n1's retry timer fires and it tries again.
    for (const p of ['n2', 'n3']) {
      h.release('n1', p, false);
      h.release(p, 'n1', false);
    }
    h.run(1 * S);
    const retry = eventsOf(h.trace, 'pick').filter((e) => e.node === 'n1');
    expect(retry.map((e) => e.value)).toEqual(['X', 'Y']);
    expect(retry[1]!.reason).toMatch(/adopts Y, the highest accepted \(#1\.3 reported by n[23]\)/);
    expect(c.everyone()).toEqual(['Y', 'Y', 'Y']);
    expect(h.violations()).toEqual([]);
  });
});

describe('dueling proposers (FLP: safety always, liveness from randomness)', () => {
  // 5ms links; n3 proposes 4ms after n1. Each new ballot pre-empts the other's accept phase.
  const duel = (retryUsMin: number, retryUsMax: number, seed: number) => {
    const c = cluster(3, seed, (o) => {
      o.retryUsMin = retryUsMin;
      o.retryUsMax = retryUsMax;
    }, { latencyUsMin: 5 * MS, latencyUsMax: 5 * MS });
    c.propose('n1', 'X');
    c.h.run(4 * MS);
    c.propose('n3', 'Y');
    const done = c.h.run(10 * S, () => c.nodes.some((n) => c.decided(n) !== null));
    return { c, done, ballots: eventsOf(c.h.trace, 'ballot').filter((e) => e.action === 'start').length };
  };

  it('with a fixed retry interval they outbid each other forever: no decision in 10s of virtual time', () => {
    const { c, done, ballots } = duel(12 * MS, 12 * MS, 1);
    expect(done).toBe(false);
    expect(ballots).toBeGreaterThan(1_000);
    expect(c.h.violations()).toEqual([]);
    const abandon = eventsOf(c.h.trace, 'ballot').find((e) => e.action === 'abandon')!;
    expect(abandon.reason).toMatch(/\(fixed retry interval\)$/);
  });

  it('with a random retry interval one of them soon finishes, on every seed', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const { c, done } = duel(12 * MS, 60 * MS, seed);
      expect(done, `seed ${seed}`).toBe(true);
      expect(c.h.now).toBeLessThan(1 * S);
      expect(c.h.violations()).toEqual([]);
    }
  });
});

describe('partitions', () => {
  it('a minority decides nothing, the majority decides, and the decision survives healing', () => {
    const c = cluster(5, 3);
    c.h.partition([['n1', 'n2'], ['n3', 'n4', 'n5']]);
    c.propose('n1', 'A');
    c.h.run(2 * S);
    expect(c.everyone()).toEqual([null, null, null, null, null]);
    c.propose('n4', 'B');
    c.h.run(1 * S);
    expect(c.everyone()).toEqual([null, null, 'B', 'B', 'B']);
    c.h.heal();
    c.h.run(2 * S);
    expect(c.everyone()).toEqual(['B', 'B', 'B', 'B', 'B']);
    expect(eventsOf(c.h.trace, 'pick').filter((e) => e.node === 'n1').at(-1)?.value).toBe('B');
    expect(c.h.violations()).toEqual([]);
  });

  it('acceptors remember across a crash of every node: a new proposer still adopts the decision', () => {
    const c = cluster(3, 4);
    c.propose('n1', 'X');
    c.h.run(1 * S);
    for (const n of c.nodes) c.h.crash(n);
    for (const n of c.nodes) c.h.restart(n);
    c.propose('n2', 'Y');
    c.h.run(1 * S);
    // n2's learner kept the decision; n3, asked too, adopts X from its promises.
    expect(c.decided('n2')).toBe('X');
    c.propose('n3', 'Z');
    c.h.run(1 * S);
    expect(c.everyone()).toEqual(['X', 'X', 'X']);
    expect(c.h.violations()).toEqual([]);
  });
});

describe('teaching bugs, each caught by the checkers', () => {
  it('quorumFromReachable: both sides of a partition decide (the war story\'s split brain)', () => {
    const c = cluster(5, 5, (o) => (o.bugs.quorumFromReachable = true));
    c.h.partition([['n1', 'n2'], ['n3', 'n4', 'n5']]);
    c.propose('n1', 'buy');
    c.propose('n3', 'sell');
    c.h.run(2 * S);
    expect(c.decided('n1')).toBe('buy');
    expect(c.decided('n3')).toBe('sell');
    // n1 timed out on n3..n5, counted 2 of "2 reachable" nodes as a quorum, and learned buy.
    expect(c.h.violations()).toEqual([
      'Learned Is Chosen: n1 learned buy, but sell was chosen there first (#1.3, accepted by n3 n4 n5)',
      'Agreement: n5 learned sell but n1 learned buy',
    ]);
  });

  it('forgetPromiseOnRestart: an acceptor that forgot its promise lets two values be chosen', () => {
    const c = cluster(3, 1, (o) => (o.bugs.forgetPromiseOnRestart = true), { latencyUsMin: 5 * MS, latencyUsMax: 5 * MS });
    const { h } = c;
    h.holdBetween('n1', ['n3']);
    h.hold('n1', 'n2');
    c.propose('n1', 'X');
    h.release('n1', 'n2'); // Prepare #1.1 reaches n2
    h.hold('n1', 'n2');
    h.run(20 * MS, () => h.state('n1').phase === 'accept'); // n1's Accept to n2 is held
    c.propose('n3', 'Y');
    h.run(20 * MS, () => h.state('n2').promised.proposer === 3); // n2 promised #1.3, reporting nothing
    h.crash('n2');
    h.restart('n2');
    h.release('n1', 'n2'); // the stale Accept #1.1 reaches n2, which forgot #1.3
    h.run(100 * MS);
    expect(h.violations()).toContain('Agreement: two values chosen: X (#1.1, accepted by n1 n2) and Y (#1.3, accepted by n2 n3)');
  });

  it('ignoreAcceptedValues: a later proposer overwrites the decision', () => {
    const c = cluster(3, 6, (o) => (o.bugs.ignoreAcceptedValues = true));
    c.h.partition([['n1', 'n2'], ['n3']]);
    c.propose('n1', 'X');
    c.h.run(1 * S);
    c.h.heal();
    c.propose('n3', 'Y');
    c.h.run(1 * S);
    expect(eventsOf(c.h.trace, 'pick').find((e) => e.node === 'n3')?.reason).toMatch(/ignores X accepted in #1\.1 and proposes its own Y \(bug ignoreAcceptedValues\)$/);
    expect(c.h.violations()).toEqual([
      'Agreement: two values chosen: X (#1.1, accepted by n1 n2) and Y (#1.3, accepted by n1 n3)',
      'Learned Is Chosen: n3 learned Y, but X was chosen there first (#1.1, accepted by n1 n2)',
      'Agreement: n2 learned X but n3 learned Y',
    ]);
  });
});
