// What both entries do on activation: register the serializer, the controller, the commands, the
// language features and the renderer's messages. The entries differ only in where scenarios run: the
// Node entry (extension.ts) injects a runner on a worker thread, the web entry (extension.web.ts) one on
// a Web Worker. Nothing here may use Node APIs: files go through vscode.workspace.fs and vscode.Uri.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { ConsensusController } from './controller';
import { registerLanguageFeatures } from './language';
import { registerRendererMessages } from './rendererMessages';
import { Runner, type RunnerWorkerFactory } from './runner';
import { ConsensusSerializer, NOTEBOOK_TYPE } from './serializer';

export type ExtensionHostKind = 'node' | 'web';

export function activateWith(context: vscode.ExtensionContext, host: ExtensionHostKind, workers: RunnerWorkerFactory): Runner {
  const diagnostics = vscode.languages.createDiagnosticCollection('consensus');
  const log = vscode.window.createOutputChannel('Consensus Notebook');
  const runner = new Runner(workers);
  const controller = new ConsensusController(runner, diagnostics);
  context.subscriptions.push(
    diagnostics,
    log,
    runner,
    controller,
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new ConsensusSerializer(), { transientOutputs: true }),
    vscode.workspace.onDidOpenNotebookDocument((nb) => controller.prefer(nb)),
    vscode.workspace.onDidCloseNotebookDocument((nb) => {
      // (No worker, no caches: starting one only to forget would cost a worker start.)
      if (nb.notebookType === NOTEBOOK_TYPE && runner.started) void runner.request({ type: 'forget', notebook: nb.uri.toString() }).catch(() => undefined);
    }),
  );
  registerCommands(context, runner);
  registerLanguageFeatures(context, diagnostics, runner);
  registerRendererMessages(context);
  log.appendLine(hostLine(host, runner));
  return runner;
}

/** Where this activation runs, as the log says it (the E2E suite reads it to tell the hosts apart). */
function hostLine(host: ExtensionHostKind, runner: Runner): string {
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  const ui = vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop';
  const where = host === 'web' ? 'the web extension host (browser)' : 'the Node.js extension host';
  return `Activated in ${where}: ${node ? `Node.js ${node}` : 'no Node.js'}, ${ui} UI; scenarios run in ${runner.description}.`;
}
