// The UI tests, in the order they run. Each is a name and an async function of the shared context; add
// new ones to the list. They share one browser page: the runner closes all editors after each test, and
// reloads the workbench after a failure, so a test starts from an empty editor area.
import type { Locator } from 'playwright-core';
import type { Workbench } from './workbench';

export interface UiContext {
  wb: Workbench;
  /** Saves a screenshot of the page, or of one element, to the artifacts folder; returns its path. */
  screenshot(name: string, element?: Locator): Promise<string>;
  log(message: string): void;
}

export interface UiTest {
  name: string;
  run(ctx: UiContext): Promise<void>;
}

export const tests: UiTest[] = [
  {
    name: 'leader-election.consensus: Run All draws a Mermaid diagram naming the elected leader',
    async run({ wb, screenshot, log }) {
      await wb.quickOpen('leader-election.consensus');
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
