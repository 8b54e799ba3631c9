// Runs the extension-host suite (host/index.ts) inside code-server. code-server has no
// --extensionDevelopmentPath flag, so the paths go into the workbench URL's `payload` query, as in
// VS Code's own browser integration tests; the workbench reports the suite's console output through
// window.codeAutomationLog and its end through window.codeAutomationExit(code).
// Started by scripts/e2e.sh, configured by environment:
//   E2E_SERVER     http://127.0.0.1:PORT of a code-server that does NOT have the .vsix installed
//   E2E_WORKSPACE  folder to open (a scratch copy of samples/)
//   E2E_EXTENSION  extension folder (the repo root, with package.json and dist/)
//   E2E_TESTS      the bundled suite entry (.e2e/build/host/index.js)
//   E2E_RESULTS    where the suite writes its counts (the server passes CONSENSUS_E2E_RESULTS to it)
//   E2E_ARTIFACTS, E2E_LOGS, E2E_SUMMARY, CHROMIUM: as for the UI suite
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, SUITE_START } from './util';

const SUITE_TIMEOUT_MS = 300_000;

interface Results {
  passed: number;
  failed: number;
  failures: { test: string; error: string }[];
}

async function main(): Promise<number> {
  const server = required('E2E_SERVER');
  const workspace = required('E2E_WORKSPACE');
  const extension = required('E2E_EXTENSION');
  const testsEntry = required('E2E_TESTS');
  const resultsFile = required('E2E_RESULTS');
  const artifacts = required('E2E_ARTIFACTS');
  const logs = process.env.E2E_LOGS ?? artifacts;
  fs.mkdirSync(artifacts, { recursive: true });
  fs.mkdirSync(logs, { recursive: true });
  fs.rmSync(resultsFile, { force: true });
  const consoleLog = fs.createWriteStream(path.join(logs, 'host-browser-console.log'));

  const authority = new URL(server).host;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${extension}`],
    ['extensionTestsPath', `vscode-remote://${authority}${testsEntry}`],
    ['skipWelcome', 'true'],
  ];
  const url = `${server}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  let exitCode: number | undefined;
  let problem = '';
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e.message}\n`));
    // The workbench's own log and the extension host's console (mocha's reporter) arrive here as
    // console-style arguments (format string first). Only errors and what follows the suite's first
    // line are echoed; everything goes to the log file.
    let suiteStarted = false;
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      consoleLog.write(`[automation:${type}] ${line}\n`);
      suiteStarted ||= line.includes(SUITE_START);
      if (suiteStarted || type === 'error') console.log(`  ${line}`);
    });
    let resolveExit: (code: number) => void = () => {};
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    console.log(`extension-host: running the suite in ${server} (extension ${extension})`);
    consoleLog.write(`[runner] opening ${url}\n`);
    await page.goto(url);
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), SUITE_TIMEOUT_MS).unref());
    exitCode = await Promise.race([exited, timeout]);
    if (exitCode === undefined) problem = `the suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s`;
    if (exitCode !== 0 || problem) {
      const file = path.join(artifacts, 'host-failure.png');
      await page.screenshot({ path: file }).then(
        () => console.log(`  screenshot: ${file}`),
        (e) => console.log(`  no screenshot: ${e}`),
      );
    }
  } catch (e) {
    problem = `the suite could not run: ${(e as Error).stack ?? e}`;
  } finally {
    await browser.close();
    consoleLog.end();
  }

  let results: Results = { passed: 0, failed: 0, failures: [] };
  if (fs.existsSync(resultsFile)) {
    results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Results;
  } else if (!problem) {
    problem = `the suite wrote no results (exit code ${exitCode}); see ${path.join(logs, 'host-browser-console.log')}`;
  }
  for (const f of results.failures) console.log(`  FAILED ${f.test}\n    ${f.error.split('\n').join('\n    ')}`);
  if (problem) {
    console.log(`  ${problem}`);
    results.failed = Math.max(results.failed, 1);
  }
  const summary = `extension-host: ${results.passed} passed, ${results.failed} failed`;
  console.log(summary);
  if (process.env.E2E_SUMMARY) fs.writeFileSync(process.env.E2E_SUMMARY, `${summary}\n`);
  return results.failed || !results.passed || exitCode !== 0 ? 1 : 0;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
