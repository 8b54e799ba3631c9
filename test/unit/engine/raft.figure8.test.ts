// Raft Figure 8 (§5.4.2): why a leader must not commit an entry of an earlier term by counting replicas.
// Written in the cell language, so the schedule reads as the figure's caption, message by message.
//
// One knob is set below the language: AppendEntries carry one entry at a time. By default a leader
// sends everything a follower lacks in one message, so the term-4 leader's no-op would always travel
// with the term-2 entry and state (c) of the figure could never arise. The language has no option for
// it yet (see the note to the language owner in the report: `max-batch=1`).

import { describe, expect, it } from 'vitest';
import { type ExecOptions, type ScenarioState, emptyScenario, execCell } from '../../../src/lang/interpreter';
import { parseCell } from '../../../src/lang/parser';
import type { TraceEvent } from '../../../src/engine/trace';
import { TraceLog } from '../../../src/engine/tracelog';
import { terms } from './helpers';

const OPTS: ExecOptions = { eventBudget: 2_000_000, defaultSeed: 1 };

class Notebook {
  readonly state: ScenarioState = emptyScenario();
  readonly trace: TraceEvent[] = [];
  private log = new TraceLog();

  /** Runs a cell; it must parse and every `expect` in it must hold. */
  cell(source: string): TraceEvent[] {
    const parsed = parseCell(source);
    expect(parsed.diagnostics.map((d) => d.message)).toEqual([]);
    const r = execCell(this.state, parsed.stmts, OPTS, this.log);
    expect(r.diagnostics.map((d) => d.message)).toEqual([]);
    expect(r.failures.map((f) => f.message)).toEqual([]);
    this.log = r.log;
    const events = r.log.slice(r.from);
    this.trace.push(...events);
    return events;
  }

  get world() {
    return this.state.world!;
  }

  /** Every server's log terms, as the figure draws them. */
  logs(): Record<string, number[]> {
    return Object.fromEntries(['s1', 's2', 's3', 's4', 's5'].map((n) => [n, terms(this.world, n)]));
  }
}

/** Figure 8 (a) to (c). */
function figure8(bug = false): Notebook {
  const nb = new Notebook();
  // Timers far away: only `timeout` starts an election, so nothing happens by luck.
  nb.cell(`cluster raft nodes=s1,s2,s3,s4,s5 seed=8 election-timeout=10s..20s heartbeat=5s${bug ? ' bug=commit-old-term' : ''}`);
  nb.world.opts.raft.maxBatchEntries = 1; // the missing `max-batch=1`

  // Term 1: S1 leads and replicates index 1 everywhere.
  nb.cell(`
    timeout s1
    run 100ms
    expect leader s1
    expect logs equal`);

  // (a) S1 leads term 2 and replicates index 2 to S2 only.
  nb.cell(`
    crash s1
    restart s1
    timeout s1
    hold s1 -> {s3 s4 s5}
    run 100ms
    expect leader s1
    expect s1 term = 2
    expect s2 log = 2
    expect s3 log = 1`);
  expect(nb.logs()).toEqual({ s1: [1, 2], s2: [1, 2], s3: [1], s4: [1], s5: [1] });

  // (b) S1 crashes; S5 wins term 3 with votes from S3, S4 and itself, and appends a different entry at
  // index 2, which reaches nobody before S5 crashes.
  const b = nb.cell(`
    crash s1
    drop s1 -> {s3 s4 s5}
    timeout s5
    hold s5 -> {s1 s2 s3 s4}
    run 100ms
    expect leader s5
    expect s5 term = 3
    crash s5
    drop s5 -> {s1 s2 s3 s4}`);
  const votes = b.flatMap((e) => (e.k === 'vote' && e.candidate === 's5' && e.node !== 's5' ? [`${e.node} ${e.granted ? 'yes' : 'no'}`] : []));
  expect(votes.sort()).toEqual(['s2 no', 's3 yes', 's4 yes']);
  expect(nb.logs()).toEqual({ s1: [1, 2], s2: [1, 2], s3: [1], s4: [1], s5: [1, 3] });

  // (c) S1 restarts and wins term 4 (its first try, in term 3, fails: S3 and S4 voted for S5 then).
  // It sends the term-2 entry to S3, one entry per message; S3 stores it, and S1's next message (its
  // own term-4 entry) is held back.
  nb.cell(`
    restart s1
    timeout s1
    run 100ms
    expect s1 is candidate
    timeout s1
    hold s1 -> {s2 s4}
    run until s3 log = 2 within 1s
    hold s1 -> s3
    run 100ms
    expect leader s1
    expect s1 term = 4`);
  expect(nb.logs()).toEqual({ s1: [1, 2, 4], s2: [1, 2], s3: [1, 2], s4: [1], s5: [1, 3] });
  return nb;
}

describe('Raft Figure 8: a leader never commits an entry of an earlier term by counting replicas (§5.4.2)', () => {
  it('(c) the term-2 entry is on a majority (S1, S2, S3) yet committed nowhere', () => {
    const nb = figure8();
    for (const n of ['s1', 's2', 's3']) expect(nb.world.nodes.find((x) => x.name === n)!.raft.commitIndex).toBeLessThan(2);
    expect(nb.trace.some((e) => e.k === 'commit' && e.to >= 2)).toBe(false);
  });

  it('(d) if S1 crashes, S5 wins term 5 with votes from S2, S3, S4 and overwrites index 2 everywhere: safe, it was never committed', () => {
    const nb = figure8();
    const d = nb.cell(`
      crash s1
      drop s1 -> {s2 s3 s4}
      restart s5
      timeout s5
      run 100ms
      timeout s5
      run 100ms
      expect leader s5
      expect s5 term = 5
      run 6s
      expect s5 commit = 3
      expect s2 commit = 3
      expect safe`);
    const votes = d.flatMap((e) => (e.k === 'vote' && e.candidate === 's5' && e.term === 5 && e.node !== 's5' && e.granted ? [e.node] : []));
    expect(votes.sort()).toEqual(['s2', 's3', 's4']);
    const logs = nb.logs();
    expect([logs.s2, logs.s3, logs.s4, logs.s5]).toEqual([
      [1, 3, 5],
      [1, 3, 5],
      [1, 3, 5],
      [1, 3, 5],
    ]);
    expect(logs.s1).toEqual([1, 2, 4]); // down: it will be overwritten too when it returns
  });

  it('(e) if S1 first replicates its term-4 entry on a majority, that commits index 2 too, and S5 can no longer win', () => {
    const nb = figure8();
    nb.cell(`
      release s1 -> {s2 s3}
      run 100ms
      expect s1 commit = 3`);
    expect(nb.logs()).toEqual({ s1: [1, 2, 4], s2: [1, 2, 4], s3: [1, 2, 4], s4: [1], s5: [1, 3] });
    nb.cell(`
      crash s1
      restart s5
      timeout s5
      run 100ms
      timeout s5
      run 100ms
      expect no leader
      expect safe`);
    // S5 gets S4's vote at most; S2 and S3 refuse it: their logs (last term 4) are more up to date.
    const refused = nb.trace.flatMap((e) => (e.k === 'vote' && e.candidate === 's5' && e.term === 5 && !e.granted ? [e.node] : []));
    expect(refused.sort()).toEqual(['s2', 's3']);
  });

  describe('when S1 learns that the term-2 entry is on a majority', () => {
    /** From (c): S4 also stores the term-2 entry and both S3 and S4 acknowledge it to S1. */
    function acknowledged(bug: boolean): Notebook {
      const nb = figure8(bug);
      nb.cell(`
        release s1 -> s4
        run until s4 log = 2 within 1s
        hold s1 -> s4
        run 100ms`);
      expect(nb.logs()).toEqual({ s1: [1, 2, 4], s2: [1, 2], s3: [1, 2], s4: [1, 2], s5: [1, 3] });
      return nb;
    }

    it('it refuses to commit it, and says why', () => {
      const nb = acknowledged(false);
      const refused = nb.trace.filter((e) => e.k === 'commit-refused');
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ node: 's1', index: 2 });
      expect(refused[0]!.k === 'commit-refused' && refused[0]!.reason).toContain('§5.4.2');
      expect(nb.world.nodes[0]!.raft.commitIndex).toBe(0);
    });

    it('with the bug commit-old-term it commits it, S5 then overwrites a committed entry, and the checkers say so', () => {
      const nb = acknowledged(true);
      expect(nb.world.nodes[0]!.raft.commitIndex).toBe(2);
      nb.cell(`
        crash s1
        drop s1 -> {s2 s3 s4}
        restart s5
        timeout s5
        run 100ms
        timeout s5
        run 100ms
        expect leader s5
        run 6s
        expect violation leader-completeness
        expect violation state-machine-safety
        expect not safe`);
    });
  });
});
