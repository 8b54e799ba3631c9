// The checkers on their own, fed hand-built traces: what counts as chosen, and each finding once.

import { describe, expect, it } from 'vitest';
import { bullyCheckCreate, bullyCheckEvent } from '../../../src/engine/check/bully';
import { paxosChosen, paxosCheckCreate, paxosCheckEvent, type PaxosCheckState } from '../../../src/engine/check/paxos';
import type { TraceInput } from '../../../src/engine/protocol';
import type { Ballot, Command, PaxosValue, Role, TraceEvent } from '../../../src/engine/trace';

const b = (round: number, proposer: number): Ballot => ({ round, proposer });
const N3 = ['n1', 'n2', 'n3'];

function feed(st: PaxosCheckState, events: TraceInput[]): string[] {
  return events.flatMap((ev, t) => paxosCheckEvent(st, { ...ev, t } as TraceEvent).map((v) => `${v.invariant}: ${v.detail}`));
}
const propose = (node: string, value: PaxosValue) => ({ k: 'propose' as const, t: 0, node, instance: 0, value, reason: '' });
const acc = (node: string, ballot: Ballot, value: PaxosValue, instance = 0) => ({
  k: 'accept' as const,
  t: 0,
  node,
  proposer: 'p',
  instance,
  ballot,
  value,
  granted: true,
  reason: '',
});
const learn = (node: string, value: PaxosValue, instance = 0) => ({ k: 'learn' as const, t: 0, node, instance, ballot: b(1, 1), value, reason: '' });

describe('Paxos checker', () => {
  it('a value is chosen when a majority of all nodes accepted the same ballot', () => {
    const st = paxosCheckCreate(N3, false);
    expect(feed(st, [propose('n1', 'X'), acc('n1', b(1, 1), 'X'), acc('n1', b(1, 1), 'X'), acc('n2', b(2, 2), 'X')])).toEqual([]);
    expect(paxosChosen(st, 0)).toBeNull();
    feed(st, [acc('n3', b(1, 1), 'X')]);
    expect(paxosChosen(st, 0)).toBe('X');
  });

  it('a refused Accept and an acceptor from outside the cluster count for nothing', () => {
    const st = paxosCheckCreate(N3, false);
    feed(st, [propose('n1', 'X'), acc('n1', b(1, 1), 'X'), { ...acc('n2', b(1, 1), 'X'), granted: false }, acc('zz', b(1, 1), 'X')]);
    expect(paxosChosen(st, 0)).toBeNull();
  });

  it('Agreement: two values chosen in one instance, reported once', () => {
    const st = paxosCheckCreate(N3, false);
    const found = feed(st, [
      propose('n1', 'X'),
      propose('n3', 'Y'),
      acc('n1', b(1, 1), 'X'),
      acc('n2', b(1, 1), 'X'),
      acc('n2', b(2, 3), 'Y'),
      acc('n3', b(2, 3), 'Y'),
      acc('n1', b(2, 3), 'Y'),
    ]);
    expect(found).toEqual(['Agreement: two values chosen: X (#1.1, accepted by n1 n2) and Y (#2.3, accepted by n2 n3)']);
  });

  it('Validity: a chosen value nobody proposed', () => {
    const st = paxosCheckCreate(N3, false);
    expect(feed(st, [acc('n1', b(1, 1), 'Z'), acc('n2', b(1, 1), 'Z')])).toEqual(['Validity: Z was chosen, but nobody proposed it']);
  });

  it('a no-op is a valid value in Multi-Paxos only; client commands count as proposed', () => {
    const noop: Command = { op: 'noop' };
    const put: Command = { op: 'put', key: 'x', value: '1', client: 'A', seq: 1 };
    const multi = paxosCheckCreate(N3, true);
    expect(feed(multi, [acc('n1', b(1, 1), noop, 1), acc('n2', b(1, 1), noop, 1)])).toEqual([]);
    expect(feed(multi, [{ k: 'client-request', t: 0, client: 'A', node: 'n1', cmd: put }, acc('n1', b(1, 1), put, 2), acc('n2', b(1, 1), put, 2)])).toEqual([]);
    const single = paxosCheckCreate(N3, false);
    expect(feed(single, [acc('n1', b(1, 1), noop), acc('n2', b(1, 1), noop)])).toEqual(['Validity: no-op was chosen, but nobody proposed it']);
  });

  it('Learned Is Chosen: a learner may learn only what a majority of all nodes accepted', () => {
    const st = paxosCheckCreate(['n1', 'n2', 'n3', 'n4', 'n5'], false);
    const found = feed(st, [propose('n1', 'X'), acc('n1', b(1, 1), 'X'), acc('n2', b(1, 1), 'X'), learn('n1', 'X')]);
    expect(found).toEqual(['Learned Is Chosen: n1 learned X, but no majority (3 of 5) accepted it: it was accepted only in #1.1 by n1 n2']);
  });

  it('Agreement: two learners learn different values', () => {
    const st = paxosCheckCreate(N3, false);
    const found = feed(st, [propose('n1', 'X'), propose('n2', 'Y'), acc('n1', b(1, 1), 'X'), acc('n2', b(1, 1), 'X'), learn('n1', 'X'), learn('n3', 'Y')]);
    expect(found).toEqual([
      'Learned Is Chosen: n3 learned Y, but X was chosen there first (#1.1, accepted by n1 n2)',
      'Agreement: n1 learned X but n3 learned Y',
    ]);
  });

  it('State Machine Safety (Multi-Paxos): two nodes apply different commands at one index', () => {
    const st = paxosCheckCreate(N3, true);
    const put = (value: string): Command => ({ op: 'put', key: 'x', value, client: 'A', seq: 1 });
    const apply = (node: string, cmd: Command) => ({ k: 'apply' as const, t: 0, node, index: 3, entry: { term: 1, cmd }, result: 'OK' });
    expect(feed(st, [apply('n1', put('1')), apply('n2', put('1')), apply('n3', put('2'))])).toEqual([
      'State Machine Safety: n3 applied put x=2 at index 3, n1 applied put x=1',
    ]);
  });
});

describe('bully checker', () => {
  const role = (node: string, to: Role, t: number): TraceEvent => ({ k: 'role', t, node, from: 'follower', to, term: 0, reason: '' });
  const tick = (t: number): TraceEvent => ({ k: 'note', t, text: '' });

  it('an overlap shorter than the grace is a hand-over; a longer one is a split brain, reported once', () => {
    const st = bullyCheckCreate(['n1', 'n2', 'n3'], 20_000);
    const events = [role('n3', 'leader', 0), role('n2', 'leader', 1_000), tick(15_000), role('n2', 'follower', 16_000)];
    expect(events.flatMap((e) => bullyCheckEvent(st, e))).toEqual([]);
    const later = [role('n1', 'leader', 30_000), tick(40_000), tick(60_000), tick(70_000)];
    expect(later.flatMap((e) => bullyCheckEvent(st, e)).map((v) => v.detail)).toEqual([
      'split brain: n1 and n3 both lead at once (since 30ms); the bully election has no quorum, so each side of a partition elects its own',
    ]);
  });

  it('a crashed leader no longer counts', () => {
    const st = bullyCheckCreate(['n1', 'n2'], 0);
    const events = [role('n2', 'leader', 0), role('n2', 'down', 5), role('n1', 'leader', 10), tick(100)];
    expect(events.flatMap((e) => bullyCheckEvent(st, e))).toEqual([]);
  });
});
