// UI suite: runs the tests of tests.ts in Debian's Chromium against a code-server that has the packaged
// extension installed. Started by scripts/e2e.sh, configured by environment:
//   E2E_URL        workbench URL with ?folder=<workspace>
//   E2E_WORKSPACE  the workspace folder the URL opens (tests check files that exports write into it)
//   E2E_WEB_URL, E2E_WEB_WORKSPACE  the same for a second code-server where the extension runs in the
//                  browser's web worker extension host (tests with host: 'web'; optional)
//   E2E_ROOT       the repo (for dist/cli.js; default: two folders up from this file)
//   E2E_ARTIFACTS  folder for screenshots and figures.json (benchmark figures measured here)
//   E2E_LOGS       folder for the browser console log (default: E2E_ARTIFACTS)
//   E2E_SUMMARY    file that receives the summary line (optional)
//   E2E_GREP       only run tests whose name contains this text, or one of several separated by | (optional)
//   CHROMIUM       browser executable (default /usr/bin/chromium)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, slug } from '../util';
import { tests, type UiContext, type UiHost } from './tests';
import { Workbench } from './workbench';

const TEST_TIMEOUT_MS = 180_000;

async function main(): Promise<number> {
  const url = required('E2E_URL');
  const artifacts = required('E2E_ARTIFACTS');
  const workspace = required('E2E_WORKSPACE');
  const logs = process.env.E2E_LOGS ?? artifacts;
  const grep = process.env.E2E_GREP ?? '';
  fs.mkdirSync(artifacts, { recursive: true });
  fs.mkdirSync(logs, { recursive: true });
  const consoleLog = fs.createWriteStream(path.join(logs, 'ui-browser-console.log'));

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  let passed = 0;
  let failed = 0;
  const knownBugs: string[] = [];
  const root = process.env.E2E_ROOT ?? path.resolve(__dirname, '..', '..');
  // One page per extension host, opened when its first test runs.
  const contexts = new Map<UiHost, UiContext>();
  async function contextFor(host: UiHost): Promise<UiContext> {
    const existing = contexts.get(host);
    if (existing) return existing;
    const hostUrl = host === 'web' ? required('E2E_WEB_URL') : url;
    const hostWorkspace = host === 'web' ? required('E2E_WEB_WORKSPACE') : workspace;
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const prefix = host === 'web' ? '[web] ' : '';
    page.on('console', (m) => consoleLog.write(`${prefix}[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => consoleLog.write(`${prefix}[pageerror] ${e.stack ?? e.message}\n`));
    const wb = new Workbench(page, hostUrl);
    const ctx: UiContext = {
      wb,
      host,
      workspace: hostWorkspace,
      root,
      log: (message) => console.log(`    ${message}`),
      figure(name, value) {
        // Figures accumulate in one JSON object; a re-run of a test overwrites its own keys only.
        const file = path.join(artifacts, 'figures.json');
        const figures = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number>) : {};
        figures[name] = value;
        fs.writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
        console.log(`    figure: ${name} = ${value} (${file})`);
      },
      async screenshot(name, element) {
        const file = path.join(artifacts, `ui-${name}.png`);
        if (element) {
          await wb.screenshotInNotebook(element, file);
        } else {
          await page.screenshot({ path: file });
        }
        console.log(`    screenshot: ${file}`);
        return file;
      },
    };
    contexts.set(host, ctx);
    await wb.open();
    return ctx;
  }

  try {
    for (const t of tests.filter((t) => grep.split('|').some((g) => t.name.includes(g)))) {
      const test = t.name;
      const started = Date.now();
      console.log(`ui: ${test}`);
      const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
      let ctx: UiContext | undefined;
      try {
        ctx = await contextFor(t.host ?? 'node');
        await withTimeout(t.run(ctx), TEST_TIMEOUT_MS, `timed out after ${TEST_TIMEOUT_MS / 1000} s`);
        passed++;
        console.log(`  ok (${seconds()} s)`);
        if (t.knownBug) console.log(`  note: this test passes now; remove its knownBug marker (${t.knownBug})`);
      } catch (e) {
        if (t.knownBug) {
          knownBugs.push(`${test}: ${t.knownBug}`);
          console.log(`  KNOWN BUG (${seconds()} s, not counted as failed): ${(e as Error).message}`);
        } else {
          failed++;
          console.log(`  FAILED (${seconds()} s): ${(e as Error).message}`);
          await ctx?.screenshot(`failure-${slug(test)}`).catch((s) => console.log(`    no screenshot: ${s}`));
        }
      }
      // Start the next test from an empty editor area; reload the workbench if that fails.
      const wb = ctx?.wb;
      if (wb) {
        await wb.closeAllEditors().catch(async (e) => {
          console.log(`    closing the editors failed (${(e as Error).message}); reloading the workbench`);
          await wb.open();
        });
      }
    }
  } catch (e) {
    failed++;
    console.log(`ui: the suite could not run: ${(e as Error).stack ?? e}`);
  } finally {
    await browser.close();
    consoleLog.end();
  }
  const summary = [...knownBugs.map((bug) => `ui: known product bug (not counted): ${bug}`), `ui: ${passed} passed, ${failed} failed`].join('\n');
  console.log(summary);
  if (process.env.E2E_SUMMARY) fs.writeFileSync(process.env.E2E_SUMMARY, `${summary}\n`);
  return failed || !passed ? 1 : 0;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
