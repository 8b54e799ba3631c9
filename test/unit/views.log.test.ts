import { describe, expect, test } from 'vitest';
import { logGrid, logTable } from '../../src/views';
import { electionTrace, entry, partitionTrace, put, TraceBuilder } from './fixtures/views/trace';

describe('log table', () => {
  test('one row per node, one column per index, with commit and applied indexes', () => {
    expect(logTable(electionTrace().input())).toMatchInlineSnapshot(`
      "| node | role | term | 1 | 2 | commit | applied |
      | --- | --- | --- | --- | --- | --- | --- |
      | n1 | leader | 1 | t1 noop | t1 put x=1 | 2 | 2 |
      | n2 | follower | 1 | t1 noop | t1 put x=1 | 1 | 1 |
      | n3 | follower | 0 |  |  | 0 | 0 |
      "
    `);
  });

  test('marks entries that differ from the leader’s, which the follower will overwrite (Raft §5.3)', () => {
    const { trace, cell2 } = partitionTrace();
    const atHeal = trace.events.findIndex((e) => e.k === 'fault' && e.fault === 'heal');
    expect(logTable(trace.input(cell2, atHeal + 1))).toMatchInlineSnapshot(`
      "| node | role | term | 1 | 2 | commit | applied |
      | --- | --- | --- | --- | --- | --- | --- |
      | n1 | leader | 1 | t1 noop | **≠ t1 put x=1** | 1 | 0 |
      | n2 | follower | 1 | t1 noop | **≠ t1 put x=1** | 0 | 0 |
      | n3 | leader | 2 | t1 noop | t2 noop | 0 | 0 |
      | n4 | follower | 2 | t1 noop |  | 0 | 0 |
      | n5 | follower | 2 | t1 noop |  | 0 | 0 |
      "
    `);
  });

  test('marks entries that differ from the committed entry', () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3']);
    for (const n of ['n1', 'n2']) b.append(n, 1, entry(1, put('x', '1'))).commit(n, 0, 1);
    b.append('n3', 1, entry(1, put('x', '2')));
    const grid = logGrid(b.input());
    expect(grid.nodes.map((n) => n.entries.map((e) => [e.label, e.committed, e.divergent]))).toEqual([
      [['t1 put x=1', true, false]],
      [['t1 put x=1', true, false]],
      [['t1 put x=2', false, true]],
    ]);
    expect(logTable(b.input())).toContain('| n3 | follower | 0 | **≠ t1 put x=2** | 0 | 0 |');
  });

  test('shows the last columns of a long log and counts the hidden entries', () => {
    const b = new TraceBuilder(['n1']);
    for (let i = 1; i <= 30; i++) b.append('n1', i, entry(1));
    const [header, , row] = logTable(b.input(), { maxColumns: 3 }).split('\n');
    expect(header).toBe('| node | role | term | 1..27 | 28 | 29 | 30 | commit | applied |');
    expect(row).toBe('| n1 | follower | 0 | 27 entries | t1 noop | t1 noop | t1 noop | 0 | 0 |');
  });

  test('escapes names and values for Markdown', () => {
    const b = new TraceBuilder(['a|b']).append('a|b', 1, entry(1, put('<k>', '*v*')));
    expect(logTable(b.input())).toContain('| a\\|b | follower | 0 | t1 put &lt;k&gt;=\\*v\\* | 0 | 0 |');
  });
});
