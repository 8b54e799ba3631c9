// The bully election (Garcia-Molina 1982): the highest live node it can reach wins; with no quorum, a
// partition gives each side its own leader, which the checker reports.

import { describe, expect, it } from 'vitest';
import { bullyForceTimeout, bullyProtocol, defaultBullyOptions, type BullyOptions, type BullyState } from '../../../src/engine/bully/node';
import { bullyCheckCreate, bullyCheckEvent } from '../../../src/engine/check/bully';
import { eventsOf, Harness, MS, names, S } from './harness';

function cluster(n: number, seed = 1) {
  const nodes = names(n);
  const h = new Harness<BullyState, BullyOptions>(bullyProtocol, nodes, defaultBullyOptions(), seed);
  // Overlaps shorter than two message flights are a hand-over in progress, not a split brain.
  const check = bullyCheckCreate(nodes, 2 * h.latencyUsMax);
  h.addCheck((ev) => bullyCheckEvent(check, ev)).start();
  const leaders = (): string[] => nodes.filter((x) => h.slot(x).up && h.state(x).role === 'leader');
  const followersOf = (l: string): string[] => nodes.filter((x) => h.slot(x).up && h.state(x).leader === l && x !== l);
  return { h, nodes, leaders, followersOf };
}

describe('bully election', () => {
  it('the highest id wins, and everyone follows it', () => {
    const c = cluster(5, 1);
    c.h.run(1 * S);
    expect(c.leaders()).toEqual(['n5']);
    expect(c.followersOf('n5')).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(c.h.violations()).toEqual([]);
  });

  it('when the leader crashes, the next highest takes over: Election up, Alive down, Coordinator to all', () => {
    const c = cluster(5, 2);
    c.h.run(1 * S);
    const from = c.h.trace.length;
    c.h.crash('n5');
    c.h.run(1 * S);
    expect(c.leaders()).toEqual(['n4']);
    expect(c.followersOf('n4')).toEqual(['n1', 'n2', 'n3']);
    const sent = eventsOf(c.h.trace.slice(from), 'send');
    // Nobody answers n4's Election (n5 is down): it declares itself.
    expect(sent.some((e) => e.from === 'n4' && e.to === 'n5' && e.msg.type === 'Election')).toBe(true);
    expect(sent.some((e) => e.msg.type === 'Alive')).toBe(true);
    expect(eventsOf(c.h.trace.slice(from), 'role').find((e) => e.node === 'n4' && e.to === 'leader')!.reason).toBe('no Alive from a higher node within 30ms');
    expect(c.h.violations()).toEqual([]);
  });

  it('a restarted higher node bullies the leader out (a hand-over, not a split brain)', () => {
    const c = cluster(5, 3);
    c.h.run(1 * S);
    c.h.crash('n5');
    c.h.run(1 * S);
    c.h.restart('n5');
    c.h.run(1 * S);
    expect(c.leaders()).toEqual(['n5']);
    expect(eventsOf(c.h.trace, 'role').filter((e) => e.node === 'n4').at(-1)).toMatchObject({ to: 'follower', reason: 'n5 outranks n4 and leads' });
    expect(c.h.violations()).toEqual([]);
  });

  it('is not partition-tolerant: each side elects its own leader, and the checker reports the split brain', () => {
    const c = cluster(5, 4);
    c.h.run(1 * S);
    c.h.partition([['n1', 'n2'], ['n3', 'n4', 'n5']]);
    c.h.run(1 * S);
    expect(c.leaders()).toEqual(['n2', 'n5']);
    const found = eventsOf(c.h.trace, 'violation');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ invariant: 'Single Leader', nodes: ['n2', 'n5'] });
    expect(found[0]!.detail).toMatch(/^split brain: n2 and n5 both lead at once \(since \d+ms\); the bully election has no quorum, so each side of a partition elects its own$/);
    // Healing: n5's heartbeat reaches n2, which follows the higher node.
    c.h.heal();
    c.h.run(1 * S);
    expect(c.leaders()).toEqual(['n5']);
    expect(c.followersOf('n5')).toEqual(['n1', 'n2', 'n3', 'n4']);
  });

  it('`timeout n2` starts an election at once; the higher nodes answer and the highest wins again', () => {
    const c = cluster(3, 5);
    c.h.run(1 * S);
    c.h.call('n2', (s, env) => bullyForceTimeout(s, env));
    expect(c.h.state('n2').role).toBe('candidate');
    c.h.run(100 * MS);
    expect(c.leaders()).toEqual(['n3']);
    expect(c.h.state('n2').leader).toBe('n3');
  });
});
