// The VS Code adapter: activate() only registers. All logic lives in lang/, views/ and engine/; runs
// happen in a worker thread (runner.ts).
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { ConsensusController } from './controller';
import { registerLanguageFeatures } from './language';
import { registerRendererMessages } from './rendererMessages';
import { Runner } from './runner';
import { ConsensusSerializer, NOTEBOOK_TYPE } from './serializer';

export function activate(context: vscode.ExtensionContext): void {
  const diagnostics = vscode.languages.createDiagnosticCollection('consensus');
  const runner = new Runner(vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath);
  const controller = new ConsensusController(runner, diagnostics);
  context.subscriptions.push(
    diagnostics,
    runner,
    controller,
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new ConsensusSerializer(), { transientOutputs: true }),
    vscode.workspace.onDidOpenNotebookDocument((nb) => controller.prefer(nb)),
    vscode.workspace.onDidCloseNotebookDocument((nb) => {
      if (nb.notebookType === NOTEBOOK_TYPE) void runner.request({ type: 'forget', notebook: nb.uri.toString() });
    }),
  );
  registerCommands(context, runner);
  registerLanguageFeatures(context, diagnostics, runner);
  registerRendererMessages(context);
}

export function deactivate(): void {}
