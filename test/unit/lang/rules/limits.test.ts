// Rule family: limits. A `run until` that never holds stops at its bound with a clear message; a cell
// that would process too many events stops at the event budget (configurable per session). Neither
// hangs, and both point at the command that hit the limit.
import { describe, expect, it } from 'vitest';
import { Session } from '../../../../src/lang/session';
import { FIVE, runCells } from '../helpers';

const at = (m: string): string => m.replace(/\(at [^)]+\)/g, '(at T)');

describe('limits', () => {
  it('`run until leader` gives up at its bound: 60s by default', () => {
    const runs = runCells([FIVE, 'crash n1 n2 n3', 'run until leader']);
    const d = runs[2]!.diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toMatch(/^No leader after 1m of virtual time \(at 1m0\.\d+s\); roles: n1=down n2=down n3=down n4=\w+ n5=\w+\.$/);
    expect(d[0]!.span).toEqual({ line: 1, column: 1, endColumn: 17 });
    expect(runs[2]!.timeUs - runs[1]!.timeUs).toBe(60_000_000);
  });

  it('`within` sets the bound, and the session can change the default', () => {
    expect(at(runCells([FIVE, 'crash n1 n2 n3\nrun until leader within 5s'])[1]!.diagnostics[0]!.message)).toMatch(/^No leader after 5s of virtual time \(at T\); roles: n1=down n2=down n3=down /);
    const runs = runCells([FIVE, 'crash n1 n2 n3\nrun until leader'], { untilBoundUs: 3_000_000 });
    expect(at(runs[1]!.diagnostics[0]!.message)).toMatch(/^No leader after 3s of virtual time/);
  });

  it('any fact: says what it found at the bound', () => {
    const runs = runCells([FIVE, 'run until n1 is follower within 1s']);
    expect(runs[1]!.diagnostics.map((d) => [at(d.message), d.span.column])).toEqual([['`until n1 is follower` still did not hold after 1s of virtual time (at T): found n1 is leader (term 1).', 1]]);
    const stable = runCells([FIVE, 'crash n1 n2 n3\nrun until stable within 2s']);
    expect(at(stable[1]!.diagnostics[0]!.message)).toBe('`until stable` still did not hold after 2s of virtual time (at T): found no leader.');
  });

  it('a client command waits 30s for its answer by default, then goes on', () => {
    const runs = runCells([FIVE, 'crash n2 n3 n4\nA put x=1\nexpect A failed']);
    expect(runs[1]!.ok).toBe(true);
    expect(runs[1]!.messages).toEqual(['A put x: no answer within 30s of virtual time.']);
    expect(runs[1]!.timeUs - runs[0]!.timeUs).toBe(30_000_000);
  });

  it('the event budget stops a runaway `run`', () => {
    const runs = runCells([FIVE, 'run 160h\nexpect leader'], { eventBudget: 5_000 });
    const r = runs[1]!;
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => [d.message.replace(/at [0-9.]+s of/, 'at T of'), d.span])).toEqual([
      ['Stopped after 5,000 events in this cell (the event budget) at T of virtual time. Run less at once, or raise the budget (setting `consensusNotebook.eventBudget`).', { line: 1, column: 1, endColumn: 9 }],
    ]);
    expect(r.failures).toEqual([]);
  });

  it('the budget counts the events of one cell, and stops `step` and client waits too', () => {
    const opts = { eventBudget: 2_000 };
    expect(runCells([FIVE, 'run 1s', 'run 1s', 'run 1s'], opts).every((r) => r.ok)).toBe(true);
    expect(runCells([FIVE, 'step 5000'], opts)[1]!.diagnostics[0]!.message).toMatch(/^Stopped after 2,000 events in this cell/);
    expect(runCells([FIVE, 'crash n2 n3 n4\nA put x=1 within 1h'], opts)[1]!.diagnostics[0]!.message).toMatch(/^Stopped after 2,000 events in this cell/);
  });

  it('honours cancellation', () => {
    let polls = 0;
    const runs = new Session().runUpTo([FIVE, 'run 1h'], 1, () => ++polls > 3);
    expect(runs[1]!.messages).toContain('Cancelled.');
    expect(runs[1]!.timeUs).toBeLessThan(3_600_000_000);
  });
});
