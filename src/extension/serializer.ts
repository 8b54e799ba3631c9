// Bytes <-> cells, nothing else: the format itself lives in lang/notebook.ts.
import * as vscode from 'vscode';
import { parseNotebook, serializeNotebook } from '../lang/notebook';

export const NOTEBOOK_TYPE = 'consensus-notebook';
export const LANGUAGE_ID = 'consensus';

export class ConsensusSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    const cells = parseNotebook(new TextDecoder().decode(content)).map(
      (c) =>
        new vscode.NotebookCellData(
          c.kind === 'code' ? vscode.NotebookCellKind.Code : vscode.NotebookCellKind.Markup,
          c.text,
          c.kind === 'code' ? LANGUAGE_ID : 'markdown',
        ),
    );
    return new vscode.NotebookData(cells);
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    return new TextEncoder().encode(
      serializeNotebook(data.cells.map((c) => ({ kind: c.kind === vscode.NotebookCellKind.Code ? 'code' : 'markdown', text: c.value }))),
    );
  }
}
