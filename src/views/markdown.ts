// "Export as Markdown": the notebook as a Markdown file that GitHub renders — the prose, each scenario
// cell, its verdict and its diagrams as ```mermaid blocks. Same input, same bytes.

import { markdownCell } from './escape';
import type { RunPayload } from './payload';

export type ExportedCell =
  | { kind: 'markdown'; text: string }
  /** `ok`: the cell ended as its author meant (lang/directives.ts `cellEnded`). */
  | { kind: 'code'; text: string; payload: RunPayload | null; error: string | null; ok: boolean };

export function notebookMarkdown(cells: readonly ExportedCell[]): string {
  const parts: string[] = [];
  for (const c of cells) {
    if (c.kind === 'markdown') {
      parts.push(c.text.replace(/\s+$/, ''));
      continue;
    }
    parts.push(fence('consensus', c.text));
    if (c.error !== null) {
      parts.push(fence('text', c.error));
      continue;
    }
    if (c.payload === null) continue;
    const p = c.payload;
    parts.push(`> **${p.ok ? 'Result' : 'Failed'}:** ${escapeInline(p.verdict)}`);
    for (const f of p.failures) parts.push(`> ✗ line ${f.line}: ${escapeInline(f.message)}`);
    for (const m of p.messages) parts.push(`> ${escapeInline(m)}`);
    for (const [, source] of Object.entries(p.mermaid)) if (source) parts.push(fence('mermaid', source));
  }
  return `${parts.join('\n\n')}\n`;
}

function fence(lang: string, body: string): string {
  // A longer fence than any backtick run inside keeps the block closed whatever the text holds.
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${body.replace(/\s+$/, '')}\n${f}`;
}

/** Inline Markdown, never cut: a verdict or a message is shown whole. */
function escapeInline(s: string): string {
  return markdownCell(s, Number.MAX_SAFE_INTEGER);
}
