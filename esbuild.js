// Builds the bundles of DESIGN.md (the extension's Node and web entries, the renderer, the CLI) plus the
// benchmark runner. Type-checking is separate: `npm run typecheck` (tsc --noEmit).
// `require('./esbuild.js')` builds nothing and exports the web entry's options (the benchmark measures it).
const path = require('node:path');
const esbuild = require('esbuild');
const { mermaidPatches } = require('./scripts/mermaid-patches');

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

/**
 * The web entry's Web Worker (src/extension/runner.webworker.ts), bundled for the browser and imported by
 * the web entry as text from `consensus-notebook:web-runner-source` (it starts the worker from a blob:
 * URL). Minified when the entry is.
 */
function webRunnerSource() {
  return {
    name: 'web-runner-source',
    setup(build) {
      build.onResolve({ filter: /^consensus-notebook:web-runner-source$/ }, (args) => ({ path: args.path, namespace: 'web-runner-source' }));
      build.onLoad({ filter: /.*/, namespace: 'web-runner-source' }, async () => {
        const result = await esbuild.build({
          entryPoints: [path.join(__dirname, 'src/extension/runner.webworker.ts')],
          bundle: true,
          write: false,
          metafile: true,
          platform: 'browser',
          format: 'iife',
          target: 'es2022',
          minify: !!build.initialOptions.minify,
          legalComments: 'none',
          logLevel: 'silent',
          absWorkingDir: __dirname,
        });
        return {
          contents: result.outputFiles[0].text,
          loader: 'text',
          watchFiles: Object.keys(result.metafile.inputs).map((f) => path.resolve(__dirname, f)),
        };
      });
    },
  };
}

/**
 * The web entry (package.json `browser`): VS Code's web worker extension host loads one CommonJS file and
 * gives it only `vscode`; platform 'browser' makes any Node built-in a build error.
 */
function webExtensionOptions(overrides = {}) {
  return {
    bundle: true,
    legalComments: 'none',
    entryPoints: [path.join(__dirname, 'src/extension/extension.web.ts')],
    outfile: path.join(__dirname, 'dist/web/extension.js'),
    platform: 'browser',
    format: 'cjs',
    target: 'es2022',
    external: ['vscode'],
    absWorkingDir: __dirname,
    plugins: [webRunnerSource()],
    ...overrides,
  };
}

const targets = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: ['src/extension/runner.worker.ts'],
    outfile: 'dist/runner.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  webExtensionOptions({ sourcemap: common.sourcemap, minify: production, logLevel: 'info' }),
  {
    ...common,
    entryPoints: ['src/renderer/index.ts'],
    outfile: 'dist/renderer.js',
    plugins: [mermaidPatches],
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
  },
  {
    ...common,
    entryPoints: ['src/renderer/exportPage.ts'],
    outfile: 'dist/mermaid-export.js',
    plugins: [mermaidPatches],
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: false,
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    external: ['playwright-core'],
  },
];

if (args.has('--bench')) {
  // The bench, and the CLI it runs to time exploring on worker threads (explore.speedup2workers).
  const cli = targets.find((t) => t.outfile === 'dist/cli.js');
  targets.length = 0;
  targets.push(cli, {
    ...common,
    sourcemap: false,
    entryPoints: ['src/bench/main.ts'],
    outfile: 'dist/bench.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
}

async function main() {
  if (watch) {
    for (const t of targets) (await esbuild.context(t)).watch();
    return;
  }
  await Promise.all(targets.map((t) => esbuild.build(t)));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

module.exports = { webExtensionOptions };
