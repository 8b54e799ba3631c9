// Small helpers for the cell-language tests.
import { type Diagnostic, codeFrame } from '../../../src/lang/diagnostics';
import type { ExecOptions } from '../../../src/lang/interpreter';
import { parseCell } from '../../../src/lang/parser';
import { type CellRun, DEFAULT_EXEC, Session } from '../../../src/lang/session';
import type { Stmt } from '../../../src/lang/ast';

/** The one statement of a one-line cell; fails the test with the code frame when it does not parse. */
export function stmt(source: string): Stmt {
  const r = parseCell(source);
  if (r.diagnostics.length > 0) throw new Error(r.diagnostics.map((d) => codeFrame(source, d)).join('\n'));
  if (r.stmts.length !== 1) throw new Error(`expected one statement, got ${r.stmts.length}`);
  return r.stmts[0]!;
}

/** The diagnostic of a cell that must not parse, as { message, line, column, endColumn }. */
export function parseError(source: string): { message: string; line: number; column: number; endColumn: number; fix?: string } {
  const r = parseCell(source);
  if (r.diagnostics.length !== 1) throw new Error(`expected one diagnostic for ${JSON.stringify(source)}, got ${r.diagnostics.length}: ${r.diagnostics.map((d) => d.message).join(' | ')}`);
  return flat(r.diagnostics[0]!);
}

export function flat(d: Diagnostic): { message: string; line: number; column: number; endColumn: number; fix?: string } {
  return { message: d.message, line: d.span.line, column: d.span.column, endColumn: d.span.endColumn, ...(d.fix ? { fix: d.fix.replacement } : {}) };
}

/** Runs the cells in a fresh session and returns every run. */
export function runCells(cells: string[], opts: Partial<ExecOptions> = {}): CellRun[] {
  return new Session({ ...DEFAULT_EXEC, ...opts }).runUpTo(cells, cells.length - 1);
}

/** The last run, which must be ok (fails with its code frames otherwise). */
export function runOk(cells: string[], opts: Partial<ExecOptions> = {}): CellRun {
  const runs = runCells(cells, opts);
  runs.forEach((r, i) => {
    const problems = [...r.diagnostics, ...r.failures];
    if (problems.length > 0) throw new Error(`cell ${i + 1}:\n${problems.map((d) => codeFrame(cells[i]!, d)).join('\n')}`);
  });
  return runs[runs.length - 1]!;
}

/** The problems (diagnostics, then failed expectations) of the last cell. */
export function lastProblems(cells: string[], opts: Partial<ExecOptions> = {}): { message: string; line: number; column: number; endColumn: number }[] {
  const runs = runCells(cells, opts);
  const r = runs[runs.length - 1]!;
  return [...r.diagnostics.map(flat), ...r.failures.map((f) => ({ message: f.message, line: f.span.line, column: f.span.column, endColumn: f.span.endColumn }))];
}

/** A five-node cluster whose leader is n1 (it times out first, by force). */
export const FIVE = 'cluster raft nodes=5 seed=1\ntimeout n1\nrun until leader n1 within 1s';
