// The discrete-event simulator: virtual time, one PRNG, an event queue, a faulty network, node processes
// (crash, restart, pause, clock skew), clients, and the invariant checkers fed after every event.
// `World` is plain data: a snapshot is `structuredClone(world)`, and a run from a snapshot is
// byte-identical to a run that never stopped.

import { type ClusterOptions, fmtUs } from './config';
import { type Prng, chance, prngCreate, randInt } from './prng';
import { type Queue, queueCreate, queuePeek, queuePop, queuePush } from './queue';
import { type RaftCheckState, raftCheckCreate, raftCheckEvent } from './check/raft';
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
import type { Command, DropReason, Message, TraceEvent } from './trace';

type Pending =
  | { k: 'deliver'; id: number; from: string; to: string; msg: Message }
  | { k: 'timer'; node: string; timer: 'election' | 'heartbeat'; gen: number }
  | { k: 'client-timer'; client: string; gen: number }
  | { k: 'resume'; node: string; gen: number };

export interface NodeSlot {
  name: string;
  status: 'up' | 'down' | 'paused';
  raft: RaftState;
  timerGen: { election: number; heartbeat: number };
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
  groupOf: Record<string, number> | null;
  groups: string[][];
}

export interface ClientOp {
  cmd: Command;
  via: string | null;
  target: string;
  attempts: number;
  startedUs: number;
}

export interface ClientState {
  name: string;
  seq: number;
  /** Where the client sends next: the last leader it heard of, else round-robin. */
  guess: number;
  op: ClientOp | null;
  gen: number;
  last: { seq: number; ok: boolean; result: string } | null;
}

export interface World {
  opts: ClusterOptions;
  now: number;
  rng: Prng;
  queue: Queue<Pending>;
  nodes: NodeSlot[];
  index: Record<string, number>;
  net: NetState;
  clients: ClientState[];
  nextMsgId: number;
  /** Events processed (deliveries, timers, resumes): the budget counts these. */
  events: number;
  check: RaftCheckState;
  violations: number;
  violationsBy: Record<string, number>;
}

export type StopReason = 'condition' | 'time' | 'budget' | 'idle' | 'cancelled';

export interface RunResult {
  reason: StopReason;
  events: number;
}

export function worldCreate(opts: ClusterOptions): World {
  const w: World = {
    opts,
    now: 0,
    rng: prngCreate(opts.seed),
    queue: queueCreate(),
    nodes: [],
    index: {},
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
    },
    clients: [],
    nextMsgId: 1,
    events: 0,
    check: raftCheckCreate(opts.nodes),
    violations: 0,
    violationsBy: {},
  };
  opts.nodes.forEach((name, i) => {
    w.index[name] = i;
    w.nodes.push({
      name,
      status: 'up',
      raft: raftCreate(name, opts.nodes.slice()),
      timerGen: { election: 0, heartbeat: 0 },
      clockOffsetUs: 0,
      clockDriftPpm: 0,
      pauseGen: 0,
      deferred: [],
    });
  });
  return w;
}

const link = (from: string, to: string): string => `${from}>${to}`;

/**
 * Drives a World. The trace of everything it does goes to `sink` (one array per notebook cell);
 * checkers run on each event before the next one happens.
 */
export class Simulation {
  readonly env: RaftEnv;
  private cancelled: () => boolean = () => false;

  constructor(
    readonly world: World,
    public sink: TraceEvent[] = [],
  ) {
    const sim = this;
    this.env = {
      get now() {
        return sim.world.now;
      },
      get opts() {
        return sim.world.opts.raft;
      },
      randInt: (lo, hi) => randInt(sim.world.rng, lo, hi),
      send: (from, to, msg) => sim.send(from, to, msg),
      setTimer: (node, kind, delayUs) => sim.setTimer(node, kind, delayUs),
      cancelTimer: (node, kind) => {
        sim.slot(node).timerGen[kind]++;
      },
      trace: (ev) => sim.emit(ev),
    };
  }

  /** Starts every node's election timer; call once on a new world. */
  start(): void {
    for (const n of this.world.nodes) raftStart(n.raft, this.env);
  }

  setCancellation(isCancelled: () => boolean): void {
    this.cancelled = isCancelled;
  }

  slot(name: string): NodeSlot {
    const i = this.world.index[name];
    if (i === undefined) throw new Error(`engine: unknown node ${name}`);
    return this.world.nodes[i]!;
  }

  isNode(name: string): boolean {
    return this.world.index[name] !== undefined;
  }

  emit(ev: TraceInput): void {
    // Stamping the time in place (rather than copying the event) keeps the hot path allocation-free.
    const full = ev as TraceEvent;
    full.t = this.world.now;
    this.sink.push(full);
    const violations = raftCheckEvent(this.world.check, full);
    for (const v of violations) {
      this.world.violations++;
      this.world.violationsBy[v.invariant] = (this.world.violationsBy[v.invariant] ?? 0) + 1;
      this.sink.push({ k: 'violation', t: this.world.now, invariant: v.invariant, nodes: v.nodes, detail: v.detail });
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Network

  send(from: string, to: string, msg: Message): void {
    const w = this.world;
    const id = w.nextMsgId++;
    this.emit({ k: 'send', id, from, to, msg });
    const key = link(from, to);
    if (w.net.holds[key]) {
      w.net.held.push({ id, from, to, msg });
      return;
    }
    const loss = w.net.linkLoss[key] ?? w.net.lossPermille;
    if (loss > 0 && chance(w.rng, loss)) {
      this.emit({ k: 'drop', id, from, to, msg, reason: 'loss' });
      return;
    }
    this.schedule(id, from, to, msg);
    if (w.net.duplicatePermille > 0 && chance(w.rng, w.net.duplicatePermille)) {
      const copy = w.nextMsgId++;
      this.emit({ k: 'duplicate', id, copy, from, to });
      this.schedule(copy, from, to, msg);
    }
  }

  private schedule(id: number, from: string, to: string, msg: Message): void {
    const w = this.world;
    const range = w.net.linkLatency[link(from, to)];
    const lo = range ? range[0] : w.net.latencyUsMin;
    const hi = range ? range[1] : w.net.latencyUsMax;
    queuePush(w.queue, w.now + randInt(w.rng, lo, hi), { k: 'deliver', id, from, to, msg });
  }

  /** Why a message from -> to cannot pass right now, or null. */
  blocked(from: string, to: string): DropReason | null {
    const net = this.world.net;
    if (net.cuts[link(from, to)]) return 'cut';
    const g = net.groupOf;
    if (g !== null) {
      const a = g[from];
      const b = g[to];
      if (a !== undefined && b !== undefined && a !== b) return 'partition';
    }
    return null;
  }

  private setTimer(node: string, kind: 'election' | 'heartbeat', delayUs: number): void {
    const s = this.slot(node);
    const gen = ++s.timerGen[kind];
    // A drifting clock runs its timers fast or slow in real (virtual) time.
    const real = s.clockDriftPpm === 0 ? delayUs : Math.max(1, Math.round((delayUs * 1_000_000) / (1_000_000 + s.clockDriftPpm)));
    queuePush(this.world.queue, this.world.now + real, { k: 'timer', node, timer: kind, gen });
  }

  // -------------------------------------------------------------------------------------------------
  // Running

  /** Process one event; false when nothing is left to happen. */
  step(): boolean {
    const w = this.world;
    for (;;) {
      const next = queuePop(w.queue);
      if (next === undefined) return false;
      const p = next.item;
      if (p.k === 'timer') {
        const s = this.slot(p.node);
        if (s.timerGen[p.timer] !== p.gen || s.status === 'down') continue; // cancelled
        w.now = next.at;
        w.events++;
        if (s.status === 'paused') {
          s.deferred.push(p);
          return true;
        }
        raftTimer(s.raft, this.env, p.timer);
        return true;
      }
      if (p.k === 'client-timer') {
        const c = this.client(p.client);
        if (c.gen !== p.gen || c.op === null) continue;
        w.now = next.at;
        w.events++;
        this.clientRetry(c);
        return true;
      }
      if (p.k === 'resume') {
        const s = this.slot(p.node);
        if (s.pauseGen !== p.gen || s.status !== 'paused') continue;
        w.now = next.at;
        w.events++;
        this.resume(s);
        return true;
      }
      w.now = next.at;
      w.events++;
      this.deliver(p);
      return true;
    }
  }

  private deliver(p: Extract<Pending, { k: 'deliver' }>): void {
    const blocked = this.blocked(p.from, p.to);
    if (blocked !== null) {
      this.emit({ k: 'drop', id: p.id, from: p.from, to: p.to, msg: p.msg, reason: blocked });
      return;
    }
    if (this.isNode(p.to)) {
      const s = this.slot(p.to);
      if (s.status === 'down') {
        this.emit({ k: 'drop', id: p.id, from: p.from, to: p.to, msg: p.msg, reason: 'crashed' });
        return;
      }
      if (s.status === 'paused') {
        s.deferred.push(p);
        return;
      }
      this.emit({ k: 'deliver', id: p.id, from: p.from, to: p.to, msg: p.msg });
      raftReceive(s.raft, this.env, p.from, p.msg);
      return;
    }
    this.emit({ k: 'deliver', id: p.id, from: p.from, to: p.to, msg: p.msg });
    if (p.msg.type === 'ClientResponse') this.clientReceive(this.client(p.to), p.from, p.msg);
  }

  /**
   * Run until `until()` holds (checked after each event), virtual time passes `deadlineUs`, the event
   * budget is spent, nothing is left to do, or the run is cancelled. Time ends exactly at the deadline
   * when it is reached, so `run 2s` twice equals `run 4s`.
   */
  run(deadlineUs: number, budget: number, until?: () => boolean): RunResult {
    const w = this.world;
    const start = w.events;
    if (until?.()) return { reason: 'condition', events: 0 };
    for (;;) {
      const next = queuePeek(w.queue);
      if (next === undefined) {
        w.now = Math.max(w.now, deadlineUs);
        return { reason: 'idle', events: w.events - start };
      }
      if (next.at > deadlineUs) {
        w.now = Math.max(w.now, deadlineUs);
        return { reason: 'time', events: w.events - start };
      }
      if (w.events - start >= budget) return { reason: 'budget', events: w.events - start };
      if (((w.events - start) & 1023) === 1023 && this.cancelled()) {
        return { reason: 'cancelled', events: w.events - start };
      }
      this.step();
      if (until?.()) return { reason: 'condition', events: w.events - start };
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
    this.emit({ k: 'fault', fault: 'crash', nodes: [name], detail: 'crash' });
    raftCrash(s.raft, this.env);
  }

  restart(name: string): void {
    const s = this.slot(name);
    if (s.status !== 'down') return;
    s.status = 'up';
    this.emit({ k: 'fault', fault: 'restart', nodes: [name], detail: 'restart' });
    raftRestart(s.raft, this.env);
  }

  pause(name: string, durationUs: number): void {
    const s = this.slot(name);
    if (s.status !== 'up') return;
    s.status = 'paused';
    const gen = ++s.pauseGen;
    this.emit({ k: 'fault', fault: 'pause', nodes: [name], detail: fmtUs(durationUs) });
    queuePush(this.world.queue, this.world.now + durationUs, { k: 'resume', node: name, gen });
  }

  private resume(s: NodeSlot): void {
    s.status = 'up';
    this.emit({ k: 'fault', fault: 'resume', nodes: [s.name], detail: 'resume' });
    const deferred = s.deferred;
    s.deferred = [];
    for (const p of deferred) queuePush(this.world.queue, this.world.now, p);
  }

  /** Groups of node names; nodes in no group form one more group of their own. */
  partition(groups: string[][], detail: string): void {
    const net = this.world.net;
    const groupOf: Record<string, number> = {};
    const full = groups.map((g) => g.slice());
    full.forEach((g, i) => g.forEach((n) => (groupOf[n] = i)));
    const rest = this.world.opts.nodes.filter((n) => groupOf[n] === undefined);
    if (rest.length > 0) {
      rest.forEach((n) => (groupOf[n] = full.length));
      full.push(rest);
    }
    net.groupOf = groupOf;
    net.groups = full;
    this.emit({ k: 'fault', fault: 'partition', nodes: full.flat(), detail, groups: full });
  }

  heal(): void {
    const net = this.world.net;
    net.groupOf = null;
    net.groups = [];
    net.cuts = {};
    net.linkLoss = {};
    net.lossPermille = this.world.opts.net.lossPermille;
    this.emit({ k: 'fault', fault: 'heal', nodes: [], detail: 'heal' });
  }

  cut(from: string, to: string, bothWays: boolean): void {
    this.world.net.cuts[link(from, to)] = true;
    if (bothWays) this.world.net.cuts[link(to, from)] = true;
    this.emit({ k: 'fault', fault: 'cut', nodes: [from, to], detail: bothWays ? 'both ways' : 'one way' });
  }

  setLoss(permille: number, from?: string, to?: string): void {
    if (from !== undefined && to !== undefined) this.world.net.linkLoss[link(from, to)] = permille;
    else this.world.net.lossPermille = permille;
    const where = from !== undefined ? ` ${from} -> ${to}` : '';
    this.emit({ k: 'fault', fault: 'loss', nodes: from !== undefined && to !== undefined ? [from, to] : [], detail: `loss${where} ${permille / 10}%` });
  }

  setDuplicate(permille: number): void {
    this.world.net.duplicatePermille = permille;
    this.emit({ k: 'fault', fault: 'duplicate', nodes: [], detail: `duplicate ${permille / 10}%` });
  }

  setDelay(from: string, to: string, loUs: number, hiUs: number): void {
    this.world.net.linkLatency[link(from, to)] = [loUs, hiUs];
  }

  traceDelay(nodes: string[], detail: string): void {
    this.emit({ k: 'fault', fault: 'delay', nodes, detail });
  }

  skew(name: string, offsetUs: number, driftPpm: number): void {
    const s = this.slot(name);
    s.clockOffsetUs = offsetUs;
    s.clockDriftPpm = driftPpm;
    this.emit({ k: 'fault', fault: 'skew', nodes: [name], detail: `${offsetUs >= 0 ? '+' : '-'}${fmtUs(Math.abs(offsetUs))}` });
  }

  hold(from: string, to: string): void {
    this.world.net.holds[link(from, to)] = true;
    this.emit({ k: 'fault', fault: 'hold', nodes: [from, to], detail: 'hold' });
  }

  /** Stop holding a link and deliver (`release`) or drop (`drop`) what it held, oldest first. */
  release(from: string, to: string, deliver: boolean): number {
    const net = this.world.net;
    delete net.holds[link(from, to)];
    const keep: HeldMessage[] = [];
    let n = 0;
    for (const h of net.held) {
      if (h.from !== from || h.to !== to) {
        keep.push(h);
        continue;
      }
      n++;
      if (deliver) queuePush(this.world.queue, this.world.now, { k: 'deliver', id: h.id, from, to, msg: h.msg });
      else this.emit({ k: 'drop', id: h.id, from, to, msg: h.msg, reason: 'held-drop' });
    }
    net.held = keep;
    this.emit({ k: 'fault', fault: 'release', nodes: [from, to], detail: deliver ? `release ${n}` : `drop ${n}` });
    return n;
  }

  forceTimeout(name: string): void {
    const s = this.slot(name);
    if (s.status !== 'up') return;
    raftForceTimeout(s.raft, this.env);
  }

  // -------------------------------------------------------------------------------------------------
  // Clients: each finds the leader (following redirects), retries on silence, and keeps a sequence
  // number per command so the cluster applies a retried command once.

  client(name: string): ClientState {
    let c = this.world.clients.find((x) => x.name === name);
    if (c === undefined) {
      c = { name, seq: 0, guess: 0, op: null, gen: 0, last: null };
      this.world.clients.push(c);
    }
    return c;
  }

  /** Starts a command; the client works on it until `clientDone(name)`. */
  submit(name: string, make: (seq: number) => Command, via: string | null): void {
    const c = this.client(name);
    const cmd = make(++c.seq);
    const target = via ?? this.world.opts.nodes[c.guess % this.world.opts.nodes.length]!;
    c.op = { cmd, via, target, attempts: 0, startedUs: this.world.now };
    c.last = null;
    this.emit({ k: 'client-request', client: name, node: target, cmd });
    this.clientSend(c);
  }

  clientDone(name: string): boolean {
    return this.client(name).op === null;
  }

  /** Give up on the current command (the run bound was reached). */
  abandon(name: string, why: string): void {
    const c = this.client(name);
    if (c.op === null) return;
    this.emit({ k: 'client-response', client: name, node: c.op.target, ok: false, seq: c.op.cmd.op === 'noop' ? 0 : c.op.cmd.seq, result: why });
    c.last = { seq: c.seq, ok: false, result: why };
    c.op = null;
    c.gen++;
  }

  private clientSend(c: ClientState): void {
    const op = c.op!;
    op.attempts++;
    const gen = ++c.gen;
    this.send(c.name, op.target, { type: 'ClientRequest', cmd: op.cmd });
    queuePush(this.world.queue, this.world.now + this.world.opts.client.retryUs, { k: 'client-timer', client: c.name, gen });
  }

  private clientRetry(c: ClientState): void {
    const op = c.op!;
    if (op.via === null) {
      c.guess = (c.guess + 1) % this.world.opts.nodes.length;
      op.target = this.world.opts.nodes[c.guess]!;
    }
    this.clientSend(c);
  }

  private clientReceive(c: ClientState, from: string, m: Extract<Message, { type: 'ClientResponse' }>): void {
    const op = c.op;
    if (op === null || op.cmd.op === 'noop' || m.seq !== op.cmd.seq || from !== op.target) return;
    if (m.ok) {
      this.emit({ k: 'client-response', client: c.name, node: from, ok: true, seq: m.seq, result: m.result });
      c.last = { seq: m.seq, ok: true, result: m.result };
      c.op = null;
      c.gen++;
      return;
    }
    if (op.via !== null) return; // pinned to one node: wait and retry it
    if (m.leaderHint !== null && m.leaderHint !== from && this.isNode(m.leaderHint)) {
      c.guess = this.world.index[m.leaderHint]!;
      op.target = m.leaderHint;
      this.clientSend(c);
    }
  }
}
