// The interpreter drives the engine as a program drives a Raft library. A cell runs in two passes:
// `check` resolves every name against the cluster (no event happens if anything is wrong), then `exec`
// runs the statements. Everything it keeps between cells is in `ScenarioState`, plain data, so the
// session can snapshot it with structuredClone.

import type { Condition, Expectation, OptionValue, Ref, Stmt } from './ast';
import { type Diagnostic, LangError, type Span, didYouMean, diag } from './diagnostics';
import { optionDuration, optionDurationRange } from './parser';
import { type ClusterOptions, type RaftBugs, defaultClusterOptions, fmtUs, validateClusterOptions } from '../engine/config';
import { type NodeSlot, Simulation, type World, worldCreate } from '../engine/sim';
import { applyCommand, quorum } from '../engine/raft/node';
import { RAFT_INVARIANTS, sameEntry } from '../engine/check/raft';
import type { LogEntry, TraceEvent } from '../engine/trace';

export type ViewName = 'sequence' | 'states' | 'log' | 'topology';

export interface ViewRequest {
  view: ViewName;
  hideHeartbeats: boolean;
  fromUs: number | null;
  toUs: number | null;
}

export interface ScenarioState {
  world: World | null;
  zones: { name: string; nodes: string[] }[];
  clients: string[];
  scheduled: { atUs: number; seq: number; stmt: Stmt }[];
  scheduleSeq: number;
}

export interface Failure {
  span: Span;
  message: string;
}

export interface ExecResult {
  diagnostics: Diagnostic[];
  failures: Failure[];
  messages: string[];
  views: ViewRequest[];
  trace: TraceEvent[];
}

export interface ExecOptions {
  /** Events one cell may process before it is stopped (a runaway guard). */
  eventBudget: number;
  /** Default seed when a `cluster` line names none. */
  defaultSeed: number;
  isCancelled?: () => boolean;
}

export const DEFAULT_UNTIL_BOUND_US = 60_000_000;
const CLIENT_OP_BOUND_US = 30_000_000;

export function emptyScenario(): ScenarioState {
  return { world: null, zones: [], clients: [], scheduled: [], scheduleSeq: 0 };
}

class Stop extends Error {}

/** Runs one parsed cell against `state` (mutated in place). */
export function execCell(state: ScenarioState, stmts: Stmt[], opts: ExecOptions): ExecResult {
  const result: ExecResult = { diagnostics: [], failures: [], messages: [], views: [], trace: [] };
  const problems = check(state, stmts);
  if (problems.length > 0) {
    result.diagnostics.push(...problems);
    return result;
  }
  const x = new Exec(state, result, opts);
  try {
    for (const s of stmts) x.exec(s);
  } catch (e) {
    if (e instanceof LangError) result.diagnostics.push(diag(e.message, e.span, e.fix));
    else if (!(e instanceof Stop)) throw e;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Pass 1: names

function check(state: ScenarioState, stmts: Stmt[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  let nodes: string[] | null = state.world ? state.world.opts.nodes : null;
  const zones = new Map(state.zones.map((z) => [z.name, z.nodes]));
  const clients = new Set(state.clients);
  const needNodes = (span: Span): string[] | null => {
    if (nodes === null) out.push(diag('No cluster yet: declare one first, for example `cluster raft nodes=5`.', span));
    return nodes;
  };
  const node = (r: Ref, allowZone = false): void => {
    const ns = needNodes(r.span);
    if (ns === null || ns.includes(r.name) || (allowZone && zones.has(r.name))) return;
    const candidates = allowZone ? [...ns, ...zones.keys()] : ns;
    const dym = didYouMean(r.name, candidates);
    const range = ns.length > 3 && ns.every((n, i) => n === `n${i + 1}`) ? `n1..n${ns.length}` : ns.join(', ');
    out.push(
      diag(
        `Unknown ${allowZone ? 'node or zone' : 'node'} ${r.name}; this cluster has ${range}${allowZone && zones.size ? ` and zones ${[...zones.keys()].join(', ')}` : ''}.${dym.text}`,
        r.span,
        dym.best ? { title: `Change to \`${dym.best}\``, span: r.span, replacement: dym.best } : undefined,
      ),
    );
  };
  const visit = (s: Stmt): void => {
    switch (s.kind) {
      case 'cluster':
        if (s.protocol !== 'raft') {
          out.push(diag(`\`cluster ${s.protocol}\` is not available yet: the ${s.protocol === 'bully' ? 'bully election' : s.protocol === 'paxos' ? 'Paxos' : 'Multi-Paxos'} engine is not built yet (Raft is).`, s.span));
          return;
        }
        nodes = s.nodes.map((r) => r.name);
        zones.clear();
        clients.clear();
        return;
      case 'zone':
        s.nodes.forEach((r) => node(r));
        zones.set(s.name.name, s.nodes.map((r) => r.name));
        return;
      case 'latency':
        node(s.a, true);
        node(s.b, true);
        return;
      case 'crash':
      case 'restart':
        s.nodes.forEach((r) => node(r));
        return;
      case 'partition':
        s.groups.flat().forEach((r) => node(r, true));
        return;
      case 'pause':
      case 'isolate':
      case 'timeout':
      case 'skew':
        node(s.node);
        return;
      case 'cut':
      case 'hold':
      case 'release':
      case 'drop':
        node(s.from);
        node(s.to);
        return;
      case 'loss':
        if (s.from) node(s.from);
        if (s.to) node(s.to);
        if (!s.from) needNodes(s.span);
        return;
      case 'delay':
        node(s.from);
        if (s.to.name !== '*') node(s.to);
        return;
      case 'set':
      case 'heal':
      case 'duplicate':
      case 'step':
      case 'run':
      case 'show':
        needNodes(s.span);
        if (s.kind === 'run' && s.until?.kind === 'leader' && s.until.node) node(s.until.node);
        if (s.kind === 'run' && s.until?.kind === 'decided') out.push(diag('`run until decided` is not available yet: it needs the Paxos engine.', s.span));
        return;
      case 'at':
        needNodes(s.span);
        visit(s.stmt);
        return;
      case 'client':
        if (nodes !== null && nodes.includes(s.client.name)) {
          out.push(diag(`${s.client.name} is a node; clients need their own names, such as \`A ${s.op} …\`.`, s.client.span));
        }
        needNodes(s.span);
        if (s.via) node(s.via);
        clients.add(s.client.name);
        return;
      case 'expect': {
        const e = s.expectation;
        needNodes(s.span);
        if (e.kind === 'leader' && e.in) e.in.forEach((r) => node(r));
        if (e.kind === 'committed' && typeof e.on === 'object') node(e.on);
        if (e.kind === 'role') node(e.node);
        if (e.kind === 'violation' && e.invariant !== null && !findInvariant(e.invariant)) {
          const dym = didYouMean(e.invariant, RAFT_INVARIANTS.map(slug));
          out.push(diag(`Unknown invariant \`${e.invariant}\`; known: ${RAFT_INVARIANTS.map(slug).join(', ')}.${dym.text}`, s.span));
        }
        if ((e.kind === 'client-got' || e.kind === 'client-failed') && !clients.has(e.client.name)) {
          const dym = didYouMean(e.client.name, [...clients]);
          out.push(diag(`Unknown client ${e.client.name}: no command of this scenario used it yet.${dym.text}`, e.client.span));
        }
        return;
      }
      case 'unavailable':
        out.push(diag(`\`${s.what}\` is not available yet: it needs ${s.missing}, which is not built yet.`, s.span));
        return;
    }
  };
  stmts.forEach(visit);
  return out;
}

const slug = (name: string): string => name.toLowerCase().replace(/ /g, '-');
function findInvariant(name: string): string | undefined {
  return RAFT_INVARIANTS.find((i) => slug(i) === name.toLowerCase() || i.toLowerCase() === name.toLowerCase());
}

// ---------------------------------------------------------------------------------------------------
// Pass 2: execution

class Exec {
  private sim: Simulation | null;
  private cellStartEvents: number;

  constructor(
    private readonly state: ScenarioState,
    private readonly result: ExecResult,
    private readonly opts: ExecOptions,
  ) {
    this.sim = state.world ? this.attach(state.world) : null;
    this.cellStartEvents = state.world ? state.world.events : 0;
  }

  private attach(world: World): Simulation {
    const sim = new Simulation(world, this.result.trace);
    if (this.opts.isCancelled) sim.setCancellation(this.opts.isCancelled);
    return sim;
  }

  private get s(): Simulation {
    return this.sim!;
  }

  exec(st: Stmt): void {
    switch (st.kind) {
      case 'cluster':
        return this.cluster(st);
      case 'zone':
        this.state.zones = this.state.zones.filter((z) => z.name !== st.name.name);
        this.state.zones.push({ name: st.name.name, nodes: st.nodes.map((r) => r.name) });
        return;
      case 'latency': {
        const a = this.expand(st.a.name);
        const b = this.expand(st.b.name);
        for (const x of a) for (const y of b) if (x !== y) {
          this.s.setDelay(x, y, st.loUs, st.hiUs);
          if (st.bothWays) this.s.setDelay(y, x, st.loUs, st.hiUs);
        }
        return;
      }
      case 'set':
        return this.applyOptions(this.state.world!.opts, st.options, st.span);
      case 'crash':
        st.nodes.forEach((r) => this.s.crash(r.name));
        return;
      case 'restart':
        st.nodes.forEach((r) => this.s.restart(r.name));
        return;
      case 'pause':
        return this.s.pause(st.node.name, st.durationUs);
      case 'partition': {
        const groups = st.groups.map((g) => dedupe(g.flatMap((r) => this.expand(r.name))));
        const seen = new Set<string>();
        for (const g of groups) for (const n of g) {
          if (seen.has(n)) throw new LangError(`Node ${n} is in two groups of the partition.`, st.span);
          seen.add(n);
        }
        return this.s.partition(groups, groups.map((g) => `{${g.join(' ')}}`).join(' | '));
      }
      case 'isolate': {
        const others = this.state.world!.opts.nodes.filter((n) => n !== st.node.name);
        return this.s.partition([[st.node.name], others], `isolate ${st.node.name}`);
      }
      case 'heal':
        return this.s.heal();
      case 'cut':
        return this.s.cut(st.from.name, st.to.name, st.bothWays);
      case 'loss':
        return this.s.setLoss(st.permille, st.from?.name, st.to?.name);
      case 'delay': {
        const targets = st.to.name === '*' ? this.state.world!.opts.nodes.filter((n) => n !== st.from.name) : [st.to.name];
        for (const t of targets) this.s.setDelay(st.from.name, t, st.loUs, st.hiUs);
        this.s.traceDelay([st.from.name, ...targets], `delay ${st.from.name} -> ${st.to.name} ${fmtUs(st.loUs)}..${fmtUs(st.hiUs)}`);
        return;
      }
      case 'duplicate':
        return this.s.setDuplicate(st.permille);
      case 'skew':
        return this.s.skew(st.node.name, st.offsetUs, 0);
      case 'run':
        return this.run(st);
      case 'step': {
        for (let i = 0; i < st.count; i++) {
          const due = this.nextScheduled();
          if (due !== null && due.atUs <= this.peekTime()) {
            this.advanceTo(due.atUs, st.span);
            continue;
          }
          if (!this.s.step()) {
            this.result.messages.push(`step: nothing left to happen after ${i} event(s).`);
            break;
          }
        }
        return;
      }
      case 'timeout':
        return this.s.forceTimeout(st.node.name);
      case 'hold':
        return this.s.hold(st.from.name, st.to.name);
      case 'release':
      case 'drop':
        this.s.release(st.from.name, st.to.name, st.kind === 'release');
        return;
      case 'at': {
        const atUs = st.relative ? this.state.world!.now + st.timeUs : st.timeUs;
        if (atUs < this.state.world!.now) {
          throw new LangError(`Virtual time is already ${fmtUs(this.state.world!.now)}; \`at ${fmtUs(st.timeUs)}\` is in the past (use \`after\`).`, st.span);
        }
        this.state.scheduled.push({ atUs, seq: this.state.scheduleSeq++, stmt: st.stmt });
        this.state.scheduled.sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
        return;
      }
      case 'client':
        return this.client(st, true);
      case 'expect':
        return this.expect(st.expectation, st.span);
      case 'show':
        return this.show(st.view, st.options);
      case 'unavailable':
        throw new LangError(`\`${st.what}\` is not available yet: it needs ${st.missing}.`, st.span);
    }
  }

  private expand(name: string): string[] {
    return this.state.zones.find((z) => z.name === name)?.nodes ?? [name];
  }

  private cluster(st: Extract<Stmt, { kind: 'cluster' }>): void {
    const seedOpt = st.options.find((o) => o.key === 'seed');
    const seed = seedOpt ? Number(seedOpt.value) >>> 0 : this.opts.defaultSeed;
    const o = defaultClusterOptions(st.nodes.map((r) => r.name), seed);
    this.applyOptions(o, st.options.filter((x) => x.key !== 'nodes' && x.key !== 'seed'), st.span);
    const problems = validateClusterOptions(o);
    if (problems.length > 0) throw new LangError(problems.join(' '), st.span);
    const world = worldCreate(o);
    this.state.world = world;
    this.state.zones = [];
    this.state.clients = [];
    this.state.scheduled = [];
    this.sim = this.attach(world);
    this.cellStartEvents = 0;
    this.sim.start();
  }

  private applyOptions(o: ClusterOptions, options: OptionValue[], span: Span): void {
    for (const opt of options) {
      switch (opt.key) {
        case 'election-timeout': {
          const [lo, hi] = optionDurationRange(opt);
          o.raft.electionTimeoutUsMin = lo;
          o.raft.electionTimeoutUsMax = hi;
          break;
        }
        case 'heartbeat':
          o.raft.heartbeatUs = optionDuration(opt);
          break;
        case 'latency': {
          const [lo, hi] = optionDurationRange(opt);
          o.net.latencyUsMin = lo;
          o.net.latencyUsMax = hi;
          if (this.state.world?.opts === o) {
            this.state.world.net.latencyUsMin = lo;
            this.state.world.net.latencyUsMax = hi;
          }
          break;
        }
        case 'prevote':
          o.raft.prevote = opt.value === 'on';
          break;
        case 'check-quorum':
          o.raft.checkQuorum = opt.value === 'on';
          break;
        case 'read':
          o.raft.readMode = opt.value as ClusterOptions['raft']['readMode'];
          break;
        case 'bug':
          for (const b of opt.value.split(',')) o.raft.bugs[camel(b) as keyof RaftBugs] = true;
          break;
        case 'client-retry':
          o.client.retryUs = optionDuration(opt);
          break;
      }
    }
    const problems = validateClusterOptions(o);
    if (problems.length > 0) throw new LangError(problems.join(' '), span);
  }

  // --- time

  private peekTime(): number {
    const head = this.state.world!.queue.heap[0];
    return head ? head.at : Infinity;
  }

  private nextScheduled(): { atUs: number; stmt: Stmt } | null {
    return this.state.scheduled[0] ?? null;
  }

  private budgetLeft(): number {
    return this.opts.eventBudget - (this.state.world!.events - this.cellStartEvents);
  }


  /** Advance to `deadline`, running scheduled commands on the way; stop early when `until` holds. */
  private advance(deadline: number, span: Span, until?: () => boolean): 'condition' | 'time' {
    for (;;) {
      const due = this.nextScheduled();
      const stopAt = due !== null && due.atUs <= deadline ? due.atUs : deadline;
      const r = this.s.run(stopAt, Math.max(0, this.budgetLeft()), until);
      if (r.reason === 'condition') return 'condition';
      if (r.reason === 'budget') {
        throw new LangError(`Stopped after ${this.opts.eventBudget.toLocaleString('en-US')} events in this cell (the event budget) at ${fmtUs(this.state.world!.now)} of virtual time. Run less at once, or raise the budget in the settings.`, span);
      }
      if (r.reason === 'cancelled') {
        this.result.messages.push('Cancelled.');
        throw new Stop();
      }
      if (due !== null && due.atUs <= deadline) {
        this.state.scheduled.shift();
        this.runScheduled(due.stmt);
        if (until?.()) return 'condition';
        continue;
      }
      return 'time';
    }
  }

  private advanceTo(atUs: number, span: Span): void {
    this.advance(atUs, span);
  }

  private runScheduled(st: Stmt): void {
    if (st.kind === 'client') this.client(st, false);
    else this.exec(st);
  }

  private run(st: Extract<Stmt, { kind: 'run' }>): void {
    const w = this.state.world!;
    if (st.durationUs !== null) {
      this.advance(w.now + st.durationUs, st.span);
      return;
    }
    const bound = st.withinUs ?? DEFAULT_UNTIL_BOUND_US;
    const cond = this.condition(st.until!);
    const start = w.now;
    if (this.advance(start + bound, st.span, cond.holds) === 'time') {
      throw new LangError(`${cond.failure} after ${fmtUs(bound)} of virtual time (at ${fmtUs(w.now)}).`, st.span);
    }
  }

  private condition(c: Condition): { holds: () => boolean; failure: string } {
    const w = this.state.world!;
    switch (c.kind) {
      case 'leader':
        return {
          holds: () => {
            const l = currentLeader(w);
            return c.node === null ? l !== null : l === c.node.name;
          },
          failure: c.node === null ? 'No leader' : `${c.node.name} is not the leader`,
        };
      case 'committed':
        return {
          holds: () => committedOn(w, c.key, c.value) >= quorum(w.opts.nodes.length),
          failure: `${c.key}${c.value !== null ? `=${c.value}` : ''} is not committed on a majority`,
        };
      case 'stable': {
        // Stable: one leader, and no role change for two maximum election timeouts.
        let lastChange = w.now;
        let lastLen = this.result.trace.length;
        return {
          holds: () => {
            const tr = this.result.trace;
            for (let i = lastLen; i < tr.length; i++) if (tr[i]!.k === 'role') lastChange = tr[i]!.t;
            lastLen = tr.length;
            return currentLeader(w) !== null && w.now - lastChange >= 2 * w.opts.raft.electionTimeoutUsMax;
          },
          failure: 'The cluster is not stable',
        };
      }
      case 'decided':
        throw new Error('unreachable: rejected by check');
    }
  }

  // --- clients

  private client(st: Extract<Stmt, { kind: 'client' }>, wait: boolean): void {
    const name = st.client.name;
    if (!this.state.clients.includes(name)) this.state.clients.push(name);
    if (!this.s.clientDone(name)) this.s.abandon(name, 'superseded by a new command');
    const key = st.key;
    this.s.submit(
      name,
      (seq) => {
        switch (st.op) {
          case 'put':
            return { op: 'put', key, value: st.value, client: name, seq };
          case 'get':
            return { op: 'get', key, client: name, seq };
          case 'delete':
            return { op: 'delete', key, client: name, seq };
          case 'cas':
            return { op: 'cas', key, expect: st.expect, value: st.value, client: name, seq };
        }
      },
      st.via?.name ?? null,
    );
    if (!wait) return;
    const w = this.state.world!;
    const start = w.now;
    if (this.advance(start + CLIENT_OP_BOUND_US, st.span, () => this.s.clientDone(name)) === 'time') {
      this.s.abandon(name, `no answer within ${fmtUs(CLIENT_OP_BOUND_US)}`);
      this.result.messages.push(`${name} ${st.op} ${key}: no answer within ${fmtUs(CLIENT_OP_BOUND_US)} of virtual time${st.via ? ` from ${st.via.name}` : ''}.`);
    }
  }

  // --- expectations

  private expect(e: Expectation, span: Span): void {
    const w = this.state.world!;
    const fail = (message: string): void => {
      this.result.failures.push({ span, message: `${message} (at ${fmtUs(w.now)})` });
    };
    const leader = currentLeader(w);
    const maxTerm = Math.max(...w.nodes.map((n) => n.raft.term));
    switch (e.kind) {
      case 'leader': {
        const leaders = w.nodes.filter((n) => n.status !== 'down' && n.raft.role === 'leader').map((n) => `${n.name} (term ${n.raft.term})`);
        const inSet = (name: string | null): boolean => name !== null && (e.in === null || e.in.some((r) => r.name === name));
        const matching = w.nodes.filter((n) => n.status !== 'down' && n.raft.role === 'leader' && inSet(n.name));
        const roles = w.nodes.map((n) => `${n.name}=${n.status === 'down' ? 'down' : n.raft.role}`).join(' ');
        const where = e.in ? ` in {${e.in.map((r) => r.name).join(' ')}}` : '';
        if (e.negated) {
          if (matching.length > 0) fail(`Expected no leader${where}, found ${matching.map((n) => `${n.name} (term ${n.raft.term})`).join(', ')}; roles: ${roles}.`);
        } else if (e.in !== null && e.in.length === 1) {
          if (leader !== e.in[0]!.name) fail(`Expected leader ${e.in[0]!.name}, found ${leader ?? 'no leader'}${leaders.length > 1 ? ` (leaders: ${leaders.join(', ')})` : ''}; roles: ${roles}.`);
        } else if (!inSet(leader)) {
          fail(`Expected a leader${where}, found ${leader ?? 'no leader'}; roles: ${roles}.`);
        }
        return;
      }
      case 'term': {
        const ok = compare(maxTerm, e.op, e.value);
        if (!ok) fail(`Expected term ${e.op} ${e.value}, found term ${maxTerm}.`);
        return;
      }
      case 'committed': {
        const c = committedWrite(w, e.key);
        const n = w.opts.nodes.length;
        const need = e.on === 'majority' ? quorum(n) : e.on === 'all' ? n : 1;
        const holders = c === null ? [] : w.nodes.filter((x) => sameEntry(x.raft.log[c.index - 1], c.entry)).map((x) => x.name);
        const target = typeof e.on === 'object' ? e.on.name : `${e.on} (${need}/${n})`;
        if (c === null || c.value !== e.value) {
          fail(`Expected ${e.key}=${e.value} committed, found ${c === null ? `no committed write to ${e.key}` : `${e.key}=${c.value ?? '(deleted)'} (index ${c.index})`}.`);
        } else if (typeof e.on === 'object' ? !holders.includes(e.on.name) : holders.length < need) {
          fail(`Expected ${e.key}=${e.value} (index ${c.index}) on ${target}, found it in the logs of ${holders.length}/${n}: ${holders.join(' ') || 'none'}.`);
        }
        return;
      }
      case 'logs-equal': {
        const text = w.nodes.map((n) => n.raft.log.map((x) => `${x.term}:${JSON.stringify(x.cmd)}`).join(','));
        if (text.some((t) => t !== text[0])) {
          fail(`Expected equal logs, found lengths ${w.nodes.map((n) => `${n.name}=${n.raft.log.length}`).join(' ')} (last terms ${w.nodes.map((n) => `${n.name}=t${n.raft.log[n.raft.log.length - 1]?.term ?? 0}`).join(' ')}).`);
        }
        return;
      }
      case 'safe':
        if (w.violations > 0) fail(`Expected every invariant to hold, found ${w.violations} violation(s); see the ⚠ notes in the diagram.`);
        return;
      case 'violation': {
        const name = e.invariant === null ? null : findInvariant(e.invariant)!;
        const found = name === null ? w.violations : (w.violationsBy[name] ?? 0);
        if (found === 0) fail(`Expected a violation${name ? ` of ${name}` : ''}, found none.`);
        return;
      }
      case 'role': {
        const slot = w.nodes.find((n) => n.name === e.node.name)!;
        const role = slot.status === 'down' ? 'down' : slot.raft.role;
        if (role !== e.role) fail(`Expected ${e.node.name} to be ${e.role}, found ${role} (term ${slot.raft.term}).`);
        return;
      }
      case 'client-got': {
        const c = w.clients.find((x) => x.name === e.client.name);
        const last = c?.last;
        if (!last || !last.ok || last.result !== e.value) fail(`Expected ${e.client.name} to get ${e.value}, found ${last ? (last.ok ? last.result : `a failure: ${last.result}`) : 'no finished command'}.`);
        return;
      }
      case 'client-failed': {
        const last = w.clients.find((x) => x.name === e.client.name)?.last;
        if (!last || last.ok) fail(`Expected ${e.client.name}'s last command to fail, found ${last ? `success: ${last.result}` : 'no finished command'}.`);
        return;
      }
    }
  }

  private show(view: ViewName, options: OptionValue[]): void {
    const req: ViewRequest = { view, hideHeartbeats: true, fromUs: null, toUs: null };
    for (const o of options) {
      if (o.key === 'hide') req.hideHeartbeats = o.value === 'heartbeats';
      if (o.key === 'from') req.fromUs = optionDuration(o);
      if (o.key === 'to') req.toUs = optionDuration(o);
    }
    this.result.views.push(req);
  }
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

function camel(s: string): string {
  return s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a < b;
  }
}

/** The leader of the highest term among live nodes that believe they lead (a stale leader loses). */
export function currentLeader(w: World): string | null {
  let best: { name: string; term: number } | null = null;
  for (const n of w.nodes) {
    if (n.status === 'down' || n.raft.role !== 'leader') continue;
    if (best === null || n.raft.term > best.term) best = { name: n.name, term: n.raft.term };
  }
  return best?.name ?? null;
}

/**
 * The last committed write to `key`: replay the longest committed prefix any node knows (by Raft's
 * State Machine Safety every node's committed prefix is a prefix of it).
 */
function committedWrite(w: World, key: string): { index: number; entry: LogEntry; value: string | undefined } | null {
  let best: NodeSlot | null = null;
  for (const n of w.nodes) if (best === null || n.raft.commitIndex > best.raft.commitIndex) best = n;
  if (best === null) return null;
  const kv: Record<string, string> = {};
  const sessions: Record<string, { seq: number; result: string }> = {};
  let last: { index: number; entry: LogEntry; value: string | undefined } | null = null;
  for (let i = 1; i <= best.raft.commitIndex; i++) {
    const entry = best.raft.log[i - 1]!;
    applyCommand(kv, sessions, entry.cmd);
    if (entry.cmd.op !== 'noop' && entry.cmd.op !== 'get' && entry.cmd.key === key) last = { index: i, entry, value: kv[key] };
  }
  return last;
}

function committedOn(w: World, key: string, value: string | null): number {
  const c = committedWrite(w, key);
  if (c === null || (value !== null && c.value !== value)) return 0;
  return w.nodes.filter((x) => sameEntry(x.raft.log[c.index - 1], c.entry)).length;
}
