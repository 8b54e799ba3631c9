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

/**
 * Candidates within a third of the word's length (at least 1), or that it starts; closest first, then
 * alphabetical. A one-letter word gets no suggestion.
 * A candidate that differs only in its digits (`n7` against `n1`) is not a likely typo, so it is not
 * suggested: the message lists the valid names instead.
 */
export function suggest(word: string, candidates: readonly string[]): string[] {
  const lower = word.toLowerCase();
  const limit = word.length < 2 ? 0 : Math.max(1, Math.floor(word.length / 3));
  const letters = (s: string): string => s.toLowerCase().replace(/[0-9]+/g, '#');
  return candidates
    .filter((c) => c !== word && !(letters(c) === letters(word) && /[0-9]/.test(word)))
    .map((c) => {
      const prefix = lower.length >= 2 && c.toLowerCase().startsWith(lower);
      // The distance is at least the difference in length: skip the quadratic work when that is too far.
      const d = !prefix && Math.abs(c.length - word.length) > limit ? limit + 1 : editDistance(lower, c.toLowerCase());
      return { c, d, prefix };
    })
    .filter((x) => x.d <= limit || x.prefix)
    .sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : x.c > y.c ? 1 : 0))
    .map((x) => x.c);
}

export function didYouMean(word: string, candidates: readonly string[]): { text: string; best: string | null } {
  const s = suggest(word, candidates).slice(0, 3);
  if (s.length === 0) return { text: '', best: null };
  return { text: ` Did you mean ${orList(s.map((x) => `\`${x}\``))}?`, best: s[0]! };
}

/**
 * "line 3, column 7: message" followed by the source line and a caret under the span (graphql-js's
 * printLocation). `lineOffset` turns cell lines into file lines. Tabs before the span stay tabs, so
 * the caret lines up in any tab width.
 */
export function codeFrame(source: string, d: Pick<Diagnostic, 'message' | 'span'> & Partial<Diagnostic>, lineOffset = 0): string {
  const lines = source.split(/\r?\n/);
  const text = lines[d.span.line - 1] ?? '';
  const lineNo = String(d.span.line + lineOffset);
  const gutter = ' '.repeat(lineNo.length);
  const width = Math.max(1, d.span.endColumn - d.span.column);
  const pad = Array.from({ length: Math.max(0, d.span.column - 1) }, (_, i) => (text[i] === '\t' ? '\t' : ' ')).join('');
  return [
    `line ${d.span.line + lineOffset}, column ${d.span.column}: ${d.message}`,
    `${lineNo} | ${text}`,
    `${gutter} | ${pad}${'^'.repeat(width)}`,
  ].join('\n');
}

/** `a`, `a or b`, `a, b or c`. */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** A quick fix that replaces `span` with the best suggestion, when there is one. */
export function changeTo(best: string | null, span: Span): Fix | undefined {
  return best === null ? undefined : { title: `Change to \`${best}\``, span, replacement: best };
}
