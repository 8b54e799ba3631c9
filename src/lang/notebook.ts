// The .consensus file format (DESIGN.md principle 7): a Markdown file whose ```consensus fenced blocks
// are code cells and whose prose is Markdown cells. Outputs are never stored: they are reproducible.
// `serializeNotebook(parseNotebook(text)) === text` for every file in canonical form (what we write:
// cells separated by one blank line, a final newline).

export interface NotebookCellText {
  kind: 'markdown' | 'code';
  text: string;
}

const OPEN = /^```consensus\s*$/;
const CLOSE = /^```\s*$/;

export function parseNotebook(source: string): NotebookCellText[] {
  return readCells(source).map(({ kind, text }) => ({ kind, text }));
}

/** The code cells with the 1-based file line of each cell's first line (for file-level code frames). */
export function codeCellsWithLines(source: string): { text: string; line: number }[] {
  return readCells(source)
    .filter((c) => c.kind === 'code')
    .map(({ text, line }) => ({ text, line }));
}

function readCells(source: string): (NotebookCellText & { line: number })[] {
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  const cells: (NotebookCellText & { line: number })[] = [];
  let prose: string[] = [];
  let proseStart = 0;
  const flushProse = (): void => {
    const text = trimBlankLines(prose).join('\n');
    if (text.length > 0) cells.push({ kind: 'markdown', text, line: proseStart + prose.findIndex((l) => l.trim() !== '') + 1 });
    prose = [];
  };
  let i = 0;
  while (i < lines.length) {
    if (OPEN.test(lines[i]!)) {
      flushProse();
      const code: string[] = [];
      i++;
      const first = i + 1;
      while (i < lines.length && !CLOSE.test(lines[i]!)) code.push(lines[i++]!);
      i++; // the closing fence (or the end of an unclosed block)
      cells.push({ kind: 'code', text: code.join('\n'), line: first });
      proseStart = i;
      continue;
    }
    prose.push(lines[i]!);
    i++;
  }
  flushProse();
  return cells;
}

export function serializeNotebook(cells: readonly NotebookCellText[]): string {
  const parts = cells.map((c) => (c.kind === 'code' ? `\`\`\`consensus\n${c.text}${c.text.length > 0 ? '\n' : ''}\`\`\`` : c.text.replace(/\s+$/, '')));
  return parts.length === 0 ? '' : `${parts.join('\n\n')}\n`;
}

function trimBlankLines(lines: string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a]!.trim() === '') a++;
  while (b > a && lines[b - 1]!.trim() === '') b--;
  return lines.slice(a, b);
}
