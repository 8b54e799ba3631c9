// The headless CLI: a thin adapter from the command line to lang/ and views/. Errors are one clear
// line (plus a code frame for cell errors), never a stack trace unless --debug.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { codeFrame } from '../lang/diagnostics';
import { cellEnded } from '../lang/directives';
import { runForExport } from '../lang/export';
import type { ExecOptions } from '../lang/interpreter';
import { parseNotebook } from '../lang/notebook';
import { parseCell } from '../lang/parser';
import { DEFAULT_EXEC, Session } from '../lang/session';
import { notebookMarkdown } from '../views/markdown';
import { buildPayload } from '../views/payload';
import { findChrome, openDrawer } from './images';
import { type ExploreShardReport, type WorkerJob, exploreShard, exploreShards, merge } from './explore';
import { exploreFoundText, exploreHeldText } from '../lang/explore';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

/** The commands (each has its --help text below). */
const COMMANDS: readonly string[] = ['run', 'check', 'export', 'explore', 'merge'];

const HELP: Record<string, string> = {
  main: `consensus-notebook — run .consensus notebooks headless, check them, export their diagrams, explore them for failures

Usage:
  consensus-notebook run FILE… [--seed N] [--json]
  consensus-notebook check FILE…
  consensus-notebook export FILE… [--format md|mmd|svg|png] [--out DIR] [--theme default|dark]
  consensus-notebook explore FILE [--explore K] [--seeds N] [--shard K/N] [--workers W] [--json]
  consensus-notebook merge REPORT.json…
  consensus-notebook COMMAND --help

Exit codes: 0 all expectations held, 1 a cell failed (error, failed expectation, broken invariant),
2 bad usage or unreadable input.
`,
  run: `consensus-notebook run FILE… [--seed N] [--json]

Runs every cell of each notebook in order and prints each cell's verdict, its failed expectations with
a code frame, and its notes. Exit code 0 only if every cell ran as meant: every expectation held, and a
cell whose first line is \`# expect-error: TEXT\` (a demonstration of a failure) failed with TEXT.
  --seed N   the seed for cells whose \`cluster\` line names none (default 1)
  --json     one JSON object on stdout: { ok, files: [{ file, ok, cells: [{ cell, ok, verdict,
             leader, term, diagnostics, failures, messages }] }] }
`,
  check: `consensus-notebook check FILE…

Parses every cell (nothing runs) and prints each syntax error with a code frame; exit code 1 if any.
For pre-commit hooks.
`,
  export: `consensus-notebook export FILE… [--format md|mmd|svg|png] [--out DIR] [--theme default|dark]

Runs each notebook and writes its diagrams to DIR (default: the current folder):
  md    one Markdown file per notebook: prose, cells, verdicts and \`\`\`mermaid blocks (GitHub renders it)
  mmd   one Mermaid source file per cell and view
  svg   one SVG per cell and view, drawn by Mermaid in a headless Chromium exactly as the notebook
        draws it (needs Chromium: set CHROME_PATH or put chromium on PATH)
  png   likewise, as PNG images
The output is deterministic: the same notebook gives the same bytes.
`,
  explore: `consensus-notebook explore FILE [--explore K] [--seeds N] [--shard K/N] [--workers W] [--json]

Runs the notebook's K-th \`explore\` line (default the first) as its cell would, from where the cells
above it leave the cluster, and prints what it found: the lowest-numbered run that broke an invariant
or linearizability, shrunk, as lines to paste into a cell. Exit code 1 when it found one.
  --seeds N     how many runs in all (default: the line's \`seeds=\`)
  --shard K/N   play only shard K of N: the runs r with (r - 1) mod N = K - 1, so N machines (a CI
                matrix, indexed batch jobs) share the runs; \`merge\` combines their --json reports
  --workers W   spread the runs over W worker threads (default 1)
  --json        print the report as JSON (what \`merge\` reads)
Runs are independent and each follows from the cluster's seed and its number, so the finding is the
same however the runs are spread: in the notebook, on W workers, or in N shards merged.
`,
  merge: `consensus-notebook merge REPORT.json…

Combines the --json reports of the shards of one exploration (\`explore --shard K/N --json\`): the runs
add up and the lowest-numbered finding wins. Prints the result as \`explore\` does (with --json, as JSON);
exit code 1 when a shard found something.
`,
};

const MAX_FILE_BYTES = 5 * 1024 * 1024;

class UsageError extends Error {}

interface Args {
  command: string;
  files: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['--seed', '--format', '--out', '--theme', '--explore', '--seeds', '--shard', '--workers']);
const BOOL_FLAGS = new Set(['--json', '--help', '-h', '--debug']);

function parseArgs(argv: string[]): Args {
  const [command = '', ...rest] = argv;
  const files: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (VALUE_FLAGS.has(a)) {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value.`);
      flags.set(a, v);
    } else if (BOOL_FLAGS.has(a)) flags.set(a, true);
    else if (a.startsWith('-')) throw new UsageError(`Unknown option ${a}. See \`consensus-notebook ${command} --help\`.`);
    else files.push(a);
  }
  return { command, files, flags };
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(HELP.main!);
    return argv.length === 0 ? 2 : 0;
  }
  const args = parseArgs(argv);
  // Only the commands' own keys: `main` is the overview's, and `toString` is no command at all.
  const help = COMMANDS.includes(args.command) ? HELP[args.command] : undefined;
  if (help === undefined) throw new UsageError(`Unknown command \`${args.command}\`. Commands: ${COMMANDS.join(', ')}.`);
  if (args.flags.has('--help') || args.flags.has('-h')) {
    process.stdout.write(help);
    return 0;
  }
  if (args.command === 'merge') return mergeReports(args);
  if (args.files.length === 0) throw new UsageError(`\`${args.command}\` needs at least one .consensus file.`);
  const seedText = args.flags.get('--seed');
  let seed: number | undefined;
  if (typeof seedText === 'string') {
    if (!/^\d+$/.test(seedText)) throw new UsageError(`--seed needs a whole number, found \`${seedText}\`.`);
    seed = Number(seedText) >>> 0;
  }
  const exec: ExecOptions = { ...DEFAULT_EXEC, ...(seed !== undefined ? { defaultSeed: seed } : {}) };
  switch (args.command) {
    case 'run':
      return run(args, exec);
    case 'check':
      return check(args);
    case 'explore':
      return exploreFile(args, exec);
    default:
      return exportFiles(args, exec);
  }
}

function run(args: Args, exec: ExecOptions): number {
  const json = args.flags.has('--json');
  let failed = false;
  const files: unknown[] = [];
  for (const file of args.files) {
    const text = readNotebook(file);
    if (text === null) {
      failed = true;
      files.push({ file, ok: false, error: 'unreadable', cells: [] });
      continue;
    }
    const cells = parseNotebook(text).filter((c) => c.kind === 'code').map((c) => c.text);
    const runs = cells.length > 0 ? new Session(exec).runUpTo(cells, cells.length - 1) : [];
    const results = runs.map((r, i) => {
      const cell = cells[i]!;
      const payload = r.diagnostics.length === 0 ? buildPayload(r, { mode: 'export' }) : null;
      // A cell that demonstrates a failure says so on its first line (`# expect-error: TEXT`).
      const problems = [...r.diagnostics, ...r.failures].map((x) => x.message);
      const { ok, expected, miss } = cellEnded(cell, r.ok, problems);
      if (!json) {
        const summary = expected !== null && ok ? `failed as expected (${expected})` : (payload?.verdict ?? 'error');
        process.stdout.write(`${ok ? '✓' : '✗'} ${file} cell ${i + 1}: ${summary}\n`);
        if (miss !== null) process.stdout.write(`    ${miss}\n`);
        if (!(expected !== null && ok)) {
          for (const d of r.diagnostics) process.stdout.write(indent(codeFrame(cell, d)));
          for (const f of r.failures) process.stdout.write(indent(codeFrame(cell, { severity: 'error', message: f.message, span: f.span })));
        }
        for (const m of r.messages) process.stdout.write(`    ${m}\n`);
      }
      return {
        cell: i + 1,
        ok,
        verdict: payload?.verdict ?? null,
        leader: payload?.leader ?? null,
        term: payload?.term ?? null,
        diagnostics: r.diagnostics.map((d) => ({ line: d.span.line, column: d.span.column, message: d.message })),
        failures: r.failures.map((f) => ({ line: f.span.line, column: f.span.column, message: f.message })),
        messages: r.messages,
      };
    });
    const ok = results.every((r) => r.ok);
    if (!ok) failed = true;
    files.push({ file, ok, cells: results });
  }
  if (json) process.stdout.write(`${JSON.stringify({ ok: !failed, files }, null, 2)}\n`);
  return failed ? 1 : 0;
}

function check(args: Args): number {
  let failed = false;
  for (const file of args.files) {
    const text = readNotebook(file);
    if (text === null) {
      failed = true;
      continue;
    }
    const cells = parseNotebook(text).filter((c) => c.kind === 'code');
    let errors = 0;
    cells.forEach((cell, i) => {
      for (const d of parseCell(cell.text).diagnostics) {
        errors++;
        process.stdout.write(`${file}: cell ${i + 1}: ${codeFrame(cell.text, d)}\n`);
      }
    });
    if (errors > 0) failed = true;
    else process.stdout.write(`✓ ${file}: ${cells.length} cell(s), no errors\n`);
  }
  return failed ? 1 : 0;
}

async function exportFiles(args: Args, exec: ExecOptions): Promise<number> {
  const format = args.flags.get('--format') ?? 'md';
  const outDir = (args.flags.get('--out') as string | undefined) ?? '.';
  const theme = args.flags.get('--theme') ?? 'default';
  if (format !== 'md' && format !== 'mmd' && format !== 'svg' && format !== 'png') throw new UsageError(`Unknown format \`${String(format)}\`; use md, mmd, svg or png.`);
  if (theme !== 'default' && theme !== 'dark') throw new UsageError(`Unknown theme \`${String(theme)}\`; use default or dark.`);
  let drawer: Awaited<ReturnType<typeof openDrawer>> | null = null;
  if (format === 'svg' || format === 'png') {
    const chrome = findChrome();
    if (chrome === null) {
      throw new UsageError(
        `--format ${format} needs Chromium to draw Mermaid, and none was found${process.env.CHROME_PATH ? ` at CHROME_PATH=${process.env.CHROME_PATH}` : ' (set CHROME_PATH or put chromium on PATH)'}. --format md needs no browser: GitHub renders its diagrams.`,
      );
    }
    drawer = await openDrawer(chrome, join(__dirname, 'mermaid-export.js'), theme);
  }
  let failed = false;
  try {
    mkdirSync(outDir, { recursive: true });
    for (const file of args.files) {
      const text = readNotebook(file);
      if (text === null) {
        failed = true;
        continue;
      }
      const stem = basename(file).replace(/\.consensus$/, '');
      const exported = runForExport(parseNotebook(text), new Session(exec), stem);
      if (exported.some((c) => c.kind === 'code' && !c.ok)) failed = true;
      if (format === 'md') {
        write(join(outDir, `${stem}.md`), notebookMarkdown(exported));
        continue;
      }
      let k = 0;
      for (const c of exported) {
        if (c.kind !== 'code') continue;
        k++;
        if (c.payload === null) continue;
        for (const [view, source] of Object.entries(c.payload.mermaid)) {
          if (!source) continue;
          const base = join(outDir, `${stem}.cell${k}.${view}`);
          if (format === 'mmd') write(`${base}.mmd`, `${source}\n`);
          else {
            const svg = await drawer!.svg(`${stem}-cell${k}-${view}`.replace(/[^\w-]/g, '_'), source);
            if (format === 'svg') write(`${base}.svg`, `${svg}\n`);
            else write(`${base}.png`, await drawer!.png(svg));
          }
        }
      }
    }
  } finally {
    await drawer?.close();
  }
  return failed ? 1 : 0;
}

function write(path: string, data: string | Buffer): void {
  writeFileSync(path, data);
  process.stdout.write(`wrote ${path}\n`);
}

function readNotebook(file: string): string | null {
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new Error('is a directory; name the .consensus files inside it');
    if (st.size > MAX_FILE_BYTES) throw new Error(`is ${(st.size / 1024 / 1024).toFixed(1)} MB; a notebook is at most ${MAX_FILE_BYTES / 1024 / 1024} MB`);
    const bytes = readFileSync(file);
    if (bytes.includes(0)) throw new Error('is a binary file, not a .consensus notebook');
    return bytes.toString('utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}\n`);
    return null;
  }
}

// --- explore and merge

function wholeFlag(args: Args, flag: string, min: number, max: number): number | null {
  const v = args.flags.get(flag);
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`${flag} needs a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, found \`${String(v)}\`.`);
  }
  return Number(v);
}

async function exploreFile(args: Args, exec: ExecOptions): Promise<number> {
  if (args.files.length !== 1) throw new UsageError('`explore` takes one .consensus file.');
  const file = args.files[0]!;
  const which = wholeFlag(args, '--explore', 1, 1_000) ?? 1;
  const seeds = wholeFlag(args, '--seeds', 1, 10_000_000);
  const workers = wholeFlag(args, '--workers', 1, 64) ?? 1;
  const shardText = args.flags.get('--shard');
  let shard = { index: 0, count: 1 };
  if (shardText !== undefined) {
    const m = typeof shardText === 'string' ? /^(\d+)\/(\d+)$/.exec(shardText) : null;
    if (m === null || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]) || Number(m[2]) > 100_000) {
      throw new UsageError(`--shard needs K/N with 1 ≤ K ≤ N (such as 2/8), found \`${String(shardText)}\`.`);
    }
    shard = { index: Number(m[1]) - 1, count: Number(m[2]) };
  }
  const text = readNotebook(file);
  if (text === null) return 2;
  const report = await exploreShards({ text, file, which, seeds, exec }, shard.index, shard.count, workers, __filename);
  return printExplore(report, args.flags.has('--json'));
}

function mergeReports(args: Args): number {
  if (args.files.length === 0) throw new UsageError('`merge` needs the --json reports of `explore --shard K/N`.');
  const reports = args.files.map((file) => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ExploreShardReport;
    } catch (e) {
      throw new UsageError(`${file}: not an explore report (${e instanceof Error ? e.message : String(e)}).`);
    }
  });
  return printExplore(merge(reports), args.flags.has('--json'));
}

function printExplore(r: ExploreShardReport, json: boolean): number {
  if (json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else {
    const where = `${r.file} (explore line ${r.explore}, shard${r.shards.length === 1 ? '' : 's'} ${r.shards.join(', ')})`;
    const text =
      r.finding !== null
        ? exploreFoundText(r.finding, r.params).replace('run them as a cell right below this one', 'run them as a cell right below the `explore` line')
        : r.stopped === 'budget'
          ? `explore: a run spent the event budget (${r.runs} runs played); ask for less: fewer operations, or a shorter duration.`
          : exploreHeldText(r.runs, r.params, r.protocol);
    process.stdout.write(`${r.finding === null && r.stopped === null ? '✓' : '✗'} ${where}: ${text}\n`);
  }
  return r.finding !== null || r.stopped !== null ? 1 : 0;
}

function indent(text: string): string {
  return `${text.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
}

// An explore worker thread (`explore --workers W`) runs its shard and reports it; the main thread runs the CLI.
if (!isMainThread && (workerData as WorkerJob | undefined)?.kind === 'explore') parentPort!.postMessage(exploreShard(workerData as WorkerJob));
else runCli();

function runCli(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (e instanceof UsageError) {
        process.stderr.write(`consensus-notebook: ${e.message}\n`);
        process.exitCode = 2;
        return;
      }
      const debug = process.argv.includes('--debug');
      process.stderr.write(`consensus-notebook: ${e instanceof Error ? e.message : String(e)}${debug ? `\n${e instanceof Error ? e.stack : ''}` : ' (run with --debug for details)'}\n`);
      process.exitCode = 1;
    },
  );
}
