// Cell-by-cell execution (DESIGN.md principle 2): the result of cell k is a pure function of cells
// 1..k. After each cell the session keeps a snapshot keyed by the text of every cell up to it, so
// re-running cell k replays nothing above it, and editing cell j invalidates j and below only.

import type { Diagnostic } from './diagnostics';
import { type ExecOptions, type Failure, type ScenarioState, type ViewRequest, emptyScenario, execCell } from './interpreter';
import { parseCell } from './parser';
import type { TraceView } from '../engine/trace';
import { TraceLog, TraceWindow } from '../engine/tracelog';

export interface CellRun {
  /** True when the cell parsed, ran, and every expectation held. */
  ok: boolean;
  diagnostics: Diagnostic[];
  failures: Failure[];
  messages: string[];
  views: ViewRequest[];
  /** The whole trace from the start of the simulation; this cell's events are [from, events.length). */
  events: TraceView;
  from: number;
  nodes: string[];
  clients: string[];
  zones: { name: string; nodes: string[] }[];
  seed: number | null;
  timeUs: number;
  violations: number;
}

interface Snapshot {
  state: ScenarioState;
  /** The trace up to the end of this cell. */
  events: TraceWindow;
  run: CellRun;
}

export const DEFAULT_EXEC: ExecOptions = { eventBudget: 2_000_000, defaultSeed: 1 };

export class Session {
  private cache = new Map<string, Snapshot>();

  constructor(private readonly opts: ExecOptions = DEFAULT_EXEC) {}

  /** Run cell `k` (0-based) of `cells`, reusing snapshots of the cells above. Returns runs 0..k. */
  runUpTo(cells: readonly string[], k: number, isCancelled?: () => boolean): CellRun[] {
    const runs: CellRun[] = [];
    let prev: Snapshot | null = null;
    let key = '';
    const keep = new Set<string>();
    for (let i = 0; i <= k; i++) {
      key = prefixKey(key, cells[i]!);
      keep.add(key);
      const hit = this.cache.get(key);
      if (hit) {
        prev = hit;
        runs.push(hit.run);
        continue;
      }
      const snap = runOne(prev, cells[i]!, { ...this.opts, isCancelled });
      if (snap.run.messages.includes('Cancelled.')) {
        runs.push(snap.run);
        return runs;
      }
      this.cache.set(key, snap);
      prev = snap;
      runs.push(snap.run);
    }
    // Keep the cache to the current prefix chain plus a bounded history of other branches.
    if (this.cache.size > 256) for (const k2 of this.cache.keys()) if (!keep.has(k2)) this.cache.delete(k2);
    return runs;
  }

  clear(): void {
    this.cache.clear();
  }
}

function runOne(prev: Snapshot | null, source: string, opts: ExecOptions): Snapshot {
  const state: ScenarioState = prev ? structuredClone(prev.state) : emptyScenario();
  const parsed = parseCell(source);
  // Go on with the trace of the cell above: in place when it ends there, else (another cell below it
  // has run since, on another branch of edits) in a copy, so every kept window stays as it was.
  const base = prev?.events;
  const log = base === undefined ? new TraceLog() : base.log.length === base.end ? base.log : base.log.fork(base.end);
  let exec = { diagnostics: parsed.diagnostics, failures: [] as Failure[], messages: [] as string[], views: [] as ViewRequest[], log, from: log.length };
  // A new cluster starts a new simulation and a new log (`from` 0).
  if (parsed.diagnostics.length === 0) exec = execCell(state, parsed.stmts, opts, log);
  const events = new TraceWindow(exec.log, exec.log.length);
  const w = state.world;
  const run: CellRun = {
    ok: exec.diagnostics.length === 0 && exec.failures.length === 0,
    diagnostics: exec.diagnostics,
    failures: exec.failures,
    messages: exec.messages,
    views: exec.views,
    events,
    from: exec.from,
    nodes: w ? w.opts.nodes.slice() : [],
    clients: state.clients.slice(),
    zones: state.zones.map((z) => ({ name: z.name, nodes: z.nodes.slice() })),
    seed: w ? w.opts.seed : null,
    timeUs: w ? w.now : 0,
    violations: w ? w.violations : 0,
  };
  return { state, events, run };
}

/** FNV-1a over the previous key and this cell's text: a stable key for the prefix of cells. */
function prefixKey(prev: string, text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const s = `${prev}\u0000${text}`;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return `${h1.toString(16)}-${h2.toString(16)}-${s.length}`;
}
