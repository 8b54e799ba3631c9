// The UI tests, in the order they run. Each is a name and an async function of the shared context; add
// new ones to the list. They share one browser page: the runner closes all editors after each test, and
// reloads the workbench after a failure, so a test starts from an empty editor area.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import type { Workbench } from './workbench';

// Browser globals used by functions Playwright runs in the page (the project's lib has no DOM types,
// and a module-scoped declaration keeps it that way for the rest of the project).
interface ParsedXml {
  getElementsByTagName(name: string): ArrayLike<{ textContent: string | null }>;
  documentElement: { localName: string; namespaceURI: string | null; textContent: string | null };
}
declare const DOMParser: new () => { parseFromString(text: string, type: string): ParsedXml };
declare function addEventListener(type: string, listener: (e: { timeStamp: number }) => void, options: object): void;
declare const window: unknown;
declare const performance: {
  now(): number;
  clearMarks(): void;
  getEntriesByType(type: string): { name: string; startTime: number }[];
  timeOrigin: number;
};
declare function getComputedStyle(element: unknown): { fill: string; backgroundColor: string; getPropertyValue(name: string): string };
declare const document: {
  addEventListener(type: string, listener: (event: { target: unknown }) => void, options: { capture: boolean }): void;
  removeEventListener(type: string, listener: (event: { target: unknown }) => void, options: { capture: boolean }): void;
  querySelector(selector: string): unknown;
  body: unknown;
};
declare const MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void; disconnect(): void };
declare const self: { name: string };

/**
 * Which extension host runs the extension: the Node one (code-server's default for an extension with a
 * `main`), or the browser's web worker extension host (a second code-server told to run it there with
 * the setting `remote.extensionKind`, as vscode.dev would).
 */
export type UiHost = 'node' | 'web';

export interface UiContext {
  wb: Workbench;
  /** The extension host this workbench runs the extension in. */
  host: UiHost;
  /** The workspace folder the workbench has open (a scratch copy of samples/ plus the fixtures). */
  workspace: string;
  /** The repo (dist/cli.js is there). */
  root: string;
  /** Saves a screenshot of the page, or of one element, to the artifacts folder; returns its path. */
  screenshot(name: string, element?: Locator): Promise<string>;
  /** Records a benchmark figure (DESIGN.md) in the artifacts' figures.json. */
  figure(name: string, value: number): void;
  log(message: string): void;
}

export interface UiTest {
  name: string;
  /** The workbench whose extension host runs it (default: node). */
  host?: UiHost;
  /**
   * A product bug this test shows today (reported, not yet fixed). Its failure is printed as a known
   * bug and not counted as failed; once it passes, the runner says the marker can go.
   */
  knownBug?: string;
  run(ctx: UiContext): Promise<void>;
}

const SAMPLE = 'leader-election.consensus';
/** Code cells of samples/leader-election.consensus. */
const SAMPLE_CODE_CELLS = 4;
const TABS = ['sequence', 'states', 'log', 'topology'] as const;
/** Events one cell may process at most (the setting's maximum): the 10 h cell then runs for minutes. */
const MAX_EVENT_BUDGET = 100_000_000;
const CANCEL_FIXTURE = 'e2e-cancel.consensus';
const CANCEL_RUNS = 7;

export const tests: UiTest[] = [
  {
    name: 'leader-election.consensus: Run All draws a Mermaid diagram naming the elected leader',
    async run({ wb, screenshot, log }) {
      await wb.quickOpen(SAMPLE);
      await wb.waitForNotebook();
      await wb.runAll();
      const run = await waitForLeaderDiagram(wb);
      log(`verdict: ${run.verdict}`);
      assertNode(run.leader, 5);
      if (!run.svgText.includes(run.leader)) {
        throw new Error(`the diagram does not mention the leader ${run.leader}; its text: ${run.svgText.slice(0, 300)}`);
      }
      await screenshot('leader-election-output', run.output); // scrolls the notebook to the output
      await screenshot('leader-election-page');
    },
  },
  {
    name: 'leader-election.consensus: each tab (sequence, states, log, topology) renders its view',
    async run({ wb, screenshot, log }) {
      const output = await openAndRunSample(wb);
      for (const tab of TABS) {
        const button = output.locator(`.cn-tabs button.cn-tab[data-tab="${tab}"]`);
        await wb.clickInNotebook(button);
        await until(wb, `the ${tab} tab to be selected`, async () => (await button.getAttribute('aria-selected')) === 'true');
        const pane = output.locator(`.cn-pane-${tab}`);
        await pane.waitFor({ state: 'visible', timeout: 30_000 });
        for (const other of TABS.filter((t) => t !== tab)) {
          if (await output.locator(`.cn-pane-${other}`).isVisible()) throw new Error(`the ${other} pane is still visible on the ${tab} tab`);
        }
        let summary: string;
        if (tab === 'log') {
          const table = pane.locator('table.cn-log');
          await table.waitFor({ state: 'visible', timeout: 30_000 });
          const rows = await table.locator('tr').count();
          const nodes = await table.locator('td.cn-node').allTextContents();
          // A header row and one row per node of the 5-node cluster.
          if (rows !== 6 || nodes.join(',') !== 'n1,n2,n3,n4,n5') throw new Error(`the log table has ${rows} rows, nodes ${nodes.join(',')}`);
          summary = `table of ${rows} rows, ${await table.locator('td.cn-entry').count()} log entries`;
        } else {
          const svg = pane.locator('svg').first();
          await svg.waitFor({ state: 'visible', timeout: 30_000 });
          const size = await svg.boundingBox();
          if (!size || size.width < 50 || size.height < 50) throw new Error(`the ${tab} svg is tiny: ${JSON.stringify(size)}`);
          const labels = await svgLabels(svg);
          const text = labels.join(' | ');
          // Every view names the nodes; the states view names each role box (with who holds it at the
          // end) and the transitions of the re-election.
          const wanted =
            tab === 'states' ? ['Follower · now n1,n3,n4', 'Candidate', 'Leader · now n2', 'Down · now n5', 'crashed ×1 (n5)'] : ['n1', 'n2', 'n3', 'n4', 'n5'];
          for (const name of wanted) {
            if (!labels.some((l) => l.includes(name))) throw new Error(`the ${tab} svg does not show "${name}"; its labels: ${text.slice(0, 400)}`);
          }
          summary = `svg ${Math.round(size.width)}×${Math.round(size.height)}, ${labels.length} labels: ${text.slice(0, 160)}`;
          if (await pane.locator('.cn-error').count()) throw new Error(`the ${tab} pane shows an error: ${await pane.locator('.cn-error').textContent()}`);
        }
        log(`${tab}: ${summary}`);
        await screenshot(`tab-${tab}`, pane);
      }
    },
  },
  {
    name: 'leader-election.consensus: the event scrubber (slider, keys, buttons) redraws the sequence diagram',
    async run({ wb, screenshot, log }) {
      const output = await openAndRunSample(wb);
      const pane = output.locator('.cn-pane-sequence');
      const scrub = output.locator('.cn-scrubber');
      const slider = scrub.locator('input.cn-slider');
      const label = scrub.locator('.cn-step-label');
      const state = scrub.locator('pre.cn-state');
      await slider.waitFor({ state: 'attached', timeout: 30_000 });
      const n = Number(await slider.getAttribute('max'));
      const before = await diagramFacts(pane, label, state);
      log(`before: ${before.label}; ${before.arrows} arrows, ${before.texts} texts`);
      if (!(n > 10)) throw new Error(`the scrubber has only ${n} events`);
      // One format wherever the scrubber is: `event i/N · what happened`, the last also `· end of cell`.
      if (!new RegExp(`^event ${n}/${n} · \\d.* · end of cell$`).test(before.label)) throw new Error(`unexpected label at the end: ${before.label}`);
      if (!(before.arrows > 10)) throw new Error(`the full diagram has only ${before.arrows} arrows`);
      await screenshot('scrubber-before-diagram', pane);
      await screenshot('scrubber-before-controls', scrub);

      // The slider: move to an early event (early enough that the diagram and the scrubber fit in one
      // screenshot).
      const k = Math.max(4, Math.min(15, Math.floor(n / 5)));
      let svgId = await pane.locator('svg').first().getAttribute('id');
      const sliderWidth = (await slider.boundingBox())?.width;
      await slider.fill(String(k));
      svgId = await waitForRedraw(wb, pane, svgId);
      // The slider does not move under the pointer: its width does not follow the label's length.
      if ((await slider.boundingBox())?.width !== sliderWidth) throw new Error(`the slider changed width: ${sliderWidth} → ${(await slider.boundingBox())?.width}`);
      const early = await diagramFacts(pane, label, state);
      log(`slider to ${k}: ${early.label}; ${early.arrows} arrows, ${early.texts} texts`);
      if (!early.label.startsWith(`event ${k}/${n} · `)) throw new Error(`the label did not follow the slider: ${early.label}`);
      if (!(early.arrows < before.arrows)) throw new Error(`the diagram did not shrink: ${early.arrows} arrows (was ${before.arrows})`);
      if (!(early.texts < before.texts)) throw new Error(`the diagram text did not shrink: ${early.texts} (was ${before.texts})`);
      if (early.state === before.state) throw new Error('the state panel did not change');
      // The partial diagram is drawn at the whole diagram's scale: its text does not change size.
      if (Math.abs(early.scale / before.scale - 1) > 0.01) {
        throw new Error(`the text size jumped: the whole diagram is drawn at ${before.scale.toFixed(3)}×, the partial one at ${early.scale.toFixed(3)}×`);
      }
      await screenshot('scrubber-after-slider', output);
      await screenshot('scrubber-after-slider-controls', scrub);

      // The keyboard, with the scrubber focused by a click (a real user gesture, as a user would).
      await wb.clickInNotebook(label);
      for (let i = 0; i < 3; i++) await wb.page.keyboard.press('ArrowLeft');
      await until(wb, `the label to read event ${k - 3}`, async () => ((await label.textContent()) ?? '').startsWith(`event ${k - 3}/${n} `));
      svgId = await waitForRedraw(wb, pane, svgId);
      const back3 = await diagramFacts(pane, label, state);
      log(`←←←: ${back3.label}; ${back3.arrows} arrows`);
      if (back3.arrows > early.arrows) throw new Error(`stepping back added arrows: ${back3.arrows} > ${early.arrows}`);
      await wb.page.keyboard.press('Home');
      await until(wb, 'the label to read event 0', async () => (await label.textContent()) === `event 0/${n} · start of cell`);
      svgId = await waitForRedraw(wb, pane, svgId);
      const start = await diagramFacts(pane, label, state);
      log(`Home: ${start.label}; ${start.arrows} arrows`);
      if (start.arrows !== 0) throw new Error(`at the start of the cell the diagram has ${start.arrows} arrows`);
      // The state panel: n5 leads when the cell starts (it crashes in this cell) and is down at its end.
      if (!/^n5\s+leader\b/m.test(start.state)) throw new Error(`at the start n5 is not the leader:\n${start.state}`);
      if (!/^n5\s+down\b/m.test(before.state)) throw new Error(`at the end n5 is not down:\n${before.state}`);

      // The buttons.
      const fwd = scrub.locator('button.cn-step-fwd');
      await wb.clickInNotebook(fwd);
      await wb.clickInNotebook(fwd);
      await until(wb, 'the label to read event 2', async () => ((await label.textContent()) ?? '').startsWith(`event 2/${n} · `));
      log(`▶▶: ${await label.textContent()}`);
      await wb.clickInNotebook(scrub.locator('button.cn-step-back'));
      await until(wb, 'the label to read event 1', async () => ((await label.textContent()) ?? '').startsWith(`event 1/${n} · `));

      // End: back to the whole cell.
      await wb.clickInNotebook(label);
      await wb.page.keyboard.press('End');
      await until(wb, 'the label to read the last event', async () => ((await label.textContent()) ?? '').startsWith(`event ${n}/${n} · `));
      await waitForRedraw(wb, pane, svgId);
      await until(wb, 'the whole diagram again', async () => (await diagramFacts(pane, label, state)).arrows === before.arrows);
      const end = await diagramFacts(pane, label, state);
      if (end.label !== before.label) throw new Error(`the label at the end reads "${end.label}" after scrubbing, "${before.label}" before`);
      if (Math.abs(end.scale / before.scale - 1) > 0.01) throw new Error(`the whole diagram is drawn at ${end.scale.toFixed(3)}× after scrubbing, ${before.scale.toFixed(3)}× before`);
      log(`End: ${end.label}; ${end.arrows} arrows; scale ${end.scale.toFixed(3)} (before ${before.scale.toFixed(3)}, partial ${early.scale.toFixed(3)})`);
      await screenshot('scrubber-after-end', scrub);
    },
  },
  {
    name: 'leader-election.consensus: Save SVG and Save PNG write valid files through the save dialog',
    async run({ wb, workspace, log }) {
      const output = await openAndRunSample(wb);
      const svgFile = path.join(workspace, `e2e-export-${Date.now()}.svg`);
      await wb.clickInNotebook(output.locator('button.cn-save-svg'));
      await wb.answerSaveDialog(svgFile);
      const svg = (await waitForFile(wb, svgFile)).toString('utf8');
      log(`${path.basename(svgFile)}: ${svg.length} bytes, starts ${JSON.stringify(svg.slice(0, 60))}`);
      if (!svg.startsWith('<?xml')) throw new Error('the SVG does not start with an XML declaration');
      if (!svg.includes('<svg')) throw new Error('the file has no <svg element');
      // A real XML parser (the browser's, in the page) must accept it, with an <svg> root.
      const parsed = await wb.page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        const error = doc.getElementsByTagName('parsererror')[0];
        return {
          error: error ? (error.textContent ?? 'parsererror') : null,
          root: doc.documentElement.localName,
          ns: doc.documentElement.namespaceURI,
          texts: doc.getElementsByTagName('text').length,
          content: doc.documentElement.textContent ?? '',
        };
      }, svg);
      log(`parsed: root <${parsed.root}> in ${parsed.ns}, ${parsed.texts} <text> elements`);
      if (parsed.error) throw new Error(`the SVG is not well-formed XML: ${parsed.error.slice(0, 300)}`);
      if (parsed.root !== 'svg' || parsed.ns !== 'http://www.w3.org/2000/svg') throw new Error(`root <${parsed.root}> in ${parsed.ns}`);
      if (!/RequestVote/.test(parsed.content)) throw new Error('the SVG does not hold the messages of the diagram');

      const pngFile = path.join(workspace, `e2e-export-${Date.now()}.png`);
      await wb.clickInNotebook(output.locator('button.cn-save-png'));
      await wb.answerSaveDialog(pngFile);
      const png = await waitForFile(wb, pngFile);
      const signature = png.subarray(0, 8).toString('hex');
      const width = png.readUInt32BE(16);
      const height = png.readUInt32BE(20);
      log(`${path.basename(pngFile)}: ${png.length} bytes, ${width}×${height}`);
      if (signature !== '89504e470d0a1a0a' || png.subarray(12, 16).toString('latin1') !== 'IHDR') throw new Error(`not a PNG: ${signature}`);
      if (width < 100 || height < 100) throw new Error(`the PNG is ${width}×${height}`);
    },
  },
  {
    name: 'leader-election.consensus: Export as Markdown writes prose and ```mermaid blocks',
    async run({ wb, workspace, screenshot, log }) {
      await wb.quickOpen(SAMPLE);
      await wb.waitForNotebook();
      const file = path.join(workspace, `e2e-export-${Date.now()}.md`);
      await wb.runCommand('Consensus: Export as Markdown');
      await wb.answerSaveDialog(file);
      await checkMarkdownExport(wb, file, log);
      await screenshot('export-markdown-page');
    },
  },
  {
    name: 'leader-election.consensus: the notebook toolbar\'s Export as Markdown button exports too',
    async run({ wb, workspace, screenshot, log }) {
      await wb.quickOpen(SAMPLE);
      await wb.waitForNotebook();
      const file = path.join(workspace, `e2e-export-${Date.now()}.md`);
      await wb.clickToolbar('Export as Markdown');
      const error = wb.page.locator('.notifications-toasts .notification-toast', { hasText: 'Open a Consensus notebook first' });
      const dialog = wb.quickInput.filter({ visible: true }).locator('input.input');
      await until(wb, 'a save dialog (or an error)', async () => (await dialog.count()) > 0 || (await error.count()) > 0);
      if (await error.count()) {
        await screenshot('export-markdown-toolbar-error-page');
        const message = (await error.first().locator('.notification-list-item-message').textContent())?.trim();
        await wb.runCommand('Notifications: Clear All Notifications');
        throw new Error(`the toolbar button failed: ${message}`);
      }
      await wb.answerSaveDialog(file);
      await checkMarkdownExport(wb, file, log);
    },
  },
  {
    name: 'e2e-typo.consensus: a misspelt option shows an error output naming line and column',
    async run({ wb, screenshot, log }) {
      await wb.quickOpen('e2e-typo.consensus');
      await wb.waitForNotebook();
      await wb.runAll();
      const error = wb.outputFrame.getByText(/line \d+, column \d+/).first();
      await waitOrExplain(wb, error, 'an error output naming "line L, column C"');
      const text = (await error.textContent()) ?? '';
      log(`error output: ${text.trim().slice(0, 300)}`);
      // The typo `nodez` starts on line 1, column 14 of the first cell.
      if (!text.includes('line 1, column 14')) throw new Error(`expected the error at line 1, column 14, got: ${text}`);
      await screenshot('typo-error-page');
    },
  },
  {
    name: 'e2e-quickfix.consensus: the typo is squiggled, counted in Problems, and Ctrl+. fixes it',
    async run({ wb, workspace, screenshot, log }) {
      // Its own fixture: applying the fix may save the file (VS Code saves files a code action edits
      // when files.refactoring.autoSave is on, its default). (A copy made here would not be in Quick
      // Open's file index yet.)
      const file = path.join(workspace, 'e2e-quickfix.consensus');
      const original = fs.readFileSync(file, 'utf8');
      if (!original.includes('cluster raft nodez=5 seed=1\n')) throw new Error(`${file} does not hold the typo`);
      await wb.quickOpen(path.basename(file));
      await wb.waitForNotebook();
      const cell = wb.notebook.locator('.cell-list-container .monaco-list-row.code-cell-row').first();
      const squiggle = cell.locator('.squiggly-error').first();
      await squiggle.waitFor({ state: 'attached', timeout: 30_000 });
      const problems = wb.page.locator('.statusbar-item[id="status.problems"]');
      await until(wb, 'the Problems count to show 1 error', async () => /\bErrors: 1\b/.test((await problems.getAttribute('aria-label')) ?? ''));
      log(`status bar: ${await problems.getAttribute('aria-label')}`);
      log(`cell text: ${await cellText(cell)}`);

      // Hover the squiggle: its message and "did you mean".
      const box = await squiggle.boundingBox();
      if (!box) throw new Error('the squiggle has no layout box');
      await wb.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const hover = wb.page.locator('.monaco-hover:not(.hidden)', { hasText: 'nodez' }).first();
      await hover.waitFor({ state: 'visible', timeout: 15_000 });
      const hoverText = await hover.locator('.hover-contents').first().textContent().catch(() => hover.textContent());
      log(`hover: ${(hoverText ?? '').trim().slice(0, 200)}`);
      await screenshot('quickfix-squiggle-page');

      // Put the cursor on the typo and ask for the quick fix.
      await wb.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await wb.page.keyboard.press('Control+.');
      const menu = wb.page.locator('.action-widget', { hasText: 'Change to' });
      await menu.waitFor({ state: 'visible', timeout: 15_000 });
      const actions = (await menu.locator('.monaco-list-row').allTextContents()).map((t) => t.trim());
      log(`quick fix menu: ${JSON.stringify(actions)}`);
      if (!actions.includes('Change to `nodes`')) throw new Error(`no "Change to \`nodes\`" quick fix: ${JSON.stringify(actions)}`);
      await screenshot('quickfix-menu-page');
      await wb.page.keyboard.press('Enter');
      await until(wb, 'the cell text to read nodes=5', async () => (await cellText(cell)).startsWith('cluster raft nodes=5 seed=1'));
      await until(wb, 'the squiggle to go away', async () => (await cell.locator('.squiggly-error').count()) === 0);
      log(`cell text after the fix: ${await cellText(cell)}`);
      // The edit is a real one: the notebook is dirty, or saved with exactly that change.
      const fixed = original.replace('nodez=5', 'nodes=5');
      const tab = wb.page.locator('.tab.active', { hasText: path.basename(file) });
      await until(wb, 'the notebook to be dirty or saved with the fix', async () => {
        return /\bdirty\b/.test((await tab.getAttribute('class')) ?? '') || fs.readFileSync(file, 'utf8') === fixed;
      });
      log(fs.readFileSync(file, 'utf8') === fixed ? 'the fix was saved (files.refactoring.autoSave), byte for byte' : 'the notebook is dirty');
      await wb.page.keyboard.press('Escape');
      await screenshot('quickfix-fixed-page');
      // The runner answers "Don't Save" when the editors close: the fixture stays as it was.
    },
  },
  {
    name: 'e2e-healthy.consensus: after an error the extension still runs another notebook',
    async run({ wb, screenshot, log }) {
      await wb.quickOpen('e2e-healthy.consensus');
      await wb.waitForNotebook();
      await wb.runAll();
      const run = await waitForLeaderDiagram(wb);
      log(`verdict: ${run.verdict}`);
      assertNode(run.leader, 3);
      await screenshot('healthy-after-error-page');
    },
  },
  {
    name: 'e2e-healthy.consensus: a cell without events has its diagram but no event scrubber',
    async run({ wb, screenshot, log }) {
      await wb.quickOpen('e2e-healthy.consensus');
      await wb.waitForNotebook();
      const frame = wb.outputFrame;
      await wb.clearAllOutputs();
      await until(wb, 'the outputs to be cleared', async () => (await frame.locator('.cn-output').count().catch(() => 0)) === 0);
      await wb.runAll();
      // Cell 1 only declares the cluster (no events); cell 2 runs until a leader.
      const drawn = frame.locator('.cn-output').filter({ has: frame.locator('.cn-diagram svg') });
      await until(wb, 'both outputs to be drawn', async () => (await drawn.count()) === 2, RUN_TIMEOUT_MS);
      const empty = drawn.filter({ has: frame.locator('.cn-verdict', { hasText: 'no leader' }) });
      const busy = drawn.filter({ has: frame.locator('.cn-verdict', { hasText: /leader n\d/ }) });
      await until(wb, 'the empty cell\'s diagram to say so', async () => ((await empty.locator('.cn-pane-sequence svg').textContent()) ?? '').includes('no events in this cell'));
      const scrubbers = await empty.locator('.cn-scrubber').count();
      log(`cell 1: ${(await empty.locator('.cn-verdict').textContent())?.trim()}; ${scrubbers} scrubber(s)`);
      if (scrubbers !== 0) throw new Error(`a cell without events shows a scrubber: ${await empty.locator('.cn-scrubber').textContent()}`);
      const label = ((await busy.locator('.cn-step-label').textContent()) ?? '').trim();
      log(`cell 2: ${label}`);
      if (!/^event (\d+)\/\1 · .+ · end of cell$/.test(label) || label.startsWith('event 0/')) throw new Error(`cell 2's scrubber reads "${label}"`);
      await screenshot('no-events-output', empty);
    },
  },
  {
    name: '16-explore.consensus: explore shows what it found with the shrunk lines, and those lines as a cell break the same invariant',
    async run({ wb, screenshot, log }) {
      await openSampleWithoutOutputs(wb, '16-explore.consensus');
      await wb.runAll();
      const frame = wb.outputFrame;
      const found = frame.locator('.cn-output').filter({ has: frame.locator('.cn-failure', { hasText: 'broke Leader Completeness' }) });
      await untilInView(wb, 'the explore cell to show its finding', async () => (await found.count()) === 1);
      // textContent: an output scrolled out of view is hidden, and innerText is then empty.
      const text = ((await found.locator('.cn-failure').textContent()) ?? '').trim();
      log(`finding: ${text.split('\n')[0]!.slice(0, 160)}…`);
      // The offered lines are shown one per line, ready to copy into a cell.
      if (!text.split('\n').includes('partition {n4 n1 n3 n5} | {n2}')) throw new Error(`the offered lines are not shown one per line:\n${text}`);
      await screenshot('explore-finding-output', found);
      const replayed = frame.locator('.cn-output').filter({ has: frame.locator('.cn-verdict', { hasText: /violations?: Leader Completeness/ }) });
      await untilInView(wb, 'the offered lines\' cell to show the violation', async () => (await replayed.count()) === 1);
      log(`replayed: ${(await replayed.locator('.cn-verdict').textContent())?.trim()}`);
      await screenshot('explore-replayed-output', replayed);
      // "Insert as a cell below" puts the lines in a new code cell right below the explore cell.
      const cells = wb.page.locator('.statusbar-item', { hasText: /Cell \d+ of \d+/ }).first();
      const countOf = async (): Promise<number> => Number(/of (\d+)/.exec((await cells.textContent().catch(() => '')) ?? '')?.[1] ?? NaN);
      await untilInView(wb, 'the finding to be drawn again', async () => (await found.count()) === 1);
      await wb.revealInNotebook(found, 'top');
      await wb.clickInNotebook(found.locator('.cn-offer'));
      await until(wb, 'the notebook to have a tenth cell', async () => (await countOf()) === 10);
      const inserted = wb.notebook.locator('.cell-list-container .monaco-list-row.code-cell-row', { hasText: 'partition {n4 n1 n3 n5} | {n2}' });
      await untilInView(wb, 'the inserted cell to show the offered lines', async () => {
        for (const row of await inserted.all()) if ((await cellText(row)) === text.split('\n').slice(1).join('\n')) return true;
        return false;
      });
      log(`cells: ${await countOf()}; a code cell holds the offered lines`);
      await screenshot('explore-inserted-page');
    },
  },
  {
    name: '17-locks-and-fencing.consensus: the storage rejects the paused client\'s stale write, and the state panel names the lock\'s holder and token',
    async run({ wb, screenshot, log }) {
      await openSampleWithoutOutputs(wb, '17-locks-and-fencing.consensus');
      await wb.runAll();
      // The last cell (outputs are not in cell order in the output frame: found by what they show).
      const { output: fenced, texts } = await outputDrawing(wb, 'rejected: token 2 is older than 4', 'the last cell to show the rejected write');
      log(`participants: ${[...new Set(texts.filter((t) => ['A', 'B', 'storage'].includes(t)))].join(', ')}; arrow: ${texts.find((t) => t.includes('rejected'))}`);
      if (!texts.includes('storage')) throw new Error(`the storage is not a participant: ${texts.slice(0, 20).join(' | ')}`);
      if (!texts.includes('✗ rejected: token 2 is older than 4')) throw new Error(`no arrow says the write was rejected: ${texts.filter((t) => t.startsWith('✗')).join(' | ')}`);
      // The state panel (at the end of the cell): B holds the lock, with the token the storage saw.
      const state = await statePanel(fenced);
      log(`state panel:\n${state}`);
      if (!state.split('\n').includes('lock resource-x: held by B, fencing token 4')) throw new Error(`the state panel does not name the lock's holder:\n${state}`);
      await wb.revealInNotebook(fenced, 'top');
      await screenshot('locks-fenced-output', fenced);
      // The unfenced run (the third cell) took the stale write.
      const { output: unfenced, texts: unfencedTexts } = await outputDrawing(wb, /^write storage=from-A \(stale\)$/, 'the unfenced run\'s stale write');
      if (!unfencedTexts.includes('ok OK (no token)')) throw new Error(`the unfenced storage did not take the stale write: ${unfencedTexts.filter((t) => t.includes('OK')).join(' | ')}`);
      await wb.revealInNotebook(unfenced, 'top');
      await screenshot('locks-unfenced-output', unfenced);
    },
  },
  {
    name: '18-lease-election.consensus: the paused leader stops leading when it wakes, and the state panel shows the Lease record',
    async run({ wb, screenshot, log }) {
      await openSampleWithoutOutputs(wb, '18-lease-election.consensus');
      await wb.runAll();
      const { output: last, texts } = await outputDrawing(wb, 'stops leading controller', 'the last cell to show A stop leading');
      const note = texts.find((t) => t.includes('stops leading'));
      log(`note: ${note}`);
      if (!/^stops leading controller: not renewed for 25(\.\d+)?s, past renew-deadline 10s$/.test(note ?? '')) throw new Error(`unexpected note: ${note}`);
      const state = await statePanel(last);
      log(`state panel:\n${state}`);
      if (!/^Lease controller: held by B, renewed at [0-9.]+s, 1 transition$/m.test(state)) throw new Error(`the state panel does not show B holding the Lease:\n${state}`);
      await wb.revealInNotebook(last, 'top');
      await screenshot('lease-election-output', last);
    },
  },
  {
    name: '19-watches.consensus: the member cut off cancels the watch that requires a leader, the client catches up on another, and the state panel shows the stale watch',
    async run({ wb, screenshot, log }) {
      await openSampleWithoutOutputs(wb, '19-watches.consensus');
      await wb.runAll();
      const { output: cut, texts } = await outputDrawing(wb, 'watch canceled: no leader', 'the cell that cuts n2 off to show the canceled watch');
      const reopened = texts.find((t) => t.startsWith('watching /config/ (at i5: '));
      log(`${texts.find((t) => t.includes('canceled'))} → ${reopened}`);
      if (reopened !== 'watching /config/ (at i5: /config/replicas=3, /config/timeout=20s)') throw new Error(`the watch was not opened again with the new value: ${texts.filter((t) => t.startsWith('watching')).join(' | ')}`);
      // The state panel (end of the cell): B's watch on n2 is stale, A's and C's are not.
      const state = await statePanel(cut);
      log(`state panel:\n${state}`);
      for (const line of ['watch of A on n1: /config/replicas=3, /config/timeout=20s', 'watch of B on n2: /config/replicas=3, /config/timeout=10s', 'watch of C on n3: /config/replicas=3, /config/timeout=20s']) {
        if (!state.split('\n').includes(line)) throw new Error(`the state panel lacks "${line}":\n${state}`);
      }
      await wb.revealInNotebook(cut, 'top');
      await screenshot('watches-require-leader-output', cut);
    },
  },
  {
    name: '20-coordination-recipes.consensus: a stalled instance\'s ephemeral key expires through the log, the watching load balancer sees it go, and the state panel keeps only the live instance',
    async run({ wb, screenshot, log }) {
      await openSampleWithoutOutputs(wb, '20-coordination-recipes.consensus');
      await wb.runAll();
      const { output: stalled, texts } = await outputDrawing(wb, 'deleted /services/web/web2', 'the cell in which web2 stalls and its key expires');
      const expiry = texts.find((t) => t.includes('expire /services/web/web2'));
      log(`${expiry} · ${texts.find((t) => t.includes('deleted /services/web/web2'))}`);
      if (expiry === undefined || !expiry.includes('expired; key deleted')) throw new Error(`no expiry of web2's lease through the log: ${texts.filter((t) => t.includes('web2')).join(' | ')}`);
      const state = await statePanel(stalled);
      log(`state panel:\n${state}`);
      if (!state.split('\n').includes('ephemeral /services/web/web1: lease 2 of web1')) throw new Error(`the state panel lacks web1's key:\n${state}`);
      if (state.includes('/services/web/web2')) throw new Error(`the state panel still lists web2's key:\n${state}`);
      await wb.revealInNotebook(stalled, 'top');
      await screenshot('service-discovery-output', stalled);
    },
  },
  {
    name: 'e2e-render500.consensus: ext.render500.ms, Run to a 500-message sequence diagram visible (median of 3)',
    async run({ wb, screenshot, log, figure }) {
      await wb.quickOpen('e2e-render500.consensus');
      await wb.waitForNotebook();
      const frame = wb.outputFrame;
      const body = frame.locator('body');
      const drawn = frame.locator('.cn-output .cn-pane-sequence svg').first();
      // From the press on Run to the first frame in which the whole diagram (at least 500 arrows) has a
      // layout box, i.e. is painted: both moments are taken in the browser (the workbench page and the
      // output frame), so Playwright's polling interval does not count. What became visible must be
      // the whole diagram: a partial or placeholder drawing is never counted, and fails the test.
      const timedRun = async (warmUp = false): Promise<{ ms: number; polledMs: number; facts: RenderFacts; marks: string }> => {
        // Before the first output there may be no output frame yet: the warm-up run is only polled.
        if (!warmUp) {
          await body.evaluate(() => performance.clearMarks());
          await watchForDiagram(body, 500);
        }
        await wb.page.evaluate(() => {
          const w = window as unknown as { cnPressedAt?: number };
          delete w.cnPressedAt;
          addEventListener('mousedown', (e: { timeStamp: number }) => (w.cnPressedAt = performance.timeOrigin + e.timeStamp), { capture: true, once: true });
        });
        const started = Date.now();
        await wb.runAll();
        await drawn.waitFor({ state: 'visible', timeout: RUN_TIMEOUT_MS });
        const polledMs = Date.now() - started;
        const pressedAt = await wb.page.evaluate(() => (window as unknown as { cnPressedAt?: number }).cnPressedAt ?? null);
        const facts = await renderFacts(drawn);
        if (facts.arrows < 500) throw new Error(`the diagram visible after Run has ${facts.arrows} arrows, expected at least 500`);
        if (await frame.locator('.cn-output .cn-pane-sequence .cn-error').count()) throw new Error('the sequence pane shows an error');
        if (warmUp) return { ms: polledMs, polledMs, facts, marks: await rendererMarks(body, started) };
        const first = await diagramSeen(wb, body);
        if (first.id !== facts.id) throw new Error(`the first whole diagram (${first.id}) is not the one on screen (${facts.id})`);
        if (pressedAt === null) throw new Error('the press on Run All was not seen');
        const ms = Math.round(first.at - pressedAt);
        if (!(ms > 0 && ms <= polledMs + 50)) throw new Error(`inconsistent timing: ${ms} ms in the browser, ${polledMs} ms polled`);
        return { ms, polledMs, facts, marks: await rendererMarks(body, pressedAt) };
      };
      // A first run warms the renderer (Mermaid loads) and the runner.
      const warm = await timedRun(true);
      log(`warm-up run: ${warm.ms} ms (polled ${warm.polledMs} ms), ${warm.facts.arrows} arrows, svg ${warm.facts.width}×${warm.facts.height}; ${warm.marks}`);
      const times: number[] = [];
      let last = warm;
      for (let i = 0; i < 3; i++) {
        await wb.clearAllOutputs(true);
        await until(wb, 'the outputs to be cleared', async () => (await frame.locator('.cn-output').count().catch(() => 0)) === 0);
        last = await timedRun();
        times.push(last.ms);
        log(`run ${i + 1}: ${last.ms} ms (polled ${last.polledMs} ms); ${last.marks}`);
      }
      // The drawing that became visible stays: nothing replaces it afterwards.
      await wb.page.waitForTimeout(500);
      const settled = await renderFacts(drawn);
      if (settled.id !== last.facts.id || settled.arrows !== last.facts.arrows) {
        throw new Error(`the diagram was replaced after it became visible: ${JSON.stringify(last.facts)} then ${JSON.stringify(settled)}`);
      }
      const median = [...times].sort((a, b) => a - b)[1]!;
      const arrows = last.facts.arrows;
      log(`Run → ${arrows}-arrow diagram visible: ${times.join(', ')} ms; median ${median} ms`);
      console.log(`ext.render500.ms = ${median} (a ${arrows}-message diagram)`);
      figure('ext.render500.ms', median);
      figure('ext.render500.arrows', arrows);
      await screenshot('render500-output', frame.locator('.cn-output').first());
    },
  },
  {
    name: 'Node extension host: leader-election.consensus runs there (the logs say so), not in a Web Worker',
    async run(ctx) {
      await runSampleInThisHost(ctx);
      await ctx.screenshot('node-host-page');
    },
  },
  cancelTest('node', 'ext.cancel.ms'),
  {
    name: 'Default Dark Modern: the diagrams are drawn light on dark',
    async run({ wb, screenshot, log }) {
      await wb.setColorTheme('Dark Modern');
      try {
        await until(wb, 'the workbench to turn dark', async () => /\bvs-dark\b/.test(await wb.themeKind()), 15_000);
        log(`workbench: ${(await wb.themeKind()).split(' ').filter((c) => c.startsWith('vs')).join(' ')}`);
        const output = await openAndRunSample(wb);
        const bodyClass = (await wb.outputFrame.locator('body').getAttribute('class')) ?? '';
        if (!bodyClass.includes('vscode-dark')) throw new Error(`the output webview is not dark: ${bodyClass}`);
        const pane = output.locator('.cn-pane-sequence');
        const background = parseColor(await wb.outputFrame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor));
        const editorBackground = await wb.outputFrame
          .locator('body')
          .evaluate((b) => getComputedStyle(b).getPropertyValue('--vscode-editor-background').trim());
        // The webview body is transparent over the editor: its colour is the editor background.
        const page = background && background[3] > 0 ? background : parseColor(editorBackground);
        if (!page) throw new Error(`no page background (body ${JSON.stringify(background)}, editor ${editorBackground})`);
        log(`page background ${fmt(page)}; luminance ${luminance(page).toFixed(3)}`);
        if (luminance(page) > 0.2) throw new Error(`the page background ${fmt(page)} is not dark`);
        // Message labels sit on the page; participant and note labels on their boxes.
        const checks = [
          { what: 'message label', text: 'text.messageText', box: null },
          { what: 'participant label', text: 'text.actor', box: 'rect.actor' },
          { what: 'note text', text: 'text.noteText', box: 'rect.note' },
        ];
        for (const c of checks) {
          // The glyphs' colour: a label's tspan has its own fill (Mermaid fills text.actor like the box).
          const fill = parseColor(
            await pane
              .locator(`svg ${c.text}`)
              .first()
              .evaluate((t) => getComputedStyle(t.querySelector('tspan') ?? t).fill),
          );
          const behind = c.box ? parseColor(await pane.locator(`svg ${c.box}`).first().evaluate((r) => getComputedStyle(r).fill)) : page;
          if (!fill || !behind) throw new Error(`no colour for the ${c.what}: ${JSON.stringify({ fill, behind })}`);
          const ratio = contrast(fill, behind);
          log(`${c.what}: ${fmt(fill)} on ${fmt(behind)}, contrast ${ratio.toFixed(2)}:1${ratio < 4.5 ? ' (below WCAG AA 4.5:1 for body text)' : ''}`);
          // Fails below WCAG's 3:1 (large text, and the floor for anything meant to be read).
          if (ratio < 3) throw new Error(`the ${c.what} is hard to read: ${fmt(fill)} on ${fmt(behind)} (${ratio.toFixed(2)}:1)`);
          if (!c.box && luminance(fill) < 0.5) throw new Error(`the ${c.what} is not light: ${fmt(fill)}`);
        }
        await screenshot('dark-output', output);
        for (const tab of ['states', 'topology'] as const) {
          const button = output.locator(`.cn-tabs button.cn-tab[data-tab="${tab}"]`);
          await wb.clickInNotebook(button);
          const svg = output.locator(`.cn-pane-${tab} svg`).first();
          await svg.waitFor({ state: 'visible', timeout: 30_000 });
          await screenshot(`dark-${tab}`, output.locator(`.cn-pane-${tab}`));
        }
        await screenshot('dark-page');
      } finally {
        await wb.page.keyboard.press('Escape');
        await wb.setColorTheme('Light Modern');
      }
    },
  },
  {
    name: 'web extension host: leader-election.consensus: Run All draws a Mermaid diagram naming the leader, in the browser (web worker extension host, a Web Worker runs the scenario)',
    host: 'web',
    async run(ctx) {
      const run = await runSampleInThisHost(ctx);
      assertNode(run.leader, 5);
      if (!run.svgText.includes(run.leader)) throw new Error(`the diagram does not mention the leader ${run.leader}`);
      await ctx.screenshot('web-host-output', run.output);
      await ctx.screenshot('web-host-page');
    },
  },
  {
    name: 'web extension host: every tab of the last cell renders, and Export as Markdown writes the bytes the CLI (Node) writes',
    host: 'web',
    async run({ wb, workspace, root, screenshot, log }) {
      const output = await openAndRunSample(wb);
      for (const tab of ['states', 'topology'] as const) {
        await wb.clickInNotebook(output.locator(`.cn-tabs button.cn-tab[data-tab="${tab}"]`));
        const svg = output.locator(`.cn-pane-${tab} svg`).first();
        await svg.waitFor({ state: 'visible', timeout: 30_000 });
        log(`${tab}: ${(await svgLabels(svg)).slice(0, 8).join(' | ')}`);
      }
      await screenshot('web-host-topology', output.locator('.cn-pane-topology'));
      const file = path.join(workspace, `e2e-web-export-${Date.now()}.md`);
      await wb.runCommand('Consensus: Export as Markdown');
      await wb.answerSaveDialog(file);
      await checkMarkdownExport(wb, file, log);
      const fromWeb = await waitForFile(wb, file);
      // The same notebook exported by the CLI, in Node: the same lang/ and views/, so the same bytes.
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-e2e-cli-'));
      const cli = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'export', path.join(workspace, SAMPLE), '--format', 'md', '--out', out], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (cli.status !== 0) throw new Error(`the CLI export failed (${cli.status}): ${cli.stderr}`);
      const fromNode = fs.readFileSync(path.join(out, SAMPLE.replace(/\.consensus$/, '.md')));
      fs.rmSync(out, { recursive: true, force: true });
      log(`web export ${fromWeb.length} bytes, CLI export ${fromNode.length} bytes`);
      if (!fromWeb.equals(fromNode)) {
        const a = fromWeb.toString('utf8');
        const b = fromNode.toString('utf8');
        let i = 0;
        while (i < a.length && a[i] === b[i]) i++;
        throw new Error(`the web export differs from the CLI's at byte ${i}: ${JSON.stringify(a.slice(i, i + 80))} vs ${JSON.stringify(b.slice(i, i + 80))}`);
      }
    },
  },
  cancelTest('web', 'ext.cancel.web.ms'),
];

interface LeaderRun {
  output: Locator;
  verdict: string;
  leader: string;
  svgText: string;
}

const RUN_TIMEOUT_MS = 90_000;

/** Waits for the last rendered run output whose verdict names a leader and whose diagram is drawn. */
async function waitForLeaderDiagram(wb: Workbench): Promise<LeaderRun> {
  const frame = wb.outputFrame;
  const drawn = frame.locator('.cn-output').filter({ has: frame.locator('.cn-diagram svg') });
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    await wb.assertNoKernelPicker();
    const count = await drawn.count().catch(() => 0);
    seen = [];
    for (let i = count - 1; i >= 0; i--) {
      const output = drawn.nth(i);
      const verdict = ((await output.locator('.cn-verdict').first().textContent().catch(() => null)) ?? '').trim();
      seen.push(verdict);
      const leader = /\bleader (n\d+)\b/.exec(verdict)?.[1];
      if (leader) {
        const svgText = (await output.locator('.cn-diagram svg').first().textContent()) ?? '';
        // Outputs may be re-ordered in the webview's DOM when they re-render: name this one by its
        // verdict rather than by its index.
        const byVerdict = drawn.filter({ has: frame.locator('.cn-verdict', { hasText: verdict }) }).last();
        return { output: byVerdict, verdict, leader, svgText };
      }
    }
    await wb.page.waitForTimeout(250);
  }
  const errors = await frame.getByText(/line \d+, column \d+/).allTextContents().catch(() => []);
  throw new Error(
    `no rendered diagram with a verdict naming a leader after ${RUN_TIMEOUT_MS / 1000} s; ` +
      `verdicts seen: ${JSON.stringify(seen)}; error outputs: ${JSON.stringify(errors)}`,
  );
}

/**
 * Opens the sample, runs all its cells and returns the output of the last cell (the crash of n5 and
 * the re-election: the most events) once it is drawn, named by its verdict. Cells run in order, so the
 * last output means all ran. (Outputs of cells out of view are not rendered into the webview: the
 * notebook reopens scrolled to where it was, so only the last cell's output is awaited.)
 */
/**
 * Opens the sample with no outputs. The notebook document may outlive its editor (and keep its outputs),
 * so they are cleared, and Run All waits for that: pressed while the clearing is under way, it was seen
 * to run nothing.
 */
/**
 * The one cell output whose sequence diagram has a text with `text` in it, once it is drawn (outputs
 * are found by what they show: the output frame does not keep them in cell order), and its texts.
 */
async function outputDrawing(wb: Workbench, text: string | RegExp, what: string): Promise<{ output: Locator; texts: string[] }> {
  const frame = wb.outputFrame;
  const output = frame.locator('.cn-output').filter({ has: frame.locator('.cn-pane-sequence svg text', { hasText: text }) });
  await untilInView(wb, what, async () => (await output.count()) === 1);
  return { output, texts: (await output.locator('.cn-pane-sequence svg text').allTextContents()).map((t) => t.trim()) };
}

/** The text of an output's state panel (textContent: an output scrolled out of view is hidden, and its innerText empty). */
async function statePanel(output: Locator): Promise<string> {
  return ((await output.locator('pre.cn-state').textContent()) ?? '').trim();
}

async function openSampleWithoutOutputs(wb: Workbench, sample = SAMPLE): Promise<void> {
  await wb.quickOpen(sample);
  await wb.waitForNotebook();
  await wb.clearAllOutputs();
  await until(wb, 'the outputs to be cleared', async () => (await wb.outputFrame.locator('.cn-output').count().catch(() => 0)) === 0);
}

async function openAndRunSample(wb: Workbench): Promise<Locator> {
  await openSampleWithoutOutputs(wb);
  const frame = wb.outputFrame;
  await wb.runAll();
  // The last cell crashed n5: its verdict says so.
  const last = frame
    .locator('.cn-output')
    .filter({ has: frame.locator('.cn-diagram svg') })
    .filter({ has: frame.locator('.cn-verdict', { hasText: '(down)' }) })
    .last();
  await until(wb, 'the output of the last cell (a verdict with n5 down)', async () => (await last.count()) > 0, RUN_TIMEOUT_MS);
  return last;
}

interface DiagramFacts {
  label: string;
  state: string;
  /** Message arrows (their labels) in the sequence diagram. */
  arrows: number;
  /** All text elements of the diagram (arrows, notes, participants). */
  texts: number;
  /** Screen pixels per diagram unit: the size its text is drawn at. */
  scale: number;
}

async function diagramFacts(pane: Locator, label: Locator, state: Locator): Promise<DiagramFacts> {
  const svg = pane.locator('svg').first();
  return {
    label: ((await label.textContent()) ?? '').trim(),
    state: (await state.textContent()) ?? '',
    arrows: await svg.locator('.messageText').count(),
    texts: await svg.locator('text').count(),
    scale: await svg.evaluate((e) => {
      const s = e as unknown as { getBoundingClientRect(): { width: number }; viewBox: { baseVal: { width: number } } };
      return s.getBoundingClientRect().width / s.viewBox.baseVal.width;
    }),
  };
}

interface RenderFacts {
  id: string;
  arrows: number;
  width: number;
  height: number;
}

/** The id, arrow count and size of a rendered sequence diagram, read in one go. */
async function renderFacts(svg: Locator): Promise<RenderFacts> {
  return svg.evaluate((e) => {
    const box = e.getBoundingClientRect();
    return { id: e.id, arrows: e.querySelectorAll('.messageText').length, width: Math.round(box.width), height: Math.round(box.height) };
  });
}

/**
 * Watches the output frame, every animation frame, for a sequence diagram with at least `arrows`
 * arrows and a layout box; diagramSeen() then tells when (epoch milliseconds) and which svg.
 */
async function watchForDiagram(body: Locator, arrows: number): Promise<void> {
  await body.evaluate((element, min) => {
    const doc = element.ownerDocument;
    const w = doc.defaultView as unknown as { cnSeen: unknown; requestAnimationFrame(f: () => void): void };
    w.cnSeen = null;
    const tick = (): void => {
      const svg = doc.querySelector('.cn-output .cn-pane-sequence svg');
      const count = svg ? svg.querySelectorAll('.messageText').length : 0;
      if (svg && count >= min) {
        const box = svg.getBoundingClientRect();
        if (box.width > 0 && box.height > 0) {
          w.cnSeen = { at: performance.timeOrigin + performance.now(), id: svg.id, arrows: count };
          return;
        }
      }
      w.requestAnimationFrame(tick);
    };
    w.requestAnimationFrame(tick);
  }, arrows);
}

/** What watchForDiagram() noted (waiting a little for the watcher's next animation frame). */
async function diagramSeen(wb: Workbench, body: Locator): Promise<{ at: number; id: string; arrows: number }> {
  type Seen = { at: number; id: string; arrows: number };
  const read = (): Promise<Seen | null> => body.evaluate((element) => (element.ownerDocument.defaultView as unknown as { cnSeen: Seen | null }).cnSeen);
  await until(wb, 'the output frame to note the whole diagram', async () => (await read()) !== null, 10_000);
  return (await read())!;
}

/**
 * The renderer's User Timing marks (cn:output when VS Code hands it the output, then cn:json, cn:start,
 * cn:parsed, cn:rendered, cn:inserted, cn:drawn), as milliseconds after `started` (the click on Run).
 */
async function rendererMarks(body: Locator, started: number): Promise<string> {
  const marks = await body
    .evaluate(() => performance.getEntriesByType('mark').filter((m) => m.name.startsWith('cn:')).map((m) => ({ name: m.name, at: performance.timeOrigin + m.startTime })))
    .catch(() => [] as { name: string; at: number }[]);
  return marks.map((m) => `${m.name.slice(3)} +${Math.round(m.at - started)}`).join(', ') || 'no renderer marks';
}

/** The visible label texts of a Mermaid svg (text elements and HTML labels; not its <style>). */
async function svgLabels(svg: Locator): Promise<string[]> {
  const texts = await svg.locator('text, foreignObject').allTextContents();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/** Waits until the pane's svg is replaced by a newer drawing (a new id); returns the new id. */
async function waitForRedraw(wb: Workbench, pane: Locator, oldId: string | null): Promise<string | null> {
  let id: string | null = oldId;
  await until(wb, 'the sequence diagram to be redrawn', async () => {
    id = await pane.locator('svg').first().getAttribute('id', { timeout: 1_000 }).catch(() => oldId);
    return id !== oldId && (id ?? '').includes('-scrub-');
  });
  return id;
}

/**
 * `until`, sweeping the notebook down and up meanwhile: outputs and cells out of view are not rendered,
 * so what is looked for has to come into view (where it is depends on how tall the outputs above it
 * are drawn). Each sweep goes twice as far as the last (25 steps of 400 px down, 50 up, 100 down, …),
 * so a notebook of any height is covered.
 */
async function untilInView(wb: Workbench, what: string, condition: () => Promise<boolean>, timeoutMs = RUN_TIMEOUT_MS): Promise<void> {
  let left = 25;
  let sweep = 25;
  let down = true;
  await until(
    wb,
    what,
    async () => {
      if (await condition()) return true;
      if (left-- === 0) {
        down = !down;
        sweep *= 2;
        left = sweep;
      }
      await wb.scrollNotebook(down ? 400 : -400);
      return condition();
    },
    timeoutMs,
  );
}

/** Polls a condition, failing with a message that says what was expected. */

async function until(wb: Workbench, what: string, condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await wb.assertNoKernelPicker();
    if (await condition().catch(() => false)) return;
    await wb.page.waitForTimeout(100);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

/** Waits until an exported file exists and has stopped growing; returns its bytes. */
async function waitForFile(wb: Workbench, file: string): Promise<Buffer> {
  let last = -1;
  await until(wb, `the file ${file}`, async () => {
    const size = fs.existsSync(file) ? fs.statSync(file).size : -1;
    const settled = size > 0 && size === last;
    last = size;
    return settled;
  });
  return fs.readFileSync(file);
}

/** The text of a cell's editor (Monaco renders spaces as no-break spaces). */
async function cellText(cell: Locator): Promise<string> {
  const lines = await cell.locator('.view-lines .view-line').allTextContents();
  return lines.map((l) => l.replace(/\u00a0/g, ' ')).join('\n');
}

/** Checks a Markdown export of the sample: its prose, its code cells and one ```mermaid block per cell. */
async function checkMarkdownExport(wb: Workbench, file: string, log: (m: string) => void): Promise<void> {
  const md = (await waitForFile(wb, file)).toString('utf8');
  const blocks = md.match(/^```mermaid\n[\s\S]*?^```$/gm) ?? [];
  log(`${path.basename(file)}: ${md.length} bytes, ${blocks.length} mermaid blocks`);
  if (blocks.length !== SAMPLE_CODE_CELLS) throw new Error(`expected ${SAMPLE_CODE_CELLS} mermaid blocks, found ${blocks.length}`);
  if (!blocks.every((b) => b.startsWith('```mermaid\nsequenceDiagram\n'))) throw new Error('a mermaid block is not a sequence diagram');
  for (const prose of ['# Raft leader election', 'Five servers start as followers', 'Crash the leader']) {
    if (!md.includes(prose)) throw new Error(`the Markdown lacks the prose "${prose}"`);
  }
  if (!md.includes('```consensus\ncluster raft nodes=5 seed=42\n```')) throw new Error('the Markdown lacks the first code cell');
  if (!/^> \*\*Result:\*\* leader n\d/m.test(md)) throw new Error('the Markdown lacks the verdicts');
}

/**
 * Checks which extension host runs the extension, three ways: the extension's own log line (written on
 * activation by the entry that ran: the Node one or the web one), VS Code's log of that host ("Extension
 * Host (Worker)" is the browser's web worker host, "Extension Host (Remote)" the Node one on the
 * server), and the page's workers (in the web host the scenario runs in a Web Worker that the extension
 * host's worker created, where there is no Node.js). Call it after a run.
 */
async function assertExtensionHost({ wb, host, log, screenshot }: UiContext): Promise<void> {
  const own = await wb.outputChannel('Consensus Notebook', true);
  log(`Consensus Notebook log: ${own.trim()}`);
  await screenshot(`${host}-host-log-page`);
  await wb.hidePanel();
  const wanted =
    host === 'web'
      ? 'Activated in the web extension host (browser): no Node.js, web UI; scenarios run in a Web Worker.'
      : 'Activated in the Node.js extension host: Node.js ';
  if (!own.includes(wanted)) throw new Error(`the extension's log does not say "${wanted}": ${own.slice(0, 300)}`);
  const vscodeLog = await wb.outputChannel(host === 'web' ? 'Extension Host (Worker)' : 'Extension Host (Remote)');
  const activated = /ExtensionService#_doActivateExtension consensus-notebook\.consensus-notebook\b[^\]]*/.exec(vscodeLog);
  if (!activated) throw new Error(`VS Code's ${host === 'web' ? 'web worker' : 'remote'} extension host log does not show the extension's activation`);
  log(`VS Code's ${host === 'web' ? 'Extension Host (Worker)' : 'Extension Host (Remote)'} log: ${activated[0].trim().slice(0, 160)}`);
  const workers = await Promise.all(
    wb.page.workers().map((w) =>
      w.evaluate(() => ({ name: self.name, node: typeof process !== 'undefined' })).catch(() => ({ name: '(gone)', node: false })),
    ),
  );
  const runner = workers.find((w) => w.name.endsWith('Consensus Notebook scenario runner'));
  const extensionHost = workers.find((w) => w.name === 'ExtensionHostWorker');
  if (host === 'web') {
    if (!runner) throw new Error(`no scenario runner among the page's workers: ${JSON.stringify(workers.map((w) => w.name))}`);
    if (!runner.name.startsWith('ExtensionHostWorker -> ')) throw new Error(`the scenario runner was not started by the extension host: ${runner.name}`);
    if (runner.node || extensionHost?.node) throw new Error('Node.js (process) is defined in the browser\'s workers');
    log(`page workers: ${workers.map((w) => w.name).join(', ')} (no process in ${runner.name})`);
  } else if (runner) {
    throw new Error(`a scenario runner Web Worker is in the page although the extension runs in Node: ${runner.name}`);
  }
}


/**
 * Cancelling a long run, in one extension host. The fixture has a quick cell, then `run 10h` on a busy
 * nine-node cluster; the test sets the largest event budget, runs the long cell alone (it replays the
 * quick one), and once it has run a while clicks the notebook toolbar's Stop Execution. The cell must end
 * as "Cancelled." (failed), and running the quick cell afterwards must work. The time
 * from the click to the end of the execution in the workbench (both taken in the page) is the figure,
 * the median of CANCEL_RUNS.
 */
/** Runs the sample to its leader diagram and checks that the extension runs in this context's host. */
async function runSampleInThisHost(ctx: UiContext): Promise<LeaderRun> {
  const { wb, log } = ctx;
  await openSampleWithoutOutputs(wb);
  await wb.runAll();
  const run = await waitForLeaderDiagram(wb);
  log(`verdict: ${run.verdict}`);
  await assertExtensionHost(ctx);
  return run;
}

function cancelTest(host: UiHost, figureName: string): UiTest {
  const where = host === 'web' ? 'web extension host: ' : '';
  return {
    name: `${where}${CANCEL_FIXTURE}: ${figureName}, Stop Execution ends a 10 h run as "Cancelled." (median of ${CANCEL_RUNS}); the next run works`,
    host,
    async run({ wb, workspace, screenshot, log, figure }) {
      // The largest event budget, for this workspace only, while this test runs.
      const settingsDir = path.join(workspace, '.vscode');
      const settingsFile = path.join(settingsDir, 'settings.json');
      fs.mkdirSync(settingsDir, { recursive: true });
      fs.writeFileSync(settingsFile, `${JSON.stringify({ 'consensusNotebook.eventBudget': MAX_EVENT_BUDGET }, null, 2)}\n`);
      try {
        await wb.page.waitForTimeout(1_500); // the workbench reads the changed settings file
        await wb.quickOpen(CANCEL_FIXTURE);
        await wb.waitForNotebook();
        const rows = wb.notebook.locator('.cell-list-container .monaco-list-row.code-cell-row');
        const quick = rows.nth(0);
        const long = rows.nth(1);
        const frame = wb.outputFrame;
        const times: number[] = [];
        for (let i = 0; i < CANCEL_RUNS; i++) {
          // No outputs, so both cells stay in view (the notebook's list drops rows scrolled out of it).
          await wb.clearAllOutputs(i > 0);
          await until(wb, 'the outputs to be cleared', async () => (await frame.locator('.cn-output, .output-plaintext').count().catch(() => 0)) === 0);
          await executeCell(wb, long);
          await long.locator('.codicon-notebook-state-executing').waitFor({ state: 'attached', timeout: RUN_TIMEOUT_MS });
          // Let it run a while (the runner is busy: about a million events in).
          await wb.page.waitForTimeout(500);
          if (!(await long.locator('.codicon-notebook-state-executing').count())) {
            throw new Error(`the 10 h cell ended by itself; the outputs: ${await frame.locator('body').textContent().catch(() => '?')}`);
          }
          // Both times are taken in the page: the click on Stop Execution, and the moment the long
          // cell's row (still in the document) no longer shows the executing spinner.
          const row = await long.elementHandle();
          await wb.page.evaluate((row) => {
            const r = row as unknown as { isConnected: boolean; querySelector(s: string): unknown };
            const w = globalThis as unknown as { cnCancel: { clicked: number; ended: number; detached: boolean } };
            w.cnCancel = { clicked: 0, ended: 0, detached: false };
            const onClick = (event: { target: unknown }) => {
              const target = event.target as { closest?(s: string): unknown } | null;
              if (!target?.closest?.('a.action-label[aria-label="Stop Execution"]')) return;
              w.cnCancel.clicked = performance.now();
              document.removeEventListener('click', onClick, { capture: true });
            };
            document.addEventListener('click', onClick, { capture: true });
            const observer = new MutationObserver(() => {
              if (!w.cnCancel.clicked) return;
              if (!r.isConnected) w.cnCancel.detached = true;
              else if (r.querySelector('.codicon-notebook-state-executing')) return;
              w.cnCancel.ended = performance.now();
              observer.disconnect();
            });
            observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
          }, row);
          await wb.clickToolbar('Stop Execution');
          await wb.page.waitForFunction('globalThis.cnCancel.ended > 0', undefined, { timeout: 30_000, polling: 50 });
          const t = await wb.page.evaluate(() => (globalThis as unknown as { cnCancel: { clicked: number; ended: number; detached: boolean } }).cnCancel);
          if (t.detached) throw new Error('the long cell\'s row left the document while it was being cancelled: no time taken');
          times.push(Math.round(t.ended - t.clicked));
          // The outcome: a failed cell whose output says Cancelled.
          await long.locator('.codicon-notebook-state-error').waitFor({ state: 'attached', timeout: 15_000 });
          await frame.getByText('Cancelled.', { exact: true }).first().waitFor({ state: 'attached', timeout: 15_000 });
          if (i === 0) await screenshot(`${host}-cancelled-page`);
          // The next run works: the quick cell.
          await executeCell(wb, quick);
          await quick.locator('.codicon-notebook-state-success').waitFor({ state: 'attached', timeout: RUN_TIMEOUT_MS });
          const verdict = ((await frame.locator('.cn-output .cn-verdict').first().textContent({ timeout: 30_000 })) ?? '').trim();
          if (!/\bleader n\d\b/.test(verdict)) throw new Error(`the quick cell's verdict names no leader: ${verdict}`);
        }
        const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
        log(`Stop Execution → execution ended (${host} extension host): ${times.join(', ')} ms; median ${median} ms`);
        console.log(`${figureName} = ${median}`);
        figure(figureName, median);
      } finally {
        fs.rmSync(settingsFile, { force: true });
      }
    },
  };
}

/** Runs one code cell with its Execute Cell button (shown while the mouse is over the cell). */
async function executeCell(wb: Workbench, row: Locator): Promise<void> {
  await row.hover();
  const button = row.locator('.run-button-container a.action-label[aria-label^="Execute Cell"]').first();
  await button.click();
  await wb.moveMouseAway();
}

/** Waits for a locator, failing with a message that says what was expected. */
async function waitOrExplain(wb: Workbench, target: Locator, what: string): Promise<void> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await wb.assertNoKernelPicker();
    if (await target.count().catch(() => 0)) return;
    await wb.page.waitForTimeout(250);
  }
  throw new Error(`no ${what} after ${RUN_TIMEOUT_MS / 1000} s`);
}

function assertNode(name: string, nodes: number): void {
  const n = /^n(\d+)$/.exec(name);
  if (!n || Number(n[1]) < 1 || Number(n[1]) > nodes) throw new Error(`leader ${name} is not one of n1..n${nodes}`);
}

// --- colours (WCAG 2 relative luminance and contrast) ------------------------------------------------

type Rgba = [number, number, number, number];

/** Parses `rgb(…)`, `rgba(…)` and `#rgb`/`#rrggbb`; null for anything else (e.g. `none`). */
function parseColor(text: string | null | undefined): Rgba | null {
  const s = (text ?? '').trim();
  const rgb = /^rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)$/.exec(s);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), rgb[4] === undefined ? 1 : Number(rgb[4])];
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(s);
  if (hex) {
    const h = hex[1]!.length === 3 ? [...hex[1]!].map((c) => c + c).join('') : hex[1]!;
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16), 1];
  }
  return null;
}

function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function fmt(c: Rgba): string {
  return `rgb(${c.slice(0, 3).map((x) => Math.round(x)).join(',')})`;
}
