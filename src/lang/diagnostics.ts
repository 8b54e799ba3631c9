// Positioned diagnostics in the graphql-js style: one constructor, "Expected X, found Y." messages,
// "Did you mean …?" ranked by edit distance, and a code frame with a caret.

export interface Span {
  /** 1-based line within the cell. */
  line: number;
  /** 1-based column of the first character. */
  column: number;
  /** 1-based column just past the last character (same line). */
  endColumn: number;
}

export interface Fix {
  title: string;
  span: Span;
  replacement: string;
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  message: string;
  span: Span;
  fix?: Fix;
}

export class LangError extends Error {
  constructor(
    message: string,
    readonly span: Span,
    readonly fix?: Fix,
  ) {
    super(message);
  }
}

export function diag(message: string, span: Span, fix?: Fix): Diagnostic {
  return fix ? { severity: 'error', message, span, fix } : { severity: 'error', message, span };
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[m]![n]!;
}

/** Candidates within a third of the word's length (at least 1), closest first, then alphabetical. */
export function suggest(word: string, candidates: readonly string[]): string[] {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  return candidates
    .map((c) => ({ c, d: editDistance(lower, c.toLowerCase()) }))
    .filter((x) => x.d <= limit || x.c.toLowerCase().startsWith(lower))
    .sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : x.c > y.c ? 1 : 0))
    .map((x) => x.c);
}

export function didYouMean(word: string, candidates: readonly string[]): { text: string; best: string | null } {
  const s = suggest(word, candidates).slice(0, 3);
  if (s.length === 0) return { text: '', best: null };
  const quoted = s.map((x) => `\`${x}\``);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
  return { text: ` Did you mean ${list}?`, best: s[0]! };
}

/** "line 3, column 7: message" followed by the source line and a caret under the span. */
export function codeFrame(source: string, d: Diagnostic, lineOffset = 0): string {
  const lines = source.split(/\r?\n/);
  const text = lines[d.span.line - 1] ?? '';
  const lineNo = String(d.span.line + lineOffset);
  const gutter = ' '.repeat(lineNo.length);
  const width = Math.max(1, d.span.endColumn - d.span.column);
  return [
    `line ${d.span.line + lineOffset}, column ${d.span.column}: ${d.message}`,
    `${lineNo} | ${text}`,
    `${gutter} | ${' '.repeat(d.span.column - 1)}${'^'.repeat(width)}`,
  ].join('\n');
}
