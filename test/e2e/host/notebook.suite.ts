// Extension-host tests: the real `vscode` API against the extension under development.
// The workspace folder is a scratch copy of samples/ plus test/e2e/fixtures/ (the tests write into it).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const NOTEBOOK_TYPE = 'consensus-notebook';
const RUN_MIME = 'application/vnd.consensus-notebook.run+json';
const ERROR_MIME = 'application/vnd.code.notebook.error';
const SAMPLE = 'leader-election.consensus';
/** From test/e2e/fixtures/, copied into the workspace by scripts/e2e.sh. */
const TYPO_FIXTURE = 'e2e-typo.consensus';

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

    it(`saves ${SAMPLE} byte for byte as it was read (serializer round trip)`, async () => {
      const original = await vscode.workspace.fs.readFile(workspaceFile(SAMPLE));
      const copy = workspaceFile(`roundtrip-${Date.now()}.consensus`);
      await vscode.workspace.fs.writeFile(copy, original);
      const doc = await vscode.workspace.openNotebookDocument(copy);

      // The cells are the Markdown's ```consensus fences, in order.
      const fences = [...new TextDecoder().decode(original).matchAll(/^```consensus[^\n]*\n([\s\S]*?)^```/gm)].map((m) =>
        m[1].trim(),
      );
      const codeCells = doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
      assert.deepEqual(
        codeCells.map((c) => c.document.getText().trim()),
        fences,
        'the code cells are not the ```consensus fences of the file',
      );
      assert.ok(codeCells.every((c) => c.document.languageId === 'consensus'), 'a code cell is not in language consensus');

      // Add a cell and save (a real save), then remove it and save again: the second save serialises
      // every cell of the deserialised document and must give back the original bytes.
      const probe = 'A round-trip probe.';
      await applyEdit(copy, vscode.NotebookEdit.insertCells(doc.cellCount, [markdownCell(probe)]));
      assert.equal(await doc.save(), true, 'the first save failed');
      assert.ok(new TextDecoder().decode(await vscode.workspace.fs.readFile(copy)).includes(probe), 'the save wrote nothing');
      await applyEdit(copy, vscode.NotebookEdit.deleteCells(new vscode.NotebookRange(doc.cellCount - 1, doc.cellCount)));
      assert.equal(await doc.save(), true, 'the second save failed');

      const saved = await vscode.workspace.fs.readFile(copy);
      assert.equal(new TextDecoder().decode(saved), new TextDecoder().decode(original));
      assert.ok(Buffer.from(saved).equals(Buffer.from(original)), 'the bytes differ (encoding or BOM)');
      await vscode.workspace.fs.delete(copy);
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
  });
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
