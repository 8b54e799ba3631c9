import { describe, expect, it } from 'vitest';
import { codeCellsWithLines, parseNotebook, serializeNotebook } from '../../../src/lang/notebook';

const text = '# Title\n\nProse.\n\n```consensus\ncluster raft nodes=3\nrun 1s\n```\n\nMore prose.\n\n```consensus\nrun until leader\n```\n';

describe('notebooks', () => {
  it('reads Markdown cells and consensus code cells', () => {
    expect(parseNotebook(text)).toEqual([
      { kind: 'markdown', text: '# Title\n\nProse.' },
      { kind: 'code', text: 'cluster raft nodes=3\nrun 1s' },
      { kind: 'markdown', text: 'More prose.' },
      { kind: 'code', text: 'run until leader' },
    ]);
  });

  it('round-trips the canonical form', () => {
    expect(serializeNotebook(parseNotebook(text))).toBe(text);
  });

  it('gives the file line of each code cell', () => {
    expect(codeCellsWithLines(text)).toEqual([
      { text: 'cluster raft nodes=3\nrun 1s', line: 6 },
      { text: 'run until leader', line: 13 },
    ]);
  });
});
