// The rules of single-decree Paxos, one node at a time, driven by hand: step a message in, read what it
// sends and traces. Section numbers refer to Lamport, "Paxos Made Simple" (2001).

import { describe, expect, it } from 'vitest';
import { paxosCrash, paxosCreate, paxosDecided, paxosPropose, paxosReceive, paxosRestart, paxosTimer, type PaxosState } from '../../../src/engine/paxos/basic';
import { defaultBullyOptions, validateBullyOptions } from '../../../src/engine/bully/node';
import {
  defaultMultiPaxosOptions,
  defaultPaxosOptions,
  PAXOS_BUGS,
  validateMultiPaxosOptions,
  validatePaxosOptions,
  type PaxosOptions,
} from '../../../src/engine/paxos/options';
import type { Ballot, Message, PaxosValue, TraceEvent } from '../../../src/engine/trace';
import { eventsOf, hand, MS } from './harness';

const PEERS = ['n1', 'n2', 'n3'];
const b = (round: number, proposer: number): Ballot => ({ round, proposer });

function node(id: string, tweak?: (o: PaxosOptions) => void, peers = PEERS) {
  const o = defaultPaxosOptions();
  tweak?.(o);
  return hand<PaxosState, PaxosOptions>(paxosCreate, id, peers, o);
}

const prepare = (ballot: Ballot): Message => ({ type: 'Prepare', ballot, instance: 0 });
const promise = (ballot: Ballot, accepted: { ballot: Ballot; value: PaxosValue } | null = null): Message => ({
  type: 'Promise',
  ballot,
  instance: 0,
  accepted: accepted === null ? [] : [{ instance: 0, ...accepted }],
});
const accept = (ballot: Ballot, value: PaxosValue): Message => ({ type: 'Accept', ballot, instance: 0, value, chosen: 0 });
const accepted = (ballot: Ballot, value: PaxosValue): Message => ({ type: 'Accepted', ballot, instance: 0, value });

function last<K extends TraceEvent['k']>(trace: TraceEvent[], k: K): Extract<TraceEvent, { k: K }> {
  const all = eventsOf(trace, k);
  expect(all.length).toBeGreaterThan(0);
  return all[all.length - 1]!;
}

describe('acceptor (§2.2, P1a; §2.3, stable storage)', () => {
  it('promises a Prepare above its promise and reports nothing when it has accepted nothing', () => {
    const h = node('n2');
    paxosReceive(h.s, h.env, 'n1', prepare(b(1, 1)));
    expect(h.take()).toEqual([{ to: 'n1', msg: promise(b(1, 1)) }]);
    expect(h.s.promised).toEqual(b(1, 1));
    expect(last(h.trace, 'promise')).toMatchObject({ granted: true, reason: '#1.1 is above promised none; nothing accepted yet' });
  });

  it('reports the highest-numbered proposal it accepted in its promise', () => {
    const h = node('n2');
    paxosReceive(h.s, h.env, 'n1', accept(b(2, 1), 'X'));
    h.take();
    paxosReceive(h.s, h.env, 'n3', prepare(b(3, 3)));
    expect(h.take()).toEqual([{ to: 'n3', msg: promise(b(3, 3), { ballot: b(2, 1), value: 'X' }) }]);
    expect(last(h.trace, 'promise').reason).toBe('#3.3 is above promised #2.1; reports accepted #2.1=X');
  });

  it('refuses a Prepare below its promise, says why, and tells the proposer what it promised', () => {
    const h = node('n2');
    paxosReceive(h.s, h.env, 'n3', prepare(b(7, 3)));
    h.take();
    paxosReceive(h.s, h.env, 'n1', prepare(b(7, 1)));
    expect(h.take()).toEqual([{ to: 'n1', msg: { type: 'Nack', ballot: b(7, 1), instance: 0, promised: b(7, 3), phase: 1 } }]);
    expect(last(h.trace, 'promise')).toMatchObject({ granted: false, proposer: 'n1', reason: 'promise refused: already promised #7.3' });
    expect(h.s.promised).toEqual(b(7, 3));
  });

  it('answers a duplicated Prepare with the same promise', () => {
    const h = node('n2');
    paxosReceive(h.s, h.env, 'n1', prepare(b(1, 1)));
    paxosReceive(h.s, h.env, 'n1', prepare(b(1, 1)));
    expect(h.take().map((x) => x.msg.type)).toEqual(['Promise', 'Promise']);
  });

  it('accepts an Accept not below its promise and tells every learner, itself included', () => {
    const h = node('n2');
    paxosReceive(h.s, h.env, 'n1', prepare(b(1, 1)));
    h.take();
    paxosReceive(h.s, h.env, 'n1', accept(b(1, 1), 'X'));
    expect(h.s.accepted).toEqual({ instance: 0, ballot: b(1, 1), value: 'X' });
    expect(h.take()).toEqual([
      { to: 'n1', msg: accepted(b(1, 1), 'X') },
      { to: 'n3', msg: accepted(b(1, 1), 'X') },
    ]);
    // Its own learner counted its acceptance locally.
    expect([...h.s.tallies['#1.1']!.from]).toEqual(['n2']);
  });

  it('refuses an Accept below its promise (P1a)', () => {
    const h = node('n2');
    paxosReceive(h.s, h.env, 'n3', prepare(b(2, 3)));
    h.take();
    paxosReceive(h.s, h.env, 'n1', accept(b(1, 1), 'X'));
    expect(h.s.accepted).toBeNull();
    expect(h.take()).toEqual([{ to: 'n1', msg: { type: 'Nack', ballot: b(1, 1), instance: 0, promised: b(2, 3), phase: 2 } }]);
    expect(last(h.trace, 'accept')).toMatchObject({ granted: false, reason: 'accept refused: promised #2.3, above #1.1' });
  });

  it('keeps its promise and its acceptance across a crash and restart', () => {
    const h = node('n2');
    paxosReceive(h.s, h.env, 'n1', accept(b(1, 1), 'X'));
    paxosReceive(h.s, h.env, 'n3', prepare(b(2, 3)));
    paxosCrash(h.s, h.env);
    paxosRestart(h.s, h.env);
    h.take();
    expect(h.s.promised).toEqual(b(2, 3));
    expect(h.s.accepted?.value).toBe('X');
    paxosReceive(h.s, h.env, 'n1', accept(b(1, 1), 'Z'));
    expect(h.take()[0]!.msg.type).toBe('Nack');
  });

  it('ignores every message while down', () => {
    const h = node('n2');
    paxosCrash(h.s, h.env);
    paxosReceive(h.s, h.env, 'n1', prepare(b(1, 1)));
    expect(h.take()).toEqual([]);
    expect(paxosPropose(h.s, h.env, 'X')).toBe(false);
  });

  it('with the forgetPromiseOnRestart bug, accepts below the promise it made before restarting', () => {
    const h = node('n2', (o) => (o.bugs.forgetPromiseOnRestart = true));
    paxosReceive(h.s, h.env, 'n1', accept(b(1, 1), 'X'));
    paxosReceive(h.s, h.env, 'n3', prepare(b(5, 3)));
    paxosCrash(h.s, h.env);
    paxosRestart(h.s, h.env);
    expect(h.s.promised).toEqual(b(1, 1));
    expect(last(h.trace, 'note').text).toBe(
      'n2 restarts having forgotten its promise #5.3; it remembers only #1.1, the ballot it accepted (bug forgetPromiseOnRestart)',
    );
    h.take();
    paxosReceive(h.s, h.env, 'n1', accept(b(2, 1), 'Y'));
    expect(h.s.accepted?.value).toBe('Y');
  });
});

describe('learner (§2.3)', () => {
  it('learns a value once a majority of acceptors accepted the same ballot', () => {
    const h = node('n3');
    paxosReceive(h.s, h.env, 'n1', accepted(b(1, 1), 'X'));
    expect(paxosDecided(h.s)).toBeNull();
    paxosReceive(h.s, h.env, 'n2', accepted(b(1, 1), 'X'));
    expect(paxosDecided(h.s)).toBe('X');
    expect(last(h.trace, 'learn')).toMatchObject({ value: 'X', ballot: b(1, 1), reason: 'chosen: n1 n2 accepted #1.1 (2/3, a majority)' });
  });

  it('never adds up acceptances of different ballots, even of the same value', () => {
    const h = node('n5', undefined, ['n1', 'n2', 'n3', 'n4', 'n5']);
    paxosReceive(h.s, h.env, 'n1', accepted(b(1, 1), 'X'));
    paxosReceive(h.s, h.env, 'n2', accepted(b(1, 1), 'X'));
    paxosReceive(h.s, h.env, 'n3', accepted(b(2, 3), 'X'));
    expect(paxosDecided(h.s)).toBeNull();
    paxosReceive(h.s, h.env, 'n4', accepted(b(2, 3), 'X'));
    expect(paxosDecided(h.s)).toBeNull();
    paxosReceive(h.s, h.env, 'n4', accepted(b(1, 1), 'X'));
    expect(paxosDecided(h.s)).toBe('X');
  });

  it('counts a duplicated acceptance once', () => {
    const h = node('n3');
    paxosReceive(h.s, h.env, 'n1', accepted(b(1, 1), 'X'));
    paxosReceive(h.s, h.env, 'n1', accepted(b(1, 1), 'X'));
    expect(paxosDecided(h.s)).toBeNull();
  });
});

describe('proposer (§2.2, P2c; §2.4, unique proposal numbers)', () => {
  it('starts phase 1 with a ballot of its own: round 1, its position among the peers', () => {
    const h = node('n2');
    paxosPropose(h.s, h.env, 'X');
    const sent = h.take();
    expect(sent.map((x) => x.to)).toEqual(['n1', 'n3']);
    expect(sent[0]!.msg).toEqual(prepare(b(1, 2)));
    // Its own acceptor promised at once.
    expect(h.s.promises).toEqual(new Map([['n2', null]]));
    expect(h.timers.retry).not.toBeNull();
  });

  it('proposes its own value when no promise reports an accepted one', () => {
    const h = node('n1');
    paxosPropose(h.s, h.env, 'X');
    h.take();
    paxosReceive(h.s, h.env, 'n2', promise(b(1, 1)));
    expect(last(h.trace, 'pick')).toMatchObject({ value: 'X', reason: 'promises 2/3, a majority; none reports an accepted value, so it proposes its own X' });
    // Accept to the other acceptors; its own acceptor accepts at once and tells the other learners.
    expect(h.take().map((x) => `${x.to} ${x.msg.type}`)).toEqual(['n2 Accept', 'n3 Accept', 'n2 Accepted', 'n3 Accepted']);
  });

  it('adopts the value of the highest-numbered proposal among its promises', () => {
    const h = node('n1', undefined, ['n1', 'n2', 'n3', 'n4', 'n5']);
    paxosPropose(h.s, h.env, 'X');
    h.take();
    paxosReceive(h.s, h.env, 'n2', promise(b(1, 1), { ballot: b(0, 5), value: 'old' }));
    paxosReceive(h.s, h.env, 'n3', promise(b(1, 1), { ballot: b(0, 9), value: 'Y' }));
    expect(last(h.trace, 'pick')).toMatchObject({ value: 'Y', reason: 'promises 3/5, a majority; adopts Y, the highest accepted (#0.9 reported by n3)' });
  });

  it('with the ignoreAcceptedValues bug, proposes its own value over an accepted one', () => {
    const h = node('n1', (o) => (o.bugs.ignoreAcceptedValues = true));
    paxosPropose(h.s, h.env, 'X');
    h.take();
    paxosReceive(h.s, h.env, 'n2', promise(b(1, 1), { ballot: b(0, 3), value: 'Y' }));
    expect(last(h.trace, 'pick').value).toBe('X');
    expect(last(h.trace, 'pick').reason).toContain('(bug ignoreAcceptedValues)');
  });

  it('abandons a refused ballot and starts the next one, above what refused it, when its retry timer fires', () => {
    const h = node('n1');
    paxosPropose(h.s, h.env, 'X');
    h.take();
    paxosReceive(h.s, h.env, 'n2', { type: 'Nack', ballot: b(1, 1), instance: 0, promised: b(4, 3), phase: 1 });
    expect(last(h.trace, 'ballot')).toMatchObject({ action: 'abandon' });
    expect(last(h.trace, 'ballot').reason).toMatch(/^n2 promised #4\.3, above #1\.1; next ballot in \d+(\.\d+)?ms \(random retry interval\)$/);
    expect(h.s.phase).toBe('abandoned');
    h.env.now = h.timers.retry!;
    paxosTimer(h.s, h.env, 'retry');
    expect(h.s.ballot).toEqual(b(5, 1));
  });

  it('never reuses a ballot after a restart (the highest round is durable)', () => {
    const h = node('n1');
    paxosPropose(h.s, h.env, 'X');
    paxosReceive(h.s, h.env, 'n3', prepare(b(6, 3)));
    paxosCrash(h.s, h.env);
    paxosRestart(h.s, h.env);
    paxosPropose(h.s, h.env, 'X');
    expect(h.s.ballot).toEqual(b(7, 1));
  });

  it('a quorum is a majority of all nodes, however many answered', () => {
    const h = node('n1', undefined, ['n1', 'n2', 'n3', 'n4', 'n5']);
    paxosPropose(h.s, h.env, 'X');
    h.take();
    paxosReceive(h.s, h.env, 'n2', promise(b(1, 1)));
    h.env.now = h.timers.retry!;
    paxosTimer(h.s, h.env, 'retry');
    expect(eventsOf(h.trace, 'pick')).toEqual([]);
    expect(eventsOf(h.trace, 'ballot').map((e) => `${e.action} ${e.reason}`)).toEqual([
      'start to propose X',
      'abandon no quorum in time (2 promises of 5)',
      'start retry interval over',
    ]);
  });

  it('with the quorumFromReachable bug, counts a majority of the peers that answered as a quorum', () => {
    const h = node('n1', (o) => (o.bugs.quorumFromReachable = true), ['n1', 'n2', 'n3', 'n4', 'n5']);
    paxosPropose(h.s, h.env, 'X');
    h.take();
    paxosReceive(h.s, h.env, 'n2', promise(b(1, 1)));
    h.env.now = h.timers.retry!;
    paxosTimer(h.s, h.env, 'retry');
    expect(last(h.trace, 'pick').reason).toBe(
      'promises 2/5: a majority of the 2 nodes it believes reachable (bug quorumFromReachable); none reports an accepted value, so it proposes its own X',
    );
  });

  it('stops once its learner learns the decision', () => {
    const h = node('n1');
    paxosPropose(h.s, h.env, 'X');
    paxosReceive(h.s, h.env, 'n2', promise(b(1, 1)));
    paxosReceive(h.s, h.env, 'n2', accepted(b(1, 1), 'X'));
    expect(paxosDecided(h.s)).toBe('X');
    expect(h.s.phase).toBe('idle');
    expect(h.timers.retry).toBeNull();
    h.take();
    paxosPropose(h.s, h.env, 'Z');
    expect(h.take()).toEqual([]);
    expect(last(h.trace, 'propose').reason).toBe('already learned that X was chosen');
  });

  it('retries every interval while it has no decision (the interval is drawn per ballot)', () => {
    const h = node('n1', (o) => {
      o.retryUsMin = 30 * MS;
      o.retryUsMax = 30 * MS;
    });
    paxosPropose(h.s, h.env, 'X');
    expect(h.timers.retry).toBe(30 * MS);
  });
});

describe('options', () => {
  it('the defaults are valid, and every bug is off', () => {
    expect(validatePaxosOptions(defaultPaxosOptions())).toEqual([]);
    expect(validateMultiPaxosOptions(defaultMultiPaxosOptions())).toEqual([]);
    expect(validateBullyOptions(defaultBullyOptions())).toEqual([]);
    for (const bug of PAXOS_BUGS) {
      expect(defaultPaxosOptions().bugs[bug]).toBe(false);
      expect(defaultMultiPaxosOptions().bugs[bug]).toBe(false);
    }
  });

  it('problems are full sentences', () => {
    expect(validatePaxosOptions({ ...defaultPaxosOptions(), retryUsMin: 50 * MS, retryUsMax: 10 * MS })).toEqual([
      'The retry interval range must not end before it starts.',
    ]);
    expect(validateMultiPaxosOptions({ ...defaultMultiPaxosOptions(), heartbeatUs: 200 * MS })).toEqual([
      'The heartbeat (200ms) must be shorter than the election timeout (150ms), or nodes start ballots against a live leader.',
    ]);
  });
});
