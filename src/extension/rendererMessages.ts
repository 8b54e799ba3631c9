// Messages from the notebook renderer: copy a diagram's source, save an SVG or PNG the user sees.
import * as vscode from 'vscode';

export const RENDERER_ID = 'consensus-notebook.renderer';

type Message =
  | { type: 'copy'; text: string }
  | { type: 'save'; format: 'svg' | 'png'; name: string; data: string };

export function registerRendererMessages(context: vscode.ExtensionContext): void {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  context.subscriptions.push(
    messaging.onDidReceiveMessage(async ({ editor, message }) => {
      const m = message as Message;
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

/** Base64 to bytes with what both extension hosts have (atob), not Node's Buffer. */
export function fromBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
