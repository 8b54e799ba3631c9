// The web entry (package.json `browser`): VS Code's web worker extension host, in vscode.dev and in
// code-server's and VS Code for the Web's browser. The same registrations as the Node entry
// (activate.ts); scenarios run in a Web Worker (runner.web.ts). Bundled for the browser by esbuild.js:
// no Node built-ins.
import type * as vscode from 'vscode';
import { activateWith } from './activate';
import { webWorkers } from './runner.web';

export function activate(context: vscode.ExtensionContext): void {
  activateWith(context, 'web', webWorkers());
}

export function deactivate(): void {}
