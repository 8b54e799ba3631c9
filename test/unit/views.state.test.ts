import { describe, expect, test } from 'vitest';
import { describeState, foldState } from '../../src/views';
import { electionTrace, entry, partitionTrace, put, TraceBuilder } from './fixtures/views/trace';

describe('foldState', () => {
  test('replays an election into roles, votes, logs, commit and applied indexes and the key-value store', () => {
    expect(describeState(foldState(electionTrace().input()))).toMatchInlineSnapshot(`
      "t=195ms events=47
      n1: leader up term=1 vote=n1 commit=2 applied=2 last=2
        log: 1:t1 noop, 2:t1 put x=1
        kv: x=1
      n2: follower up term=1 vote=n1 commit=1 applied=1 last=2
        log: 1:t1 noop, 2:t1 put x=1
      n3: follower up term=0 vote=- commit=0 applied=0 last=0"
    `);
  });

  test('`upto` stops the replay at an event (the scrubber)', () => {
    const b = electionTrace();
    const early = foldState(b.input(), 3);
    expect(early.nodes[0]).toMatchObject({ name: 'n1', role: 'candidate', term: 1, votedFor: 'n1' });
    expect(foldState(b.input(0, 3))).toEqual(early);
  });

  test('a truncated log takes the leader’s entries (Raft §5.3 Log Matching)', () => {
    const { trace } = partitionTrace();
    const n1 = foldState(trace.input()).nodes[0]!;
    expect(n1.log).toEqual([entry(1), entry(2)]);
    expect(n1).toMatchObject({ role: 'follower', term: 2 });
  });

  test('the partition holds until healed, with every node in one group', () => {
    const { trace, cell2 } = partitionTrace();
    expect(foldState(trace.input(), cell2 + 1).partition).toEqual([['n1', 'n2'], ['n3', 'n4', 'n5']]);
    expect(foldState(trace.input()).partition).toBeNull();
  });

  test('nodes a partition leaves out form one more group together (isolate n1)', () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3']).fault('partition', ['n1'], '', [['n1']]);
    expect(foldState(b.input()).partition).toEqual([['n1'], ['n2', 'n3']]);
  });

  test('crash, restart, pause and resume set liveness; a crash keeps term, vote and log', () => {
    const b = new TraceBuilder(['n1', 'n2']).campaign('n1', 0, 1).append('n1', 1, entry(1)).fault('crash', ['n1']).fault('pause', ['n2']);
    const down = foldState(b.input());
    expect(down.nodes.map((n) => [n.status, n.role])).toEqual([['down', 'down'], ['paused', 'follower']]);
    expect(down.nodes[0]).toMatchObject({ term: 1, votedFor: 'n1', log: [entry(1)] });
    b.fault('restart', ['n1']).fault('resume', ['n2']);
    expect(foldState(b.input()).nodes.map((n) => [n.status, n.role])).toEqual([['up', 'follower'], ['up', 'follower']]);
  });

  test('a crash loses the volatile state: commit index, applied index and the state machine (Raft Figure 2)', () => {
    const b = new TraceBuilder(['n1']).campaign('n1', 0, 1).append('n1', 1, entry(1)).commit('n1', 0, 1).apply('n1', 1, entry(1));
    expect(foldState(b.input()).nodes[0]).toMatchObject({ commitIndex: 1, appliedIndex: 1 });
    b.fault('crash', ['n1']);
    const down = foldState(b.input()).nodes[0]!;
    expect(down).toMatchObject({ commitIndex: 0, appliedIndex: 0, log: [entry(1)] });
    expect(down.kv.size).toBe(0);
  });

  test('a vote is remembered for its term and forgotten in a higher one (Raft §5.2)', () => {
    const b = new TraceBuilder(['n1', 'n2']).vote('n2', 'n1', 3, true, 'first vote in term 3');
    expect(foldState(b.input()).nodes[1]).toMatchObject({ term: 3, votedFor: 'n1' });
    b.vote('n2', 'n1', 3, false, 'already voted').term('n2', 3, 4, 'higher term');
    expect(foldState(b.input()).nodes[1]).toMatchObject({ term: 4, votedFor: null });
  });

  test('applied put, delete and cas commands build each node’s key-value store', () => {
    const b = new TraceBuilder(['n1']);
    b.apply('n1', 1, entry(1, put('x', '1')))
      .apply('n1', 2, entry(1, put('y', '2')))
      .apply('n1', 3, entry(1, { op: 'cas', key: 'x', expect: '1', value: '3', client: 'A', seq: 3 }))
      .apply('n1', 4, entry(1, { op: 'cas', key: 'y', expect: '9', value: '4', client: 'A', seq: 4 }))
      .apply('n1', 5, entry(1, { op: 'delete', key: 'y', client: 'A', seq: 5 }));
    const n1 = foldState(b.input()).nodes[0]!;
    expect([...n1.kv]).toEqual([['x', '3']]);
    expect(n1.appliedIndex).toBe(5);
  });

  test('cut and held links, conditions and violations are kept and described sorted', () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3']);
    b.fault('cut', ['n2', 'n1'], 'one-way').fault('hold', ['n1', 'n3']).fault('loss', [], '20%').violation('Log Matching', ['n1', 'n2'], 'i3 differs');
    const state = foldState(b.input());
    expect(state.links.map((l) => `${l.kind} ${l.from}->${l.to}`)).toEqual(['cut n2->n1', 'hold n1->n3']);
    expect(describeState(state)).toMatchInlineSnapshot(`
      "t=3ms events=4
      cut n2 -> n1 (one-way)
      hold n1 -> n3
      loss * 20%
      n1: follower up term=0 vote=- commit=0 applied=0 last=0
      n2: follower up term=0 vote=- commit=0 applied=0 last=0
      n3: follower up term=0 vote=- commit=0 applied=0 last=0
      violation Log Matching at 3ms [n1 n2]: i3 differs"
    `);
    b.fault('release', ['n1', 'n3']).fault('heal', []);
    expect(foldState(b.input()).links).toEqual([]);
  });

  test('a node the trace mentions but the input does not declare is added after the declared ones', () => {
    const b = new TraceBuilder(['n1']).role('ghost', 'follower', 'candidate', 1, 'election timeout');
    expect(foldState(b.input()).nodes.map((n) => n.name)).toEqual(['n1', 'ghost']);
  });

  test('keys that are JavaScript object properties are ordinary keys', () => {
    const b = new TraceBuilder(['n1']).apply('n1', 1, entry(1, put('__proto__', 'x'))).apply('n1', 2, entry(1, put('constructor', 'y')));
    expect(describeState(foldState(b.input()))).toContain('kv: __proto__=x, constructor=y');
  });
});
