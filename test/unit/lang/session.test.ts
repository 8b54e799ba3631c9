// Cell-by-cell execution: the run of cell k is a pure function of cells 1..k, snapshots are reused,
// and editing a cell re-runs it and the cells below only.
import { describe, expect, it } from 'vitest';
import { Session } from '../../../src/lang/session';

const cells = ['cluster raft nodes=3 seed=1', 'run until leader', 'A put x=1', 'run 1s'];

describe('Session', () => {
  it('returns one run per cell up to k', () => {
    const runs = new Session().runUpTo(cells, 2);
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => r.ok)).toBe(true);
  });

  it('reuses the snapshots of unchanged cells', () => {
    const s = new Session();
    const first = s.runUpTo(cells, 3);
    const again = s.runUpTo(cells, 3);
    again.forEach((r, i) => expect(r).toBe(first[i]));
  });

  it('editing a cell re-runs it and the cells below, not the ones above', () => {
    const s = new Session();
    const first = s.runUpTo(cells, 3);
    const edited = [...cells.slice(0, 2), 'A put x=2', 'run 1s'];
    const second = s.runUpTo(edited, 3);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect(second[2]).not.toBe(first[2]);
    expect(second[3]).not.toBe(first[3]);
  });

  it('going back to an earlier version of a cell shows the trace that version made (the kept run is not overwritten)', () => {
    const s = new Session();
    const first = s.runUpTo(cells, 3);
    const before = JSON.stringify(first.map((r) => r.events));
    const edited = [...cells.slice(0, 2), 'A put x=2', 'run 2s'];
    const other = s.runUpTo(edited, 3);
    expect(JSON.stringify(other.map((r) => r.events))).toBe(JSON.stringify(new Session().runUpTo(edited, 3).map((r) => r.events)));
    const back = s.runUpTo(cells, 3);
    back.forEach((r, i) => expect(r).toBe(first[i]));
    expect(JSON.stringify(back.map((r) => r.events))).toBe(before);
    expect(JSON.stringify(back[3]!.events)).toBe(JSON.stringify(new Session().runUpTo(cells, 3)[3]!.events));
  });

  it('a run from a snapshot equals a run from scratch', () => {
    const s = new Session();
    s.runUpTo(cells, 1);
    const cached = s.runUpTo(cells, 3);
    const fresh = new Session().runUpTo(cells, 3);
    expect(JSON.stringify(cached[3]!.events)).toBe(JSON.stringify(fresh[3]!.events));
    expect(cached[3]!.timeUs).toBe(fresh[3]!.timeUs);
  });

  it('a cell that fails leaves the state for the next cells as it found it', () => {
    const runs = new Session().runUpTo(['cluster raft nodes=3 seed=1', 'crash n9', 'expect n1 is follower'], 2);
    expect(runs.map((r) => r.ok)).toEqual([true, false, true]);
    expect(runs[1]!.events.length).toBe(runs[1]!.from);
  });

  it('a cancelled cell is not cached', () => {
    const s = new Session();
    let n = 0;
    const cancelled = s.runUpTo(['cluster raft nodes=3 seed=1', 'run 1h'], 1, () => ++n > 2);
    expect(cancelled[1]!.messages).toEqual(['Cancelled.']);
    const full = s.runUpTo(['cluster raft nodes=3 seed=1', 'run 10s'], 1);
    expect(full[1]!.ok).toBe(true);
  });

  it('reports nodes, zones, clients, seed and time', () => {
    const r = new Session().runUpTo(['cluster raft nodes=a,b,c seed=5\nzone z {a b}\nA put k=v'], 0)[0]!;
    expect({ nodes: r.nodes, zones: r.zones, clients: r.clients, seed: r.seed, violations: r.violations }).toEqual({ nodes: ['a', 'b', 'c'], zones: [{ name: 'z', nodes: ['a', 'b'] }], clients: ['A'], seed: 5, violations: 0 });
    expect(r.timeUs).toBeGreaterThan(0);
  });
});
