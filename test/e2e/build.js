// Bundles the end-to-end test programs into .e2e/build (gitignored):
//   ui.js              Playwright UI suite against a code-server with the packaged extension
//   host-runner.js     Playwright driver that runs the extension-host suite inside code-server
//   host/index.js      the extension-host suite (mocha, real `vscode` API); exports run()
//   electron-runner.js the same suite under @vscode/test-electron (needs to download VS Code)
// Packages stay external and are required from the repo's node_modules at run time.
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..', '..');
const outdir = path.join(root, '.e2e', 'build');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
  external: ['vscode', 'mocha', 'playwright-core', '@vscode/test-electron'],
};

const entries = {
  'ui.js': 'test/e2e/ui/main.ts',
  'host-runner.js': 'test/e2e/host-runner.ts',
  'host/index.js': 'test/e2e/host/index.ts',
  'electron-runner.js': 'test/e2e/electron-runner.ts',
};

Promise.all(
  Object.entries(entries).map(([out, entry]) =>
    esbuild.build({ ...common, entryPoints: [path.join(root, entry)], outfile: path.join(outdir, out) }),
  ),
).catch((e) => {
  console.error(e);
  process.exit(1);
});
