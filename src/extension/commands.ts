// Palette commands: thin wrappers over lang/ (running) and views/ (exporting).
import * as vscode from 'vscode';
import { sessionOptions, stem } from './controller';
import type { Runner } from './runner';
import { LANGUAGE_ID, NOTEBOOK_TYPE } from './serializer';

const STARTER = `cluster raft nodes=5 seed=7
run until leader
expect safe`;

export function registerCommands(context: vscode.ExtensionContext, runner: Runner): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('consensusNotebook.newNotebook', async () => {
      const data = new vscode.NotebookData([
        new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# A new scenario\n\nDescribe what you want to show.', 'markdown'),
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, STARTER, LANGUAGE_ID),
      ]);
      const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
      await vscode.window.showNotebookDocument(doc);
    }),
    vscode.commands.registerCommand('consensusNotebook.openSample', async () => {
      const uri = vscode.Uri.joinPath(context.extensionUri, 'samples', 'leader-election.consensus');
      try {
        await vscode.workspace.fs.stat(uri);
        await vscode.commands.executeCommand('vscode.openWith', uri, NOTEBOOK_TYPE);
      } catch {
        await vscode.commands.executeCommand('consensusNotebook.newNotebook');
      }
    }),
    vscode.commands.registerCommand('consensusNotebook.exportMarkdown', async (arg?: vscode.Uri) => {
      const nb = arg ? vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === arg.toString()) : vscode.window.activeNotebookEditor?.notebook;
      if (!nb || nb.notebookType !== NOTEBOOK_TYPE) {
        void vscode.window.showErrorMessage('Open a Consensus notebook first.');
        return;
      }
      const cells = nb.getCells().map((c) => ({
        kind: c.kind === vscode.NotebookCellKind.Code ? ('code' as const) : ('markdown' as const),
        text: c.document.getText(),
      }));
      const markdown = await runner.request<string>({ type: 'export', cells, options: sessionOptions(), name: stem(nb) });
      const base = nb.uri.path.replace(/\.consensus$/, '') || 'notebook';
      const target = await vscode.window.showSaveDialog({
        defaultUri: nb.uri.with({ path: `${base}.md` }),
        filters: { Markdown: ['md'] },
      });
      if (!target) return;
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(markdown));
      void vscode.window.showInformationMessage(`Exported to ${vscode.workspace.asRelativePath(target)}.`);
    }),
  );
}
