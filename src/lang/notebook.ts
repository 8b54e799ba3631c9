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
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  const cells: NotebookCellText[] = [];
  let prose: string[] = [];
  const flushProse = (): void => {
    const text = trimBlankLines(prose).join('\n');
    if (text.length > 0) cells.push({ kind: 'markdown', text });
    prose = [];
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (OPEN.test(line)) {
      flushProse();
      const code: string[] = [];
      i++;
      while (i < lines.length && !CLOSE.test(lines[i]!)) code.push(lines[i++]!);
      i++; // the closing fence (or the end of an unclosed block)
      cells.push({ kind: 'code', text: code.join('\n') });
      continue;
    }
    prose.push(line);
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
