// Cell directives: a first-line comment that says how a cell is meant to end. The extension runs such a
// cell unchanged (it is a comment); the CLI and the golden test runner judge it by the directive.
//
//   # expect-error: <text>   the cell must fail, with a diagnostic or failed expectation containing <text>
//                            (for cells that demonstrate a failure: a run that hits its bound, a livelock)
//   # known-bug: <what>      the cell fails today because of a known engine bug (test runners expect the
//                            failure, so fixing the bug flags the marker)

export type Directive = { kind: 'none' } | { kind: 'expect-error'; text: string } | { kind: 'known-bug'; text: string };

export function cellDirective(cell: string): Directive {
  const first = cell.split(/\r?\n/, 1)[0] ?? '';
  const m = /^\s*#\s*(expect-error|known-bug):\s*(.*?)\s*$/.exec(first);
  if (!m) return { kind: 'none' };
  return { kind: m[1] as 'expect-error' | 'known-bug', text: m[2]! };
}

/**
 * For a cell with `# expect-error: TEXT`: null when it failed with a problem containing TEXT, else why
 * not. `problems` are the messages of the cell's diagnostics and failed expectations.
 */
export function expectedErrorMiss(text: string, problems: readonly string[]): string | null {
  if (text === '') return '`# expect-error:` needs the text of the expected error.';
  if (problems.some((p) => p.includes(text))) return null;
  return problems.length === 0 ? `expected an error containing "${text}", but the cell ran clean` : `expected an error containing "${text}", but the cell failed otherwise`;
}

/**
 * Whether a cell ended as its author meant: a cell marked `# expect-error: TEXT` by failing with TEXT,
 * any other by running clean (`ok`). `miss` says why not, for an `# expect-error` cell. The CLI's run
 * and export both judge cells by this.
 */
export function cellEnded(cell: string, ok: boolean, problems: readonly string[]): { ok: boolean; expected: string | null; miss: string | null } {
  const directive = cellDirective(cell);
  if (directive.kind !== 'expect-error') return { ok, expected: null, miss: null };
  const miss = expectedErrorMiss(directive.text, problems);
  return { ok: miss === null, expected: directive.text, miss };
}
