import { describe, expect, test } from 'vitest';
import { stateDiagram } from '../../src/views';
import { parseMermaid } from './fixtures/views/mermaid';
import { electionTrace, partitionTrace, TraceBuilder } from './fixtures/views/trace';

describe('state diagram of role transitions', () => {
  test('draws each transition of the cell with its reason, count and nodes, and who holds each role now', async () => {
    const { trace, cell2 } = partitionTrace();
    const text = stateDiagram(trace.input(cell2));
    expect(text).toMatchInlineSnapshot(`
      "stateDiagram-v2
      direction LR
      Follower : Follower · now n1,n2,n4,n5
      Candidate
      Leader : Leader · now n3
      Follower --> Candidate : election timeout ×1 (n3)
      Candidate --> Leader : won 3/5 votes ×1 (n3)
      Leader --> Follower : AppendEntries from n3 in higher term 2 ×1 (n1)
      "
    `);
    await parseMermaid(text);
  });

  test('aggregates repeated transitions: a split vote storm is one edge ×n (CURRICULUM: fixed timeouts)', () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3', 'n4', 'n5']);
    for (let term = 1; term <= 3; term++) {
      for (const n of ['n1', 'n2', 'n4']) b.role(n, 'follower', 'candidate', term, 'election timeout').role(n, 'candidate', 'follower', term, 'split vote');
    }
    const text = stateDiagram(b.input());
    expect(text).toContain('Follower --> Candidate : election timeout ×9 (n1,n2,n4)');
    expect(text).toContain('Candidate --> Follower : split vote ×9 (n1,n2,n4)');
  });

  test('keeps the two most frequent reasons per pair and sums the rest', () => {
    const b = new TraceBuilder(['n1']);
    for (const [reason, times] of [['a', 3], ['b', 2], ['c', 1], ['d', 1]] as const) {
      for (let i = 0; i < times; i++) b.role('n1', 'leader', 'follower', 1, reason);
    }
    const edges = stateDiagram(b.input()).split('\n').filter((l) => l.includes('-->'));
    expect(edges).toEqual(['Leader --> Follower : a ×3 (n1)', 'Leader --> Follower : b ×2 (n1)', 'Leader --> Follower : 2 other reasons ×2 (n1)']);
  });

  test('with no transitions in the cell it is still a valid diagram that says so', async () => {
    const b = electionTrace();
    const text = stateDiagram(b.input(b.length));
    expect(text).toContain('no role changes in this cell');
    await parseMermaid(text);
  });

  test('a reason with punctuation Mermaid would escape is drawn with a lookalike: a state diagram shows entity codes literally', async () => {
    const b = new TraceBuilder(['n1']);
    b.role('n1', 'candidate', 'follower', 1, 'lost: 3/5; 50% <q> & "m" #1');
    const text = stateDiagram(b.input());
    const edge = text.split('\n').find((l) => l.includes('-->'))!;
    expect(edge).toBe('Candidate --> Follower : lost∶ 3/5； 50％ ‹q› ＆ ”m” ＃1 ×1 (n1)');
    expect(edge).not.toMatch(/#\w+;/);
    await parseMermaid(text);
  });
});
