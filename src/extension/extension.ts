// The Node entry (package.json `main`): the desktop's and code-server's Node extension host. activate()
// only registers (activate.ts); scenarios run in a worker thread (runner.node.ts).
import * as vscode from 'vscode';
import { activateWith } from './activate';
import { nodeWorkers } from './runner.node';

export function activate(context: vscode.ExtensionContext): void {
  activateWith(context, 'node', nodeWorkers(vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath));
}

export function deactivate(): void {}
