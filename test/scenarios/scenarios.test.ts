// Golden scenarios: runs EVERY samples/*.consensus and test/scenarios/*.consensus notebook headless,
// cell by cell, through Session; the `expect` lines are the assertions. The cell directives
// (`# expect-error:`, `# known-bug:`) are described in golden.ts and test/scenarios/README.md.

import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { codeCellsWithLines } from '../../src/lang/notebook';
import { type CellRun, Session } from '../../src/lang/session';
import { cellDirective, judgeCell } from './golden';

const root = join(__dirname, '..', '..');
const dirs = [join(root, 'samples'), __dirname];
const files = dirs.flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.consensus'))
    .sort()
    .map((f) => join(d, f)),
);

it('finds the notebooks', () => {
  expect(files.length).toBeGreaterThan(0);
});

describe.each(files.map((f) => [relative(root, f), f]))('%s', (name, file) => {
  const cells = codeCellsWithLines(readFileSync(file, 'utf8'));
  let runs: CellRun[] = [];
  beforeAll(() => {
    const session = new Session();
    runs = cells.length > 0 ? session.runUpTo(cells.map((c) => c.text), cells.length - 1) : [];
  });
  cells.forEach((cell, k) => {
    const title = `cell ${k + 1} (line ${cell.line})`;
    const check = (): void => {
      const problem = judgeCell(name, cell.text, cell.line, runs[k]!);
      if (problem !== null) throw new Error(problem);
    };
    const d = cellDirective(cell.text);
    if (d.kind === 'known-bug') it.fails(`${title}: known bug: ${d.text}`, check);
    else it(title, check);
  });
});
