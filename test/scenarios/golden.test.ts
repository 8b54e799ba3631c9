// The golden runner's own rules (golden.ts).
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/lang/session';
import { cellDirective, judgeCell } from './golden';

const run = (cells: string[]) => new Session().runUpTo(cells, cells.length - 1);

describe('cell directives', () => {
  it('reads the first line only', () => {
    expect(cellDirective('# expect-error: No leader after 5s\nrun until leader within 5s')).toEqual({ kind: 'expect-error', text: 'No leader after 5s' });
    expect(cellDirective('#known-bug:   the client bounces  \nA put x=1')).toEqual({ kind: 'known-bug', text: 'the client bounces' });
    expect(cellDirective('crash n1\n# expect-error: x')).toEqual({ kind: 'none' });
    expect(cellDirective('# a comment')).toEqual({ kind: 'none' });
  });
});

describe('judgeCell', () => {
  const setup = 'cluster raft nodes=3 seed=1';

  it('passes a clean cell', () => {
    const runs = run([setup, 'run until leader']);
    expect(judgeCell('f.consensus', 'run until leader', 12, runs[1]!)).toBeNull();
  });

  it('fails a cell with a diagnostic or a failed expectation, with code frames in file lines', () => {
    const cell = 'crash n7\nexpect leader';
    const runs = run([setup, cell]);
    expect(judgeCell('f.consensus', cell, 12, runs[1]!)).toBe(['f.consensus:12', 'line 12, column 7: Unknown node n7; this cluster has n1, n2, n3.', '12 | crash n7', '   |       ^^'].join('\n'));
    const failing = 'expect term = 9';
    const r2 = run([setup, failing]);
    expect(judgeCell('f.consensus', failing, 3, r2[1]!)).toBe(['f.consensus:3', 'line 3, column 8: Expected term = 9, found term 0 (at 0us).', '3 | expect term = 9', '  |        ^^^^^^^^'].join('\n'));
  });

  it('an expected error must happen, with its text', () => {
    const cell = '# expect-error: No leader after 1s\ncrash n1 n2\nrun until leader within 1s';
    expect(judgeCell('f.consensus', cell, 1, run([setup, cell])[1]!)).toBeNull();
    const clean = '# expect-error: No leader\nrun until leader';
    expect(judgeCell('f.consensus', clean, 7, run([setup, clean])[1]!)).toBe('f.consensus:7: expected an error containing "No leader", but the cell ran clean');
    const other = '# expect-error: No leader\ncrash n9';
    expect(judgeCell('f.consensus', other, 7, run([setup, other])[1]!)).toMatch(/^f\.consensus:7: expected an error containing "No leader", but the cell failed otherwise:\nf\.consensus:7\nline 8, column 7: Unknown node n9/);
    const empty = '# expect-error:\ncrash n9';
    expect(judgeCell('f.consensus', empty, 7, run([setup, empty])[1]!)).toBe('f.consensus:7: `# expect-error:` needs the text of the expected error.');
  });
});
