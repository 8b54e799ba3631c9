// Messages from the notebook renderer: copy a diagram's source, save an SVG or PNG the user sees,
// insert what `explore` found as a new cell below the `explore` cell.
import * as vscode from 'vscode';
import { LANGUAGE_ID } from './serializer';

export const RENDERER_ID = 'consensus-notebook.renderer';

type Message =
  | { type: 'insertCell'; cell: string | null; text: string }
  | { type: 'copy'; text: string }
  | { type: 'save'; format: 'svg' | 'png'; name: string; data: string };

export function registerRendererMessages(context: vscode.ExtensionContext): void {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  context.subscriptions.push(
    messaging.onDidReceiveMessage(async ({ editor, message }) => {
      const m = message as Message;
      if (m.type === 'insertCell') {
        await insertCellBelow(editor.notebook, m.cell, m.text);
        return;
      }
      if (m.type === 'copy') {
        await vscode.env.clipboard.writeText(m.text);
        void vscode.window.showInformationMessage('Copied the Mermaid source.');
        return;
      }
      if (m.type !== 'save' || (m.format !== 'svg' && m.format !== 'png')) return;
      const dir = vscode.Uri.joinPath(editor.notebook.uri, '..');
      const name = m.name.replace(/[^\w.-]/g, '_');
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(dir, name),
        filters: m.format === 'svg' ? { SVG: ['svg'] } : { PNG: ['png'] },
      });
      if (!target) return;
      const bytes = m.format === 'svg' ? new TextEncoder().encode(m.data) : fromBase64(m.data);
      await vscode.workspace.fs.writeFile(target, bytes);
      void vscode.window.showInformationMessage(`Saved ${vscode.workspace.asRelativePath(target)}.`);
    }),
  );
}

/** Adds a code cell with `text` right below the cell whose document URI is `cell` (at the end when it is gone). */
async function insertCellBelow(nb: vscode.NotebookDocument, cell: string | null, text: string): Promise<void> {
  if (typeof text !== 'string') return;
  const above = nb.getCells().find((c) => c.document.uri.toString() === cell);
  const at = above === undefined ? nb.cellCount : above.index + 1;
  const data = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, text, LANGUAGE_ID);
  const edit = new vscode.WorkspaceEdit();
  edit.set(nb.uri, [vscode.NotebookEdit.insertCells(at, [data])]);
  if (!(await vscode.workspace.applyEdit(edit))) void vscode.window.showErrorMessage('Could not insert the cell.');
}

/** Base64 to bytes with what both extension hosts have (atob), not Node's Buffer. */
export function fromBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
