import { describe, expect, it } from 'vitest';
import { lexLine } from '../../../src/lang/lexer';

const kinds = (text: string): string[] => lexLine(text, 1).map((t) => `${t.kind}:${t.text}`);

describe('lexLine', () => {
  it('reads words, numbers with units, ranges, strings and symbols', () => {
    expect(kinds('cluster raft nodes=5 seed=42')).toEqual(['word:cluster', 'word:raft', 'word:nodes', 'sym:=', 'number:5', 'word:seed', 'sym:=', 'number:42']);
    expect(kinds('election-timeout=150ms..300ms')).toEqual(['word:election-timeout', 'sym:=', 'range:150ms..300ms']);
    expect(kinds('skew n2 +5s -1.5ms 20%')).toEqual(['word:skew', 'word:n2', 'number:+5s', 'number:-1.5ms', 'number:20%']);
    expect(kinds('A write s "v 1" token')).toEqual(['word:A', 'word:write', 'word:s', 'string:v 1', 'word:token']);
    expect(kinds('partition {n1,n2} | {n3}')).toEqual(['word:partition', 'sym:{', 'word:n1', 'sym:,', 'word:n2', 'sym:}', 'sym:|', 'sym:{', 'word:n3', 'sym:}']);
    expect(kinds('cut n1->n2 a<->b x>=1 *')).toEqual(['word:cut', 'word:n1', 'sym:->', 'word:n2', 'word:a', 'sym:<->', 'word:b', 'word:x', 'sym:>=', 'number:1', 'sym:*']);
    expect(kinds('A watch /config/ us-east')).toEqual(['word:A', 'word:watch', 'word:/config/', 'word:us-east']);
  });

  it('stops at a comment, but not inside a string', () => {
    expect(kinds('crash n1 # and n2')).toEqual(['word:crash', 'word:n1']);
    expect(kinds('A put x="a#b"')).toEqual(['word:A', 'word:put', 'word:x', 'sym:=', 'string:a#b']);
  });

  it('unescapes strings', () => {
    expect(kinds('"a\\"b"')).toEqual(['string:a"b']);
  });

  it('turns what it cannot read into bad tokens with positions', () => {
    expect(lexLine('crash é n1', 3)).toEqual([
      { kind: 'word', text: 'crash', span: { line: 3, column: 1, endColumn: 6 } },
      { kind: 'bad', text: 'é', span: { line: 3, column: 7, endColumn: 8 } },
      { kind: 'word', text: 'n1', span: { line: 3, column: 9, endColumn: 11 } },
    ]);
    expect(lexLine('"open', 1)).toEqual([{ kind: 'bad', text: '"open', span: { line: 1, column: 1, endColumn: 6 } }]);
  });

  it('1-based columns; endColumn is just past the token', () => {
    expect(lexLine('  run 2s', 1).map((t) => [t.span.column, t.span.endColumn])).toEqual([[3, 6], [7, 9]]);
  });
});
