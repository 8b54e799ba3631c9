// Run a whole notebook and shape it for export; shared by the extension's "Export as Markdown" and the
// CLI's `export`, so both write the same bytes.
import { codeFrame } from './diagnostics';
import { cellEnded } from './directives';
import type { NotebookCellText } from './notebook';
import type { Session } from './session';
import { notebookMarkdown, type ExportedCell } from '../views/markdown';
import { buildPayload } from '../views/payload';

export function runForExport(cells: readonly NotebookCellText[], session: Session, name = 'consensus'): ExportedCell[] {
  const code = cells.filter((c) => c.kind === 'code').map((c) => c.text);
  const runs = code.length > 0 ? session.runUpTo(code, code.length - 1) : [];
  let k = 0;
  return cells.map((c): ExportedCell => {
    if (c.kind === 'markdown') return { kind: 'markdown', text: c.text };
    const run = runs[k];
    const text = code[k++]!;
    if (!run) return { kind: 'code', text, payload: null, error: null, ok: true };
    const { ok } = cellEnded(text, run.ok, [...run.diagnostics, ...run.failures].map((x) => x.message));
    if (run.diagnostics.length > 0) return { kind: 'code', text, payload: null, error: run.diagnostics.map((d) => codeFrame(text, d)).join('\n\n'), ok };
    return { kind: 'code', text, payload: buildPayload(run, { mode: 'export', name: `${name}-cell${k}` }), error: null, ok };
  });
}

export function exportMarkdown(cells: readonly NotebookCellText[], session: Session, name?: string): string {
  return notebookMarkdown(runForExport(cells, session, name));
}
