// Property tests (fast-check): whatever a user types, the parser never throws, never hangs, and every
// diagnostic it returns is positioned within the cell text. Inputs: random text, soups of the
// language's own words, and valid cells (every example of the command table and every code cell of
// the scenario notebooks) mutated by deleting, inserting, replacing, duplicating and swapping.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/lang/diagnostics';
import { lexLine } from '../../../src/lang/lexer';
import { codeCellsWithLines } from '../../../src/lang/notebook';
import { COMMANDS, FACTS, KEYWORDS, parseCell } from '../../../src/lang/parser';
import { DEFAULT_EXEC, Session } from '../../../src/lang/session';

const root = join(__dirname, '..', '..', '..');
const notebookCells = [join(root, 'samples'), join(root, 'test', 'scenarios')].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.consensus'))
    .flatMap((f) => codeCellsWithLines(readFileSync(join(dir, f), 'utf8')).map((c) => c.text)),
);
const VALID: readonly string[] = [...COMMANDS.flatMap((c) => c.examples), ...notebookCells];

const WORDS: readonly string[] = [
  ...COMMANDS.map((c) => c.name),
  ...COMMANDS.flatMap((c) => (c.options ?? []).map((o) => `${o.name}=${o.placeholder.split('|')[0]}`)),
  ...FACTS.map((f) => f.word),
  ...KEYWORDS,
  'n1', 'n2', 'n7', 'A', 'B', 'us-east', 'x', 'x=1', '{', '}', '|', '->', '<->', '=', '>=', '<', ',', '*', '..',
  '150ms..300ms', '2s', '-5s', '+5s', '20%', '120%', '0', '1.5', '"v1"', '"open', '#', 'é', '\t', '\\', '1e9', '99999999999999999999s',
  // Names that are also JavaScript property names (test/unit/lang/names.test.ts).
  'toString', '__proto__', 'constructor', 'nodes=__proto__,toString,c', '__proto__ put constructor=1',
];

const CHARS = ' \t\r\n{}|=<>-*.,#"%+/:@_aAzZ09µé\u0000\u2028';

/** One mutation of a valid cell. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...WORDS), fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 4 })) }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), ch: fc.constantFrom(...CHARS) }),
  fc.record({ op: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), a: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(src: string, m: Mutation): string {
  const at = (n: number, len: number): number => (len === 0 ? 0 : n % (len + 1));
  switch (m.op) {
    case 'delete': {
      const i = at(m.at, src.length);
      return src.slice(0, i) + src.slice(i + m.len);
    }
    case 'insert': {
      const i = at(m.at, src.length);
      return `${src.slice(0, i)}${m.text}${src.slice(i)}`;
    }
    case 'replace': {
      const i = at(m.at, src.length);
      return `${src.slice(0, i)}${m.ch}${src.slice(i + 1)}`;
    }
    case 'truncate':
      return src.slice(0, at(m.at, src.length));
    case 'swap':
    case 'duplicate': {
      const words = src.split(' ');
      if (words.length === 0) return src;
      const a = m.a % words.length;
      if (m.op === 'duplicate') words.splice(a, 0, words[a]!);
      else {
        const b = (m.a * 7 + 3) % words.length;
        [words[a], words[b]] = [words[b]!, words[a]!];
      }
      return words.join(' ');
    }
  }
}

const mutatedCell = fc.tuple(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([src, ms]) => ms.reduce(mutate, src));
const wordSoup = fc.array(fc.constantFrom(...WORDS), { maxLength: 12 }).chain((ws) => fc.constantFrom(' ', '', '\n', '  ').map((sep) => ws.join(sep)));
const randomText = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 80 });
const anyText = fc.string({ unit: 'binary', maxLength: 120 });
const anyCell = fc.oneof(mutatedCell, wordSoup, randomText, anyText);

function within(span: Span, lines: string[]): boolean {
  const text = lines[span.line - 1];
  if (text === undefined) return false;
  return Number.isInteger(span.column) && span.column >= 1 && span.endColumn > span.column && span.column <= text.length + 1 && span.endColumn <= text.length + 2;
}

describe('the parser, fuzzed', () => {
  it('never throws, never hangs, and positions every diagnostic within the cell', () => {
    fc.assert(
      fc.property(anyCell, (src) => {
        const lines = src.split(/\r?\n|\r/);
        const started = performance.now();
        const r = parseCell(src);
        expect(performance.now() - started).toBeLessThan(500);
        for (const d of r.diagnostics) {
          expect(within(d.span, lines), `${JSON.stringify(src)}: ${d.message} at ${JSON.stringify(d.span)}`).toBe(true);
          expect(d.message).not.toMatch(/Internal error/);
          expect(d.message).toMatch(/[.?]$/);
          if (d.fix) expect(within(d.fix.span, lines)).toBe(true);
        }
        for (const s of r.stmts) expect(within(s.span, lines)).toBe(true);
        // Every non-blank, non-comment line is a statement or a diagnostic, never silently dropped.
        const used = new Set([...r.stmts.map((s) => s.span.line), ...r.diagnostics.map((d) => d.span.line)]);
        lines.forEach((l, i) => {
          if (lexLine(l, i + 1).length > 0) expect(used.has(i + 1), `line ${i + 1} of ${JSON.stringify(src)}`).toBe(true);
        });
      }),
      { numRuns: 3000, seed: 20261129 },
    );
  });

  it('handles very long lines and many lines quickly', () => {
    const long = `crash ${'n1 '.repeat(20_000)}`;
    const word = `cluster raft nodes=${'a'.repeat(50_000)}`;
    const many = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? 'run 1s' : 'crsh n1')).join('\n');
    for (const src of [long, word, many, '{'.repeat(10_000), '"'.repeat(10_001)]) {
      const started = performance.now();
      const r = parseCell(src);
      expect(performance.now() - started).toBeLessThan(2_000);
      for (const d of r.diagnostics) expect(within(d.span, src.split('\n'))).toBe(true);
    }
  });

  it('the checker and interpreter never throw on mutated cells either, and keep to the event budget', () => {
    const session = new Session({ ...DEFAULT_EXEC, eventBudget: 3_000, untilBoundUs: 2_000_000, clientBoundUs: 1_000_000 });
    const setup = 'cluster raft nodes=5 seed=1\nzone us-east {n1 n2}\nA put x=1';
    fc.assert(
      fc.property(mutatedCell, (src) => {
        const runs = session.runUpTo([setup, src], 1);
        const run = runs[1]!;
        const lines = src.split(/\r?\n|\r/);
        for (const d of run.diagnostics) expect(within(d.span, lines), `${JSON.stringify(src)}: ${d.message}`).toBe(true);
        for (const f of run.failures) expect(within(f.span, lines)).toBe(true);
        expect(run.events.length - run.from).toBeLessThan(3_000 * 40);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
