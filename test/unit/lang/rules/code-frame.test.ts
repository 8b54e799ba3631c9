// Rule family: presentation. Every diagnostic prints the same way (graphql-js's printLocation): where,
// what, the source line, and a caret under the span.
import { describe, expect, it } from 'vitest';
import { codeFrame } from '../../../../src/lang/diagnostics';
import { parseCell } from '../../../../src/lang/parser';

describe('codeFrame', () => {
  it('prints the position, the message, the line and a caret under the span', () => {
    const src = 'cluster raft nodes=5\ncrsh n1';
    const d = parseCell(src).diagnostics[0]!;
    expect(codeFrame(src, d)).toBe(['line 2, column 1: Unknown command `crsh`. Did you mean `crash`?', '2 | crsh n1', '  | ^^^^'].join('\n'));
  });

  it('points just past the end of the line for "found end of line"', () => {
    const src = 'crash';
    expect(codeFrame(src, parseCell(src).diagnostics[0]!)).toBe(['line 1, column 6: Expected a node, found end of line.', '1 | crash', '  |      ^'].join('\n'));
  });

  it('turns cell lines into file lines with an offset, widening the gutter', () => {
    const src = 'heal\nheal x';
    expect(codeFrame(src, parseCell(src).diagnostics[0]!, 98)).toBe(['line 100, column 6: Expected end of line, found `x`.', '100 | heal x', '    |      ^'].join('\n'));
  });

  it('keeps tabs before the caret, so it lines up in any tab width', () => {
    const src = '\tcrash\tn1 x';
    expect(codeFrame(src, { message: 'm.', span: { line: 1, column: 11, endColumn: 12 } })).toBe(['line 1, column 11: m.', '1 | \tcrash\tn1 x', '  | \t     \t   ^'].join('\n'));
  });

  it('prints failures (which have no severity) the same way', () => {
    expect(codeFrame('expect leader n3', { message: 'Expected leader n3, found n1.', span: { line: 1, column: 8, endColumn: 17 } })).toBe(
      ['line 1, column 8: Expected leader n3, found n1.', '1 | expect leader n3', '  |        ^^^^^^^^^'].join('\n'),
    );
  });
});
