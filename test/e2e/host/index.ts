// Entry point of the extension-host suite: VS Code (code-server via the workbench URL's payload, or
// @vscode/test-electron via --extensionTestsPath) requires this file in the extension host and awaits
// run(); a rejection means failure. Mocha is required from the repo's node_modules at run time.
//
// If CONSENSUS_E2E_RESULTS names a file, the counts are written there as JSON ({ passed, failed,
// failures }) for the driver that prints the summary line. CONSENSUS_E2E_GREP runs only the tests whose
// full title contains it.
import * as fs from 'node:fs';
import Mocha from 'mocha';
import { SUITE_START } from '../util';
import { registerNotebookTests } from './notebook.suite';

export async function run(): Promise<void> {
  console.log(SUITE_START);
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
  // Only the tests whose full title contains this text (E2E_HOST_GREP of scripts/e2e.sh).
  if (process.env.CONSENSUS_E2E_GREP) mocha.grep(process.env.CONSENSUS_E2E_GREP);
  // The suites are bundled into this file, so give them mocha's globals (describe, it, ...) by hand,
  // as mocha does for each file it loads itself.
  mocha.suite.emit('pre-require', globalThis, 'extension-host-suite', mocha);
  registerNotebookTests();

  const failures: { test: string; error: string }[] = [];
  const stats = await new Promise<Mocha.Stats>((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats ?? ({ passes: 0, failures: 1 } as Mocha.Stats)));
    runner.on('fail', (test, err: Error) => failures.push({ test: test.fullTitle(), error: String(err?.stack ?? err) }));
  });
  const result = { passed: stats.passes, failed: stats.failures, failures };
  const file = process.env.CONSENSUS_E2E_RESULTS;
  if (file) fs.writeFileSync(file, JSON.stringify(result, null, 2));
  if (result.failed || !result.passed) {
    throw new Error(`${result.failed} extension-host test(s) failed`);
  }
}
