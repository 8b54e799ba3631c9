// The interpreter drives the engine as a program drives a Raft library. A cell runs in two passes:
// `check` resolves every name and protocol against the scenario (if anything is wrong, the cell fails
// before a single event happens), then `exec` runs the statements. Everything kept between cells is in
// `ScenarioState`, plain data, so the session can snapshot it with structuredClone.

import type { Expectation, Fact, Link, NodeSet, OptionValue, Protocol, Ref, Stmt } from './ast';
import { type Diagnostic, LangError, type Span, changeTo, diag, didYouMean, orList } from './diagnostics';
import { bugNamesOf, checkBugs, commandSpec, factSpecOf, optionDuration, optionDurationRange, SET_OPTIONS } from './parser';
import { explore, exploreBudgetText, exploreFoundText, exploreHeldText, exploreParams } from './explore';
import { exclusionBreach } from '../engine/check/exclusion';
import { type FactResult, actingLeaders, exclusionText, electionTimeoutMaxUs, evaluateFact, factText, findInvariant, invariantSlugs, linearizableFact, rolesText } from './facts';
import { type ClusterOptions, ConfigError, type RaftBugs, defaultClusterOptions, fmtUs, validateClusterOptions } from '../engine/config';
import type { PaxosBugs } from '../engine/paxos/options';
import { Simulation, type World, nodeRole, nodeTerm, worldCreate } from '../engine/sim';
import { queuePeekAt } from '../engine/queue';
import { TraceLog } from '../engine/tracelog';

export type ViewName = 'sequence' | 'states' | 'log' | 'topology';

export interface ViewRequest {
  view: ViewName;
  hideHeartbeats: boolean;
  fromUs: number | null;
  toUs: number | null;
  /** `max=N`: the most arrows the sequence diagram draws (null: the view's default). */
  maxMessages: number | null;
}

export interface ScenarioState {
  world: World | null;
  protocol: Protocol | null;
  zones: { name: string; nodes: string[] }[];
  clients: string[];
  scheduled: { atUs: number; seq: number; stmt: Stmt }[];
  scheduleSeq: number;
}

export interface Failure {
  span: Span;
  message: string;
  /** Lines to offer as a new cell below this one (what `explore` found, shrunk). */
  offer?: string;
}

export interface ExecResult {
  diagnostics: Diagnostic[];
  failures: Failure[];
  messages: string[];
  views: ViewRequest[];
  /** The scenario's trace, this cell's events appended: [from, log.length). A new cluster starts a new log. */
  log: TraceLog;
  from: number;
}

export interface ExecOptions {
  /** Events one cell may process before it is stopped (the runaway guard). */
  eventBudget: number;
  /** Default seed when a `cluster` line names none. */
  defaultSeed: number;
  isCancelled?: () => boolean;
  /** How long `run until` waits when it names no `within` (default 60s of virtual time). */
  untilBoundUs?: number;
  /** How long a client command waits for its answer when it names no `within` (default 30s). */
  clientBoundUs?: number;
}

export const DEFAULT_UNTIL_BOUND_US = 60_000_000;
export const DEFAULT_CLIENT_BOUND_US = 30_000_000;
/** client-go's defaults for a Lease election (kube-controller-manager's: 15s lease, 10s, 2s). */
export const DEFAULT_RENEW_DEADLINE_US = 10_000_000;
export const DEFAULT_ELECT_RETRY_US = 2_000_000;
/** How often a queued lock request asks after itself (`lock … retry=`). */
export const DEFAULT_LOCK_RETRY_US = 5_000_000;

export function emptyScenario(): ScenarioState {
  return { world: null, protocol: null, zones: [], clients: [], scheduled: [], scheduleSeq: 0 };
}

class Stop extends Error {}

/**
 * Runs one parsed cell against `state` (mutated in place), appending its events to `log` (the trace of
 * the cells above; pass a new log for the first cell).
 */
export function execCell(state: ScenarioState, stmts: Stmt[], opts: ExecOptions, log: TraceLog = new TraceLog()): ExecResult {
  const result: ExecResult = { diagnostics: [], failures: [], messages: [], views: [], log, from: log.length };
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

/** Virtual time for messages: `37.442ms`, `62.041s`, `3h5m11.236s` (millisecond precision). */
export function fmtTime(us: number): string {
  if (us < 1_000) return `${us}us`;
  const trim = (x: number): string => x.toFixed(3).replace(/\.?0+$/, '');
  if (us < 1_000_000) return `${trim(us / 1_000)}ms`;
  const h = Math.floor(us / 3_600_000_000);
  const m = Math.floor((us % 3_600_000_000) / 60_000_000);
  const s = (us % 60_000_000) / 1_000_000;
  return `${h > 0 ? `${h}h` : ''}${m > 0 || (h > 0 && s > 0) ? `${m}m` : ''}${s > 0 || (h === 0 && m === 0) ? `${trim(s)}s` : ''}`;
}

// ---------------------------------------------------------------------------------------------------
// Pass 1: names and protocols. Nothing runs if this finds a problem.

interface Scope {
  nodes: string[] | null;
  protocol: Protocol | null;
  zones: Map<string, string[]>;
  clients: Set<string>;
}

function check(state: ScenarioState, stmts: Stmt[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const scope: Scope = {
    nodes: state.world ? state.world.opts.nodes.slice() : null,
    protocol: state.protocol,
    zones: new Map(state.zones.map((z) => [z.name, z.nodes])),
    clients: new Set(state.clients),
  };
  let saidNoCluster = false;
  const needCluster = (span: Span): string[] | null => {
    if (scope.nodes === null && !saidNoCluster) {
      saidNoCluster = true;
      out.push(diag('No cluster yet: declare one first, for example `cluster raft nodes=5`.', span));
    }
    return scope.nodes;
  };
  const describeNodes = (ns: string[]): string => (ns.length > 3 && ns.every((n, i) => n === `n${i + 1}`) ? `n1..n${ns.length}` : ns.join(', '));
  const unknown = (r: Ref, what: string, candidates: string[], known: string): void => {
    const dym = didYouMean(r.name, candidates);
    out.push(diag(`Unknown ${what} ${r.name}; ${known}.${dym.text}`, r.span, changeTo(dym.best, r.span)));
  };
  const node = (r: Ref): void => {
    const ns = needCluster(r.span);
    if (ns === null || ns.includes(r.name)) return;
    const hint = scope.zones.has(r.name) ? ` ${r.name} is a zone; this command takes one node` : '';
    unknown(r, 'node', ns, `this cluster has ${describeNodes(ns)}${hint ? `.${hint}` : ''}`);
  };
  const nodeSet = (refs: NodeSet): void => {
    for (const r of refs) {
      const ns = needCluster(r.span);
      if (ns === null || ns.includes(r.name) || scope.zones.has(r.name) || r.name === '*') continue;
      const zones = [...scope.zones.keys()];
      unknown(r, zones.length > 0 ? 'node or zone' : 'node', [...ns, ...zones], `this cluster has ${describeNodes(ns)}${zones.length > 0 ? ` and zones ${zones.join(', ')}` : ''}`);
    }
  };
  const link = (l: Link): void => {
    nodeSet(l.from);
    nodeSet(l.to);
  };
  const client = (r: Ref): void => {
    if (needCluster(r.span) === null || scope.clients.has(r.name)) return;
    const known = [...scope.clients];
    unknown(r, 'client', known, known.length > 0 ? `the clients so far are ${known.join(', ')}` : 'no command of this scenario used a client yet');
  };
  const expandNames = (refs: NodeSet): string[] => refs.flatMap((r) => (r.name === '*' ? (scope.nodes ?? []) : (scope.zones.get(r.name) ?? [r.name])));
  /** False (and a diagnostic) when the scenario's protocol is not one of `protocols`. */
  const protocolOf = (name: string, protocols: readonly Protocol[] | undefined, span: Span): boolean => {
    if (protocols === undefined || scope.protocol === null || protocols.includes(scope.protocol)) return true;
    out.push(diag(`\`${name}\` is for ${orList([...protocols])} clusters; this cluster runs ${scope.protocol}.`, span));
    return false;
  };
  const fact = (e: Expectation, where: 'expect' | 'until'): void => {
    const f: Fact = e.fact;
    const spec = factSpecOf(f);
    needCluster(e.span);
    if (!protocolOf(`${where} ${spec.subject === 'node' ? 'NODE ' : ''}${spec.word}`, spec.protocols, e.span)) return;
    switch (f.kind) {
      case 'leader':
        if (f.node) node(f.node);
        if (f.in) nodeSet(f.in);
        return;
      case 'term':
        if (f.node) node(f.node);
        return;
      case 'committed':
        if (typeof f.on === 'object') node(f.on);
        return;
      case 'role':
      case 'has':
      case 'commit-index':
      case 'log-length':
        node(f.node);
        return;
      case 'client-got':
      case 'client-failed':
      case 'took':
      case 'token':
      case 'rejected':
      case 'leads':
      case 'saw':
        client(f.client);
        return;
      case 'violation': {
        const protocol = scope.protocol ?? 'raft';
        if (f.invariant !== null && findInvariant(f.invariant.name, protocol) === undefined) {
          const slugs = invariantSlugs(protocol);
          const dym = didYouMean(f.invariant.name, slugs);
          out.push(diag(`Unknown invariant \`${f.invariant.name}\`; the invariants${scope.protocol === null || scope.protocol === 'raft' ? '' : ` of ${protocol}`} are ${slugs.join(', ')}.${dym.text}`, f.invariant.span, changeTo(dym.best, f.invariant.span)));
        }
        return;
      }
      default:
        return;
    }
  };
  const visit = (s: Stmt): void => {
    switch (s.kind) {
      case 'cluster':
        scope.nodes = s.nodes.map((r) => r.name);
        scope.protocol = s.protocol;
        scope.zones.clear();
        scope.clients.clear();
        return;
      case 'zone': {
        s.nodes.forEach(node);
        if (scope.nodes?.includes(s.name.name)) out.push(diag(`Zone ${s.name.name} has the name of a node; give the zone its own name.`, s.name.span));
        scope.zones.set(s.name.name, s.nodes.map((r) => r.name));
        return;
      }
      case 'latency':
      case 'cut':
      case 'delay':
      case 'hold':
      case 'release':
      case 'drop':
        link(s.link);
        return;
      case 'loss':
        if (s.link) link(s.link);
        else needCluster(s.span);
        return;
      case 'crash':
      case 'restart':
        nodeSet(s.nodes);
        return;
      case 'pause': {
        // A client's process can pause too (a GC pause of the lock holder).
        const ns = needCluster(s.span);
        if (ns === null) return;
        for (const r of s.nodes) {
          if (ns.includes(r.name) || scope.zones.has(r.name) || scope.clients.has(r.name)) continue;
          const clients = [...scope.clients];
          unknown(r, 'node or client', [...ns, ...clients], `this cluster has ${describeNodes(ns)}${clients.length === 0 ? ', and no client yet' : ` and client${clients.length === 1 ? '' : 's'} ${clients.join(', ')}`}`);
        }
        return;
      }
      case 'partition': {
        s.groups.forEach(nodeSet);
        if (scope.nodes === null) return;
        const seen = new Map<string, number>();
        s.groups.forEach((g, i) => {
          for (const n of new Set(expandNames(g))) {
            const j = seen.get(n);
            if (j !== undefined && j !== i) {
              const r = g.find((x) => expandNames([x]).includes(n))!;
              out.push(diag(`Node ${n} is in two groups of the partition (groups ${j + 1} and ${i + 1}).`, r.span));
              return;
            }
            seen.set(n, i);
          }
        });
        return;
      }
      case 'isolate':
      case 'skew':
        node(s.node);
        return;
      case 'timeout':
        node(s.node);
        protocolOf('timeout', commandSpec('timeout')!.protocols, s.span);
        return;
      case 'set':
        needCluster(s.span);
        for (const o of s.options) {
          const spec = SET_OPTIONS.find((x) => x.name === o.key)!;
          if (spec.protocols && scope.protocol !== null && !spec.protocols.includes(scope.protocol)) {
            out.push(diag(`Option \`${o.key}\` is for ${orList([...spec.protocols])} clusters, not ${scope.protocol}.`, o.keySpan));
          } else if (spec.value === 'bug' && scope.protocol !== null) {
            try {
              checkBugs(o.value, o.valueSpan, scope.protocol);
            } catch (e) {
              if (!(e instanceof LangError)) throw e;
              out.push(diag(e.message, e.span));
            }
          }
        }
        return;
      case 'heal':
      case 'duplicate':
      case 'step':
      case 'show':
        needCluster(s.span);
        return;
      case 'run':
        needCluster(s.span);
        if (s.until) fact(s.until, 'until');
        return;
      case 'at':
        needCluster(s.span);
        visit(s.stmt);
        return;
      case 'client':
      case 'coordination': {
        needCluster(s.span);
        const name = s.client.name;
        if (scope.nodes?.includes(name)) out.push(diag(`${name} is a node; a client needs its own name, such as \`A ${s.op} …\`.`, s.client.span));
        else if (scope.zones.has(name)) out.push(diag(`${name} is a zone; a client needs its own name, such as \`A ${s.op} …\`.`, s.client.span));
        if (s.via) node(s.via);
        protocolOf(s.op, commandSpec(s.op)!.protocols, s.opSpan);
        if (s.kind === 'client' && scope.protocol !== null && scope.protocol !== 'raft') {
          const ttl = s.options.find((o) => o.key === 'ttl');
          if (ttl !== undefined) out.push(diag(`Ephemeral keys (\`ttl\`) are for raft clusters, not ${scope.protocol}.`, ttl.keySpan));
        }
        if (s.kind === 'coordination' && s.op === 'elect') {
          const { problem } = electTimes(s);
          if (problem !== null) out.push(problem);
        }
        if (s.kind === 'coordination' && s.op === 'write') {
          const r = s.target;
          const what = scope.nodes?.includes(r) ? 'a node' : scope.zones.has(r) ? 'a zone' : scope.clients.has(r) || r === name ? 'a client' : null;
          if (what !== null) out.push(diag(`${r} is ${what}; the resource a fenced write goes to needs its own name, such as \`${name} write storage …\`.`, { ...s.opSpan, column: s.opSpan.endColumn + 1, endColumn: s.opSpan.endColumn + 1 + r.length }));
        }
        scope.clients.add(name);
        return;
      }
      case 'propose': {
        node(s.node);
        protocolOf('propose', commandSpec('propose')!.protocols, s.opSpan);
        return;
      }
      case 'expect':
        fact(s.expectation, 'expect');
        return;
      case 'explore': {
        needCluster(s.span);
        const fencing = s.options.find((o) => o.key === 'fencing');
        if (fencing && s.options.find((o) => o.key === 'workload')?.value !== 'locks') {
          out.push(diag('`fencing` is for `workload=locks`: only writes under a lock carry a token.', fencing.keySpan));
        }
        return;
      }
    }
  };
  stmts.forEach(visit);
  return out;
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
    const sim = new Simulation(world, this.result.log);
    if (this.opts.isCancelled) sim.setCancellation(this.opts.isCancelled);
    return sim;
  }

  private get s(): Simulation {
    return this.sim!;
  }

  private get w(): World {
    return this.state.world!;
  }

  exec(st: Stmt): void {
    switch (st.kind) {
      case 'cluster':
        return this.cluster(st);
      case 'zone':
        this.state.zones = this.state.zones.filter((z) => z.name !== st.name.name);
        this.state.zones.push({ name: st.name.name, nodes: st.nodes.map((r) => r.name) });
        return;
      case 'latency':
        for (const [x, y] of this.pairs(st.link)) this.s.setDelay(x, y, st.loUs, st.hiUs);
        return;
      case 'delay': {
        const pairs = this.pairs(st.link);
        for (const [x, y] of pairs) this.s.setDelay(x, y, st.loUs, st.hiUs);
        this.s.traceDelay([...new Set(pairs.flat())], `delay ${linkText(st.link)} ${fmtUs(st.loUs)}..${fmtUs(st.hiUs)}`);
        return;
      }
      case 'set':
        return this.applyOptions(this.w.opts, st.options, st.span);
      case 'crash':
        this.expand(st.nodes).forEach((n) => this.s.crash(n));
        return;
      case 'restart':
        for (const n of this.expand(st.nodes)) {
          if (this.s.slot(n).status !== 'down') this.result.messages.push(`restart ${n}: it is not down, so nothing happens.`);
          this.s.restart(n);
        }
        return;
      case 'pause':
        for (const n of this.expand(st.nodes)) {
          if (this.s.isNode(n)) this.s.pause(n, st.durationUs);
          else this.s.pauseClient(n, st.durationUs);
        }
        return;
      case 'partition': {
        const groups = st.groups.map((g) => this.expand(g));
        return this.s.partition(groups, groups.map((g) => `{${g.join(' ')}}`).join(' | '));
      }
      case 'isolate':
        return this.s.partition([[st.node.name]], `isolate ${st.node.name}`);
      case 'heal':
        return this.s.heal();
      case 'cut':
        for (const [x, y] of this.pairs({ ...st.link, bothWays: false })) this.s.cut(x, y, st.link.bothWays);
        return;
      case 'loss':
        if (st.link === null) return this.s.setLoss(st.permille);
        for (const [x, y] of this.pairs(st.link)) this.s.setLoss(st.permille, x, y);
        return;
      case 'duplicate':
        return this.s.setDuplicate(st.permille);
      case 'skew':
        return this.s.skew(st.node.name, st.offsetUs, 0);
      case 'run':
        return this.run(st);
      case 'step':
        return this.step(st.count, st.span);
      case 'timeout': {
        const slot = this.s.slot(st.node.name);
        if (slot.status !== 'up' || nodeRole(slot) === 'leader') {
          this.result.messages.push(`timeout ${st.node.name}: it is ${slot.status !== 'up' ? slot.status : 'the leader'}, so its election timer does nothing.`);
        }
        return this.s.forceTimeout(st.node.name);
      }
      case 'hold':
        for (const [x, y] of this.pairs(st.link)) this.s.hold(x, y);
        return;
      case 'release':
      case 'drop':
        for (const [x, y] of this.pairs(st.link)) this.s.release(x, y, st.kind === 'release');
        return;
      case 'at': {
        const atUs = st.relative ? this.w.now + st.timeUs : st.timeUs;
        if (atUs < this.w.now) {
          throw new LangError(`Virtual time is already ${fmtTime(this.w.now)}, so \`at ${fmtUs(st.timeUs)}\` is in the past; use \`after\` for a time from now.`, st.span);
        }
        this.state.scheduled.push({ atUs, seq: this.state.scheduleSeq++, stmt: st.stmt });
        // A client named by a scheduled command is known from now on, so later cells may expect on it.
        const inner = st.stmt;
        if ((inner.kind === 'client' || inner.kind === 'coordination') && !this.state.clients.includes(inner.client.name)) this.state.clients.push(inner.client.name);
        this.state.scheduled.sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
        return;
      }
      case 'client':
        return this.client(st, st.wait);
      case 'expect':
        return this.expect(st.expectation);
      case 'show':
        return this.show(st.view, st.options);
      case 'propose':
        if (!this.s.propose(st.node.name, st.value)) {
          this.result.messages.push(`${st.node.name} propose ${st.value}: ${st.node.name} is ${this.s.slot(st.node.name).status}, so it proposes nothing.`);
        }
        return;
      case 'explore':
        return this.explore(st);
      case 'coordination':
        return this.coordination(st, st.wait);
    }
  }

  /** Zone and `*` expansion, in declaration order, without duplicates. */
  private expand(refs: NodeSet): string[] {
    const names = refs.flatMap((r) => (r.name === '*' ? this.w.opts.nodes : (this.state.zones.find((z) => z.name === r.name)?.nodes ?? [r.name])));
    return [...new Set(names)];
  }

  /** Directed (from, to) pairs of a link, without self-links; both directions for `<->`. */
  private pairs(l: Link): [string, string][] {
    const out: [string, string][] = [];
    const seen = new Set<string>();
    const add = (a: string, b: string): void => {
      if (a === b || seen.has(`${a}>${b}`)) return;
      seen.add(`${a}>${b}`);
      out.push([a, b]);
    };
    for (const a of this.expand(l.from)) for (const b of this.expand(l.to)) add(a, b);
    if (l.bothWays) for (const a of this.expand(l.to)) for (const b of this.expand(l.from)) add(a, b);
    return out;
  }

  private cluster(st: Extract<Stmt, { kind: 'cluster' }>): void {
    const seedOpt = st.options.find((o) => o.key === 'seed');
    const seed = seedOpt ? Number(seedOpt.value) >>> 0 : this.opts.defaultSeed;
    const o = defaultClusterOptions(st.nodes.map((r) => r.name), seed, st.protocol);
    this.applyOptions(o, st.options.filter((x) => x.key !== 'nodes' && x.key !== 'seed'), st.span);
    let world: World;
    try {
      world = worldCreate(o);
    } catch (e) {
      if (e instanceof ConfigError) throw new LangError(e.message, st.span);
      throw e;
    }
    this.state.world = world;
    this.state.protocol = st.protocol;
    this.state.zones = [];
    this.state.clients = [];
    this.state.scheduled = [];
    // A new cluster is a new simulation with a trace of its own.
    this.result.log = new TraceLog();
    this.result.from = 0;
    this.sim = this.attach(world);
    this.cellStartEvents = 0;
    this.sim.start();
  }

  /** Apply options to a copy, validate it, and only then adopt it: a rejected `set` changes nothing. */
  private applyOptions(target: ClusterOptions, options: OptionValue[], span: Span): void {
    const o = structuredClone(target);
    // The parser and the check pass have made sure each option is one of this protocol's.
    const timed = o.protocol === 'multi-paxos' ? o.multiPaxos : o.protocol === 'bully' ? o.bully : o.raft;
    for (const opt of options) {
      switch (opt.key) {
        case 'election-timeout': {
          const [lo, hi] = optionDurationRange(opt);
          timed.electionTimeoutUsMin = lo;
          timed.electionTimeoutUsMax = hi;
          break;
        }
        case 'heartbeat':
          timed.heartbeatUs = optionDuration(opt);
          break;
        case 'retry': {
          const [lo, hi] = optionDurationRange(opt);
          o.paxos.retryUsMin = lo;
          o.paxos.retryUsMax = hi;
          break;
        }
        case 'latency': {
          const [lo, hi] = optionDurationRange(opt);
          o.net.latencyUsMin = lo;
          o.net.latencyUsMax = hi;
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
        case 'bug': {
          const paxos = o.protocol === 'paxos' ? o.paxos.bugs : o.multiPaxos.bugs;
          for (const b of opt.value.split(',')) {
            if (o.protocol === 'raft') o.raft.bugs[camel(b) as keyof RaftBugs] = true;
            else if (bugNamesOf(o.protocol).includes(b)) paxos[camel(b) as keyof PaxosBugs] = true;
          }
          break;
        }
        case 'client-retry':
          o.client.retryUs = optionDuration(opt);
          break;
        case 'max-batch':
          if (o.protocol === 'multi-paxos') o.multiPaxos.maxBatchEntries = Number(opt.value);
          else o.raft.maxBatchEntries = Number(opt.value);
          break;
      }
    }
    const problems = validateClusterOptions(o);
    if (problems.length > 0) throw new LangError(problems.join(' '), span);
    // Adopt in place: the running world holds `target` by reference.
    Object.assign(target.raft, o.raft);
    Object.assign(target.paxos, o.paxos);
    Object.assign(target.multiPaxos, o.multiPaxos);
    Object.assign(target.bully, o.bully);
    Object.assign(target.net, o.net);
    Object.assign(target.client, o.client);
    if (this.state.world?.opts === target && options.some((x) => x.key === 'latency')) {
      this.state.world.net.latencyUsMin = o.net.latencyUsMin;
      this.state.world.net.latencyUsMax = o.net.latencyUsMax;
    }
  }

  // --- time

  private peekTime(): number {
    return queuePeekAt(this.w.queue);
  }

  private budgetLeft(): number {
    return this.opts.eventBudget - (this.w.events - this.cellStartEvents);
  }

  private budgetSpent(span: Span): LangError {
    return new LangError(
      `Stopped after ${this.opts.eventBudget.toLocaleString('en-US')} events in this cell (the event budget) at ${fmtTime(this.w.now)} of virtual time. Run less at once, or raise the budget (setting \`consensusNotebook.eventBudget\`).`,
      span,
    );
  }

  /** Advance to `deadline`, running scheduled commands on the way; stop early when `until` holds. */
  private advance(deadline: number, span: Span, until?: () => boolean): 'condition' | 'time' {
    for (;;) {
      const due = this.state.scheduled[0];
      const stopAt = due !== undefined && due.atUs <= deadline ? due.atUs : deadline;
      const r = this.s.run(stopAt, Math.max(0, this.budgetLeft()), until);
      if (r.reason === 'condition') return 'condition';
      if (r.reason === 'budget') throw this.budgetSpent(span);
      if (r.reason === 'cancelled') {
        this.result.messages.push('Cancelled.');
        throw new Stop();
      }
      if (due !== undefined && due.atUs <= deadline) {
        this.state.scheduled.shift();
        this.runScheduled(due.stmt);
        if (until?.()) return 'condition';
        continue;
      }
      return 'time';
    }
  }

  private runScheduled(st: Stmt): void {
    if (st.kind === 'client') this.client(st, false);
    else if (st.kind === 'coordination') this.coordination(st, false);
    else this.exec(st);
  }

  private step(count: number, span: Span): void {
    for (let i = 0; i < count; i++) {
      if (this.budgetLeft() <= 0) throw this.budgetSpent(span);
      if ((i & 1023) === 1023 && this.opts.isCancelled?.()) {
        this.result.messages.push('Cancelled.');
        throw new Stop();
      }
      const due = this.state.scheduled[0];
      if (due !== undefined && due.atUs <= this.peekTime()) {
        this.advance(due.atUs, span);
        continue;
      }
      if (!this.s.step()) {
        this.result.messages.push(`step: nothing left to happen after ${i} event(s).`);
        return;
      }
    }
  }

  private run(st: Extract<Stmt, { kind: 'run' }>): void {
    const w = this.w;
    if (st.durationUs !== null) {
      this.advance(w.now + st.durationUs, st.span);
      return;
    }
    const cond = st.until!;
    const bound = st.withinUs ?? this.opts.untilBoundUs ?? DEFAULT_UNTIL_BOUND_US;
    const holds = this.holds(cond);
    if (this.advance(w.now + bound, st.span, holds) === 'condition') return;
    const f = cond.fact;
    if (f.kind === 'leader' && f.node === null && f.in === null && !cond.negated) {
      throw new LangError(`No leader after ${fmtTime(bound)} of virtual time (at ${fmtTime(w.now)}); roles: ${rolesText(w)}.`, st.span);
    }
    const r: FactResult = f.kind === 'stable' ? { ok: false, found: this.stableFound() } : this.evaluate(cond);
    throw new LangError(`\`until ${factText(f, cond.negated)}\` still did not hold after ${fmtTime(bound)} of virtual time (at ${fmtTime(w.now)}): found ${r.found}${r.detail ? `; ${r.detail}` : ''}.`, st.span);
  }

  private evaluate(e: Expectation): FactResult {
    if (e.fact.kind === 'exclusive') {
      const breach = exclusionBreach(this.result.log);
      const found = breach === null ? 'mutual exclusion held at every resource' : exclusionText(breach, fmtTime);
      return { ok: (breach === null) !== e.negated, found };
    }
    if (e.fact.kind === 'linearizable') {
      const { undecided, ...r } = linearizableFact(this.result.log, fmtTime);
      return { ...r, ok: undecided ? false : r.ok !== e.negated };
    }
    const r = evaluateFact(this.w, e.fact, (n) => this.expand([{ name: n, span: e.span }]));
    return { ...r, ok: r.ok !== e.negated };
  }

  /** A predicate for `run until`, checked after every event. */
  private holds(e: Expectation): () => boolean {
    if (e.fact.kind !== 'stable') return () => this.evaluate(e).ok;
    // Stable: a leader, and no role change for two maximum election timeouts.
    const w = this.w;
    const trace = this.result.log;
    let lastChange = w.now;
    let seen = trace.length;
    return () => {
      for (let i = seen; i < trace.length; i++) if (trace.kindAt(i) === 'role') lastChange = trace.timeAt(i);
      seen = trace.length;
      const stable = actingLeaders(w).length > 0 && w.now - lastChange >= 2 * electionTimeoutMaxUs(w);
      return stable !== e.negated;
    };
  }

  private stableFound(): string {
    const leaders = actingLeaders(this.w);
    return leaders.length === 0 ? 'no leader' : `roles still changing (leader ${leaders[0]!.name}, term ${nodeTerm(leaders[0]!)})`;
  }

  // --- clients

  private client(st: Extract<Stmt, { kind: 'client' }>, wait: boolean): void {
    const name = st.client.name;
    if (!this.state.clients.includes(name)) this.state.clients.push(name);
    if (this.waitForResume(st, name, wait)) return;
    if (!this.s.clientDone(name)) this.s.abandon(name, 'superseded by a new command');
    const key = st.key;
    const ttl = st.options.find((o) => o.key === 'ttl');
    const renew = st.options.find((o) => o.key === 'renew');
    // An ephemeral key's lease is kept alive as a lock's is (a lock's poll interval does not apply).
    const lease = ttl === undefined ? null : { pollUs: 0, renewUs: renew ? optionDuration(renew) : 0, polling: false };
    this.s.submit(
      name,
      (seq) => {
        switch (st.op) {
          case 'put':
            if (ttl !== undefined) return { op: 'ephemeral', key, value: st.value, ttlUs: optionDuration(ttl), client: name, seq };
            return { op: 'put', key, value: st.value, client: name, seq };
          case 'create':
            if (ttl !== undefined) return { op: 'ephemeral', key, value: st.value, ttlUs: optionDuration(ttl), client: name, seq, ifAbsent: true };
            return { op: 'cas', key, expect: null, value: st.value, client: name, seq };
          case 'get':
            return { op: 'get', key, client: name, seq };
          case 'delete':
            return { op: 'delete', key, client: name, seq };
          case 'cas':
            return { op: 'cas', key, expect: st.expect, value: st.value, client: name, seq };
        }
      },
      st.via?.name ?? null,
      lease,
    );
    if (wait) this.awaitAnswer(st, name, `${name} ${st.op} ${key}`, st.via ? ` from ${st.via.name}` : '');
  }

  /** Run until the client's command is answered, within the command's bound (then it gives up). */
  private awaitAnswer(st: Extract<Stmt, { kind: 'client' | 'coordination' }>, name: string, what: string, from = ''): void {
    const bound = st.withinUs ?? this.opts.clientBoundUs ?? DEFAULT_CLIENT_BOUND_US;
    if (this.advance(this.w.now + bound, st.span, () => this.s.clientDone(name)) === 'time') {
      this.s.abandon(name, `no answer within ${fmtTime(bound)}`);
      this.result.messages.push(`${what}: no answer within ${fmtTime(bound)} of virtual time${from}.`);
    }
  }

  /**
   * A paused client does nothing until it resumes: a command for it waits (true when it was put off,
   * as a scheduled command is: it runs when the client resumes).
   */
  private waitForResume(st: Stmt, name: string, wait: boolean): boolean {
    const resumeUs = this.s.clientResumesAt(name);
    if (resumeUs === null) return false;
    if (!wait) {
      this.state.scheduled.push({ atUs: resumeUs, seq: this.state.scheduleSeq++, stmt: st });
      this.state.scheduled.sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
      return true;
    }
    this.advance(resumeUs, st.span, () => this.s.clientResumesAt(name) === null);
    return false;
  }

  // --- the coordination service

  /** `elect`: the client runs a Lease election in the background (it does not wait to lead). */
  private elect(st: Extract<Stmt, { kind: 'coordination' }>, name: string): void {
    const { leaseUs, renewDeadlineUs, retryUs } = electTimes(st);
    const running = this.w.clients[this.w.clientIndex.get(name) ?? -1]?.elector;
    if (running && running.lease !== st.target) {
      throw new LangError(`${name} already runs the election for ${running.lease}; a client runs one election (use another client for ${st.target}).`, st.span);
    }
    this.s.elect(name, st.target, leaseUs, renewDeadlineUs, retryUs);
  }

  private coordination(st: Extract<Stmt, { kind: 'coordination' }>, wait: boolean): void {
    const name = st.client.name;
    if (!this.state.clients.includes(name)) this.state.clients.push(name);
    if (this.waitForResume(st, name, wait)) return;
    if (st.op === 'elect') return this.elect(st, name);
    if (!this.s.clientDone(name)) this.s.abandon(name, 'superseded by a new command');
    const key = st.target;
    const opt = (k: string): OptionValue | undefined => st.options.find((o) => o.key === k);
    const client = this.w.clients[this.w.clientIndex.get(name) ?? -1];
    switch (st.op) {
      case 'lock': {
        const ttlUs = optionDuration(opt('ttl')!);
        const renew = opt('renew');
        const retry = opt('retry');
        const lock = { pollUs: retry ? optionDuration(retry) : DEFAULT_LOCK_RETRY_US, renewUs: renew ? optionDuration(renew) : 0, polling: false };
        this.s.submit(name, (seq) => ({ op: 'lock', key, ttlUs, client: name, seq }), null, lock);
        break;
      }
      case 'unlock': {
        const token = client?.locks.get(key)?.token;
        if (token === undefined) {
          this.result.messages.push(`${name} unlock ${key}: ${name} does not hold ${key} (as far as it knows), so it asks to release nothing.`);
        }
        this.s.submit(name, (seq) => ({ op: 'unlock', key, token: token ?? 0, client: name, seq }), null);
        break;
      }
      case 'write': {
        const held = st.under === null ? undefined : client?.locks.get(st.under);
        if (st.under !== null && held === undefined) {
          this.result.messages.push(`${name} write ${key} under ${st.under}: ${name} does not hold ${st.under} (as far as it knows), so it does not write.`);
          return;
        }
        const token = !st.token ? null : held !== undefined ? held.token : (client?.token ?? null);
        if (st.token && token === null) {
          throw new LangError(`${name} has no fencing token to send: it was never granted a lock. Take one first (\`${name} lock NAME ttl=15s\`), or write without \`token\`.`, st.span);
        }
        const under = held !== undefined ? { lock: st.under!, token: held.token } : undefined;
        this.s.submit(name, (seq) => ({ op: 'write', key, value: st.value, token, client: name, seq, ...(under ? { under } : {}) }), key);
        break;
      }
      case 'watch': {
        const requireLeader = opt('require-leader')?.value === 'on';
        this.s.watch(name, key, st.via?.name ?? null, requireLeader);
        if (wait) {
          const bound = st.withinUs ?? this.opts.clientBoundUs ?? DEFAULT_CLIENT_BOUND_US;
          if (this.advance(this.w.now + bound, st.span, () => this.s.watching(name)) === 'time') {
            this.result.messages.push(`${name} watch ${key}: no member confirmed the watch within ${fmtTime(bound)} of virtual time; ${name} keeps trying.`);
          }
        }
        return;
      }
    }
    if (wait) this.awaitAnswer(st, name, `${name} ${st.op} ${key}`);
  }

  // --- expectations

  private expect(e: Expectation): void {
    const r = this.evaluate(e);
    if (!r.ok) this.result.failures.push({ span: e.span, message: `Expected ${factText(e.fact, e.negated)}, found ${r.found} (at ${fmtTime(this.w.now)})${r.detail ? `; ${r.detail}` : ''}.` });
  }

  // --- exploration

  private explore(st: Extract<Stmt, { kind: 'explore' }>): void {
    const params = exploreParams(st);
    const r = explore(this.state, this.result.log, params, this.opts);
    if (r.stopped === 'cancelled') {
      this.result.messages.push('Cancelled.');
      throw new Stop();
    }
    if (r.stopped === 'budget') throw new LangError(exploreBudgetText(r.runs, this.opts), st.span);
    const f = r.finding;
    if (f === null) {
      this.result.messages.push(exploreHeldText(r.runs, params, this.state.protocol!));
      return;
    }
    this.result.failures.push({ span: st.span, message: exploreFoundText(f, params), offer: f.lines.join('\n') });
  }

  private show(view: ViewName, options: OptionValue[]): void {
    const req: ViewRequest = { view, hideHeartbeats: true, fromUs: null, toUs: null, maxMessages: null };
    for (const o of options) {
      if (o.key === 'hide') req.hideHeartbeats = o.value === 'heartbeats';
      if (o.key === 'from') req.fromUs = optionDuration(o);
      if (o.key === 'to') req.toUs = optionDuration(o);
      if (o.key === 'max') req.maxMessages = Number(o.value);
    }
    this.result.views.push(req);
  }
}

function linkText(l: Link): string {
  const side = (s: NodeSet): string => (s.length === 1 ? s[0]!.name : `{${s.map((r) => r.name).join(' ')}}`);
  return `${side(l.from)} ${l.bothWays ? '<->' : '->'} ${side(l.to)}`;
}

function camel(s: string): string {
  return s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * An `elect` line's times (defaults: client-go's, shortened to fit a short lease), and what is wrong
 * with them, as client-go checks: a leader must stop leading before another may take the Lease over,
 * and try to renew more than once before it stops.
 */
function electTimes(st: Extract<Stmt, { kind: 'coordination' }>): { leaseUs: number; renewDeadlineUs: number; retryUs: number; problem: Diagnostic | null } {
  const opt = (k: string): OptionValue | undefined => st.options.find((o) => o.key === k);
  const lease = opt('lease')!;
  const deadline = opt('renew-deadline');
  const retry = opt('retry');
  const leaseUs = optionDuration(lease);
  const renewDeadlineUs = deadline ? optionDuration(deadline) : Math.min(DEFAULT_RENEW_DEADLINE_US, Math.floor((leaseUs * 2) / 3));
  const retryUs = retry ? optionDuration(retry) : Math.min(DEFAULT_ELECT_RETRY_US, Math.floor(renewDeadlineUs / 5));
  let problem: Diagnostic | null = null;
  if (renewDeadlineUs >= leaseUs) {
    problem = diag(`\`renew-deadline\` (${fmtUs(renewDeadlineUs)}) must be shorter than \`lease\` (${fmtUs(leaseUs)}): a leader must stop leading before another may take the Lease over.`, (deadline ?? lease).span);
  } else if (retryUs * 1.2 >= renewDeadlineUs) {
    problem = diag(`\`retry\` (${fmtUs(retryUs)}) must be well shorter than \`renew-deadline\` (${fmtUs(renewDeadlineUs)}): under 1/1.2 of it, so a leader tries to renew more than once before it gives up.`, (retry ?? deadline ?? lease).span);
  }
  return { leaseUs, renewDeadlineUs, retryUs, problem };
}
