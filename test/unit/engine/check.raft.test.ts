// The safety checker (Figure 3), fed synthetic traces: each invariant is reported when broken, and
// legal histories that look odd are not.

import { describe, expect, it } from 'vitest';
import { RAFT_INVARIANTS, type RaftCheckState, raftCheckCreate, raftCheckEvent } from '../../../src/engine/check/raft';
/** An event without its time (the checker does not read it). */
type TraceInput = TraceEvent extends infer E ? (E extends unknown ? Omit<E, 't'> : never) : never;
import type { LogEntry, Role, TraceEvent } from '../../../src/engine/trace';

const noop = (term: number): LogEntry => ({ term, cmd: { op: 'noop' } });
const put = (term: number, value: string): LogEntry => ({ term, cmd: { op: 'put', key: 'x', value, client: 'A', seq: Number(value) } });

/** A tiny trace builder: every call feeds one event and returns the invariants it reported. */
class Feed {
  readonly st: RaftCheckState;
  constructor(nodes = ['n1', 'n2', 'n3']) {
    this.st = raftCheckCreate(nodes);
  }
  ev(e: TraceInput): string[] {
    return raftCheckEvent(this.st, { ...e, t: 0 } as TraceEvent).map((v) => v.invariant);
  }
  term(node: string, from: number, to: number): string[] {
    return this.ev({ k: 'term', node, from, to, reason: '' });
  }
  role(node: string, to: Role, term: number): string[] {
    return this.ev({ k: 'role', node, from: 'follower', to, term, reason: '' });
  }
  append(node: string, index: number, entry: LogEntry): string[] {
    return this.ev({ k: 'append', node, index, entry });
  }
  commit(node: string, from: number, to: number): string[] {
    return this.ev({ k: 'commit', node, from, to, reason: '' });
  }
  vote(node: string, candidate: string, term: number, granted = true, prevote = false): string[] {
    return this.ev({ k: 'vote', node, candidate, term, granted, prevote, reason: '' });
  }
}

describe('the Raft checker', () => {
  it('knows the invariants of Figure 3, plus one vote per term', () => {
    expect(RAFT_INVARIANTS).toEqual(['Election Safety', 'Leader Append-Only', 'Log Matching', 'Leader Completeness', 'State Machine Safety', 'Monotonic Commit', 'One Vote Per Term']);
  });

  it('Election Safety: two leaders in one term', () => {
    const f = new Feed();
    expect(f.role('n1', 'leader', 2)).toEqual([]);
    expect(f.role('n2', 'leader', 2)).toEqual(['Election Safety']);
    expect(f.role('n3', 'leader', 3)).toEqual([]);
  });

  it('Leader Append-Only: a leader deletes entries', () => {
    const f = new Feed();
    f.role('n1', 'leader', 1);
    f.append('n1', 1, noop(1));
    expect(f.ev({ k: 'truncate', node: 'n1', fromIndex: 1, reason: '' })).toEqual(['Leader Append-Only']);
  });

  it('Log Matching: same index and term, different entries or different history', () => {
    const f = new Feed();
    f.append('n1', 1, put(1, '1'));
    expect(f.append('n2', 1, put(1, '2'))).toEqual(['Log Matching']);
    const g = new Feed();
    g.append('n1', 1, noop(1));
    g.append('n1', 2, put(3, '1'));
    g.append('n2', 1, noop(2));
    expect(g.append('n2', 2, put(3, '1'))).toEqual(['Log Matching']);
  });

  it('Leader Completeness: a leader of a later term lacks a committed entry', () => {
    const f = new Feed();
    f.term('n1', 0, 1);
    f.role('n1', 'leader', 1);
    f.append('n1', 1, noop(1));
    f.append('n2', 1, noop(1));
    f.commit('n1', 0, 1);
    f.term('n3', 0, 2);
    expect(f.role('n3', 'leader', 2)).toEqual(['Leader Completeness']);
  });

  it('Leader Completeness concerns later terms only: a leader of an older term elected late need not hold entries committed after it', () => {
    // n3 collected its term-1 votes, then paused; meanwhile n1 won term 2 and committed its no-op. When
    // n3 resumes and counts the votes it becomes leader of term 1: legal, and harmless (any message
    // from term 2 deposes it).
    const f = new Feed();
    f.term('n3', 0, 1);
    f.term('n1', 0, 2);
    f.role('n1', 'leader', 2);
    f.append('n1', 1, noop(2));
    f.append('n2', 1, noop(2));
    f.commit('n1', 0, 1);
    expect(f.role('n3', 'leader', 1)).toEqual([]);
  });

  it('State Machine Safety: a committed entry is deleted, or another entry is committed or applied at its index', () => {
    const f = new Feed();
    f.append('n1', 1, put(1, '1'));
    f.commit('n1', 0, 1);
    expect(f.ev({ k: 'truncate', node: 'n1', fromIndex: 1, reason: '' })).toEqual(['State Machine Safety']);
    f.append('n2', 1, put(2, '2'));
    expect(f.commit('n2', 0, 1)).toEqual(['State Machine Safety']);
    expect(f.ev({ k: 'apply', node: 'n1', index: 1, entry: put(1, '1'), result: 'OK' })).toEqual([]);
    expect(f.ev({ k: 'apply', node: 'n2', index: 1, entry: put(2, '2'), result: 'OK' })).toEqual(['State Machine Safety']);
  });

  it('Monotonic Commit: a commit index goes back (a restart resets what is expected)', () => {
    const f = new Feed();
    f.append('n1', 1, noop(1));
    f.append('n1', 2, noop(1));
    f.commit('n1', 0, 2);
    expect(f.commit('n1', 1, 1)).toEqual(['Monotonic Commit']);
    f.role('n1', 'down', 1);
    expect(f.commit('n1', 0, 1)).toEqual([]);
  });

  it('One Vote Per Term: two candidates granted in one term, even across a restart; pre-votes do not count', () => {
    const f = new Feed();
    expect(f.vote('n1', 'n2', 3)).toEqual([]);
    expect(f.vote('n1', 'n2', 3)).toEqual([]); // the same vote again (a duplicated request)
    expect(f.vote('n1', 'n3', 3, true, true)).toEqual([]);
    expect(f.vote('n1', 'n3', 3, false)).toEqual([]);
    f.role('n1', 'down', 3);
    expect(f.vote('n1', 'n3', 3)).toEqual(['One Vote Per Term']);
    expect(f.vote('n1', 'n3', 4)).toEqual([]);
  });

  it('reports nothing for events it does not check', () => {
    const f = new Feed();
    const r = raftCheckEvent(f.st, { k: 'note', t: 0, text: 'hi' });
    expect(r).toEqual([]);
  });
});
