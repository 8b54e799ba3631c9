// The VS Code adapter: activate() only registers. All logic lives in lang/, views/ and engine/.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerRendererMessages } from './rendererMessages';
import { ConsensusController, sessionOptions } from './controller';
import { ConsensusSerializer, NOTEBOOK_TYPE } from './serializer';

export function activate(context: vscode.ExtensionContext): void {
  const diagnostics = vscode.languages.createDiagnosticCollection('consensus');
  const controller = new ConsensusController(diagnostics);
  context.subscriptions.push(
    diagnostics,
    controller,
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new ConsensusSerializer(), { transientOutputs: true }),
    vscode.workspace.onDidOpenNotebookDocument((nb) => controller.prefer(nb)),
  );
  registerCommands(context, sessionOptions);
  registerRendererMessages(context);
}

export function deactivate(): void {}
