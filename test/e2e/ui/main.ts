// UI suite: runs the tests of tests.ts in Debian's Chromium against a code-server that has the packaged
// extension installed. Started by scripts/e2e.sh, configured by environment:
//   E2E_URL        workbench URL with ?folder=<workspace>
//   E2E_ARTIFACTS  folder for screenshots
//   E2E_LOGS       folder for the browser console log (default: E2E_ARTIFACTS)
//   E2E_SUMMARY    file that receives the summary line (optional)
//   E2E_GREP       only run tests whose name contains this text (optional)
//   CHROMIUM       browser executable (default /usr/bin/chromium)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, slug } from '../util';
import { tests, type UiContext } from './tests';
import { Workbench } from './workbench';

const TEST_TIMEOUT_MS = 180_000;

async function main(): Promise<number> {
  const url = required('E2E_URL');
  const artifacts = required('E2E_ARTIFACTS');
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
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e.message}\n`));
    const wb = new Workbench(page, url);
    const ctx: UiContext = {
      wb,
      log: (message) => console.log(`    ${message}`),
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

    await wb.open();
    for (const t of tests.filter((t) => t.name.includes(grep))) {
      const test = t.name;
      const started = Date.now();
      console.log(`ui: ${test}`);
      try {
        await withTimeout(t.run(ctx), TEST_TIMEOUT_MS, `timed out after ${TEST_TIMEOUT_MS / 1000} s`);
        passed++;
        console.log(`  ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        console.log(`  FAILED (${((Date.now() - started) / 1000).toFixed(1)} s): ${(e as Error).message}`);
        await ctx.screenshot(`failure-${slug(test)}`).catch((s) => console.log(`    no screenshot: ${s}`));
      }
      // Start the next test from an empty editor area; reload the workbench if that fails.
      await wb.closeAllEditors().catch(async (e) => {
        console.log(`    closing the editors failed (${(e as Error).message}); reloading the workbench`);
        await wb.open();
      });
    }
  } catch (e) {
    failed++;
    console.log(`ui: the suite could not run: ${(e as Error).stack ?? e}`);
  } finally {
    await browser.close();
    consoleLog.end();
  }
  const summary = `ui: ${passed} passed, ${failed} failed`;
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
