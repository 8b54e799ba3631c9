// The golden scenario runner's rules, kept apart from vitest so they can be tested themselves.
//
// Every code cell of a notebook must run clean: no diagnostic, no failed expectation. A cell may say
// otherwise on its first line (a comment, so the extension runs it unchanged):
//
//   # expect-error: <text>   the cell must fail, with a diagnostic or failed expectation containing <text>
//                            (for cells that demonstrate an error: a run that hits its bound, a typo, …)
//   # known-bug: <what>      the cell fails today because of a bug outside the cell language (the
//                            engine); the runner expects the failure, so fixing the bug flags the marker
//
// Failures are reported as code frames with file line numbers.

import { codeFrame } from '../../src/lang/diagnostics';
import { cellDirective, expectedErrorMiss } from '../../src/lang/directives';
import type { CellRun } from '../../src/lang/session';

export { cellDirective, type Directive } from '../../src/lang/directives';

/** Every problem of a cell run as code frames (file lines), plus its messages. */
export function cellReport(file: string, cell: string, fileLine: number, run: CellRun): string {
  const frames = [...run.diagnostics, ...run.failures].map((d) => codeFrame(cell, d, fileLine - 1));
  const messages = run.messages.map((m) => `note: ${m}`);
  return [`${file}:${fileLine}`, ...frames, ...messages].join('\n');
}

/** null when the cell behaved as its directive says; otherwise why not, with code frames. */
export function judgeCell(file: string, cell: string, fileLine: number, run: CellRun): string | null {
  const d = cellDirective(cell);
  const problems = [...run.diagnostics, ...run.failures].map((x) => x.message);
  if (d.kind === 'expect-error') {
    const miss = expectedErrorMiss(d.text, problems);
    if (miss === null) return null;
    return `${file}:${fileLine}: ${miss}${problems.length > 0 && d.text !== '' ? `:\n${cellReport(file, cell, fileLine, run)}` : ''}`;
  }
  if (run.ok && problems.length === 0) return null;
  return cellReport(file, cell, fileLine, run);
}
