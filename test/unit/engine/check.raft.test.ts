// The safety checker (Figure 3), fed synthetic traces: each invariant is reported when broken, and
// legal histories that look odd are not.

import fc from 'fast-check';
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

// The checker keeps the nodes' logs as one shared log plus each node's differences. Whatever the events,
// it must report what a checker with one plain array per node reports: this is that checker's log part
// (Log Matching, Leader Completeness and State Machine Safety read the logs), written the plain way.
describe('the Raft checker keeps the nodes logs as one shared log', () => {
  /** Per node, its log as an array: the reference the shared representation must agree with. */
  class PlainLogs {
    readonly logs: LogEntry[][];
    readonly committed: LogEntry[] = [];
    readonly applied: LogEntry[] = [];
    constructor(n: number) {
      this.logs = Array.from({ length: n }, () => []);
    }
    append(ni: number, index: number, entry: LogEntry): boolean {
      const log = this.logs[ni]!;
      if (log.length !== index - 1) log.length = index - 1;
      log.push(entry);
      return this.logs.some((ol, i) => {
        if (i === ni) return false;
        const oe = ol[index - 1];
        if (oe === undefined || oe.term !== entry.term) return false;
        const prevOk = index === 1 || ol[index - 2]?.term === log[index - 2]?.term;
        return !same(oe, entry) || !prevOk;
      });
    }
    truncate(ni: number, fromIndex: number): void {
      const log = this.logs[ni]!;
      log.length = Math.min(log.length, fromIndex - 1);
    }
    /** Whether committing (from, to] on node ni commits an entry other than the first one committed there. */
    commit(ni: number, from: number, to: number): boolean {
      const log = this.logs[ni]!;
      for (let i = from + 1; i <= to; i++) {
        const mine = log[i - 1];
        if (i > this.committed.length) {
          if (mine !== undefined && i === this.committed.length + 1) this.committed.push(mine);
          continue;
        }
        if (!same(mine, this.committed[i - 1])) return true;
      }
      return false;
    }
    /** Whether applying `entry` at `index` differs from the entry first applied there. */
    apply(index: number, entry: LogEntry): boolean {
      const first = this.applied[index - 1];
      if (first === undefined) {
        if (index === this.applied.length + 1) this.applied.push(entry);
        return false;
      }
      return !same(first, entry);
    }
  }
  const same = (a: LogEntry | undefined, b: LogEntry | undefined): boolean =>
    a === b || (a !== undefined && b !== undefined && a.term === b.term && JSON.stringify(a.cmd) === JSON.stringify(b.cmd));

  // A few entries, some equal but not the same object (a follower's copy), some conflicting.
  const pool: LogEntry[] = [noop(1), noop(1), put(1, '1'), put(1, '1'), put(1, '2'), put(2, '1'), put(2, '3'), noop(2), put(3, '4')];
  const nodes = ['n1', 'n2', 'n3', 'n4'];
  type Op =
    | { k: 'append'; node: number; at: number; entry: number }
    | { k: 'truncate'; node: number; at: number }
    | { k: 'commit'; node: number; to: number }
    | { k: 'apply'; node: number; at: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ k: fc.constant('append' as const), node: fc.nat(3), at: fc.integer({ min: -2, max: 1 }), entry: fc.nat(pool.length - 1) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('truncate' as const), node: fc.nat(3), at: fc.integer({ min: 1, max: 8 }) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('commit' as const), node: fc.nat(3), to: fc.integer({ min: 0, max: 8 }) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('apply' as const), node: fc.nat(3), at: fc.integer({ min: 1, max: 8 }) }) },
  );

  it('reports Log Matching, committed-entry and applied-entry violations exactly where per-node arrays would (§5.3, §5.4.3)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const f = new Feed(nodes);
        const plain = new PlainLogs(nodes.length);
        const commit = nodes.map(() => 0);
        for (const o of ops) {
          const node = nodes[o.node]!;
          const len = plain.logs[o.node]!.length;
          if (o.k === 'append') {
            // Mostly at the end of the log; sometimes over its last entries, or past its end (a gap).
            const index = Math.max(1, len + 1 + o.at);
            const entry = pool[o.entry]!;
            const want = plain.append(o.node, index, entry);
            expect(f.append(node, index, entry).includes('Log Matching')).toBe(want);
          } else if (o.k === 'truncate') {
            plain.truncate(o.node, o.at);
            f.ev({ k: 'truncate', node, fromIndex: o.at, reason: '' });
          } else if (o.k === 'apply') {
            // The node applies what its log holds there (or, as a broken node might, nothing known).
            const entry = plain.logs[o.node]![o.at - 1] ?? pool[o.at % pool.length]!;
            const want = plain.apply(o.at, entry);
            expect(f.ev({ k: 'apply', node, index: o.at, entry, result: '' }).includes('State Machine Safety')).toBe(want);
          } else {
            const from = commit[o.node]!;
            if (o.to <= from) continue;
            commit[o.node] = o.to;
            const want = plain.commit(o.node, from, o.to);
            expect(f.commit(node, from, o.to).includes('State Machine Safety')).toBe(want);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
