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
    // From the palette: no argument. From the notebook toolbar: the notebook (`{ notebookEditor }` or
    // `{ uri }`, depending on the VS Code version). From other extensions: a Uri.
    vscode.commands.registerCommand('consensusNotebook.exportMarkdown', async (arg?: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : toolbarUri(arg);
      const nb = (uri && vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString())) ?? vscode.window.activeNotebookEditor?.notebook;
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

function toolbarUri(arg: unknown): vscode.Uri | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as { uri?: unknown; notebookEditor?: { notebookUri?: unknown }; notebook?: { uri?: unknown } };
  for (const candidate of [a.uri, a.notebookEditor?.notebookUri, a.notebook?.uri]) if (candidate instanceof vscode.Uri) return candidate;
  return undefined;
}
