// Extension-host tests: the real `vscode` API against the extension under development.
// The workspace folder is a scratch copy of samples/ plus test/e2e/fixtures/ (the tests write into it).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const NOTEBOOK_TYPE = 'consensus-notebook';
const RUN_MIME = 'application/vnd.consensus-notebook.run+json';
const ERROR_MIME = 'application/vnd.code.notebook.error';
const SAMPLE = 'leader-election.consensus';
/** From test/e2e/fixtures/, copied into the workspace by scripts/e2e.sh. */
const TYPO_FIXTURE = 'e2e-typo.consensus';
const EXPECT_FAIL_FIXTURE = 'e2e-expect-fail.consensus';
/** A quick cell, then a cell that runs for minutes at the largest event budget. */
const CANCEL_FIXTURE = 'e2e-cancel.consensus';
const MAX_EVENT_BUDGET = 100_000_000;
const EXTENSION_ID = 'consensus-notebook.consensus-notebook';
/** Folders of the extension's repo whose .consensus files must all survive a save byte for byte. */
const ROUND_TRIP_FOLDERS = ['samples', 'test/scenarios', 'test/e2e/fixtures'];

export function registerNotebookTests(): void {
  describe('Consensus Notebook in the extension host', () => {
    // Editors stay open between tests: in code-server, showNotebookDocument right after closing all
    // editors takes 30 s (the pooled notebook widget), while opening beside them is immediate.
    it(`runs ${SAMPLE}: the last code cell reports ok and a leader in n1..n5`, async () => {
      const doc = await vscode.workspace.openNotebookDocument(workspaceFile(SAMPLE));
      assert.equal(doc.notebookType, NOTEBOOK_TYPE);
      const codeCells = doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
      assert.ok(codeCells.length > 0, 'the sample has no code cells');

      await executeAll(doc);

      const last = codeCells[codeCells.length - 1];
      const item = last.outputs.flatMap((o) => o.items).find((i) => i.mime === RUN_MIME);
      assert.ok(item, `the last code cell has no ${RUN_MIME} output; it has: ${describeOutputs(last)}`);
      const run = JSON.parse(new TextDecoder().decode(item.data)) as {
        ok: boolean;
        verdict: string;
        leader?: string;
        mermaid: { sequence: string };
      };
      assert.equal(run.ok, true, `run not ok: ${run.verdict}`);
      assert.match(run.leader ?? '', /^n[1-5]$/, `no leader in n1..n5: ${run.verdict}`);
      assert.equal(typeof run.verdict, 'string');
      assert.ok(run.mermaid.sequence.includes(run.leader!), 'the sequence diagram does not mention the leader');
    });

    it(`runs ${SAMPLE} deterministically: a second Run All gives byte-identical outputs`, async () => {
      const doc = await vscode.workspace.openNotebookDocument(workspaceFile(SAMPLE));
      const outputsOf = () =>
        doc
          .getCells()
          .filter((c) => c.kind === vscode.NotebookCellKind.Code)
          .map((c) => c.outputs.flatMap((o) => o.items.map((i) => `${i.mime}\n${new TextDecoder().decode(i.data)}`)).join('\n'));
      await executeAll(doc);
      const first = outputsOf();
      await vscode.commands.executeCommand('notebook.clearAllCellsOutputs');
      assert.ok(outputsOf().every((o) => o === ''), 'the outputs were not cleared');
      await executeAll(doc);
      assert.deepEqual(outputsOf(), first);
    });

    it(`runs ${TYPO_FIXTURE}: a misspelt option gives an error output naming line and column`, async () => {
      const doc = await vscode.workspace.openNotebookDocument(workspaceFile(TYPO_FIXTURE));
      const cell = doc.getCells().find((c) => c.kind === vscode.NotebookCellKind.Code)!;
      // Only the first cell is awaited: what a cell after a failed one shows is the extension's choice.
      await executeAll(doc, [cell]);
      assert.match(cell.document.getText(), /nodez/);
      const item = cell.outputs.flatMap((o) => o.items).find((i) => i.mime === ERROR_MIME);
      assert.ok(item, `no ${ERROR_MIME} output; the cell has: ${describeOutputs(cell)}`);
      const error = JSON.parse(new TextDecoder().decode(item.data)) as { name: string; message: string };
      // `nodez` starts on line 1, column 14.
      assert.match(error.message, /line 1, column 14\b/, `the error does not name line 1, column 14: ${error.message}`);
      assert.equal(cell.executionSummary?.success, false, 'the failed cell is not marked as failed');
    });

    it(`runs ${EXPECT_FAIL_FIXTURE}: a failed expectation gives the run output and an error output naming line and column`, async () => {
      const doc = await vscode.workspace.openNotebookDocument(workspaceFile(EXPECT_FAIL_FIXTURE));
      const cell = doc.getCells().find((c) => c.kind === vscode.NotebookCellKind.Code)!;
      await executeAll(doc, [cell]);
      assert.equal(cell.outputs.length, 2, `expected the run output and an error output; the cell has: ${describeOutputs(cell)}`);
      const [runOutput, errorOutput] = cell.outputs;
      assert.deepEqual(
        runOutput!.items.map((i) => i.mime),
        [RUN_MIME, 'text/plain'],
      );
      const run = JSON.parse(text(runOutput!.items[0]!.data)) as { ok: boolean; verdict: string; failures: { line: number; column: number; message: string }[] };
      assert.equal(run.ok, false, 'a run with a failed expectation is not ok');
      assert.match(run.verdict, /^leader n[1-3] · term \d+/);
      assert.deepEqual(run.failures.map((f) => [f.line, f.column]), [[4, 8]]);
      assert.equal(text(runOutput!.items[1]!.data), run.verdict, 'the text/plain item is not the verdict');
      assert.deepEqual(errorOutput!.items.map((i) => i.mime), [ERROR_MIME]);
      const error = JSON.parse(text(errorOutput!.items[0]!.data)) as { name: string; message: string; stack: string };
      assert.match(error.name, /1 expectation\(s\) failed/);
      assert.match(error.message, /^line 4, column 8: Expected term >= 99, found term \d/);
      // The stack is the code frame: the source line and a caret under `term >= 99`.
      assert.ok(error.stack.includes('4 | expect term >= 99\n  |        ^^^^^^^^^^'), `no code frame in: ${error.stack}`);
      assert.equal(cell.executionSummary?.success, false, 'the failed cell is not marked as failed');
    });

    it(`runs ${SAMPLE}: every code cell's output is ok, with the run mime, the verdict and the views`, async () => {
      const doc = await vscode.workspace.openNotebookDocument(workspaceFile(SAMPLE));
      const codeCells = doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
      await executeAll(doc);
      for (const [k, cell] of codeCells.entries()) {
        assert.equal(cell.executionSummary?.success, true, `cell ${k + 1} did not succeed: ${describeOutputs(cell)}`);
        assert.equal(cell.outputs.length, 1, `cell ${k + 1}: ${describeOutputs(cell)}`);
        assert.deepEqual(cell.outputs[0]!.items.map((i) => i.mime), [RUN_MIME, 'text/plain']);
        const run = JSON.parse(text(cell.outputs[0]!.items[0]!.data)) as {
          version: number; ok: boolean; verdict: string; failures: unknown[]; name: string;
          mermaid: { sequence: string; states?: string; topology?: string }; log?: { nodes: unknown[] }; events: number; scrub?: { events: unknown[] };
        };
        assert.equal(run.version, 1);
        assert.equal(run.ok, true, `cell ${k + 1}: ${run.verdict}`);
        assert.deepEqual(run.failures, []);
        assert.match(run.verdict, /· invariants held$/, `cell ${k + 1}: ${run.verdict}`);
        assert.equal(text(cell.outputs[0]!.items[1]!.data), run.verdict);
        assert.equal(run.name, `leader-election-cell${k + 1}`);
        assert.match(run.mermaid.sequence, /^sequenceDiagram\n/);
        assert.match(run.mermaid.states ?? '', /^stateDiagram-v2\n/);
        assert.ok(run.mermaid.topology, `cell ${k + 1} has no topology view`);
        assert.equal(run.log?.nodes.length, 5, `cell ${k + 1}: the log grid has no row per node`);
        // The scrubber steps through the cell's events; a cell without events (the first only declares
        // the cluster) has none.
        if (run.events > 0) assert.equal(run.scrub?.events.length, Math.min(run.events, 5_000), `cell ${k + 1}: the scrubber does not carry its ${run.events} events`);
        else assert.equal(run.scrub, undefined, `cell ${k + 1} has no events but scrubber data`);
      }
      assert.ok(codeCells.length > 1 && codeCells.slice(1).every((c) => JSON.parse(text(c.outputs[0]!.items[0]!.data)).scrub), 'the cells that run have scrubber data');
    });

    it(`offers the quick fix for a typo (${TYPO_FIXTURE}) and applying it corrects the cell`, async () => {
      // A copy, so the fixture other tests run keeps its typo.
      const copy = workspaceFile(`quickfix-${Date.now()}.consensus`);
      await vscode.workspace.fs.writeFile(copy, await vscode.workspace.fs.readFile(workspaceFile(TYPO_FIXTURE)));
      const doc = await vscode.workspace.openNotebookDocument(copy);
      // Code actions need the cell's text model in the workbench, which an editor creates.
      await vscode.window.showNotebookDocument(doc);
      const cell = doc.getCells().find((c) => c.kind === vscode.NotebookCellKind.Code)!;
      assert.equal(cell.document.getText(), 'cluster raft nodez=5 seed=1');
      const diagnostic = await waitFor('a diagnostic on the typo', () =>
        vscode.languages.getDiagnostics(cell.document.uri).find((d) => d.message.includes('nodez')),
      );
      assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(diagnostic.source, 'consensus');
      assert.match(diagnostic.message, /Did you mean `nodes`\?/);
      assert.deepEqual(
        [diagnostic.range.start.line, diagnostic.range.start.character, diagnostic.range.end.character],
        [0, 13, 18],
        'the diagnostic does not cover `nodez`',
      );
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', cell.document.uri, diagnostic.range);
      const fix = actions.find((a) => a.title === 'Change to `nodes`');
      assert.ok(fix, `no "Change to \`nodes\`" action; got: ${JSON.stringify(actions.map((a) => a.title))}`);
      assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
      assert.equal(fix.isPreferred, true);
      assert.ok(fix.edit, 'the quick fix has no edit');
      assert.equal(await vscode.workspace.applyEdit(fix.edit), true, 'the quick fix edit was not applied');
      assert.equal(cell.document.getText(), 'cluster raft nodes=5 seed=1');
      await waitFor('the diagnostic to go away', () => vscode.languages.getDiagnostics(cell.document.uri).length === 0 || undefined);
      // The fixed cell runs.
      await executeAll(doc, [cell]);
      assert.equal(cell.executionSummary?.success, true, `the fixed cell failed: ${describeOutputs(cell)}`);
      if (doc.isDirty) await doc.save();
    });

    describe(`cancelling a run (${CANCEL_FIXTURE}, event budget ${MAX_EVENT_BUDGET.toLocaleString('en-US')})`, () => {
      const config = () => vscode.workspace.getConfiguration('consensusNotebook');
      let budget: number | undefined;
      before(async () => {
        budget = config().inspect<number>('eventBudget')?.globalValue;
        await config().update('eventBudget', MAX_EVENT_BUDGET, vscode.ConfigurationTarget.Global);
      });
      after(async () => {
        await config().update('eventBudget', budget, vscode.ConfigurationTarget.Global);
      });

      it('notebook.cell.cancelExecution ends the 10 h cell as "Cancelled." (5 times), and the next run works', async () => {
        assert.equal(config().get('eventBudget'), MAX_EVENT_BUDGET);
        const doc = await vscode.workspace.openNotebookDocument(workspaceFile(CANCEL_FIXTURE));
        await vscode.window.showNotebookDocument(doc);
        const [quick, long] = doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
        assert.ok(quick && long, 'the fixture has two code cells');
        assert.match(long.document.getText(), /run 10h/);
        const latencies: number[] = [];
        for (let i = 0; i < 5; i++) {
          const before = long.executionSummary?.executionOrder ?? 0;
          const executed = vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: long.index, end: long.index + 1 }], document: doc.uri });
          await waitFor('the long cell to start', () => {
            const s = long.executionSummary;
            return s?.executionOrder !== undefined && s.executionOrder > before && s.success === undefined ? true : undefined;
          });
          // Let the runner get deep into the run (about a million events).
          await new Promise((resolve) => setTimeout(resolve, 300));
          assert.equal(long.executionSummary?.success, undefined, `the 10 h cell ended by itself: ${describeOutputs(long)}`);
          const ended = new Promise<number>((resolve) => {
            const sub = vscode.workspace.onDidChangeNotebookDocument((e) => {
              if (e.notebook === doc && long.executionSummary?.success !== undefined) {
                sub.dispose();
                resolve(performance.now());
              }
            });
          });
          const cancelledAt = performance.now();
          await vscode.commands.executeCommand('notebook.cell.cancelExecution', { ranges: [{ start: long.index, end: long.index + 1 }], document: doc.uri });
          latencies.push((await withTimeout(ended, 30_000, 'the cancelled cell never ended')) - cancelledAt);
          await withTimeout(Promise.resolve(executed), 30_000, 'notebook.cell.execute did not return after the cancel');
          assert.equal(long.executionSummary?.success, false, 'a cancelled cell is not marked as failed');
          await waitFor('the "Cancelled." output', () => (long.outputs.length > 0 ? true : undefined));
          assert.deepEqual(
            long.outputs.flatMap((o) => o.items.map((item) => `${item.mime}: ${text(item.data)}`)),
            ['text/plain: Cancelled.'],
          );
        }
        const sorted = [...latencies].sort((a, b) => a - b);
        console.log(`    cancel → execution ended (extension host API): ${latencies.map((ms) => ms.toFixed(1)).join(', ')} ms; median ${sorted[2]!.toFixed(1)} ms`);

        // The next run works: the quick cell, then the quick cell again from its snapshot.
        for (let i = 0; i < 2; i++) {
          const before = quick.executionSummary?.executionOrder ?? 0;
          await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: quick.index, end: quick.index + 1 }], document: doc.uri });
          await waitFor(
            'the quick cell to run again',
            () => ((quick.executionSummary?.executionOrder ?? 0) > before && quick.executionSummary?.success !== undefined ? true : undefined),
            60_000,
          );
          assert.equal(quick.executionSummary?.success, true, `the quick cell failed after a cancel: ${describeOutputs(quick)}`);
          const run = JSON.parse(text(quick.outputs[0]!.items.find((item) => item.mime === RUN_MIME)!.data)) as { verdict: string; leader?: string };
          assert.match(run.leader ?? '', /^n[1-9]$/, `no leader after the cancel: ${run.verdict}`);
        }
      });
    });

    describe('completion and hover', () => {
      let doc: vscode.NotebookDocument;
      before(async () => {
        doc = await vscode.workspace.openNotebookDocument(
          NOTEBOOK_TYPE,
          new vscode.NotebookData([
            new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'cluster raft nodes=us1,us2,eu1\ncrash ', 'consensus'),
            new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, 'Between the cells.', 'markdown'),
            new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'crash \npartition {us1 us2} | {eu1}', 'consensus'),
          ]),
        );
      });

      it('completes the nodes the same cell declares after `crash `', async () => {
        const cell = doc.cellAt(0);
        const labels = await completionLabels(cell.document.uri, new vscode.Position(1, 'crash '.length));
        for (const node of ['us1', 'us2', 'eu1']) assert.ok(labels.includes(node), `no ${node} in ${JSON.stringify(labels)}`);
        assert.ok(!labels.includes('n1'), `n1 offered for a cluster of us1, us2, eu1: ${JSON.stringify(labels)}`);
      });

      it('completes the nodes an earlier cell declared after `crash `', async () => {
        const cell = doc.cellAt(2);
        assert.equal(cell.kind, vscode.NotebookCellKind.Code);
        const labels = await completionLabels(cell.document.uri, new vscode.Position(0, 'crash '.length));
        for (const node of ['us1', 'us2', 'eu1']) assert.ok(labels.includes(node), `no ${node} in ${JSON.stringify(labels)}`);
      });

      it('completes commands at the start of a line and options after `cluster raft `', async () => {
        const cell = doc.cellAt(2);
        const commands = await completionLabels(cell.document.uri, new vscode.Position(1, 0));
        for (const c of ['crash', 'restart', 'partition', 'run', 'expect']) assert.ok(commands.includes(c), `no command ${c} in ${JSON.stringify(commands)}`);
        const options = await completionLabels(doc.cellAt(0).document.uri, new vscode.Position(0, 'cluster raft '.length));
        for (const o of ['nodes', 'seed']) assert.ok(options.some((l) => l === o || l === `${o}=`), `no option ${o} in ${JSON.stringify(options)}`);
      });

      it('shows docs on hover over a command and an option', async () => {
        const crash = await hoverText(doc.cellAt(2).document.uri, new vscode.Position(0, 2));
        assert.match(crash, /\*\*crash\*\* — Stop nodes/, `hover over crash: ${crash}`);
        assert.match(crash, /```consensus\ncrash SET …\n```/);
        const nodes = await hoverText(doc.cellAt(0).document.uri, new vscode.Position(0, 'cluster raft no'.length));
        assert.match(nodes, /\*\*nodes\*\* \(option of `cluster`\)/, `hover over nodes=: ${nodes}`);
        const nothing = await hoverText(doc.cellAt(2).document.uri, new vscode.Position(1, 'partition {u'.length));
        assert.equal(nothing, '', 'a node name has no docs');
      });
    });

    describe('serializer round trip: every .consensus file of samples/, test/scenarios/ and the fixtures', () => {
      // Registered at load time from the extension's folder (the repo root).
      const root = extensionRoot();
      const files = ROUND_TRIP_FOLDERS.flatMap((folder) => {
        const dir = path.join(root, folder);
        return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.consensus')).sort().map((f) => path.join(folder, f)) : [];
      });
      it('finds the samples', () => {
        assert.ok(files.some((f) => f.startsWith('samples/')), `no samples in ${root}/samples`);
      });
      for (const file of files) {
        it(`saves ${file} byte for byte as it was read`, async () => {
          await roundTrip(vscode.Uri.file(path.join(root, file)));
        });
      }
    });
  });
}

/**
 * Copies a file into the workspace, opens it as a notebook, checks its code cells are its
 * ```consensus fences, then makes a real save run the serializer over every cell: add a cell and save,
 * remove it and save again. The second save must write back the original bytes.
 */
async function roundTrip(source: vscode.Uri): Promise<void> {
  const original = await vscode.workspace.fs.readFile(source);
  const copy = workspaceFile(`roundtrip-${path.basename(source.path, '.consensus')}-${Date.now()}.consensus`);
  await vscode.workspace.fs.writeFile(copy, original);
  const doc = await vscode.workspace.openNotebookDocument(copy);
  assert.equal(doc.notebookType, NOTEBOOK_TYPE);

  // The cells are the Markdown's ```consensus fences, in order.
  const fences = [...text(original).matchAll(/^```consensus[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!.trim());
  const codeCells = doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
  assert.deepEqual(
    codeCells.map((c) => c.document.getText().trim()),
    fences,
    'the code cells are not the ```consensus fences of the file',
  );
  assert.ok(codeCells.every((c) => c.document.languageId === 'consensus'), 'a code cell is not in language consensus');

  const probe = 'A round-trip probe.';
  await applyEdit(copy, vscode.NotebookEdit.insertCells(doc.cellCount, [markdownCell(probe)]));
  assert.equal(await doc.save(), true, 'the first save failed');
  assert.ok(text(await vscode.workspace.fs.readFile(copy)).includes(probe), 'the save wrote nothing');
  await applyEdit(copy, vscode.NotebookEdit.deleteCells(new vscode.NotebookRange(doc.cellCount - 1, doc.cellCount)));
  assert.equal(await doc.save(), true, 'the second save failed');
  assert.equal(doc.isDirty, false);

  const saved = await vscode.workspace.fs.readFile(copy);
  assert.equal(text(saved), text(original));
  assert.ok(Buffer.from(saved).equals(Buffer.from(original)), 'the bytes differ (encoding or BOM)');
  // The copy stays in the scratch workspace: deleting it races VS Code's local history, which copies
  // a file after it is saved.
}

/** The extension's folder: the repo root, where samples/ and test/ are (extensionDevelopmentPath). */
function extensionRoot(): string {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
  return extension.extensionUri.fsPath;
}

async function completionLabels(uri: vscode.Uri, position: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, position);
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

/** Polls until the probe returns a value (not undefined); fails after the timeout. */
async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open (expected a copy of samples/)');
  return vscode.Uri.joinPath(folder.uri, name);
}

/**
 * Shows the notebook, runs all its cells (as Run All does) and waits until the given cells (by default
 * every code cell) have finished with an output.
 */
async function executeAll(
  doc: vscode.NotebookDocument,
  codeCells = doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code),
  timeoutMs = 60_000,
): Promise<void> {
  await vscode.window.showNotebookDocument(doc);
  await vscode.commands.executeCommand('notebook.execute');
  const deadline = Date.now() + timeoutMs;
  while (!codeCells.every((c) => c.outputs.length > 0 && c.executionSummary?.success !== undefined)) {
    if (Date.now() > deadline) {
      const state = codeCells.map((c, i) => `cell ${i}: ${describeOutputs(c)}, success=${c.executionSummary?.success}`);
      throw new Error(`cells still without output after ${timeoutMs / 1000} s (is the controller selected?): ${state.join('; ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function applyEdit(uri: vscode.Uri, edit: vscode.NotebookEdit): Promise<void> {
  const workspaceEdit = new vscode.WorkspaceEdit();
  workspaceEdit.set(uri, [edit]);
  assert.equal(await vscode.workspace.applyEdit(workspaceEdit), true, 'the edit was not applied');
}

function markdownCell(text: string): vscode.NotebookCellData {
  return new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, text, 'markdown');
}

function describeOutputs(cell: vscode.NotebookCell): string {
  const items = cell.outputs.flatMap((o) => o.items);
  if (!items.length) return 'no outputs';
  return items.map((i) => `${i.mime} ${new TextDecoder().decode(i.data).slice(0, 200)}`).join(', ');
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
