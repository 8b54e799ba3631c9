// `npm run bench`: the speed and memory figures of DESIGN.md, each a median over repeated runs; where a
// figure is a comparison, both sides are measured in the same run. `--json` prints one JSON object
// whose keys are the figure names (never renamed; new ones are added).

import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkLinearizable, clientHistory } from '../engine/check/linearizable';
import { defaultClusterOptions } from '../engine/config';
import { chance, prngCreate, randInt } from '../engine/prng';
import { queueCreate, queuePeekAt, queuePop, queuePush } from '../engine/queue';
import { Simulation, worldCreate } from '../engine/sim';
import { TraceLog } from '../engine/tracelog';
import { parseCell } from '../lang/parser';
import { Session } from '../lang/session';
import { logGrid, sequenceDiagram, stateDiagram, topologyDiagram, verdict } from '../views/index';

type Figures = Record<string, number>;

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
const REPEATS = quick ? 3 : 7;
/** Discarded runs of the engine before the measured ones (the JIT's warm-up). */
const WARMUP = quick ? 1 : 4;
/** The steady Raft load (`engine.raft5.*`, and `--load`): virtual time of one run, and client operations per second. */
const RUN_US = quick ? 20_000_000 : 120_000_000;
const OPS_PER_SEC = 100;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeMs(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

/** Queue + PRNG with empty handlers: every event schedules one more at a random future time. */
function bareLoop(events: number): number {
  const rng = prngCreate(7);
  const q = queueCreate<{ node: number }>();
  for (let i = 0; i < 16; i++) queuePush(q, randInt(rng, 0, 10_000), { node: i % 5 });
  let n = 0;
  const ms = timeMs(() => {
    while (n < events) {
      const at = queuePeekAt(q);
      const e = queuePop(q)!;
      n++;
      // What a handler minimally does: draw a latency, maybe lose the message, schedule a successor.
      if (!chance(rng, 0)) queuePush(q, at + randInt(rng, 2_000, 10_000), { node: (e.node + 1) % 5 });
    }
  });
  return (events / ms) * 1000;
}

/**
 * 5-node Raft under steady client load (`opsPerSec`, spread over 8 clients), all invariants on.
 * Returns events processed, wall milliseconds and the trace.
 */
function raftLoad(simUs: number, opsPerSec: number, seed: number, keepTrace: boolean): { events: number; ms: number; trace: TraceLog } {
  const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
  const world = worldCreate(defaultClusterOptions(nodes, seed));
  const trace = new TraceLog();
  const sim = new Simulation(world, trace);
  const clients = Array.from({ length: 8 }, (_, i) => `c${i + 1}`);
  const gapUs = Math.round(1_000_000 / opsPerSec);
  let op = 0;
  const ms = timeMs(() => {
    sim.start();
    for (let t = gapUs; t <= simUs; t += gapUs) {
      sim.run(t, Number.MAX_SAFE_INTEGER);
      const c = clients[op % clients.length]!;
      if (sim.clientDone(c)) {
        const key = `k${op % 10}`;
        const value = String(op);
        sim.submit(c, (seq) => ({ op: 'put', key, value, client: c, seq }), null);
      }
      op++;
      if (!keepTrace && trace.length > 100_000) trace.clear();
    }
  });
  return { events: world.events, ms, trace };
}

/** The trace of `ops` client operations, `clients` of them at once, on `keys` keys (a seeded mix of put, get and cas). */
function linHistoryTrace(ops: number, clients: number, keys: number): TraceLog {
  const world = worldCreate(defaultClusterOptions(['n1', 'n2', 'n3', 'n4', 'n5'], 5));
  const trace = new TraceLog();
  const sim = new Simulation(world, trace);
  const rng = prngCreate(11);
  const names = Array.from({ length: clients }, (_, i) => `c${i + 1}`);
  sim.start();
  sim.run(1_000_000, Number.MAX_SAFE_INTEGER);
  let submitted = 0;
  for (let t = 1_000_000; ; t += 1_000) {
    for (const c of names) {
      if (submitted === ops || !sim.clientDone(c)) continue;
      const key = `k${randInt(rng, 0, keys - 1)}`;
      const kind = randInt(rng, 0, 2);
      const v = String(randInt(rng, 0, 4));
      sim.submit(c, (seq) => (kind === 0 ? { op: 'put', key, value: v, client: c, seq } : kind === 1 ? { op: 'get', key, client: c, seq } : { op: 'cas', key, expect: v, value: String(randInt(rng, 0, 4)), client: c, seq }), null);
      submitted++;
    }
    sim.run(t, Number.MAX_SAFE_INTEGER);
    if (submitted === ops && names.every((c) => sim.clientDone(c))) return trace;
    if (t > 600_000_000) throw new Error('bench: the linearizability load did not finish');
  }
}

function main(): void {
  const f: Figures = {};
  // The first run in a fresh process, before the JIT has compiled the engine: what the first run of a
  // notebook costs (the runner worker then stays up, and later runs are the steady state below).
  const cold = raftLoad(RUN_US, OPS_PER_SEC, 1, false);
  // Steady state, as throughput is measured everywhere: warm-up runs first, discarded, then the
  // measured ones, bare loop and Raft alternating so both see the same machine.
  for (let r = 0; r < WARMUP; r++) {
    bareLoop(quick ? 300_000 : 2_000_000);
    raftLoad(RUN_US, OPS_PER_SEC, 101 + r, false);
  }
  const bare: number[] = [];
  const raft: number[] = [];
  const faults: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    bare.push(bareLoop(quick ? 300_000 : 2_000_000));
    const before = process.resourceUsage().minorPageFault;
    const run = raftLoad(RUN_US, OPS_PER_SEC, 1 + r, false);
    faults.push(process.resourceUsage().minorPageFault - before);
    raft.push((run.events / run.ms) * 1000);
  }
  f['engine.bareLoop.eventsPerSec'] = Math.round(median(bare));
  f['engine.raft5.eventsPerSec'] = Math.round(median(raft));
  f['engine.raft5.ratio'] = round(f['engine.raft5.eventsPerSec']! / f['engine.bareLoop.eventsPerSec']!, 3);
  f['engine.raft5.firstRunEventsPerSec'] = Math.round((cold.events / cold.ms) * 1000);
  // Pages the process touched for the first time during a measured run. Each costs the kernel (on this
  // virtual machine, about 16 µs: docs/engine-speed.md), and the bare loop takes none.
  f['engine.raft5.pageFaultsPerRun'] = Math.round(median(faults));

  const hour: number[] = [];
  for (let r = 0; r < (quick ? 1 : 3); r++) {
    const simUs = quick ? 360_000_000 : 3_600_000_000;
    const run = raftLoad(simUs, OPS_PER_SEC, 11 + r, false);
    hour.push((run.ms / 1000) * (3_600_000_000 / simUs));
  }
  f['engine.raft5.simHourSeconds'] = round(median(hour), 2);

  // Retained bytes per trace event: what the heap and the typed arrays' buffers give back when a run's
  // trace is released (the events and everything only they keep alive: messages, entries).
  const bytes: number[] = [];
  const used = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  for (let r = 0; r < (quick ? 1 : 3); r++) {
    let trace: TraceLog | null = raftLoad(60_000_000, OPS_PER_SEC, 21 + r, true).trace;
    const n = trace.length;
    if (n === 0) throw new Error('bench: empty trace');
    gc();
    const kept = used();
    trace = null;
    gc();
    bytes.push((kept - used()) / n);
  }
  f['engine.trace.bytesPerEvent'] = Math.round(median(bytes));

  // Parser: 10,000 lines of representative commands.
  const lines = [
    'cluster raft nodes=5 seed=42 election-timeout=150ms..300ms',
    'partition {n1 n2} | {n3 n4 n5}',
    'A put x=1 via n1',
    'run until leader within 10s',
    'expect committed x=1 on majority',
    'delay n1 -> * 100ms..200ms',
    'loss n1 -> n2 50%',
    'set prevote=on check-quorum=on read=index',
    '# a comment line',
    'heal',
  ];
  const src = Array.from({ length: 10_000 }, (_, i) => lines[i % lines.length]).join('\n');
  f['lang.parse10kLines.ms'] = round(median(Array.from({ length: REPEATS }, () => timeMs(() => parseCell(src)))), 2);

  // Re-running the last of 30 cells: the 29 above come from the snapshot cache.
  const cells = ['cluster raft nodes=5 seed=3', 'run until leader'];
  for (let i = 0; i < 28; i++) cells.push(i % 2 === 0 ? `A put k${i}=v${i}` : 'run 200ms');
  const rerun: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const session = new Session();
    session.runUpTo(cells, cells.length - 1);
    const edited = cells.slice();
    edited[edited.length - 1] = 'run 300ms';
    rerun.push(timeMs(() => session.runUpTo(edited, edited.length - 1)));
  }
  f['lang.rerunLastCell30.ms'] = round(median(rerun), 2);

  // Views of a 100,000-event trace: every view, heartbeats collapsed, the diagram windowed by its caps.
  const big = raftLoad(60_000_000, 200, 31, true).trace.slice(0, 100_000);
  if (big.length < 100_000) throw new Error(`bench: the views trace has only ${big.length} events`);
  const input = { nodes: ['n1', 'n2', 'n3', 'n4', 'n5'], clients: Array.from({ length: 8 }, (_, i) => `c${i + 1}`), zones: [], events: big, from: 0 };
  f['views.mermaid100kEvents.ms'] = round(
    median(
      Array.from({ length: REPEATS }, () =>
        timeMs(() => {
          sequenceDiagram(input, { hideHeartbeats: true });
          stateDiagram(input);
          logGrid(input);
          topologyDiagram(input);
          verdict(input);
        }),
      ),
    ),
    1,
  );

  // Linearizability of a 2,000-operation history: 50 clients at once on 10 keys (puts, gets, cas) on a
  // healthy 5-node cluster; the history is taken from the trace and checked key by key.
  const lin = linHistoryTrace(2_000, 50, 10);
  f['check.lin2000ops.ms'] = round(
    median(
      Array.from({ length: REPEATS }, () =>
        timeMs(() => {
          const h = clientHistory(lin);
          if (h.length !== 2_000 || checkLinearizable(h).ok !== true) throw new Error('bench: the 2,000-operation history is not linearizable');
        }),
      ),
    ),
    2,
  );

  // Exploration: runs per minute on one core, each a random 10 s scenario (20 client operations;
  // crashes, partitions, loss) on a 5-node Raft cluster, every invariant and linearizability checked.
  const EXPLORE_RUNS = quick ? 20 : 100;
  const exploreCells = ['cluster raft nodes=5 seed=42\nrun until leader', `explore seeds=${EXPLORE_RUNS} faults=crash,partition,loss ops=20 duration=10s`];
  const exploreMs: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const session = new Session();
    session.runUpTo(exploreCells, 0);
    exploreMs.push(
      timeMs(() => {
        const run = session.runUpTo(exploreCells, 1)[1]!;
        if (!run.ok) throw new Error(`bench: explore found a failure in a correct cluster: ${run.failures[0]?.message}`);
      }),
    );
  }
  f['explore.seedsPerMinPerCore'] = Math.round((EXPLORE_RUNS / median(exploreMs)) * 60_000);
  if (!quick) {
    const speedups = exploreSpeedups(exploreCells);
    f['explore.speedup2workers'] = speedups.workers;
    f['explore.speedup2processes'] = speedups.processes;
  }

  Object.assign(f, extensionFigures());

  if (json) {
    process.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
    return;
  }
  const width = Math.max(...Object.keys(f).map((k) => k.length));
  process.stdout.write(`Consensus Notebook benchmarks (median of ${REPEATS} runs where repeated; node ${process.version})\n\n`);
  for (const [k, v] of Object.entries(f)) process.stdout.write(`${k.padEnd(width)}  ${v.toLocaleString('en-US')}\n`);
}

/**
 * Size and start-up of the extension: the production bundles the extension host loads (extension +
 * runner worker; Mermaid is only in the renderer), the web entry's bundle (its Web Worker inside), the
 * packaged .vsix when `npm run package` made one, and the time to load the bundle and run activate()
 * against a stand-in `vscode` module (our own cost; VS Code's part is measured by the E2E harness).
 */
/**
 * The same exploration (1,000 runs of the cells above) by the CLI on one worker thread, on two worker
 * threads, and as two shard processes at once (\`--shard 1/2\` and \`2/2\`: what two cores give this
 * workload on this machine, the control), interleaved, three of each. Returns the median time on one
 * over the median on two threads, and over the median of the two processes. Each CLI start (some 0.1 s)
 * is in all three.
 */
function exploreSpeedups(cells: readonly string[]): { workers: number; processes: number } {
  const root = path.resolve(__dirname, '..');
  const cli = path.join(root, 'dist', 'cli.js');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cn-bench-')), 'explore.consensus');
  fs.writeFileSync(file, cells.map((c) => `\`\`\`consensus\n${c}\n\`\`\``).join('\n\n'));
  const explore = (args: string): string => `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} explore ${JSON.stringify(file)} --seeds 1000 ${args} > /dev/null`;
  const time = (command: string): number =>
    timeMs(() => {
      const r = childProcess.spawnSync('sh', ['-c', command], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`bench: \`${command}\` failed: ${r.stderr}`);
    });
  const one: number[] = [];
  const threads: number[] = [];
  const processes: number[] = [];
  for (let r = 0; r < 3; r++) {
    one.push(time(explore('--workers 1')));
    threads.push(time(explore('--workers 2')));
    processes.push(time(`${explore('--shard 1/2')} & ${explore('--shard 2/2')} & wait`));
  }
  return { workers: round(median(one) / median(threads), 2), processes: round(median(one) / median(processes), 2) };
}

function extensionFigures(): Figures {
  const out: Figures = {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-bench-'));
  const root = path.resolve(__dirname, '..');
  const built = childProcess.spawnSync(process.execPath, ['-e', `
    require('esbuild').buildSync({ entryPoints: { extension: 'src/extension/extension.ts', runner: 'src/extension/runner.worker.ts' },
      outdir: ${JSON.stringify(dir)}, bundle: true, minify: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'silent' });`], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`bench: building the extension failed: ${built.stderr}`);
  out['ext.bundle.bytes'] = fs.statSync(path.join(dir, 'extension.js')).size + fs.statSync(path.join(dir, 'runner.js')).size;
  // The web entry (package.json `browser`), its Web Worker's script inside it: what vscode.dev loads.
  const web = path.join(dir, 'web-extension.js');
  const builtWeb = childProcess.spawnSync(process.execPath, ['-e', `
    require('esbuild').build(require('./esbuild.js').webExtensionOptions({ outfile: ${JSON.stringify(web)}, minify: true, logLevel: 'silent' }))
      .catch((e) => { console.error(e); process.exit(1); });`], { cwd: root, encoding: 'utf8' });
  if (builtWeb.status !== 0) throw new Error(`bench: building the web extension failed: ${builtWeb.stderr}`);
  out['ext.webBundle.bytes'] = fs.statSync(web).size;
  const vsix = path.join(root, 'dist', 'consensus-notebook.vsix');
  if (fs.existsSync(vsix)) out['ext.vsix.bytes'] = fs.statSync(vsix).size;
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const script = `
      const Module = require('module');
      const handler = { get: (t, p) => p === Symbol.iterator ? function* () {} : p === 'then' ? undefined : p === 'fsPath' ? '/tmp' : stub,
        apply: () => stub, construct: () => stub };
      const stub = new Proxy(function () {}, handler);
      // The module object itself: bundlers copy its own keys, so it lists every namespace it is asked for.
      const names = ['workspace', 'window', 'languages', 'notebooks', 'commands', 'env', 'Uri', 'Range', 'Diagnostic',
        'DiagnosticSeverity', 'CompletionItem', 'CompletionItemKind', 'CodeAction', 'CodeActionKind', 'Hover', 'MarkdownString',
        'WorkspaceEdit', 'NotebookCellData', 'NotebookCellKind', 'NotebookData', 'NotebookCellOutput', 'NotebookCellOutputItem',
        'NotebookControllerAffinity', 'UIKind'];
      const vscode = new Proxy({}, { get: () => stub, ownKeys: () => names,
        getOwnPropertyDescriptor: () => ({ configurable: true, enumerable: true, value: stub }) });
      const load = Module._load;
      Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
      const t0 = process.hrtime.bigint();
      const ext = require(${JSON.stringify(path.join(dir, 'extension.js'))});
      ext.activate({ subscriptions: [], extensionUri: stub });
      process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));`;
    const run = childProcess.spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`bench: activating the extension failed: ${run.stderr}`);
    times.push(Number(run.stdout));
  }
  out['ext.activation.ms'] = round(median(times), 2);
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

function round(x: number, digits: number): number {
  const p = 10 ** digits;
  return Math.round(x * p) / p;
}

/**
 * `--load=W,N`: only the steady load of `engine.raft5.*`, W discarded runs and then N, and the events of
 * those N on stdout. scripts/profile-engine.sh runs it under valgrind twice (N = 0, then N) and keeps the
 * difference: what N steady runs cost.
 */
function loadOnly(spec: string): void {
  const [warm, n] = spec.split(',').map(Number);
  if (!Number.isInteger(warm) || !Number.isInteger(n) || warm! < 0 || n! < 0) throw new Error(`bench: --load=W,N takes two counts, not ${spec}`);
  let events = 0;
  for (let r = 0; r < warm! + n!; r++) {
    const run = raftLoad(RUN_US, OPS_PER_SEC, 1 + (r % 4), false);
    if (r >= warm!) events += run.events;
  }
  process.stdout.write(`${events}\n`);
}

const load = process.argv.slice(2).find((a) => a.startsWith('--load='));
if (load !== undefined) loadOnly(load.slice('--load='.length));
else main();
