// Maps cell runs to outputs. Running cell k replays cells 1..k-1 from the runner's snapshots, so an
// output is always a function of the cells above it (DESIGN.md principle 2). Runs happen in a worker
// (runner.ts: a worker thread, or a Web Worker in the browser): the editor never waits on a scenario, and
// cancelling is immediate. Failures become error outputs, never exceptions.
import * as vscode from 'vscode';
import { codeFrame, type Diagnostic } from '../lang/diagnostics';
import type { ExecOptions } from '../lang/interpreter';
import { RUN_MIME } from '../views/payload';
import { toVsDiagnostics } from './language';
import { Cancelled, type Runner } from './runner';
import type { RunResult } from './runnerProtocol';
import { LANGUAGE_ID, NOTEBOOK_TYPE } from './serializer';

export const CONTROLLER_ID = 'consensus-notebook.controller';

export class ConsensusController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private order = 0;

  constructor(
    private readonly runner: Runner,
    private readonly diagnostics: vscode.DiagnosticCollection,
  ) {
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, 'Consensus simulator');
    this.controller.supportedLanguages = [LANGUAGE_ID];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'Deterministic Raft simulator';
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
    for (const nb of vscode.workspace.notebookDocuments) this.prefer(nb);
  }

  /** Make this the preferred kernel so Run All never asks for one. */
  prefer(nb: vscode.NotebookDocument): void {
    if (nb.notebookType === NOTEBOOK_TYPE) this.controller.updateNotebookAffinity(nb, vscode.NotebookControllerAffinity.Preferred);
  }

  dispose(): void {
    this.controller.dispose();
  }

  private async execute(cells: vscode.NotebookCell[], nb: vscode.NotebookDocument): Promise<void> {
    const code = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    const texts = code.map((c) => c.document.getText());
    const queue = [...cells].sort((a, b) => a.index - b.index);
    for (let i = 0; i < queue.length; i++) {
      const cell = queue[i]!;
      const k = code.indexOf(cell);
      if (k < 0) continue;
      const exec = this.controller.createNotebookCellExecution(cell);
      exec.executionOrder = ++this.order;
      exec.start(Date.now());
      try {
        const result = await this.runner.request<RunResult>(
          {
            type: 'run',
            notebook: nb.uri.toString(),
            cells: texts,
            k,
            options: sessionOptions(),
            payload: { name: `${stem(nb)}-cell${k + 1}`, hideHeartbeats: setting('hideHeartbeats', true), theme: setting('diagramTheme', 'auto') },
          },
          exec.token,
        );
        this.diagnostics.set(cell.document.uri, toVsDiagnostics(cell.document.uri, result.diagnostics));
        finish(exec, outputs(result, cell.document.getText(), cell.document.uri.toString()), result.ok);
      } catch (e) {
        if (e instanceof Cancelled) {
          finish(exec, [new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text('Cancelled.', 'text/plain')])], false);
          // Cancelling one cell of a Run All cancels the rest too, as in Jupyter.
          for (const rest of queue.slice(i + 1)) {
            const skipped = this.controller.createNotebookCellExecution(rest);
            skipped.start(Date.now());
            skipped.end(undefined, Date.now());
          }
          return;
        }
        finish(exec, [new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(e instanceof Error ? e : new Error(String(e)))])], false);
      }
    }
  }
}

/**
 * Sets a cell's outputs and ends its execution at once. Not awaiting replaceOutput is deliberate: the
 * extension host queues the output edit and end() sends it ahead of the completion, in order, so the
 * cell never ends without its output; awaiting it would hold the end back by a round trip to the
 * workbench (tens of milliseconds, most of what a cancel took).
 */
function finish(exec: vscode.NotebookCellExecution, cellOutputs: vscode.NotebookCellOutput[], success: boolean): void {
  exec.replaceOutput(cellOutputs).then(undefined, () => undefined);
  exec.end(success, Date.now());
}

/** The cell's outputs; the run's carries the cell's URI as metadata (the renderer's "Insert as a cell below" names the cell with it). */
function outputs(result: RunResult, source: string, cell: string): vscode.NotebookCellOutput[] {
  if (result.payload === null) {
    return [new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(framed('Error in this cell', frames(source, result.diagnostics)))])];
  }
  const out = [
    new vscode.NotebookCellOutput([
      // Compact JSON made by the worker (NotebookCellOutputItem.json would indent it with tabs: half as
      // many bytes again to send).
      new vscode.NotebookCellOutputItem(result.payload.json, RUN_MIME),
      vscode.NotebookCellOutputItem.text(result.payload.verdict, 'text/plain'),
    ], { cell }),
  ];
  if (result.failures.length > 0) {
    const failed = result.failures.map((f): Diagnostic => ({ severity: 'error', message: f.message, span: f.span }));
    const title = result.failures.every((f) => f.offer !== undefined) ? 'explore found a failure' : `${failed.length} expectation(s) failed`;
    out.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(framed(title, frames(source, failed)))]));
  }
  return out;
}

function frames(source: string, diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => codeFrame(source, d)).join('\n\n');
}

/**
 * VS Code's error renderer shows `stack` as preformatted text, so the code frame's caret lines up under
 * the mistake; `message` keeps the one-line summary for places that show only that.
 */
function framed(name: string, text: string): Error {
  return { name, message: text.split('\n')[0]!, stack: `${name}\n\n${text}` };
}

export function stem(nb: vscode.NotebookDocument): string {
  return (nb.uri.path.split('/').pop() ?? 'notebook').replace(/\.consensus$/, '');
}

export function sessionOptions(): Omit<ExecOptions, 'isCancelled'> {
  return { eventBudget: setting('eventBudget', 2_000_000), defaultSeed: setting('defaultSeed', 1) };
}

function setting<T>(name: string, fallback: T): T {
  return vscode.workspace.getConfiguration('consensusNotebook').get<T>(name, fallback);
}
