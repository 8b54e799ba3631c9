import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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

describe('the files we ship are in canonical form', () => {
  // What the extension's serializer writes back must be what was read (the E2E host suite saves them
  // through VS Code too); a trailing blank line, for one, would not survive a save.
  const root = join(__dirname, '../../..');
  const files = ['samples', 'test/scenarios', 'test/e2e/fixtures'].flatMap((d) =>
    readdirSync(join(root, d))
      .filter((f) => f.endsWith('.consensus'))
      .map((f) => join(d, f)),
  );
  it.each(files)('%s round-trips byte for byte', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    expect(serializeNotebook(parseNotebook(text))).toBe(text);
  });
});
