import { describe, expect, test } from 'vitest';
import { verdict } from '../../src/views';
import { electionTrace, partitionTrace, TraceBuilder } from './fixtures/views/trace';

describe('verdict', () => {
  test('names the leader, the term, every node’s commit index and that invariants held', () => {
    const v = verdict(electionTrace().input());
    expect(v.text).toBe('leader n1 · term 1 · commit n1=2 n2=1 n3=0 · invariants held');
    expect(v).toMatchObject({ leader: 'n1', term: 1, violations: [] });
    expect({ ...v.commit }).toEqual({ n1: 2, n2: 1, n3: 0 });
  });

  test('with no leader it says so', () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3']).campaign('n1', 6, 7);
    expect(verdict(b.input()).text).toBe('no leader · term 7 · commit n1=0 n2=0 n3=0 · invariants held');
  });

  test('during a partition the newest leader is the leader; down and paused nodes are marked', () => {
    const { trace, cell2 } = partitionTrace();
    const atHeal = trace.events.findIndex((e) => e.k === 'fault' && e.fault === 'heal');
    trace.fault('crash', ['n5']);
    expect(verdict(trace.input(cell2, atHeal)).leader).toBe('n3');
    expect(verdict(trace.input(cell2)).text).toBe('leader n3 · term 2 · commit n1=1 n2=0 n3=0 n4=0 n5=0 (down) · invariants held');
  });

  test('a leader behind the cluster’s term is called stale', () => {
    const b = new TraceBuilder(['n1', 'n2']).role('n1', 'candidate', 'leader', 1, 'won').term('n2', 1, 2, 'timeout');
    expect(verdict(b.input()).text).toMatch(/^stale leader n1 \(term 1\) · term 2 · /);
  });

  test('violations are counted from the start of the simulation and named', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.violation('Election Safety', ['n1', 'n2'], 'two leaders in term 2').note('next cell');
    b.violation('Election Safety', ['n1', 'n2'], 'two leaders in term 3');
    const v = verdict(b.input(1));
    expect(v.text).toMatch(/ · ⚠ 2 violations: Election Safety$/);
    expect(v.violations).toEqual(['Election Safety: two leaders in term 2', 'Election Safety: two leaders in term 3']);
  });
});
