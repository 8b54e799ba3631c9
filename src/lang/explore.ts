// `explore`: look for a failure instead of replaying one. Each run writes a random scenario in the cell
// language itself (faults of the kinds asked for, and client operations, at random times), runs it on a
// copy of the cluster as the cells above left it, and checks every invariant and, with clients, that
// their history is linearizable. The first run that breaks one is shrunk by leaving its lines out one at
// a time while it still breaks the same thing, and the lines that remain are the finding: run as a cell
// right below the `explore` cell, they do exactly that again, since `explore` changes nothing itself and
// the engine is deterministic.

import { checkLinearizable, clientHistory } from '../engine/check/linearizable';
import { exclusionBreach } from '../engine/check/exclusion';
import { type Prng, chance, prngCreate, randInt } from '../engine/prng';
import { TraceLog } from '../engine/tracelog';
import type { OptionValue, Protocol, Stmt } from './ast';
import { exclusionText, linearizableFound } from './facts';
import { type ExecOptions, type ScenarioState, emptyScenario, execCell, fmtTime } from './interpreter';
import { type FAULT_KINDS, optionDuration, parseCell } from './parser';

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ExploreParams {
  seeds: number;
  faults: readonly FaultKind[];
  ops: number;
  durationUs: number;
  /** What the clients do: read and write keys, or take a lock and write under it (mutual exclusion checked). */
  workload?: 'kv' | 'locks';
  /** With the locks workload: the writes carry their lock's fencing token. */
  fencing?: boolean;
  /**
   * Only the runs of one shard: run r when (r - 1) mod `count` = `index` (0-based). Runs are
   * independent, so shards can go to worker threads or machines and be merged (the lowest finding wins).
   */
  shard?: { index: number; count: number };
}

export interface ExploreFinding {
  /** Which run (1-based) and what it broke: `leader-completeness`, or `linearizability (key x)`. */
  run: number;
  broke: string;
  /** What the checker said, for the shrunk lines. */
  detail: string;
  /** The shrunk scenario, and how many lines the run had before shrinking. */
  lines: string[];
  generated: number;
}

export interface ExploreReport {
  /** How many runs were played (in a shard, its own). */
  runs: number;
  finding: ExploreFinding | null;
  /** The run stopped early: cancelled, or a run spent the cell's event budget. */
  stopped: 'cancelled' | 'budget' | null;
}

export const DEFAULT_EXPLORE: Omit<ExploreParams, 'seeds'> = { faults: ['crash', 'partition', 'loss'], ops: 20, durationUs: 10_000_000 };
/** Runs spent shrinking a finding, at most. */
const SHRINK_RUNS = 400;

/**
 * Explores from `state` (not changed) with its trace `log`. Each run's random scenario follows from the
 * cluster's seed and the run's number, so the same cells give the same runs.
 */
export function explore(state: ScenarioState, log: TraceLog, params: ExploreParams, opts: ExecOptions): ExploreReport {
  const w = state.world!;
  const protocol = state.protocol!;
  const clients = pickClients(w.opts.nodes, state.clients);
  const { index, count } = params.shard ?? { index: 0, count: 1 };
  let played = 0;
  for (let run = 1 + index; run <= params.seeds; run += count) {
    if (opts.isCancelled?.()) return { runs: played, finding: null, stopped: 'cancelled' };
    played++;
    const rng = prngCreate((Math.imul(w.opts.seed, 0x9e3779b1) + run) >>> 0);
    const lines = generate(rng, w.opts.nodes, clients, protocol, params);
    const first = attempt(state, log, lines, opts);
    if (first === 'budget' || first === 'cancelled') return { runs: played, finding: null, stopped: first };
    if (first === null) continue;
    // Shrink: leave lines out while the same thing still breaks, pass after pass until a pass leaves
    // none out (a line may become needless once others are gone: a write under a lock never taken).
    let kept = lines;
    let detail = first.detail;
    let tries = 0;
    for (let shrunk = true; shrunk && tries < SHRINK_RUNS; ) {
      shrunk = false;
      for (let i = kept.length - 1; i >= 0 && tries < SHRINK_RUNS; i--) {
        tries++;
        const without = kept.filter((_, j) => j !== i);
        const r = attempt(state, log, without, opts);
        if (r === 'cancelled') return { runs: played, finding: null, stopped: 'cancelled' };
        if (r !== null && r !== 'budget' && r.broke === first.broke) {
          kept = without;
          detail = r.detail;
          shrunk = true;
        }
      }
    }
    // Adjacent `run`s as one (`run 1s` twice is `run 2s`), kept only if it still breaks the same thing.
    const merged = mergeRuns(kept);
    if (merged.length < kept.length) {
      const r = attempt(state, log, merged, opts);
      if (r !== null && r !== 'budget' && r !== 'cancelled' && r.broke === first.broke) {
        kept = merged;
        detail = r.detail;
      }
    }
    return { runs: played, finding: { run, broke: first.broke, detail, lines: kept, generated: lines.length }, stopped: null };
  }
  return { runs: played, finding: null, stopped: null };
}

/** The lines with each stretch of adjacent `run D` lines as one. */
function mergeRuns(lines: readonly string[]): string[] {
  const out: string[] = [];
  let pending = 0;
  for (const line of lines) {
    const m = /^run (.+)$/.exec(line);
    const us = m ? durationUs(m[1]!) : null;
    if (us !== null) {
      pending += us;
      continue;
    }
    if (pending > 0) out.push(`run ${fmtTime(pending)}`);
    pending = 0;
    out.push(line);
  }
  if (pending > 0) out.push(`run ${fmtTime(pending)}`);
  return out;
}

/** `434.884ms`, `1.5s` (as `fmtTime` writes them) in microseconds; null for anything else. */
function durationUs(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s)$/.exec(text);
  if (m === null) return null;
  return Math.round(Number(m[1]) * (m[2] === 'us' ? 1 : m[2] === 'ms' ? 1_000 : 1_000_000));
}

/** The parameters of an `explore` line. */
export function exploreParams(st: Extract<Stmt, { kind: 'explore' }>): ExploreParams {
  const opt = (key: string): OptionValue | undefined => st.options.find((o) => o.key === key);
  const faultsOpt = opt('faults');
  return {
    seeds: Number(opt('seeds')!.value),
    faults: faultsOpt ? (faultsOpt.value.split(',') as FaultKind[]) : DEFAULT_EXPLORE.faults,
    ops: opt('ops') ? Number(opt('ops')!.value) : DEFAULT_EXPLORE.ops,
    durationUs: opt('duration') ? optionDuration(opt('duration')!) : DEFAULT_EXPLORE.durationUs,
    ...(opt('workload')?.value === 'locks' ? { workload: 'locks' as const, fencing: opt('fencing')?.value === 'on' } : {}),
  };
}

// What `explore` says (the cell and the CLI's `explore` say the same).

function exploreWhat(p: ExploreParams): string {
  const ops = p.workload === 'locks' ? `${p.ops} lock operations${p.fencing ? ' (fenced)' : ''}` : `${p.ops} client operations`;
  return `${fmtTime(p.durationUs)} of virtual time, ${ops}${p.faults.length > 0 ? ` and faults (${p.faults.join(', ')})` : ''}`;
}

export function exploreHeldText(runs: number, p: ExploreParams, protocol: Protocol): string {
  const lin =
    p.workload === 'locks' ? ', and the storage never took a write under an older grant after one under a newer' : hasClientHistory(protocol) ? ', and every client history was linearizable' : '';
  return `explore: ${runs} runs, each ${exploreWhat(p)}: every invariant held${lin}.`;
}

export function exploreFoundText(f: ExploreFinding, p: ExploreParams): string {
  return (
    `explore: run ${f.run} of ${p.seeds} (${exploreWhat(p)}) broke ${f.broke}: ${f.detail}. ` +
    `Shrunk from ${f.generated} lines to ${f.lines.length}; run them as a cell right below this one to see it happen:\n${f.lines.join('\n')}`
  );
}

export function exploreBudgetText(run: number, opts: ExecOptions): string {
  return `explore: run ${run} spent the cell's event budget (${opts.eventBudget.toLocaleString('en-US')} events); ask for less: fewer operations, or a shorter duration.`;
}

/**
 * Where the `which`-th `explore` line of a notebook (1-based) explores from: the cells above it and the
 * lines above it in its cell, run (other `explore` lines skipped: they change nothing), with its
 * parameters. A string says why there is no such place: no such line, or a cell that does not run.
 */
export function exploreSite(cells: readonly string[], which: number, opts: ExecOptions): { state: ScenarioState; log: TraceLog; params: ExploreParams; cell: number } | string {
  const state = emptyScenario();
  let log = new TraceLog();
  let seen = 0;
  for (let i = 0; i < cells.length; i++) {
    const parsed = parseCell(cells[i]!);
    if (parsed.diagnostics.length > 0) return `cell ${i + 1}: ${parsed.diagnostics[0]!.message}`;
    const here = parsed.stmts.findIndex((s) => s.kind === 'explore' && ++seen === which);
    const stmts = here >= 0 ? parsed.stmts.slice(0, here) : parsed.stmts.filter((s) => s.kind !== 'explore');
    const r = execCell(state, stmts, opts, log);
    if (r.diagnostics.length > 0) return `cell ${i + 1}: ${r.diagnostics[0]!.message}`;
    log = r.log;
    if (here >= 0) {
      if (state.world === null) return `cell ${i + 1}: \`explore\` needs a cluster above it`;
      return { state, log, params: exploreParams(parsed.stmts[here] as Extract<Stmt, { kind: 'explore' }>), cell: i };
    }
  }
  return seen === 0 ? 'the notebook has no `explore` line' : `the notebook has ${seen} \`explore\` line${seen === 1 ? '' : 's'}, not ${which}`;
}

/** Whether a cluster of `protocol` has clients of a replicated store, whose history explore checks. */
export function hasClientHistory(protocol: Protocol): boolean {
  return protocol === 'raft' || protocol === 'multi-paxos';
}

/** Client names for the runs: not a node's, not a client's of the cells above. */
function pickClients(nodes: readonly string[], taken: readonly string[]): string[] {
  const used = new Set([...nodes, ...taken]);
  const out: string[] = [];
  for (const base of ['P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W']) {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}${i}`;
    used.add(name);
    out.push(name);
    if (out.length === 3) break;
  }
  return out;
}

/** Runs `lines` on a copy of `state`: what broke, or null; 'budget' / 'cancelled' when it did not finish. */
function attempt(state: ScenarioState, log: TraceLog, lines: readonly string[], opts: ExecOptions): { broke: string; detail: string } | null | 'budget' | 'cancelled' {
  const st = structuredClone(state);
  const trace = log.fork(log.length);
  const parsed = parseCell(lines.join('\n'));
  if (parsed.diagnostics.length > 0) throw new Error(`explore: a generated line does not parse: ${parsed.diagnostics[0]!.message}`);
  const before = trace.length;
  const violationsBefore = st.world!.violations;
  const r = execCell(st, parsed.stmts, opts, trace);
  if (r.messages.includes('Cancelled.')) return 'cancelled';
  if (r.diagnostics.length > 0) return 'budget';
  if (st.world!.violations > violationsBefore) {
    for (let i = before; i < trace.length; i++) {
      if (trace.kindAt(i) !== 'violation') continue;
      const v = trace.at(i)!;
      if (v.k === 'violation') return { broke: v.invariant, detail: `${v.invariant} at ${fmtTime(v.t)}: ${v.detail}` };
    }
  }
  const breach = exclusionBreach(trace);
  if (breach !== null) return { broke: `mutual exclusion (${breach.resource})`, detail: exclusionText(breach, fmtTime) };
  if (hasClientHistory(st.protocol!)) {
    const lin = checkLinearizable(clientHistory(trace));
    if (lin.ok === false) return { broke: `linearizability (key ${lin.key})`, detail: linearizableFound(lin, fmtTime).found };
  }
  return null;
}

/** A random scenario: `ops` client operations (Paxos: proposals) and about a third as many faults. */
function generate(rng: Prng, nodes: readonly string[], clients: readonly string[], protocol: Protocol, p: ExploreParams): string[] {
  if (p.workload === 'locks') return generateLocks(rng, nodes, clients, p);
  const pick = <T>(xs: readonly T[]): T => xs[randInt(rng, 0, xs.length - 1)]!;
  const withOps = protocol === 'raft' || protocol === 'multi-paxos' || protocol === 'paxos';
  const faults = p.faults.length === 0 ? 0 : Math.max(1, Math.ceil(p.ops / 3));
  const actions = (withOps ? p.ops : 0) + faults;
  const gap = Math.max(1_000, Math.floor(p.durationUs / Math.max(1, actions + 1)));
  const lines: string[] = [];
  let op = 0;
  let faultsLeft = faults;
  let opsLeft = withOps ? p.ops : 0;
  while (opsLeft + faultsLeft > 0) {
    lines.push(`run ${fmtTime(randInt(rng, Math.floor(gap / 2), gap + Math.floor(gap / 2)))}`);
    const fault = faultsLeft > 0 && (opsLeft === 0 || randInt(rng, 1, opsLeft + faultsLeft) <= faultsLeft);
    if (fault) {
      faultsLeft--;
      lines.push(faultLine(rng, pick(p.faults), nodes, pick));
    } else {
      opsLeft--;
      op++;
      if (protocol === 'paxos') lines.push(`${pick(nodes)} propose v${op}`);
      else {
        const c = pick(clients);
        const key = `k${randInt(rng, 1, 3)}`;
        const kind = randInt(rng, 0, 9);
        lines.push(kind < 5 ? `${c} put ${key}=${op} nowait` : kind < 9 ? `${c} get ${key} nowait` : `${c} cas ${key} ${randInt(rng, 1, op)} -> ${op} nowait`);
      }
    }
  }
  lines.push(`run ${fmtTime(gap)}`);
  return lines;
}

/**
 * The locks workload: clients take the lock `L` (a TTL a few times their keep-alive period, waiting a
 * while for it), write to `storage` under it, and let it go; faults as asked, where `pause` pauses a
 * client's process (the lock holder's GC pause) as often as a node.
 */
function generateLocks(rng: Prng, nodes: readonly string[], clients: readonly string[], p: ExploreParams): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[randInt(rng, 0, xs.length - 1)]!;
  const faults = p.faults.length === 0 ? 0 : Math.max(1, Math.ceil(p.ops / 3));
  const gap = Math.max(1_000, Math.floor(p.durationUs / Math.max(1, p.ops + faults + 1)));
  const ttl = Math.max(2, Math.floor(gap / 1_000));
  const lines: string[] = [];
  /** Clients named so far: a client is known to the language once a command used it. */
  const used: string[] = [];
  let op = 0;
  let faultsLeft = faults;
  let opsLeft = p.ops;
  while (opsLeft + faultsLeft > 0) {
    lines.push(`run ${fmtTime(randInt(rng, Math.floor(gap / 2), gap + Math.floor(gap / 2)))}`);
    if (faultsLeft > 0 && (opsLeft === 0 || randInt(rng, 1, opsLeft + faultsLeft) <= faultsLeft)) {
      faultsLeft--;
      const kind = pick(p.faults);
      const client = kind === 'pause' && used.length > 0 && chance(rng, 500);
      lines.push(client ? `pause ${pick(used)} ${fmtTime(randInt(rng, ttl, 3 * ttl) * 1_000)}` : faultLine(rng, kind, nodes, pick));
      continue;
    }
    opsLeft--;
    op++;
    const c = pick(clients);
    if (!used.includes(c)) used.push(c);
    const kind = randInt(rng, 0, 9);
    if (kind < 4) lines.push(`${c} lock L ttl=${fmtTime(ttl * 1_000)} renew=${fmtTime(Math.max(1, Math.floor(ttl / 3)) * 1_000)} within ${fmtTime(2 * ttl * 1_000)}`);
    else if (kind < 8) lines.push(`${c} write storage v${op} under L${p.fencing ? ' token' : ''}`);
    else lines.push(`${c} unlock L`);
  }
  lines.push(`run ${fmtTime(gap)}`);
  return lines;
}

function faultLine(rng: Prng, kind: FaultKind, nodes: readonly string[], pick: <T>(xs: readonly T[]) => T): string {
  const n = pick(nodes);
  switch (kind) {
    case 'crash':
      return chance(rng, 500) ? `crash ${n}` : `restart ${n}`;
    case 'restart':
      return `restart ${n}`;
    case 'pause':
      return `pause ${n} ${fmtTime(randInt(rng, 100, 3_000) * 1_000)}`;
    case 'partition': {
      if (chance(rng, 350)) return 'heal';
      const shuffled = [...nodes];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = randInt(rng, 0, i);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const cut = randInt(rng, 1, shuffled.length - 1);
      return `partition {${shuffled.slice(0, cut).join(' ')}} | {${shuffled.slice(cut).join(' ')}}`;
    }
    case 'loss':
      return `loss ${chance(rng, 300) ? 0 : randInt(rng, 5, 40)}%`;
    case 'delay': {
      const lo = randInt(rng, 1, 200);
      return `delay ${n} -> * ${lo}ms..${lo + randInt(rng, 0, 300)}ms`;
    }
    case 'duplicate':
      return `duplicate ${chance(rng, 300) ? 0 : randInt(rng, 1, 20)}%`;
    case 'skew':
      return `skew ${n} ${chance(rng, 500) ? '+' : '-'}${fmtTime(randInt(rng, 1, 5_000) * 1_000)}`;
  }
}
