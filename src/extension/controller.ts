// Maps cell runs to outputs. Running cell k replays cells 1..k-1 from the session's snapshots, so an
// output is always a function of the cells above it (DESIGN.md principle 2). Failures become error
// outputs, never exceptions.
import * as vscode from 'vscode';
import { codeFrame } from '../lang/diagnostics';
import type { ExecOptions } from '../lang/interpreter';
import { Session, type CellRun } from '../lang/session';
import { RUN_MIME, buildPayload } from '../views/payload';
import { LANGUAGE_ID, NOTEBOOK_TYPE } from './serializer';

export const CONTROLLER_ID = 'consensus-notebook.controller';

export class ConsensusController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly sessions = new WeakMap<vscode.NotebookDocument, Session>();
  private order = 0;

  constructor(private readonly diagnostics: vscode.DiagnosticCollection) {
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

  private session(nb: vscode.NotebookDocument): Session {
    let s = this.sessions.get(nb);
    if (s === undefined) {
      s = new Session(sessionOptions());
      this.sessions.set(nb, s);
    }
    return s;
  }

  private async execute(cells: vscode.NotebookCell[], nb: vscode.NotebookDocument): Promise<void> {
    const code = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    const texts = code.map((c) => c.document.getText());
    for (const cell of [...cells].sort((a, b) => a.index - b.index)) {
      const k = code.indexOf(cell);
      if (k < 0) continue;
      const exec = this.controller.createNotebookCellExecution(cell);
      exec.executionOrder = ++this.order;
      exec.start(Date.now());
      let ok = false;
      try {
        const runs = this.session(nb).runUpTo(texts, k, () => exec.token.isCancellationRequested);
        const run = runs[runs.length - 1]!;
        ok = run.ok;
        await exec.replaceOutput(this.outputs(run, cell));
        this.publishDiagnostics(cell, run);
      } catch (e) {
        await exec.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(asError(e))]));
      }
      exec.end(ok, Date.now());
    }
  }

  private outputs(run: CellRun, cell: vscode.NotebookCell): vscode.NotebookCellOutput[] {
    const source = cell.document.getText();
    if (run.diagnostics.length > 0) {
      const message = run.diagnostics.map((d) => codeFrame(source, d)).join('\n\n');
      return [new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(framed('Error in this cell', message))])];
    }
    const name = cell.notebook.uri.path.split('/').pop()!.replace(/\.consensus$/, '') + `-cell${cell.index + 1}`;
    const payload = buildPayload(run, { name, hideHeartbeats: setting('hideHeartbeats', true) });
    const outputs = [
      new vscode.NotebookCellOutput([
        vscode.NotebookCellOutputItem.json(payload, RUN_MIME),
        vscode.NotebookCellOutputItem.text(payload.verdict, 'text/plain'),
      ]),
    ];
    if (run.failures.length > 0) {
      const message = run.failures
        .map((f) => codeFrame(source, { severity: 'error', message: f.message, span: { line: f.span.line, column: f.span.column, endColumn: f.span.endColumn } }))
        .join('\n\n');
      outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(framed(`${run.failures.length} expectation(s) failed`, message))]));
    }
    return outputs;
  }

  private publishDiagnostics(cell: vscode.NotebookCell, run: CellRun): void {
    this.diagnostics.set(
      cell.document.uri,
      run.diagnostics.map((d) => {
        const range = new vscode.Range(d.span.line - 1, d.span.column - 1, d.span.line - 1, d.span.endColumn - 1);
        const diagnostic = new vscode.Diagnostic(range, d.message, vscode.DiagnosticSeverity.Error);
        diagnostic.source = 'consensus';
        return diagnostic;
      }),
    );
  }
}

export function sessionOptions(): ExecOptions {
  return { eventBudget: setting('eventBudget', 2_000_000), defaultSeed: setting('defaultSeed', 1) };
}

function setting<T>(name: string, fallback: T): T {
  return vscode.workspace.getConfiguration('consensusNotebook').get<T>(name, fallback);
}

/**
 * VS Code's error renderer shows `stack` as preformatted text, so the code frame's caret lines up under
 * the mistake; `message` keeps the one-line summary for places that show only that.
 */
function framed(name: string, frames: string): Error {
  return { name, message: frames.split('\n')[0]!, stack: `${name}\n\n${frames}` };
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
