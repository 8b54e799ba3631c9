// The headless CLI: a thin adapter from the command line to lang/ and views/.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { codeFrame } from '../lang/diagnostics';
import { runForExport } from '../lang/export';
import type { ExecOptions } from '../lang/interpreter';
import { parseNotebook } from '../lang/notebook';
import { parseCell } from '../lang/parser';
import { DEFAULT_EXEC, Session } from '../lang/session';
import { notebookMarkdown } from '../views/markdown';
import { buildPayload } from '../views/payload';

const USAGE = `consensus-notebook — run .consensus notebooks headless

Usage:
  consensus-notebook run FILE… [--seed N] [--json]   run every cell; exit 0 only if every expectation held
  consensus-notebook check FILE…                     parse every cell and report errors (no run)
  consensus-notebook export FILE… --format md|mmd [--out DIR]
                                                     write Markdown (prose + mermaid blocks, renders on
                                                     GitHub) or one Mermaid file per cell and view
  consensus-notebook --help
`;

const MAX_FILE_BYTES = 5 * 1024 * 1024;

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  const files = rest.filter((a) => !a.startsWith('--'));
  const json = rest.includes('--json');
  const seedAt = rest.indexOf('--seed');
  const seed = seedAt >= 0 ? Number(rest[seedAt + 1]) : undefined;
  if (seedAt >= 0) files.splice(files.indexOf(rest[seedAt + 1]!), 1);
  if (command !== 'run' && command !== 'check' && command !== 'export') {
    process.stderr.write(`Unknown command \`${command}\`. Commands: run, check, export. (\`explore\` is not built yet.)\n`);
    return 2;
  }
  const format = flag(rest, '--format') ?? 'md';
  const outDir = flag(rest, '--out') ?? '.';
  for (const name of ['--format', '--out']) {
    const at = rest.indexOf(name);
    if (at >= 0) files.splice(files.indexOf(rest[at + 1]!), 1);
  }
  if (command === 'export' && format !== 'md' && format !== 'mmd') {
    process.stderr.write(
      format === 'svg' || format === 'png'
        ? `--format ${format} is not built yet (it needs a browser to draw Mermaid); use --format md, which GitHub renders, or --format mmd.\n`
        : `Unknown format \`${format}\`; use md or mmd.\n`,
    );
    return 2;
  }
  if (files.length === 0) {
    process.stderr.write(`\`${command}\` needs at least one .consensus file.\n`);
    return 2;
  }
  let failed = false;
  const results: unknown[] = [];
  for (const file of files) {
    const text = readNotebook(file);
    if (text === null) {
      failed = true;
      continue;
    }
    const notebook = parseNotebook(text);
    const cells = notebook.filter((c) => c.kind === 'code').map((c) => c.text);
    if (command === 'export') {
      const stem = basename(file).replace(/\.consensus$/, '');
      mkdirSync(outDir, { recursive: true });
      const exported = runForExport(notebook, new Session(execOptions(seed)));
      if (format === 'md') {
        const out = join(outDir, `${stem}.md`);
        writeFileSync(out, notebookMarkdown(exported));
        process.stdout.write(`wrote ${out}\n`);
      } else {
        let k = 0;
        for (const c of exported) {
          if (c.kind !== 'code') continue;
          k++;
          if (c.payload === null) continue;
          for (const [view, source] of Object.entries(c.payload.mermaid)) {
            const out = join(outDir, `${stem}.cell${k}.${view}.mmd`);
            writeFileSync(out, `${source}\n`);
            process.stdout.write(`wrote ${out}\n`);
          }
        }
      }
      if (exported.some((c) => c.kind === 'code' && (c.error !== null || (c.payload !== null && !c.payload.ok)))) failed = true;
      continue;
    }
    if (command === 'check') {
      cells.forEach((cell, i) => {
        for (const d of parseCell(cell).diagnostics) {
          failed = true;
          process.stdout.write(`${file}: cell ${i + 1}: ${codeFrame(cell, d)}\n`);
        }
      });
      continue;
    }
    const session = new Session(execOptions(seed));
    const runs = cells.length > 0 ? session.runUpTo(cells, cells.length - 1) : [];
    runs.forEach((run, i) => {
      const cell = cells[i]!;
      if (!run.ok) failed = true;
      const payload = run.diagnostics.length === 0 ? buildPayload(run) : null;
      results.push({ file, cell: i + 1, ok: run.ok, verdict: payload?.verdict ?? null, diagnostics: run.diagnostics, failures: payload?.failures ?? [], messages: run.messages });
      if (json) return;
      process.stdout.write(`${run.ok ? '✓' : '✗'} ${file} cell ${i + 1}: ${payload?.verdict ?? 'error'}\n`);
      for (const d of run.diagnostics) process.stdout.write(indent(codeFrame(cell, d)));
      for (const f of run.failures) process.stdout.write(indent(codeFrame(cell, { severity: 'error', message: f.message, span: f.span })));
      for (const m of run.messages) process.stdout.write(`    ${m}\n`);
    });
  }
  if (json) process.stdout.write(`${JSON.stringify({ ok: !failed, cells: results }, null, 2)}\n`);
  return failed ? 1 : 0;
}

function execOptions(seed: number | undefined): ExecOptions {
  return { ...DEFAULT_EXEC, ...(seed !== undefined && Number.isFinite(seed) ? { defaultSeed: seed } : {}) };
}

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function readNotebook(file: string): string | null {
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new Error('is a directory; name the .consensus files inside it');
    if (st.size > MAX_FILE_BYTES) throw new Error(`is ${st.size} bytes; notebooks are at most ${MAX_FILE_BYTES} bytes`);
    const bytes = readFileSync(file);
    if (bytes.includes(0)) throw new Error('is a binary file, not a .consensus notebook');
    return bytes.toString('utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'does not exist' : err.message;
    process.stderr.write(`${file}: ${why}\n`);
    return null;
  }
}

function indent(text: string): string {
  return `${text.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
}

process.exitCode = main(process.argv.slice(2));
