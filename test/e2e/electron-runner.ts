// Runs the extension-host suite (host/index.ts) in a desktop VS Code with @vscode/test-electron, for
// machines that can download VS Code from Microsoft (this one cannot: scripts/e2e.sh runs the same
// suite in code-server instead). `npm run test:electron` builds the bundles and starts this:
//   npm run build && node test/e2e/build.js && node .e2e/build/electron-runner.js
// Environment: VSCODE_TEST_VERSION (default 1.100.3, the VS Code inside code-server 4.100.3).
// On Linux without a display, run it under xvfb-run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '..', '..');
  const e2e = path.join(root, '.e2e');
  fs.mkdirSync(e2e, { recursive: true });
  for (const old of fs.readdirSync(e2e).filter((name) => name.startsWith('electron-'))) {
    fs.rmSync(path.join(e2e, old), { recursive: true, force: true });
  }
  const run = path.join(e2e, `electron-${Date.now()}`);
  const workspace = path.join(run, 'workspace');
  const results = path.join(run, 'results.json');
  // The workspace is a scratch copy of samples/ plus the fixtures, as in scripts/e2e.sh.
  fs.cpSync(path.join(root, 'samples'), workspace, { recursive: true });
  const fixtures = path.join(root, 'test', 'e2e', 'fixtures');
  for (const name of fs.readdirSync(fixtures)) fs.copyFileSync(path.join(fixtures, name), path.join(workspace, name));
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) {
    console.error('dist/extension.js is missing: run `npm run build` first');
    return 1;
  }
  const version = process.env.VSCODE_TEST_VERSION ?? '1.100.3';

  let code: number;
  try {
    code = await runTests({
      version,
      cachePath: path.join(e2e, 'vscode-test'),
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(e2e, 'build', 'host', 'index.js'),
      extensionTestsEnv: { CONSENSUS_E2E_RESULTS: results },
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir',
        path.join(run, 'user-data'),
      ],
    });
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (!fs.existsSync(results)) {
      console.error(
        `@vscode/test-electron could not download or start VS Code ${version}: ${message}\n` +
          'This needs access to update.code.visualstudio.com (and a display: xvfb-run on a headless Linux).\n' +
          'Without them, run the same suite in code-server: npm run test:e2e',
      );
      console.log('extension-host (electron): 0 passed, 1 failed');
      return 1;
    }
    code = 1;
  }
  if (fs.existsSync(results)) {
    const r = JSON.parse(fs.readFileSync(results, 'utf8')) as { passed: number; failed: number };
    console.log(`extension-host (electron): ${r.passed} passed, ${r.failed} failed`);
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
