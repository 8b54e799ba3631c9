// The discrete-event simulator: virtual time, one PRNG, an event queue, a faulty network, node processes
// (crash, restart, pause, clock skew), clients, and the invariant checkers fed after every event.
// `World` is plain data: a snapshot is `structuredClone(world)`, and a run from a snapshot is
// byte-identical to a run that never stopped.
//
// Timers are lazy: re-arming a timer to a later deadline (every AppendEntries does, on every follower)
// only records the deadline; the one queued entry re-queues itself when it comes up early. So the
// queue holds about one entry per timer, not one per message.

import { type ClusterOptions, ConfigError, type RaftOptions, fmtUs, internName, validateClusterOptions } from './config';
import { type Prng, chance, prngCreate, randInt } from './prng';
import { type Queue, queueCreate, queuePeek, queuePeekAt, queuePop, queuePush } from './queue';
import { type RaftCheckState, raftCheckAppend, raftCheckApply, raftCheckCommit, raftCheckCreate, raftCheckEvent } from './check/raft';
import { type PaxosCheckState, paxosCheckCreate, paxosCheckEvent } from './check/paxos';
import { type BullyCheckState, bullyCheckCreate, bullyCheckEvent } from './check/bully';
import { type BullyState, bullyForceTimeout, bullyProtocol } from './bully/node';
import { type PaxosState, paxosPropose, paxosProtocol } from './paxos/basic';
import { type MultiPaxosState, multiPaxosForceTimeout, multiPaxosPropose, multiPaxosProtocol } from './paxos/multi';
import type { Protocol, ProtocolEnv, Violation } from './protocol';
import {
  type RaftEnv,
  type RaftState,
  type TraceInput,
  raftCrash,
  raftCreate,
  raftForceTimeout,
  raftReceive,
  raftRestart,
  raftStart,
  raftTimer,
} from './raft/node';
import type { ClientCommand, Command, DropReason, LogEntry, Message, PaxosValue, Role, TimerKind, TraceEvent } from './trace';
import { TraceLog } from './tracelog';
import { type Resource, type WatchedKeys, leaseRecord, parseLease, resourceWrite, seconds, watchedApply } from './kv/store';

/** The timers of a Raft node. */
type RaftTimer = 'election' | 'heartbeat';

/** Every protocol's timer kinds; a node keeps each timer's state at its number here. */
const TIMER_KINDS: readonly TimerKind[] = ['election', 'heartbeat', 'retry'];

function timerNo(kind: string): number {
  switch (kind) {
    case 'election':
      return 0;
    case 'heartbeat':
      return 1;
    case 'retry':
      return 2;
    default:
      throw new Error(`engine: unknown timer ${kind}`);
  }
}

/**
 * The state of a node of a protocol other than Raft, tagged with its protocol. Raft nodes keep theirs
 * in `NodeSlot.raft` (and have `proto: null`), so the Raft hot path reads one field and calls Raft's
 * functions directly.
 */
export type ProtoState =
  | { kind: 'paxos'; s: PaxosState }
  | { kind: 'multi-paxos'; s: MultiPaxosState }
  | { kind: 'bully'; s: BullyState };

/** The checker of a world that does not run Raft (a Raft world feeds `World.check`). */
export type ProtoCheck = { kind: 'paxos'; st: PaxosCheckState } | { kind: 'bully'; st: BullyCheckState };

/** The non-Raft protocols, called through the `Protocol` interface. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const PROTOCOL_TABLE: Record<ProtoState['kind'], Protocol<any, any>> = {
  paxos: paxosProtocol,
  'multi-paxos': multiPaxosProtocol,
  bully: bullyProtocol,
};

/** A message in flight; `fromIdx`/`toIdx`: the position of each end in the cluster, -1 for a client. */
interface InFlight {
  k: 'deliver';
  id: number;
  from: string;
  to: string;
  fromIdx: number;
  toIdx: number;
  msg: Message;
}

/** The rarer entries of the queue: a client's retry and keep-alive timers, a paused node's or client's resume. */
type RarePending =
  | { k: 'client-timer'; client: string; gen: number }
  | { k: 'keepalive'; client: string; lock: string; gen: number }
  | { k: 'elector'; client: string; gen: number }
  | { k: 'watch'; client: string; gen: number }
  | { k: 'resume'; node: string; gen: number }
  | { k: 'client-resume'; client: string; gen: number };

type Pending =
  | InFlight
  /** `idx`: the node's position; `tn`: the timer's number (TIMER_KINDS). */
  | { k: 'timer'; node: string; idx: number; timer: TimerKind; tn: number; gen: number }
  | RarePending;

export interface NodeSlot {
  name: string;
  /** Position in the cluster's declared node list (`world.nodes[pos]` is this slot). */
  pos: number;
  status: 'up' | 'down' | 'paused';
  /**
   * The Raft node, in a world that runs Raft (`opts.protocol === 'raft'`). In a world of another
   * protocol there is none (the field holds null despite its type): read `proto`, or use `nodeRole`
   * and `nodeTerm`, which work for every protocol.
   */
  raft: RaftState;
  /** The node of any other protocol; null in a Raft world. */
  proto: ProtoState | null;
  // Per timer kind, by its number in TIMER_KINDS:
  /** Bumped whenever the timer is queued afresh, so an older queue entry of it is ignored. */
  timerGen: number[];
  /** When each timer is due (virtual time), or -1 when it is not armed. */
  timerDue: number[];
  /** When the live queue entry of each timer comes up, or -1 when none is queued. */
  timerQueuedAt: number[];
  /** Clock offset (skew) and rate error in parts per million. */
  clockOffsetUs: number;
  clockDriftPpm: number;
  /** Bumped by every pause and crash, so a stale `resume` is ignored. */
  pauseGen: number;
  /** Deliveries and timers that arrived while paused, in arrival order. */
  deferred: Pending[];
}

export interface HeldMessage {
  id: number;
  from: string;
  to: string;
  msg: Message;
}

export interface NetState {
  latencyUsMin: number;
  latencyUsMax: number;
  lossPermille: number;
  duplicatePermille: number;
  /** Per directed link "from>to". */
  linkLatency: Record<string, [number, number]>;
  linkLoss: Record<string, number>;
  cuts: Record<string, true>;
  holds: Record<string, true>;
  held: HeldMessage[];
  /** Partition group per node; null when the network is whole. */
  groupOf: Map<string, number> | null;
  groups: string[][];
  /** How many per-link rules (latency, loss, cut, hold) exist; with none, messages skip the lookups. */
  linkRules: number;
}

export interface ClientOp {
  cmd: ClientCommand;
  via: string | null;
  target: string;
  attempts: number;
  startedUs: number;
  /** A lock request: how often to ask after it while it is queued, and how often to renew it once held. */
  lock: { pollUs: number; renewUs: number; polling: boolean } | null;
  /** A step of the client's Lease election (its read of the Lease, or its write), not a command of its own. */
  elector: 'get' | 'update' | null;
}

/**
 * A watch of the keys under `prefix`, held open on one member (`node`), as an etcd client does: its
 * view of those keys is what that member has applied. When the member crashes, cancels the watch or
 * does not confirm it, the client opens it again on the next member (an etcd client knows them all).
 */
export interface ClientWatch {
  prefix: string;
  node: string;
  requireLeader: boolean;
  created: boolean;
  /** The keys under the prefix as the watch has shown them (`watchedApply`). */
  view: WatchedKeys;
  /** Bumped when the watch is opened afresh, so an older check of it is ignored. */
  gen: number;
}

/**
 * A Kubernetes-style Lease election, as client-go's LeaderElector runs it: every `retryUs` the client
 * reads the Lease (a key of the store) and, if it is free, expired or its own, writes itself in as
 * holder with a compare-and-swap. Expiry is judged on the client's own clock from when it last saw
 * the record change (client-go's observedTime), not from the time written in it. A leader that could
 * not renew for `renewDeadlineUs` stops leading.
 */
export interface Elector {
  lease: string;
  /** The Lease's key in the store: `lease/NAME`. */
  key: string;
  leaseUs: number;
  renewDeadlineUs: number;
  retryUs: number;
  leading: boolean;
  /** The record last seen (null: no Lease yet), and when it was first seen so. */
  observed: string | null;
  observedUs: number;
  /** The last successful acquire or renewal. */
  renewedUs: number;
  /** The record being written (its compare-and-swap is in flight). */
  writing: string | null;
  gen: number;
}

/** A lock a client believes it holds; it sends a keep-alive every `renewUs` (0: never). */
export interface HeldLock {
  token: number;
  renewUs: number;
  /** The grant's generation (`ClientState.lockGen`): a keep-alive timer of another grant is ignored. */
  gen: number;
  /** The last keep-alive had no answer yet: the next one tries another node. */
  unanswered: boolean;
  /** An ephemeral key's lease, not a lock (an `unlock` of its name does not stop its keep-alives). */
  ephemeral: boolean;
}

export interface ClientState {
  name: string;
  seq: number;
  /** Round-robin position in the node list: the client moves on from it when a node does not answer. */
  guess: number;
  /** The leader it last heard of (an answer or a redirect); tried first, forgotten when it is silent. */
  leader: string | null;
  op: ClientOp | null;
  /**
   * The retry timer, lazy like the nodes' timers: when it is due (-1: not armed) and when its one queue
   * entry comes up (-1: none queued). A client sends every few milliseconds and retries after half a
   * second, so one entry per client, re-queued when it comes up early, replaces one entry per request.
   */
  retryDue: number;
  retryQueuedAt: number;
  /** Bumped whenever the retry timer is queued afresh, so an older queue entry of it is ignored. */
  retryGen: number;
  /** The last command finished: its answer, and how long it took from its request (`us`). */
  last: { seq: number; ok: boolean; result: string; us: number } | null;
  /**
   * The locks it believes it holds, by name, and the leases of its ephemeral keys, by key (until it
   * unlocks, or a keep-alive answer says expired).
   */
  locks: Map<string, HeldLock>;
  /** The last generation given to a held lock: each grant gets a new one, never reused. */
  lockGen: number;
  /** The fencing token of its latest grant (null: none yet). */
  token: number | null;
  /** The answer to its latest fenced write. */
  lastWrite: { ok: boolean; result: string } | null;
  /** The Lease election it runs, if any. */
  elector: Elector | null;
  /** The watch it holds open, if any. */
  watch: ClientWatch | null;
  /** A GC pause of the client's process: its timers and inbox wait until it resumes, at `resumeUs`. */
  paused: boolean;
  resumeUs: number;
  pauseGen: number;
  deferred: Pending[];
}

export interface World {
  opts: ClusterOptions;
  now: number;
  rng: Prng;
  queue: Queue<Pending>;
  nodes: NodeSlot[];
  // Maps, not objects, wherever a key is a name the user chose (`toString` and `__proto__` included).
  index: Map<string, number>;
  net: NetState;
  clients: ClientState[];
  /** Position of each client in `clients`. */
  clientIndex: Map<string, number>;
  /** The fenced resources clients have written to, by name. */
  resources: Map<string, Resource>;
  nextMsgId: number;
  /** Events processed (deliveries, timers, resumes): the budget counts these. */
  events: number;
  /** Raft's checker (fed only in a Raft world; empty in others). */
  check: RaftCheckState;
  /** The checker of a world of another protocol; null in a Raft world. */
  protoCheck: ProtoCheck | null;
  violations: number;
  violationsBy: Record<string, number>;
}

export type StopReason = 'condition' | 'time' | 'budget' | 'idle' | 'cancelled';

export interface RunResult {
  reason: StopReason;
  events: number;
}

/** A new world; throws ConfigError (listing every problem) when the options cannot run. */
export function worldCreate(opts: ClusterOptions): World {
  const problems = validateClusterOptions(opts);
  if (problems.length > 0) throw new ConfigError(problems);
  const w: World = {
    opts,
    now: 0,
    rng: prngCreate(opts.seed),
    queue: queueCreate(),
    nodes: [],
    index: new Map(),
    net: {
      latencyUsMin: opts.net.latencyUsMin,
      latencyUsMax: opts.net.latencyUsMax,
      lossPermille: opts.net.lossPermille,
      duplicatePermille: opts.net.duplicatePermille,
      linkLatency: {},
      linkLoss: {},
      cuts: {},
      holds: {},
      held: [],
      groupOf: null,
      groups: [],
      linkRules: 0,
    },
    clients: [],
    clientIndex: new Map(),
    resources: new Map(),
    nextMsgId: 1,
    events: 0,
    check: raftCheckCreate(opts.nodes),
    protoCheck: protoCheckCreate(opts),
    violations: 0,
    violationsBy: {},
  };
  const peers = opts.nodes.slice(); // shared by every node, never mutated
  const timers = (v: number): number[] => TIMER_KINDS.map(() => v);
  opts.nodes.forEach((name, i) => {
    w.index.set(name, i);
    const p = opts.protocol;
    w.nodes.push({
      name,
      pos: i,
      status: 'up',
      raft: p === 'raft' ? raftCreate(name, peers) : (null as unknown as RaftState),
      proto: p === 'raft' ? null : ({ kind: p, s: PROTOCOL_TABLE[p].create(name, peers) } as ProtoState),
      timerGen: timers(0),
      timerDue: timers(-1),
      timerQueuedAt: timers(-1),
      clockOffsetUs: 0,
      clockDriftPpm: 0,
      pauseGen: 0,
      deferred: [],
    });
  });
  return w;
}

function protoCheckCreate(opts: ClusterOptions): ProtoCheck | null {
  switch (opts.protocol) {
    case 'raft':
      return null;
    case 'paxos':
      return { kind: 'paxos', st: paxosCheckCreate(opts.nodes, false) };
    case 'multi-paxos':
      return { kind: 'paxos', st: paxosCheckCreate(opts.nodes, true) };
    case 'bully':
      // Two leaders for one message flight is a hand-over, not a split brain.
      return { kind: 'bully', st: bullyCheckCreate(opts.nodes, 2 * opts.net.latencyUsMax) };
  }
}

/** A node's role in any protocol (a single-decree Paxos node has none: it is a `follower`). */
export function nodeRole(n: NodeSlot): Role {
  if (n.status === 'down') return 'down';
  const p = n.proto;
  if (p === null) return n.raft.role;
  return p.kind === 'paxos' ? 'follower' : p.s.role;
}

/** A node's term: Raft's term, the round of the highest ballot a Paxos acceptor promised, 0 for bully. */
export function nodeTerm(n: NodeSlot): number {
  const p = n.proto;
  if (p === null) return n.raft.term;
  return p.kind === 'bully' ? 0 : p.s.promised.round;
}

const link = (from: string, to: string): string => `${from}>${to}`;

/**
 * Drives a World. The trace of everything it does goes to `trace`; when `sink` is an array, every event
 * is also appended to it as an object. Checkers run on each event before the next one happens.
 *
 * The simulation is also what the nodes see of it (`RaftEnv`, `ProtocolEnv`): a node's calls (send,
 * timers, trace) go straight to its methods, with no object of closures between them. On the hot path
 * that layer cost a call per use and a compiled copy of each method it wrapped.
 */
export class Simulation implements RaftEnv, ProtocolEnv<unknown> {
  /** Virtual time, kept equal to the world's (`setNow`): the clock the nodes read. */
  now: number;
  /**
   * The options record of the world's protocol (Raft's, Paxos's, …), which `set …` changes in place
   * between cells; the nodes read it at every use.
   */
  readonly opts: RaftOptions;
  /** The world's protocol when it is not Raft (Raft's functions are called directly), else null. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly protocol: Protocol<any, any> | null;
  private cancelled: () => boolean = () => false;
  /** The trace of this simulation. */
  readonly trace: TraceLog;
  /** Where every event is also appended as an object, or null. */
  private readonly mirror: TraceEvent[] | null;
  /** The trace's number of each node (by position in the cluster). */
  private readonly nodeIds: number[];
  /** The node whose delivery or timer is being processed (null before the first). */
  private current: NodeSlot | null = null;

  constructor(
    readonly world: World,
    sink: TraceEvent[] | TraceLog = new TraceLog(),
  ) {
    if (sink instanceof TraceLog) {
      this.trace = sink;
      this.mirror = null;
    } else {
      this.trace = new TraceLog();
      this.mirror = sink;
    }
    this.nodeIds = world.opts.nodes.map((n) => this.trace.id(n));
    const kind = world.opts.protocol;
    this.protocol = kind === 'raft' ? null : PROTOCOL_TABLE[kind];
    this.now = world.now;
    const key = kind === 'raft' ? 'raft' : kind === 'paxos' ? 'paxos' : kind === 'multi-paxos' ? 'multiPaxos' : 'bully';
    this.opts = world.opts[key] as RaftOptions;
  }

  /** Virtual time moves: the world's clock and the one the nodes read. */
  private setNow(t: number): void {
    this.world.now = t;
    this.now = t;
  }

  /** This simulation as any protocol's env (its `opts` are the world's protocol's). */
  private get protoEnv(): ProtocolEnv<never> {
    return this as unknown as ProtocolEnv<never>;
  }

  /** A uniform integer in [lo, hi] from the world's one PRNG (for the nodes). */
  randInt(lo: number, hi: number): number {
    return randInt(this.world.rng, lo, hi);
  }

  /** Starts every node (Raft, Multi-Paxos, bully: their election timers); call once on a new world. */
  start(): void {
    const p = this.protocol;
    for (const n of this.world.nodes) {
      if (p === null) raftStart(n.raft, this);
      else p.start(n.proto!.s, this);
    }
  }

  setCancellation(isCancelled: () => boolean): void {
    this.cancelled = isCancelled;
  }

  slot(name: string): NodeSlot {
    const i = this.world.index.get(name);
    if (i === undefined) throw new Error(`engine: unknown node ${name}`);
    return this.world.nodes[i]!;
  }

  isNode(name: string): boolean {
    return this.world.index.has(name);
  }

  /** Records an event and checks it. The event is stamped with the time in place: pass a fresh object. */
  emit(ev: TraceInput): void {
    const full = ev as unknown as TraceEvent;
    full.t = this.world.now;
    this.trace.push(full);
    if (this.mirror !== null) this.mirror.push(full);
    this.check(full);
  }

  /** Runs the world's checker on an event just recorded. */
  private check(ev: TraceEvent): void {
    const pc = this.world.protoCheck;
    this.violated(pc === null ? raftCheckEvent(this.world.check, ev) : pc.kind === 'paxos' ? paxosCheckEvent(pc.st, ev) : bullyCheckEvent(pc.st, ev));
  }

  /** Records the violations a checker found in the event just recorded (usually none). */
  private violated(violations: readonly Violation[]): void {
    if (violations.length !== 0) this.recordViolations(violations);
  }

  private recordViolations(violations: readonly Violation[]): void {
    for (const v of violations) {
      this.world.violations++;
      this.world.violationsBy[v.invariant] = (this.world.violationsBy[v.invariant] ?? 0) + 1;
      const ev: TraceEvent = { k: 'violation', t: this.world.now, invariant: v.invariant, nodes: v.nodes, detail: v.detail };
      this.trace.push(ev);
      if (this.mirror !== null) this.mirror.push(ev);
    }
  }

  /**
   * After an event stored in columns: the array sink gets it as an object and, in a world of another
   * protocol than Raft, its checker sees it (Raft's checker is called by the kind's own method).
   */
  private afterColumns(): void {
    if (this.mirror === null && this.world.protoCheck === null) return;
    const ev = this.trace.at(this.trace.length - 1)!;
    if (this.mirror !== null) {
      this.mirror.push(ev);
      // The array is the trace: the columns only stage each event, so they are emptied now and then.
      if (this.trace.length >= 4096) this.trace.clear();
    }
    if (this.world.protoCheck !== null) this.check(ev);
  }

  // The kinds that make up almost every event, stored without an object (see tracelog.ts).

  private emitSend(id: number, fromId: number, toId: number, msg: Message): void {
    this.trace.send(this.world.now, id, fromId, toId, msg);
    this.afterColumns();
  }

  private emitDeliver(p: InFlight): void {
    this.trace.deliver(this.world.now, p.id, this.traceId(p.from, p.fromIdx), this.traceId(p.to, p.toIdx), p.msg);
    this.afterColumns();
  }

  // Raft's events of the node at position `ni`, and the checker's look at them.

  traceAppend(ni: number, index: number, entry: LogEntry): void {
    this.trace.append(this.world.now, this.nodeIds[ni]!, index, entry);
    this.afterColumns();
    this.violated(raftCheckAppend(this.world.check, ni, index, entry));
  }

  traceApply(ni: number, index: number, entry: LogEntry, result: string): void {
    this.trace.apply(this.world.now, this.nodeIds[ni]!, index, entry, result);
    this.afterColumns();
    this.violated(raftCheckApply(this.world.check, ni, index, entry));
  }

  traceCommit(ni: number, from: number, to: number, reason: string): void {
    this.trace.commit(this.world.now, this.nodeIds[ni]!, from, to, reason);
    this.afterColumns();
    this.violated(raftCheckCommit(this.world.check, ni, from, to));
  }

  traceTimer(ni: number, timer: TimerKind): void {
    this.trace.timer(this.world.now, this.nodeIds[ni]!, timer);
    this.afterColumns();
  }

  private emitClientRequest(client: string, node: string, cmd: Command): void {
    this.trace.clientRequest(this.world.now, client, node, cmd);
    this.afterColumns();
  }

  private emitClientResponse(client: string, node: string, ok: boolean, seq: number, result: string): void {
    this.trace.clientResponse(this.world.now, client, node, ok, seq, result);
    this.afterColumns();
  }

  // -------------------------------------------------------------------------------------------------
  // Network

  send(from: string, to: string, msg: Message): void {
    this.sendAt(from, to, this.posOf(from), this.posOf(to), msg);
  }

  /** A node's position, -1 for a client; the node whose event is being processed is found without a lookup. */
  private posOf(name: string): number {
    const cur = this.current;
    if (cur !== null && cur.name === name) return cur.pos;
    return this.world.index.get(name) ?? -1;
  }

  /** From the node at position `from` to the node at position `to` (Raft's messages between nodes). */
  sendPeer(from: number, to: number, msg: Message): void {
    const nodes = this.world.opts.nodes;
    this.sendAt(nodes[from]!, nodes[to]!, from, to, msg);
  }

  private traceId(name: string, idx: number): number {
    return idx >= 0 ? this.nodeIds[idx]! : this.trace.id(name);
  }

  private sendAt(from: string, to: string, fromIdx: number, toIdx: number, msg: Message): void {
    const w = this.world;
    const net = w.net;
    const id = w.nextMsgId++;
    this.emitSend(id, this.traceId(from, fromIdx), this.traceId(to, toIdx), msg);
    if (net.linkRules > 0 || net.lossPermille > 0 || net.duplicatePermille > 0) {
      this.sendFaulty(id, from, to, fromIdx, toIdx, msg);
      return;
    }
    // A network without faults: only the latency is drawn (as `sendFaulty` would).
    queuePush(w.queue, w.now + randInt(w.rng, net.latencyUsMin, net.latencyUsMax), { k: 'deliver', id, from, to, fromIdx, toIdx, msg });
  }

  /** `sendAt` on a network with link rules, loss or duplication (kept apart: the usual path stays short). */
  private sendFaulty(id: number, from: string, to: string, fromIdx: number, toIdx: number, msg: Message): void {
    const w = this.world;
    const net = w.net;
    let loss = net.lossPermille;
    if (net.linkRules > 0) {
      const key = link(from, to);
      if (net.holds[key]) {
        net.held.push({ id, from, to, msg });
        return;
      }
      loss = net.linkLoss[key] ?? loss;
    }
    if (loss > 0 && chance(w.rng, loss)) {
      this.emit({ k: 'drop', t: undefined, id, from, to, msg, reason: 'loss' });
      return;
    }
    this.schedule({ k: 'deliver', id, from, to, fromIdx, toIdx, msg });
    if (w.net.duplicatePermille > 0 && chance(w.rng, w.net.duplicatePermille)) {
      const copy = w.nextMsgId++;
      this.emit({ k: 'duplicate', t: undefined, id, copy, from, to });
      this.schedule({ k: 'deliver', id: copy, from, to, fromIdx, toIdx, msg });
    }
  }

  private schedule(p: InFlight): void {
    const w = this.world;
    const range = w.net.linkRules > 0 ? w.net.linkLatency[link(p.from, p.to)] : undefined;
    const lo = range ? range[0] : w.net.latencyUsMin;
    const hi = range ? range[1] : w.net.latencyUsMax;
    queuePush(w.queue, w.now + randInt(w.rng, lo, hi), p);
  }

  /** Why a message from -> to cannot pass right now, or null. */
  blocked(from: string, to: string): DropReason | null {
    const net = this.world.net;
    if (net.linkRules > 0 && net.cuts[link(from, to)]) return 'cut';
    const g = net.groupOf;
    if (g !== null) {
      const a = g.get(from);
      const b = g.get(to);
      if (a !== undefined && b !== undefined && a !== b) return 'partition';
    }
    return null;
  }

  /** The slot of a node by name; the node whose event is being processed is found without a lookup. */
  private slotOf(name: string): NodeSlot {
    const cur = this.current;
    if (cur !== null && cur.name === name) return cur;
    return this.slot(name);
  }

  setTimer(node: string, kind: string, delayUs: number): void {
    const s = this.slotOf(node);
    const tn = timerNo(kind);
    // A drifting clock runs its timers fast or slow in real (virtual) time.
    const real = s.clockDriftPpm === 0 ? delayUs : Math.max(1, Math.round((delayUs * 1_000_000) / (1_000_000 + s.clockDriftPpm)));
    const due = this.world.now + real;
    s.timerDue[tn] = due;
    const queued = s.timerQueuedAt[tn]!;
    if (queued >= 0 && queued <= due) return; // that entry comes up first and re-queues itself at `due`
    s.timerQueuedAt[tn] = due;
    const gen = ++s.timerGen[tn]!;
    queuePush(this.world.queue, due, { k: 'timer', node, idx: s.pos, timer: TIMER_KINDS[tn]!, tn, gen });
  }

  cancelTimer(node: string, kind: string): void {
    this.slotOf(node).timerDue[timerNo(kind)] = -1;
  }

  /**
   * Whether a queue entry (due at `at`) is a real event: 0 when it is, -1 when it is stale (drop it),
   * or the deadline of a timer that came up early (re-queue it there).
   */
  private live(p: Pending, at: number): number {
    switch (p.k) {
      case 'deliver':
        return 0;
      case 'timer': {
        const s = this.world.nodes[p.idx]!;
        if (s.timerGen[p.tn] !== p.gen) return -1;
        const due = s.timerDue[p.tn]!;
        if (due < 0 || s.status === 'down') {
          s.timerQueuedAt[p.tn] = -1;
          return -1;
        }
        if (due > at) {
          s.timerQueuedAt[p.tn] = due;
          return due;
        }
        return 0;
      }
      default:
        return this.liveOther(p, at);
    }
  }

  /** `live` of the rarer entries (kept apart: the usual path stays short). */
  private liveOther(p: RarePending, at: number): number {
    switch (p.k) {
      case 'client-timer': {
        const c = this.world.clients[this.world.clientIndex.get(p.client)!]!;
        if (c.retryGen !== p.gen) return -1;
        if (c.retryDue < 0 || c.op === null) {
          c.retryQueuedAt = -1;
          return -1;
        }
        if (c.retryDue > at) {
          c.retryQueuedAt = c.retryDue;
          return c.retryDue;
        }
        return 0;
      }
      case 'resume': {
        const s = this.slot(p.node);
        return s.pauseGen === p.gen && s.status === 'paused' ? 0 : -1;
      }
      case 'keepalive':
        return this.client(p.client).locks.get(p.lock)?.gen === p.gen ? 0 : -1;
      case 'elector':
        return this.client(p.client).elector?.gen === p.gen ? 0 : -1;
      case 'watch':
        return this.client(p.client).watch?.gen === p.gen ? 0 : -1;
      case 'client-resume': {
        const c = this.client(p.client);
        return c.pauseGen === p.gen && c.paused ? 0 : -1;
      }
    }
  }

  /**
   * Drops stale entries from the head of the queue; returns the time of the next event that will
   * really happen (then at the head), or Infinity when none is left.
   */
  private peekLive(): number {
    const q = this.world.queue;
    for (;;) {
      const head = queuePeek(q);
      if (head === undefined) return Infinity;
      const at = queuePeekAt(q);
      const verdict = this.live(head, at);
      if (verdict === 0) return at;
      queuePop(q);
      if (verdict > 0) queuePush(q, verdict, head);
    }
  }

  /** Virtual time of the next event, or Infinity when nothing is left to happen. */
  nextEventTime(): number {
    return this.peekLive();
  }

  // -------------------------------------------------------------------------------------------------
  // Running

  /** Process one event; false when nothing is left to happen. */
  step(): boolean {
    const at = this.peekLive();
    if (at === Infinity) return false;
    this.process(at, queuePop(this.world.queue)!);
    this.peekLive(); // leave a real event at the head of the queue for callers that look at it
    return true;
  }

  /** Process the entry at the head of the queue, which `peekLive` found to be a real event. */
  private process(at: number, p: Pending): void {
    const w = this.world;
    this.setNow(at);
    w.events++;
    switch (p.k) {
      case 'timer': {
        const s = this.world.nodes[p.idx]!;
        s.timerQueuedAt[p.tn] = -1;
        if (s.status === 'paused') {
          s.deferred.push(p); // still due: it fires when the node resumes
          return;
        }
        s.timerDue[p.tn] = -1;
        this.current = s;
        if (s.proto === null) raftTimer(s.raft, this, p.timer as RaftTimer);
        else this.protocol!.timer(s.proto.s, this, p.timer);
        return;
      }
      case 'deliver':
        return this.deliver(p);
      default:
        return this.processOther(p);
    }
  }

  /** `process` of the rarer entries (kept apart: the usual path stays short). */
  private processOther(p: RarePending): void {
    switch (p.k) {
      case 'client-timer': {
        const c = this.client(p.client);
        c.retryQueuedAt = -1;
        if (c.paused) {
          c.deferred.push(p); // still due: it fires when the client resumes
          return;
        }
        c.retryDue = -1;
        return this.clientRetry(c);
      }
      case 'keepalive':
      case 'elector':
      case 'watch': {
        const c = this.client(p.client);
        if (c.paused) {
          c.deferred.push(p);
          return;
        }
        if (p.k === 'keepalive') return this.keepAlive(c, p.lock);
        return p.k === 'elector' ? this.electorTick(c) : this.watchCheck(c);
      }
      case 'resume':
        return this.resume(this.slot(p.node));
      case 'client-resume':
        return this.clientResume(this.client(p.client));
    }
  }

  private deliver(p: InFlight): void {
    const net = this.world.net;
    const i = p.toIdx;
    if (net.groupOf === null && net.linkRules === 0 && i >= 0) {
      // No partition or link rule can stop it: to a node that is up, it is delivered.
      const s = this.world.nodes[i]!;
      if (s.status === 'up') return this.receive(s, p);
    }
    this.deliverAny(p);
  }

  /** The message reaches node `s`, which is up: traced, then handed to the node's protocol. */
  private receive(s: NodeSlot, p: InFlight): void {
    this.emitDeliver(p);
    this.current = s;
    if (s.proto === null) raftReceive(s.raft, this, p.from, p.msg, p.fromIdx);
    else this.protocol!.receive(s.proto.s, this, p.from, p.msg);
  }

  /** `deliver` where a partition or a link rule may stop the message, to a node down or paused, or to a client. */
  private deliverAny(p: InFlight): void {
    const blocked = this.blocked(p.from, p.to);
    if (blocked !== null) {
      this.emit({ k: 'drop', t: undefined, id: p.id, from: p.from, to: p.to, msg: p.msg, reason: blocked });
      return;
    }
    const i = p.toIdx;
    if (i >= 0) {
      const s = this.world.nodes[i]!;
      if (s.status === 'down') {
        this.emit({ k: 'drop', t: undefined, id: p.id, from: p.from, to: p.to, msg: p.msg, reason: 'crashed' });
        return;
      }
      if (s.status === 'paused') {
        s.deferred.push(p);
        return;
      }
      return this.receive(s, p);
    }
    const m = p.msg;
    if (m.type === 'ClientRequest') {
      this.emitDeliver(p);
      if (m.cmd.op === 'write') this.resourceReceive(p.to, p.from, m.cmd);
      return;
    }
    const c = this.client(p.to);
    if (c.paused) {
      c.deferred.push(p);
      return;
    }
    this.emitDeliver(p);
    if (m.type === 'ClientResponse') this.clientReceive(c, p.from, m);
    else if (m.type === 'KeepAliveResponse') this.keepAliveAnswered(c, p.from, m);
    else if (m.type === 'WatchEvent') this.watchEvent(c, p.from, m);
  }

  /**
   * Run until `until()` holds (checked after each event), virtual time passes `deadlineUs`, the event
   * budget is spent, nothing is left to do, or the run is cancelled. No event after the deadline runs,
   * and time ends exactly at the deadline when it is reached, so `run 2s` twice equals `run 4s`.
   */
  run(deadlineUs: number, budget: number, until?: () => boolean): RunResult {
    const w = this.world;
    const start = w.events;
    if (until?.()) return { reason: 'condition', events: 0 };
    for (;;) {
      const at = this.peekLive();
      if (at === Infinity) {
        this.setNow(Math.max(w.now, deadlineUs));
        return { reason: 'idle', events: w.events - start };
      }
      if (at > deadlineUs) {
        this.setNow(Math.max(w.now, deadlineUs));
        return { reason: 'time', events: w.events - start };
      }
      if (w.events - start >= budget) return { reason: 'budget', events: w.events - start };
      if (((w.events - start) & 1023) === 1023 && this.cancelled()) {
        return { reason: 'cancelled', events: w.events - start };
      }
      this.process(at, queuePop(w.queue)!);
      if (until?.()) {
        this.peekLive();
        return { reason: 'condition', events: w.events - start };
      }
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Faults

  crash(name: string): void {
    const s = this.slot(name);
    if (s.status === 'down') return;
    s.status = 'down';
    s.pauseGen++;
    s.deferred = [];
    this.emit({ k: 'fault', t: undefined, fault: 'crash', nodes: [name], detail: 'crash' });
    // Its clients' watch streams break: they open them again elsewhere.
    for (const c of this.world.clients) if (c.watch?.node === name) this.watchLost(c);
    if (s.proto === null) raftCrash(s.raft, this);
    else this.protocol!.crash(s.proto.s, this);
  }

  restart(name: string): void {
    const s = this.slot(name);
    if (s.status !== 'down') return;
    s.status = 'up';
    this.emit({ k: 'fault', t: undefined, fault: 'restart', nodes: [name], detail: 'restart' });
    if (s.proto === null) raftRestart(s.raft, this);
    else this.protocol!.restart(s.proto.s, this);
  }

  pause(name: string, durationUs: number): void {
    const s = this.slot(name);
    if (s.status !== 'up') return;
    s.status = 'paused';
    const gen = ++s.pauseGen;
    this.emit({ k: 'fault', t: undefined, fault: 'pause', nodes: [name], detail: fmtUs(durationUs) });
    queuePush(this.world.queue, this.world.now + durationUs, { k: 'resume', node: name, gen });
  }

  private resume(s: NodeSlot): void {
    s.status = 'up';
    this.emit({ k: 'fault', t: undefined, fault: 'resume', nodes: [s.name], detail: 'resume' });
    const deferred = s.deferred;
    s.deferred = [];
    for (const p of deferred) {
      if (p.k === 'timer') s.timerQueuedAt[p.tn] = this.world.now;
      queuePush(this.world.queue, this.world.now, p);
    }
  }

  /** Groups of node names; nodes in no group form one more group of their own. */
  partition(groups: string[][], detail: string): void {
    const net = this.world.net;
    const groupOf = new Map<string, number>();
    const full = groups.map((g) => g.slice());
    full.forEach((g, i) => g.forEach((n) => groupOf.set(n, i)));
    const rest = this.world.opts.nodes.filter((n) => !groupOf.has(n));
    if (rest.length > 0) {
      rest.forEach((n) => groupOf.set(n, full.length));
      full.push(rest);
    }
    net.groupOf = groupOf;
    net.groups = full;
    this.emit({ k: 'fault', t: undefined, fault: 'partition', nodes: full.flat(), detail, groups: full });
  }

  heal(): void {
    const net = this.world.net;
    net.groupOf = null;
    net.groups = [];
    net.cuts = {};
    net.linkLoss = {};
    net.lossPermille = this.world.opts.net.lossPermille;
    this.countLinkRules();
    this.emit({ k: 'fault', t: undefined, fault: 'heal', nodes: [], detail: 'heal' });
  }

  cut(from: string, to: string, bothWays: boolean): void {
    this.world.net.cuts[link(from, to)] = true;
    if (bothWays) this.world.net.cuts[link(to, from)] = true;
    this.countLinkRules();
    this.emit({ k: 'fault', t: undefined, fault: 'cut', nodes: [from, to], detail: bothWays ? 'both ways' : 'one way' });
  }

  setLoss(permille: number, from?: string, to?: string): void {
    if (from !== undefined && to !== undefined) this.world.net.linkLoss[link(from, to)] = permille;
    else this.world.net.lossPermille = permille;
    this.countLinkRules();
    const where = from !== undefined ? ` ${from} -> ${to}` : '';
    this.emit({ k: 'fault', t: undefined, fault: 'loss', nodes: from !== undefined && to !== undefined ? [from, to] : [], detail: `loss${where} ${permille / 10}%` });
  }

  setDuplicate(permille: number): void {
    this.world.net.duplicatePermille = permille;
    this.emit({ k: 'fault', t: undefined, fault: 'duplicate', nodes: [], detail: `duplicate ${permille / 10}%` });
  }

  setDelay(from: string, to: string, loUs: number, hiUs: number): void {
    this.world.net.linkLatency[link(from, to)] = [loUs, hiUs];
    this.countLinkRules();
  }

  private countLinkRules(): void {
    const net = this.world.net;
    let n = 0;
    for (const rules of [net.linkLatency, net.linkLoss, net.cuts, net.holds]) n += Object.keys(rules).length;
    net.linkRules = n;
  }

  traceDelay(nodes: string[], detail: string): void {
    this.emit({ k: 'fault', t: undefined, fault: 'delay', nodes, detail });
  }

  skew(name: string, offsetUs: number, driftPpm: number): void {
    const s = this.slot(name);
    s.clockOffsetUs = offsetUs;
    s.clockDriftPpm = driftPpm;
    this.emit({ k: 'fault', t: undefined, fault: 'skew', nodes: [name], detail: `${offsetUs >= 0 ? '+' : '-'}${fmtUs(Math.abs(offsetUs))}` });
  }

  hold(from: string, to: string): void {
    this.world.net.holds[link(from, to)] = true;
    this.countLinkRules();
    this.emit({ k: 'fault', t: undefined, fault: 'hold', nodes: [from, to], detail: 'hold' });
  }

  /** Stop holding a link and deliver (`release`) or drop (`drop`) what it held, oldest first. */
  release(from: string, to: string, deliver: boolean): number {
    const net = this.world.net;
    delete net.holds[link(from, to)];
    this.countLinkRules();
    const keep: HeldMessage[] = [];
    let n = 0;
    for (const h of net.held) {
      if (h.from !== from || h.to !== to) {
        keep.push(h);
        continue;
      }
      n++;
      if (deliver) queuePush(this.world.queue, this.world.now, { k: 'deliver', id: h.id, from, to, fromIdx: this.posOf(from), toIdx: this.posOf(to), msg: h.msg } as Pending);
      else this.emit({ k: 'drop', t: undefined, id: h.id, from, to, msg: h.msg, reason: 'held-drop' });
    }
    net.held = keep;
    this.emit({ k: 'fault', t: undefined, fault: 'release', nodes: [from, to], detail: deliver ? `release ${n}` : `drop ${n}` });
    return n;
  }

  /** Fire the node's election timer now (`timeout n2`); single-decree Paxos has none (an error). */
  forceTimeout(name: string): void {
    const s = this.slot(name);
    if (s.status !== 'up') return;
    const p = s.proto;
    if (p === null) raftForceTimeout(s.raft, this);
    else if (p.kind === 'multi-paxos') multiPaxosForceTimeout(p.s, this.protoEnv);
    else if (p.kind === 'bully') bullyForceTimeout(p.s, this.protoEnv);
    else throw new Error('engine: a single-decree Paxos node has no election timer');
  }

  /**
   * Ask a Paxos or Multi-Paxos node to propose `value` (`n1 propose X`). False when the node is down
   * (or paused: a frozen process does nothing), and nothing happens.
   */
  propose(name: string, value: PaxosValue): boolean {
    const s = this.slot(name);
    if (s.status !== 'up') return false;
    const p = s.proto;
    if (p?.kind === 'paxos') return paxosPropose(p.s, this.protoEnv, value);
    if (p?.kind === 'multi-paxos') return multiPaxosPropose(p.s, this.protoEnv, value);
    throw new Error(`engine: ${this.world.opts.protocol} has no propose`);
  }

  // -------------------------------------------------------------------------------------------------
  // Clients: each finds the leader (following redirects), retries on silence, and keeps a sequence
  // number per command so the cluster applies a retried command once.

  client(name: string): ClientState {
    const w = this.world;
    const i = w.clientIndex.get(name);
    if (i !== undefined) return w.clients[i]!;
    const c: ClientState = {
      name: internName(name),
      seq: 0,
      guess: 0,
      leader: null,
      op: null,
      retryDue: -1,
      retryQueuedAt: -1,
      retryGen: 0,
      last: null,
      locks: new Map(),
      lockGen: 0,
      token: null,
      lastWrite: null,
      elector: null,
      watch: null,
      paused: false,
      resumeUs: -1,
      pauseGen: 0,
      deferred: [],
    };
    w.clientIndex.set(c.name, w.clients.length);
    w.clients.push(c);
    return c;
  }

  /**
   * Starts a command; the client works on it until `clientDone(name)`. `lock`: a lock request's poll and
   * renew intervals; `elector`: the step of the client's Lease election this command is.
   */
  submit(name: string, make: (seq: number) => ClientCommand, via: string | null, lock: ClientOp['lock'] = null, elector: ClientOp['elector'] = null): void {
    const c = this.client(name);
    const cmd = make(++c.seq);
    const target = via ?? c.leader ?? this.world.opts.nodes[c.guess % this.world.opts.nodes.length]!;
    c.op = { cmd, via, target, attempts: 0, startedUs: this.world.now, lock, elector };
    if (elector === null) c.last = null;
    if (cmd.op === 'unlock' && c.locks.get(cmd.key)?.ephemeral !== true) c.locks.delete(cmd.key); // no more keep-alives, whatever the answer
    // The client's own (interned) name: the trace numbers it by address, not by comparing text.
    this.emitClientRequest(c.name, target, cmd);
    this.clientSend(c);
  }

  clientDone(name: string): boolean {
    return this.client(name).op === null;
  }

  /** Give up on the current command (the run bound was reached). */
  abandon(name: string, why: string): void {
    const c = this.client(name);
    if (c.op === null) return;
    this.emitClientResponse(c.name, c.op.target, false, c.op.cmd.seq, why);
    if (c.op.elector === null) c.last = { seq: c.seq, ok: false, result: why, us: this.world.now - c.op.startedUs };
    else c.elector!.writing = null;
    c.op = null;
    c.retryDue = -1;
  }

  private clientSend(c: ClientState): void {
    const op = c.op!;
    op.attempts++;
    this.send(c.name, op.target, { type: 'ClientRequest', cmd: op.cmd });
    this.armRetry(c, this.world.now + this.world.opts.client.retryUs);
  }

  /** The retry timer is due at `due` (lazy: an entry already queued for no later re-queues itself). */
  private armRetry(c: ClientState, due: number): void {
    c.retryDue = due;
    if (c.retryQueuedAt >= 0 && c.retryQueuedAt <= due) return; // that entry comes up first and re-queues itself at `due`
    c.retryQueuedAt = due;
    queuePush(this.world.queue, due, { k: 'client-timer', client: c.name, gen: ++c.retryGen });
  }

  /**
   * No answer in time: try the next node in round-robin order. Redirects do not move the round-robin
   * position, so a node that keeps redirecting to a silent leader cannot trap the client between them.
   * A lock request waiting for its holder to let go asks the same leader again.
   */
  private clientRetry(c: ClientState): void {
    const op = c.op!;
    if (op.lock?.polling === true) op.lock.polling = false;
    else if (op.via === null) {
      c.leader = null;
      c.guess = (c.guess + 1) % this.world.opts.nodes.length;
      op.target = this.world.opts.nodes[c.guess]!;
    }
    this.clientSend(c);
  }

  private clientReceive(c: ClientState, from: string, m: Extract<Message, { type: 'ClientResponse' }>): void {
    const op = c.op;
    if (op === null || m.seq !== op.cmd.seq || from !== op.target) return;
    if (m.ok) {
      if (op.via === null) c.leader = m.leaderHint ?? from;
      if (op.lock !== null && !this.lockAnswered(c, op, m.result)) return;
      this.clientFinish(c, from, true, m.seq, m.result);
      return;
    }
    if (op.cmd.op === 'write') {
      // A fenced resource's refusal is its answer, not a reason to retry.
      this.clientFinish(c, from, false, m.seq, m.result);
      return;
    }
    if (op.via !== null) return; // pinned to one node: wait and retry it
    if (m.leaderHint !== null && m.leaderHint !== from && this.isNode(m.leaderHint)) {
      c.leader = m.leaderHint;
      op.target = m.leaderHint;
      this.clientSend(c);
    }
  }

  /** The command is answered: traced as its completion, and the client is free for the next. */
  private clientFinish(c: ClientState, from: string, ok: boolean, seq: number, result: string): void {
    const op = c.op!;
    this.emitClientResponse(c.name, from, ok, seq, result);
    c.op = null;
    c.retryDue = -1;
    if (op.elector !== null) return this.electorAnswered(c, op.elector, result);
    c.last = { seq, ok, result, us: this.world.now - op.startedUs };
    if (op.cmd.op === 'write') c.lastWrite = { ok, result };
  }

  // --- watches

  /** Opens a watch of the keys under `prefix` on `via`, or else on the member the client knows. */
  watch(name: string, prefix: string, via: string | null, requireLeader: boolean): void {
    const c = this.client(name);
    const nodes = this.world.opts.nodes;
    const node = via ?? c.leader ?? nodes[c.guess % nodes.length]!;
    c.watch = { prefix, node, requireLeader, created: false, view: [], gen: (c.watch?.gen ?? 0) + 1 };
    this.watchSend(c);
  }

  private watchSend(c: ClientState): void {
    const w = c.watch!;
    this.send(c.name, w.node, { type: 'Watch', prefix: w.prefix, requireLeader: w.requireLeader });
    queuePush(this.world.queue, this.world.now + this.world.opts.client.retryUs, { k: 'watch', client: c.name, gen: w.gen });
  }

  /** A retry period after opening it (or losing it): if no member confirms the watch, try the next one. */
  private watchCheck(c: ClientState): void {
    const w = c.watch!;
    if (w.created) return;
    const nodes = this.world.opts.nodes;
    w.node = nodes[(nodes.indexOf(w.node) + 1) % nodes.length]!;
    this.watchSend(c);
  }

  /** The member crashed or canceled the watch: it is opened again (next retry period). */
  private watchLost(c: ClientState): void {
    const w = c.watch!;
    w.created = false;
    w.gen++;
    queuePush(this.world.queue, this.world.now + this.world.opts.client.retryUs, { k: 'watch', client: c.name, gen: w.gen });
  }

  private watchEvent(c: ClientState, from: string, m: Extract<Message, { type: 'WatchEvent' }>): void {
    const w = c.watch;
    if (w === null || from !== w.node || m.prefix !== w.prefix) return;
    if (m.event === 'canceled') {
      if (w.created) this.watchLost(c);
      return;
    }
    if (m.event === 'created') w.created = true;
    watchedApply(w.view, m);
  }

  /** Whether the client's watch is open on a member. */
  watching(name: string): boolean {
    const w = this.world.clientIndex.has(name) ? this.client(name).watch : null;
    return w !== null && w.created;
  }

  // --- a Lease election (client-go's LeaderElector)

  /** Starts the client's Lease election; its first attempt is now. */
  elect(name: string, lease: string, leaseUs: number, renewDeadlineUs: number, retryUs: number): void {
    const c = this.client(name);
    const gen = (c.elector?.gen ?? 0) + 1;
    c.elector = { lease, key: `lease/${lease}`, leaseUs, renewDeadlineUs, retryUs, leading: false, observed: null, observedUs: -1, renewedUs: -1, writing: null, gen };
    queuePush(this.world.queue, this.world.now, { k: 'elector', client: c.name, gen });
  }

  /** Every retry period: a leader past its renew deadline stops leading; then the Lease is read. */
  private electorTick(c: ClientState): void {
    const e = c.elector!;
    const now = this.world.now;
    queuePush(this.world.queue, now + e.retryUs, { k: 'elector', client: c.name, gen: e.gen });
    if (e.leading && now - e.renewedUs > e.renewDeadlineUs) {
      this.leaseEvent(c, e, false, `not renewed for ${seconds(now - e.renewedUs)}, past renew-deadline ${seconds(e.renewDeadlineUs)}`);
    }
    if (c.op !== null) return; // busy with a command, or an attempt still waiting for its answer
    this.submit(c.name, (seq) => ({ op: 'get', key: e.key, client: c.name, seq }), null, null, 'get');
  }

  private electorAnswered(c: ClientState, step: 'get' | 'update', result: string): void {
    const e = c.elector;
    if (e === null) return;
    const now = this.world.now;
    if (step === 'update') {
      const written = e.writing;
      e.writing = null;
      if (result !== 'OK' || written === null) {
        // "failed: KEY=VALUE": someone else wrote the Lease first.
        const current = result.slice(`failed: ${e.key}=`.length);
        this.observe(e, current === '(none)' ? null : current);
        return;
      }
      this.observe(e, written);
      e.renewedUs = now;
      if (!e.leading) this.leaseEvent(c, e, true, `holds the Lease (transitions ${parseLease(written)?.transitions ?? 0})`);
      return;
    }
    const value = result === '(none)' ? null : result;
    this.observe(e, value);
    const record = value === null ? null : parseLease(value);
    const holder = record?.holder ?? null;
    if (value !== null && holder !== c.name && e.observedUs + e.leaseUs > now) {
      if (e.leading) this.leaseEvent(c, e, false, `the Lease is held by ${holder}`);
      return;
    }
    // Free, expired (unchanged for a whole lease duration, by this client's clock) or its own: take or renew it.
    const transitions = record === null ? 0 : record.transitions + (holder === c.name ? 0 : 1);
    const next = leaseRecord(c.name, now, transitions);
    e.writing = next;
    this.submit(c.name, (seq) => ({ op: 'cas', key: e.key, expect: value, value: next, client: c.name, seq }), null, null, 'update');
  }

  /** client-go's observedRecord/observedTime: the time of a change is when this client first saw it. */
  private observe(e: Elector, value: string | null): void {
    if (value === e.observed && e.observedUs >= 0) return;
    e.observed = value;
    e.observedUs = this.world.now;
  }

  private leaseEvent(c: ClientState, e: Elector, leading: boolean, reason: string): void {
    e.leading = leading;
    this.emit({ k: 'lease', t: undefined, client: c.name, lease: e.lease, leading, reason });
  }

  // --- locks: a lock request is asked again until granted; a held lock is kept alive

  /**
   * A lock request's answer: true when it is granted; false when it is queued behind the holder. The
   * leader answers again when the lock passes to this client; until then the client asks after it
   * every poll interval, in case that answer is lost (the session keeps it).
   */
  private lockAnswered(c: ClientState, op: ClientOp, result: string): boolean {
    const cmd = op.cmd as Extract<ClientCommand, { op: 'lock' | 'ephemeral' }>;
    const lock = op.lock!;
    let token: number;
    if (cmd.op === 'ephemeral') {
      // An ephemeral key's lease: kept alive as a lock is, but it is no fencing token.
      if (!result.startsWith('lease ')) return true;
      token = Number(result.slice('lease '.length));
    } else {
      if (!result.startsWith('token ')) {
        if (!result.startsWith('queued')) return true; // refused (the name is an ephemeral key's): the answer
        lock.polling = true;
        this.armRetry(c, this.world.now + lock.pollUs);
        return false;
      }
      token = Number(result.slice('token '.length));
      c.token = token;
    }
    // A generation never used before: a keep-alive timer of an earlier grant of this lock stays dead.
    const held: HeldLock = { token, renewUs: lock.renewUs, gen: ++c.lockGen, unanswered: false, ephemeral: cmd.op === 'ephemeral' };
    c.locks.set(cmd.key, held);
    if (held.renewUs > 0) queuePush(this.world.queue, this.world.now + held.renewUs, { k: 'keepalive', client: c.name, lock: cmd.key, gen: held.gen });
    return true;
  }

  /** A keep-alive timer: renew the lock at the leader the client knows (another node if the last one was silent). */
  private keepAlive(c: ClientState, lock: string): void {
    const held = c.locks.get(lock)!;
    const nodes = this.world.opts.nodes;
    if (held.unanswered) {
      c.leader = null;
      c.guess = (c.guess + 1) % nodes.length;
    }
    held.unanswered = true;
    this.send(c.name, c.leader ?? nodes[c.guess % nodes.length]!, { type: 'KeepAlive', lock, token: held.token });
    queuePush(this.world.queue, this.world.now + held.renewUs, { k: 'keepalive', client: c.name, lock, gen: held.gen });
  }

  private keepAliveAnswered(c: ClientState, from: string, m: Extract<Message, { type: 'KeepAliveResponse' }>): void {
    const held = c.locks.get(m.lock);
    if (held === undefined || held.token !== m.token) return;
    held.unanswered = false;
    if (m.ok) {
      c.leader = from;
      return;
    }
    if (m.result.startsWith('expired')) {
      c.locks.delete(m.lock); // the client learns it lost the lock
      return;
    }
    // Not the leader: ask the one it names, now.
    if (m.leaderHint !== null && m.leaderHint !== from && this.isNode(m.leaderHint)) {
      c.leader = m.leaderHint;
      held.unanswered = true;
      this.send(c.name, m.leaderHint, { type: 'KeepAlive', lock: m.lock, token: m.token });
    }
  }

  // --- fenced resources

  /** A write reaches a fenced resource, which answers it (`resourceWrite`). */
  private resourceReceive(name: string, client: string, cmd: Extract<ClientCommand, { op: 'write' }>): void {
    let r = this.world.resources.get(name);
    if (r === undefined) {
      r = { value: null, token: null };
      this.world.resources.set(name, r);
    }
    const { ok, result } = resourceWrite(r, cmd.value, cmd.token);
    this.send(name, client, { type: 'ClientResponse', ok, seq: cmd.seq, result, leaderHint: null });
  }

  // --- a client's GC pause

  pauseClient(name: string, durationUs: number): void {
    const c = this.client(name);
    if (c.paused) return;
    c.paused = true;
    c.resumeUs = this.world.now + durationUs;
    const gen = ++c.pauseGen;
    this.emit({ k: 'fault', t: undefined, fault: 'pause', nodes: [c.name], detail: fmtUs(durationUs) });
    queuePush(this.world.queue, this.world.now + durationUs, { k: 'client-resume', client: c.name, gen });
  }

  private clientResume(c: ClientState): void {
    c.paused = false;
    c.resumeUs = -1;
    this.emit({ k: 'fault', t: undefined, fault: 'resume', nodes: [c.name], detail: 'resume' });
    const deferred = c.deferred;
    c.deferred = [];
    for (const p of deferred) {
      if (p.k === 'client-timer') c.retryQueuedAt = this.world.now;
      queuePush(this.world.queue, this.world.now, p);
    }
  }

  /** When a paused client resumes (null: it is not paused). */
  clientResumesAt(name: string): number | null {
    const c = this.world.clientIndex.has(name) ? this.client(name) : null;
    return c === null || !c.paused ? null : c.resumeUs;
  }

  // --- clocks

  /** The clock of the node at position `ni`: virtual time with its drift and offset (`skew`). */
  localNow(ni: number): number {
    const s = this.world.nodes[ni]!;
    const now = this.world.now;
    return now + (s.clockDriftPpm === 0 ? 0 : Math.round((now * s.clockDriftPpm) / 1_000_000)) + s.clockOffsetUs;
  }
}
