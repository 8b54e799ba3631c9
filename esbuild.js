// Builds the three bundles of DESIGN.md (extension, renderer, CLI) plus the benchmark runner.
// Type-checking is separate: `npm run typecheck` (tsc --noEmit).
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
  targets.length = 0;
  targets.push({
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

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
