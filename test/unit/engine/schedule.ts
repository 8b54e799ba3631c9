// Random fault schedules for the property, determinism and mutation tests: a schedule is a cluster
// configuration plus a list of (time gap, fault or client operation) steps. `runSchedule` plays it on
// the engine, then heals everything and checks liveness: a leader within a bound, a write commits, and
// every committed entry is applied on every node.

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { type RaftBugs, type ReadMode, defaultClusterOptions, noBugs } from '../../../src/engine/config';
import { Simulation, type World, worldCreate } from '../../../src/engine/sim';
import type { ClientCommand, TraceEvent } from '../../../src/engine/trace';
import type { TraceLog } from '../../../src/engine/tracelog';
import { MS, S, leaderOf, names } from './helpers';

/** The faults of every protocol's schedules (here and in tracelog.test.ts), played by `playCommonFault`. */
export type CommonFault =
  | { k: 'crash' | 'restart' | 'reboot'; node: number }
  | { k: 'pause'; node: number; us: number }
  | { k: 'partition'; groups: number[] }
  | { k: 'heal' }
  | { k: 'cut'; from: number; to: number; both: boolean }
  | { k: 'loss'; permille: number }
  | { k: 'duplicate'; permille: number };

const COMMON_KINDS: ReadonlySet<string> = new Set(['crash', 'restart', 'reboot', 'pause', 'partition', 'heal', 'cut', 'loss', 'duplicate']);

export function isCommonFault<F extends { k: string }>(f: F): f is Extract<F, CommonFault> {
  return COMMON_KINDS.has(f.k);
}

/** Plays a common fault on a cluster whose nodes are `ns` (node numbers wrap around). */
export function playCommonFault(sim: Simulation, f: CommonFault, ns: readonly string[]): void {
  const at = (i: number): string => ns[i % ns.length]!;
  switch (f.k) {
    case 'crash':
      return sim.crash(at(f.node));
    case 'restart':
      return sim.restart(at(f.node));
    case 'reboot':
      sim.crash(at(f.node));
      return sim.restart(at(f.node));
    case 'pause':
      return sim.pause(at(f.node), f.us);
    case 'partition': {
      const groups: string[][] = [[], [], []];
      ns.forEach((n, j) => groups[f.groups[j]!]!.push(n));
      return sim.partition(groups.filter((g) => g.length > 0), 'random');
    }
    case 'heal':
      return sim.heal();
    case 'cut':
      if (at(f.from) !== at(f.to)) sim.cut(at(f.from), at(f.to), f.both);
      return;
    case 'loss':
      return sim.setLoss(f.permille);
    case 'duplicate':
      return sim.setDuplicate(f.permille);
  }
}

export type Fault =
  | CommonFault
  | { k: 'timeout'; node: number }
  | { k: 'duel'; a: number; b: number }
  | { k: 'link-loss'; from: number; to: number; permille: number }
  | { k: 'delay'; from: number; to: number; loUs: number; hiUs: number }
  | { k: 'drift'; node: number; ppm: number }
  | { k: 'write'; client: number; key: number; value: number }
  | { k: 'read'; client: number; key: number };

export interface Step {
  gapUs: number;
  fault: Fault;
}

export interface Schedule {
  nodes: number;
  seed: number;
  prevote: boolean;
  checkQuorum: boolean;
  readMode: ReadMode;
  /** Entries per AppendEntries: small batches let a leader learn of old entries before its own. */
  maxBatchEntries: number;
  steps: Step[];
}

export const CLIENTS = 3;
const KEYS = 3;

/** A node index below `n` (arbitraries are built for 7 nodes and folded to the cluster's size). */
const node = fc.nat(6);

/** Every kind of step, with its weight and arbitrary. */
const KINDS: { kind: string; weight: number; arbitrary: fc.Arbitrary<Fault> }[] = [
  { kind: 'write', weight: 6, arbitrary: fc.record({ k: fc.constant('write' as const), client: fc.nat(CLIENTS - 1), key: fc.nat(KEYS - 1), value: fc.nat(999) }) },
  { kind: 'read', weight: 2, arbitrary: fc.record({ k: fc.constant('read' as const), client: fc.nat(CLIENTS - 1), key: fc.nat(KEYS - 1) }) },
  { kind: 'crash', weight: 2, arbitrary: fc.record({ k: fc.constantFrom('crash' as const, 'restart' as const), node }) },
  { kind: 'reboot', weight: 2, arbitrary: fc.record({ k: fc.constant('reboot' as const), node }) },
  { kind: 'timeout', weight: 1, arbitrary: fc.record({ k: fc.constant('timeout' as const), node }) },
  { kind: 'duel', weight: 1, arbitrary: fc.record({ k: fc.constant('duel' as const), a: node, b: node }) },
  { kind: 'pause', weight: 1, arbitrary: fc.record({ k: fc.constant('pause' as const), node, us: fc.integer({ min: 10 * MS, max: 2 * S }) }) },
  { kind: 'partition', weight: 2, arbitrary: fc.record({ k: fc.constant('partition' as const), groups: fc.array(fc.nat(2), { minLength: 7, maxLength: 7 }) }) },
  { kind: 'heal', weight: 2, arbitrary: fc.constant({ k: 'heal' as const }) },
  { kind: 'cut', weight: 1, arbitrary: fc.record({ k: fc.constant('cut' as const), from: node, to: node, both: fc.boolean() }) },
  { kind: 'loss', weight: 1, arbitrary: fc.record({ k: fc.constant('loss' as const), permille: fc.integer({ min: 0, max: 400 }) }) },
  { kind: 'link-loss', weight: 1, arbitrary: fc.record({ k: fc.constant('link-loss' as const), from: node, to: node, permille: fc.integer({ min: 0, max: 1000 }) }) },
  { kind: 'duplicate', weight: 1, arbitrary: fc.record({ k: fc.constant('duplicate' as const), permille: fc.integer({ min: 0, max: 300 }) }) },
  {
    kind: 'delay',
    weight: 1,
    arbitrary: fc
      .record({ k: fc.constant('delay' as const), from: node, to: node, loUs: fc.integer({ min: 0, max: 300 * MS }), spanUs: fc.integer({ min: 0, max: 300 * MS }) })
      .map(({ spanUs, ...d }) => ({ ...d, hiUs: d.loUs + spanUs })),
  },
  { kind: 'drift', weight: 1, arbitrary: fc.record({ k: fc.constant('drift' as const), node, ppm: fc.integer({ min: -100_000, max: 100_000 }) }) },
];

/** Steps of the given kinds only. */
function stepArb(kinds: typeof KINDS): fc.Arbitrary<Step> {
  return fc.record({
    // Mostly short gaps (inside an election), sometimes long ones (elections finish, timers fire).
    gapUs: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 100 * MS }) }, { weight: 2, arbitrary: fc.integer({ min: 100 * MS, max: 1500 * MS }) }),
    fault: fc.oneof(...kinds.map((k) => ({ weight: k.weight, arbitrary: k.arbitrary }))),
  });
}

/**
 * Swarm testing (as in TigerBeetle's VOPR): each schedule draws its steps from a random subset of the
 * kinds, so some schedules are all crashes, others all elections and slow links; a uniform mix would
 * rarely pile up the one kind of trouble a bug needs.
 */
export function scheduleArb(maxSteps: number): fc.Arbitrary<Schedule> {
  const kinds = fc.subarray(KINDS, { minLength: 1 }).map((ks) => (ks.some((k) => k.kind === 'write') ? ks : [KINDS[0]!, ...ks]));
  return kinds.chain((ks) => scheduleWith(ks, maxSteps));
}

function scheduleWith(kinds: typeof KINDS, maxSteps: number): fc.Arbitrary<Schedule> {
  return fc.record({
    nodes: fc.constantFrom(3, 3, 4, 5, 5),
    seed: fc.nat(0xffffffff),
    prevote: fc.boolean(),
    checkQuorum: fc.boolean(),
    readMode: fc.constantFrom<ReadMode>('index', 'lease', 'log'),
    maxBatchEntries: fc.constantFrom(1, 2, 64),
    steps: fc.array(stepArb(kinds), { minLength: Math.min(8, maxSteps), maxLength: maxSteps, size: "max" }),
  });
}

export interface Outcome {
  world: World;
  /** Violation events, in order (the checker runs on every event). */
  violations: Extract<TraceEvent, { k: 'violation' }>[];
  /** The clients' requests and answers, in order: the history whose linearizability is checked. */
  clientEvents: TraceEvent[];
  /** Virtual time from the end of healing to the first leader, or null if none came within the bound. */
  leaderAfterUs: number | null;
  /** Whether a write after healing was acknowledged within the bound. */
  wrote: boolean;
  /** Whether every node applied every committed entry within the bound. */
  converged: boolean;
  /** SHA-256 of the whole trace (its JSON), when asked for. */
  hash: string | null;
  events: number;
}

export interface RunOptions {
  bugs?: Partial<RaftBugs>;
  /** Hash the trace (slower). */
  hash?: boolean;
  /** Skip the healing and liveness phase. */
  safetyOnly?: boolean;
  /** Stop at the first violation (mutation tests). */
  stopAtViolation?: boolean;
  /** Before this step, carry on from a structured clone of the world (as the session's snapshots do). */
  snapshotAt?: number;
  /** Where the trace goes; by default an array the run empties as it goes (violations are kept). */
  sink?: TraceEvent[] | TraceLog;
  /** After the steps, before healing: more to do to the cluster (`run` advances virtual time). */
  afterSteps?: (sim: Simulation, run: (us: number) => void) => void;
}

export const LEADER_BOUND_US = 20 * S;
const WRITE_BOUND_US = 20 * S;
const CONVERGE_BOUND_US = 5 * S;

/** Plays a schedule; never throws for protocol problems (they come back as violations or failed liveness). */
export function runSchedule(sc: Schedule, ro: RunOptions = {}): Outcome {
  const ns = names(sc.nodes);
  const o = defaultClusterOptions(ns, sc.seed);
  o.raft.prevote = sc.prevote;
  o.raft.checkQuorum = sc.checkQuorum;
  o.raft.readMode = sc.readMode;
  o.raft.maxBatchEntries = sc.maxBatchEntries;
  o.raft.bugs = { ...noBugs(), ...ro.bugs };
  let world = worldCreate(o);
  const own = ro.sink === undefined;
  const sink = ro.sink ?? [];
  let sim = new Simulation(world, sink);
  const violations: Outcome['violations'] = [];
  const clientEvents: TraceEvent[] = [];
  const hasher = ro.hash ? createHash('sha256') : null;
  let seen = 0; // events of the sink already looked at
  const drain = (): void => {
    const n = sink.length;
    for (let i = seen; i < n; i++) {
      const e = sink.at(i)!;
      if (e.k === 'violation') violations.push(e);
      else if (e.k === 'client-request' || e.k === 'client-response') clientEvents.push(e);
    }
    if (hasher !== null && n > seen) hasher.update(JSON.stringify(sink.slice(seen, n)));
    seen = n;
    if (own) {
      (sink as TraceEvent[]).length = 0;
      seen = 0;
    }
  };
  const runTo = (t: number, until?: () => boolean): boolean => {
    const r = sim.run(t, Number.MAX_SAFE_INTEGER, until);
    drain();
    return r.reason === 'condition';
  };
  const at = (i: number): string => ns[i % sc.nodes]!;
  const delays: [string, string][] = [];
  let pausedUntil = 0;
  sim.start();
  let probe = 0;
  for (const [i, step] of sc.steps.entries()) {
    if (i === ro.snapshotAt) {
      world = structuredClone(world);
      sim = new Simulation(world, sink);
    }
    runTo(world.now + step.gapUs);
    const f = step.fault;
    if (isCommonFault(f)) {
      playCommonFault(sim, f, ns);
      if (f.k === 'pause') pausedUntil = Math.max(pausedUntil, world.now + f.us);
    }
    switch (f.k) {
      case 'timeout':
        sim.forceTimeout(at(f.node));
        break;
      case 'duel':
        sim.forceTimeout(at(f.a));
        sim.forceTimeout(at(f.b));
        break;
      case 'link-loss':
        if (at(f.from) !== at(f.to)) sim.setLoss(f.permille, at(f.from), at(f.to));
        break;
      case 'delay':
        if (at(f.from) !== at(f.to)) {
          sim.setDelay(at(f.from), at(f.to), f.loUs, f.hiUs);
          delays.push([at(f.from), at(f.to)]);
        }
        break;
      case 'drift':
        sim.skew(at(f.node), 0, f.ppm);
        break;
      case 'write':
      case 'read': {
        const client = `c${f.client}`;
        if (!sim.clientDone(client)) sim.abandon(client, 'superseded');
        const key = `k${f.key}`;
        const value = f.k === 'write' ? String(f.value) : '';
        sim.submit(client, (seq): ClientCommand => (f.k === 'write' ? { op: 'put', key, value, client, seq } : { op: 'get', key, client, seq }), null);
        break;
      }
    }
    drain();
    if (ro.stopAtViolation && violations.length > 0) break;
  }
  if (ro.afterSteps !== undefined && !(ro.stopAtViolation && violations.length > 0)) {
    ro.afterSteps(sim, (us) => void runTo(world.now + us));
    drain();
  }
  const out: Outcome = { world, violations, clientEvents, leaderAfterUs: null, wrote: false, converged: false, hash: null, events: 0 };
  if (!ro.safetyOnly && !(ro.stopAtViolation && violations.length > 0)) {
    // Heal everything: network, clocks, crashed and paused nodes.
    sim.heal();
    sim.setDuplicate(0);
    for (const [a, b] of delays) sim.setDelay(a, b, o.net.latencyUsMin, o.net.latencyUsMax);
    for (const n of ns) {
      sim.skew(n, 0, 0);
      sim.restart(n);
    }
    runTo(Math.max(world.now, pausedUntil));
    drain();
    const healed = world.now;
    if (runTo(healed + LEADER_BOUND_US, () => leaderOf(world) !== null)) out.leaderAfterUs = world.now - healed;
    // A write commits (through whatever leader there is by then), and everything committed is applied
    // everywhere.
    const client = `probe${probe++}`;
    sim.submit(client, (seq) => ({ op: 'put', key: 'probe', value: 'done', client, seq }), null);
    out.wrote = runTo(world.now + WRITE_BOUND_US, () => sim.clientDone(client));
    out.converged = runTo(world.now + CONVERGE_BOUND_US, () => converged(world));
  }
  drain();
  out.hash = hasher?.digest('hex') ?? null;
  out.events = world.events;
  return out;
}

/** Every node has committed and applied everything any node has committed. */
export function converged(w: World): boolean {
  let top = 0;
  for (const n of w.nodes) if (n.raft.commitIndex > top) top = n.raft.commitIndex;
  for (const n of w.nodes) if (n.raft.commitIndex < top || n.raft.lastApplied < top) return false;
  return top > 0;
}

/** A compact description of a schedule for failure messages. */
export function describeSchedule(sc: Schedule): string {
  const steps = sc.steps.map((s) => `+${Math.round(s.gapUs / 1000)}ms ${JSON.stringify(s.fault)}`);
  return `${sc.nodes} nodes, seed ${sc.seed}, prevote=${sc.prevote} checkQuorum=${sc.checkQuorum} read=${sc.readMode} batch=${sc.maxBatchEntries}\n  ${steps.join('\n  ')}`;
}

// ---------------------------------------------------------------------------------------------------
// Driving a schedule of client steps and common faults (the coordination service's property tests)

/**
 * Runs advance at most this much virtual time per `sim.run`, with at most DRIVER_BUDGET events. A
 * healthy 5-node cluster takes about 200 events a second (heartbeats every 50ms, elections, clients),
 * so only an event storm at one instant exhausts it: it ends the run as a `progress` failure, soon,
 * instead of running out of memory.
 */
export const DRIVER_CHUNK_US = 1 * S;
export const DRIVER_BUDGET = 5_000;

/** An event storm at one instant: virtual time stopped advancing. */
export class Hang extends Error {}

export interface Driver<F> {
  /** Runs to `to` (or until `until` holds: true then), a chunk at a time; an event storm throws Hang. */
  advance(to: number, until?: () => boolean): boolean;
  /** Runs to `t`, stopping at each client's resume to play what waited for it. */
  runTo(t: number): void;
  runUntil(boundUs: number, until: () => boolean): boolean;
  /** Plays the steps: each after its gap; a client's step while it is paused waits for it to resume. */
  play(steps: readonly { gapUs: number; f: F | CommonFault }[]): void;
  /** Heals everything; the paused nodes and clients resume (and the clients do what waited for that). */
  healAll(): void;
}

/**
 * A driver of `sim` through client steps (`clientStep`, for the steps `isClientStep` picks out; the
 * step names its client by position in `clients`) and common faults, as the language's interpreter
 * plays them: a client's step while the client is paused waits for it to resume (a client's own pause
 * never waits). `drain` takes the trace events `sink` has gathered; it runs after every step and chunk.
 */
export function scheduleDriver<F extends { k: string; client: number }>(o: {
  sim: Simulation;
  world: World;
  nodes: readonly string[];
  clients: readonly string[];
  sink: readonly TraceEvent[];
  drain: () => void;
  isClientStep: (f: F | CommonFault) => f is F;
  clientStep: (f: F) => void;
}): Driver<F> {
  const { sim, world } = o;
  const deferred: { client: string; f: F }[] = [];
  const runDeferred = (): void => {
    for (let i = 0; i < deferred.length; ) {
      const d = deferred[i]!;
      if (sim.clientResumesAt(d.client) === null) {
        deferred.splice(i, 1);
        o.clientStep(d.f);
      } else i++;
    }
  };
  const advance = (to: number, until?: () => boolean): boolean => {
    do {
      const r = sim.run(Math.min(to, world.now + DRIVER_CHUNK_US), DRIVER_BUDGET, until);
      if (r.reason === 'budget') {
        const last = o.sink.slice(-3).map((e) => JSON.stringify(e)).join('; ');
        o.drain();
        throw new Hang(`${r.events} events within ${DRIVER_CHUNK_US / MS}ms of virtual time, stuck at ${world.now}us; last events: ${last}`);
      }
      o.drain();
      if (r.reason === 'condition') return true;
    } while (world.now < to);
    return false;
  };
  const runTo = (t: number): void => {
    for (;;) {
      const resumes = deferred.map((d) => sim.clientResumesAt(d.client) ?? world.now).filter((r) => r <= t);
      const next = resumes.length > 0 ? Math.min(...resumes) : t;
      advance(next);
      runDeferred();
      if (next >= t) return;
    }
  };
  let pausedUntil = 0;
  return {
    advance,
    runTo,
    runUntil: (boundUs, until) => advance(world.now + boundUs, until),
    play(steps) {
      for (const step of steps) {
        runTo(world.now + step.gapUs);
        const f = step.f;
        if (o.isClientStep(f)) {
          const name = o.clients[f.client % o.clients.length]!;
          if (f.k !== 'client-pause' && sim.clientResumesAt(name) !== null) deferred.push({ client: name, f });
          else o.clientStep(f);
        } else {
          playCommonFault(sim, f, o.nodes);
          if (f.k === 'pause') pausedUntil = Math.max(pausedUntil, world.now + f.us);
        }
        o.drain();
      }
    },
    healAll() {
      sim.heal();
      sim.setDuplicate(0);
      for (const n of o.nodes) sim.restart(n);
      const clientsResume = (): number => Math.max(world.now, ...o.clients.map((n) => sim.clientResumesAt(n) ?? world.now));
      runTo(Math.max(pausedUntil, clientsResume()));
      runTo(clientsResume()); // a step that waited may not pause again (client steps never do), but be sure
      o.drain();
    },
  };
}
