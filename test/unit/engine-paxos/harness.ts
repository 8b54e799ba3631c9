// A small deterministic simulator for the Paxos, Multi-Paxos and bully tests, until engine/sim.ts runs
// every protocol: the engine's own queue and PRNG, a network with latency, loss, duplication,
// partitions, one-way cuts and held links, crash and restart, clients that follow leader hints, and
// checkers fed every trace event (their findings go into the trace as `violation` events, as in sim.ts).

import { chance, prngCreate, randInt, type Prng } from '../../../src/engine/prng';
import type { Protocol, ProtocolEnv, TraceInput, Violation } from '../../../src/engine/protocol';
import { queueCreate, queuePeekAt, queuePop, queuePush, type Queue } from '../../../src/engine/queue';
import type { Command, DropReason, Message, TraceEvent } from '../../../src/engine/trace';

export const MS = 1_000;
export const S = 1_000_000;

export function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `n${i + 1}`);
}

type Pending =
  | { k: 'deliver'; id: number; from: string; to: string; msg: Message }
  | { k: 'timer'; node: string; kind: string; gen: number }
  | { k: 'client-timer'; client: string; gen: number }
  | { k: 'call'; run: () => void };

export interface Slot<State> {
  name: string;
  up: boolean;
  state: State;
  timerGen: Record<string, number>;
}

interface Client {
  name: string;
  seq: number;
  guess: number;
  op: { cmd: Command; target: string } | null;
  gen: number;
  last: { ok: boolean; result: string } | null;
}

/** A checker: feed it every event, it answers with violations. */
export type Check = (ev: TraceEvent) => Violation[];

export interface HarnessOptions {
  latencyUsMin?: number;
  latencyUsMax?: number;
  lossPermille?: number;
  duplicatePermille?: number;
  clientRetryUs?: number;
}

const key = (from: string, to: string): string => `${from}>${to}`;

export class Harness<State, Opts> {
  now = 0;
  readonly rng: Prng;
  readonly queue: Queue<Pending> = queueCreate();
  readonly slots: Slot<State>[];
  readonly trace: TraceEvent[] = [];
  readonly env: ProtocolEnv<Opts>;
  latencyUsMin: number;
  latencyUsMax: number;
  lossPermille: number;
  duplicatePermille: number;
  readonly clientRetryUs: number;
  events = 0;
  private nextId = 1;
  private groupOf: Record<string, number> | null = null;
  private readonly cuts = new Set<string>();
  private readonly holds = new Set<string>();
  private held: { id: number; from: string; to: string; msg: Message }[] = [];
  private readonly clients: Client[] = [];
  private readonly checks: Check[] = [];
  private readonly watchers: ((ev: TraceEvent) => void)[] = [];

  constructor(
    readonly proto: Protocol<State, Opts>,
    readonly nodes: string[],
    readonly opts: Opts,
    seed: number,
    net: HarnessOptions = {},
  ) {
    this.rng = prngCreate(seed);
    this.latencyUsMin = net.latencyUsMin ?? 2 * MS;
    this.latencyUsMax = net.latencyUsMax ?? 10 * MS;
    this.lossPermille = net.lossPermille ?? 0;
    this.duplicatePermille = net.duplicatePermille ?? 0;
    this.clientRetryUs = net.clientRetryUs ?? 500 * MS;
    this.slots = nodes.map((name) => ({ name, up: true, state: proto.create(name, nodes.slice()), timerGen: {} }));
    const h = this;
    this.env = {
      get now() {
        return h.now;
      },
      get opts() {
        return h.opts;
      },
      randInt: (lo, hi) => randInt(h.rng, lo, hi),
      send: (from, to, msg) => h.send(from, to, msg),
      setTimer: (node, kind, delayUs) => {
        const s = h.slot(node);
        const gen = (s.timerGen[kind] = (s.timerGen[kind] ?? 0) + 1);
        queuePush(h.queue, h.now + delayUs, { k: 'timer', node, kind, gen });
      },
      cancelTimer: (node, kind) => {
        const s = h.slot(node);
        s.timerGen[kind] = (s.timerGen[kind] ?? 0) + 1;
      },
      emit: (ev) => h.emit(ev),
    };
  }

  addCheck(check: Check): this {
    this.checks.push(check);
    return this;
  }

  /** Calls `fn` after every event (a reactive fault injector: "reboot a node right after it promises"). */
  watch(fn: (ev: TraceEvent) => void): this {
    this.watchers.push(fn);
    return this;
  }

  /** Runs `fn` (a fault, say) `delayUs` from now, in order with everything else. */
  after(delayUs: number, run: () => void): void {
    queuePush(this.queue, this.now + delayUs, { k: 'call', run });
  }

  start(): this {
    for (const s of this.slots) this.proto.start(s.state, this.env);
    return this;
  }

  slot(name: string): Slot<State> {
    const s = this.slots.find((x) => x.name === name);
    if (s === undefined) throw new Error(`harness: unknown node ${name}`);
    return s;
  }

  state(name: string): State {
    return this.slot(name).state;
  }

  /** Runs `fn` on a node's state with the env (e.g. a propose), at the current time. */
  call<T>(name: string, fn: (s: State, env: ProtocolEnv<Opts>) => T): T {
    return fn(this.slot(name).state, this.env);
  }

  emit(ev: TraceInput): void {
    // Stamped in place, as sim.ts does: events are fresh objects from the protocol.
    const full = ev as TraceEvent;
    full.t = this.now;
    this.trace.push(full);
    for (const check of this.checks) {
      for (const v of check(full)) this.trace.push({ k: 'violation', t: this.now, invariant: v.invariant, nodes: v.nodes, detail: v.detail });
    }
    for (const w of this.watchers) w(full);
  }

  violations(): string[] {
    return this.trace.flatMap((e) => (e.k === 'violation' ? [`${e.invariant}: ${e.detail}`] : []));
  }

  // -------------------------------------------------------------------------------------------------
  // Network

  send(from: string, to: string, msg: Message): void {
    const id = this.nextId++;
    this.emit({ k: 'send', t: 0, id, from, to, msg });
    if (this.holds.has(key(from, to))) {
      this.held.push({ id, from, to, msg });
      return;
    }
    if (this.lossPermille > 0 && chance(this.rng, this.lossPermille)) {
      this.emit({ k: 'drop', t: 0, id, from, to, msg, reason: 'loss' });
      return;
    }
    this.schedule(id, from, to, msg);
    if (this.duplicatePermille > 0 && chance(this.rng, this.duplicatePermille)) {
      const copy = this.nextId++;
      this.emit({ k: 'duplicate', t: 0, id, copy, from, to });
      this.schedule(copy, from, to, msg);
    }
  }

  private schedule(id: number, from: string, to: string, msg: Message): void {
    queuePush(this.queue, this.now + randInt(this.rng, this.latencyUsMin, this.latencyUsMax), { k: 'deliver', id, from, to, msg });
  }

  private blocked(from: string, to: string): DropReason | null {
    if (this.cuts.has(key(from, to))) return 'cut';
    const g = this.groupOf;
    if (g !== null && g[from] !== undefined && g[to] !== undefined && g[from] !== g[to]) return 'partition';
    return null;
  }

  // -------------------------------------------------------------------------------------------------
  // Running

  step(): boolean {
    for (;;) {
      const at = queuePeekAt(this.queue);
      const p = queuePop(this.queue);
      if (p === undefined) return false;
      if (p.k === 'timer') {
        const s = this.slot(p.node);
        if (s.timerGen[p.kind] !== p.gen || !s.up) continue;
        this.now = at;
        this.events++;
        this.proto.timer(s.state, this.env, p.kind);
        return true;
      }
      if (p.k === 'call') {
        this.now = at;
        this.events++;
        p.run();
        return true;
      }
      if (p.k === 'client-timer') {
        const c = this.client(p.client);
        if (c.gen !== p.gen || c.op === null) continue;
        this.now = at;
        this.events++;
        c.guess = (c.guess + 1) % this.nodes.length;
        c.op.target = this.nodes[c.guess]!;
        this.clientSend(c);
        return true;
      }
      this.now = at;
      this.events++;
      this.deliver(p);
      return true;
    }
  }

  private deliver(p: Extract<Pending, { k: 'deliver' }>): void {
    const blocked = this.blocked(p.from, p.to);
    if (blocked !== null) return this.emit({ k: 'drop', t: 0, id: p.id, from: p.from, to: p.to, msg: p.msg, reason: blocked });
    if (this.nodes.includes(p.to)) {
      const s = this.slot(p.to);
      if (!s.up) return this.emit({ k: 'drop', t: 0, id: p.id, from: p.from, to: p.to, msg: p.msg, reason: 'crashed' });
      this.emit({ k: 'deliver', t: 0, id: p.id, from: p.from, to: p.to, msg: p.msg });
      this.proto.receive(s.state, this.env, p.from, p.msg);
      return;
    }
    this.emit({ k: 'deliver', t: 0, id: p.id, from: p.from, to: p.to, msg: p.msg });
    if (p.msg.type === 'ClientResponse') this.clientReceive(this.client(p.to), p.from, p.msg);
  }

  /** Runs `us` of virtual time (or until `until` holds, checked after each event); true if `until` held. */
  run(us: number, until?: () => boolean, budget = 2_000_000): boolean {
    const deadline = this.now + us;
    if (until?.()) return true;
    for (let n = 0; n < budget; n++) {
      if (queuePeekAt(this.queue) > deadline) break;
      this.step();
      if (until?.()) return true;
    }
    this.now = Math.max(this.now, deadline);
    return false;
  }

  // -------------------------------------------------------------------------------------------------
  // Faults

  crash(name: string): void {
    const s = this.slot(name);
    if (!s.up) return;
    s.up = false;
    this.emit({ k: 'fault', t: 0, fault: 'crash', nodes: [name], detail: 'crash' });
    this.proto.crash(s.state, this.env);
  }

  restart(name: string): void {
    const s = this.slot(name);
    if (s.up) return;
    s.up = true;
    this.emit({ k: 'fault', t: 0, fault: 'restart', nodes: [name], detail: 'restart' });
    this.proto.restart(s.state, this.env);
  }

  partition(groups: string[][]): void {
    const groupOf: Record<string, number> = {};
    const full = groups.map((g) => g.slice());
    full.forEach((g, i) => g.forEach((n) => (groupOf[n] = i)));
    const rest = this.nodes.filter((n) => groupOf[n] === undefined);
    if (rest.length > 0) {
      rest.forEach((n) => (groupOf[n] = full.length));
      full.push(rest);
    }
    this.groupOf = groupOf;
    this.emit({ k: 'fault', t: 0, fault: 'partition', nodes: full.flat(), detail: full.map((g) => `{${g.join(' ')}}`).join(' | '), groups: full });
  }

  heal(): void {
    this.groupOf = null;
    this.cuts.clear();
    this.emit({ k: 'fault', t: 0, fault: 'heal', nodes: [], detail: 'heal' });
  }

  cut(from: string, to: string): void {
    this.cuts.add(key(from, to));
    this.emit({ k: 'fault', t: 0, fault: 'cut', nodes: [from, to], detail: 'one way' });
  }

  hold(from: string, to: string): void {
    this.holds.add(key(from, to));
    this.emit({ k: 'fault', t: 0, fault: 'hold', nodes: [from, to], detail: 'hold' });
  }

  /** Stops holding `from -> to` and delivers (or drops) what it held, oldest first. */
  release(from: string, to: string, deliver = true): number {
    this.holds.delete(key(from, to));
    const keep: typeof this.held = [];
    let n = 0;
    for (const h of this.held) {
      if (h.from !== from || h.to !== to) {
        keep.push(h);
        continue;
      }
      n++;
      if (deliver) queuePush(this.queue, this.now, { k: 'deliver', id: h.id, from, to, msg: h.msg });
      else this.emit({ k: 'drop', t: 0, id: h.id, from, to, msg: h.msg, reason: 'held-drop' });
    }
    this.held = keep;
    this.emit({ k: 'fault', t: 0, fault: 'release', nodes: [from, to], detail: deliver ? `release ${n}` : `drop ${n}` });
    return n;
  }

  /** Drops the messages held on `from -> to` that match `which`; the link stays held. */
  dropHeld(from: string, to: string, which: (msg: Message) => boolean): number {
    const keep: typeof this.held = [];
    let n = 0;
    for (const h of this.held) {
      if (h.from === from && h.to === to && which(h.msg)) {
        n++;
        this.emit({ k: 'drop', t: 0, id: h.id, from, to, msg: h.msg, reason: 'held-drop' });
      } else {
        keep.push(h);
      }
    }
    this.held = keep;
    return n;
  }

  /** Holds every link in both directions between `a` and each of `others`. */
  holdBetween(a: string, others: string[]): void {
    for (const b of others) {
      this.hold(a, b);
      this.hold(b, a);
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Clients (as in sim.ts: find the leader through hints, retry on silence)

  client(name: string): Client {
    let c = this.clients.find((x) => x.name === name);
    if (c === undefined) {
      c = { name, seq: 0, guess: 0, op: null, gen: 0, last: null };
      this.clients.push(c);
    }
    return c;
  }

  submit(name: string, make: (client: string, seq: number) => Command, via: string | null = null): void {
    const c = this.client(name);
    const cmd = make(name, ++c.seq);
    const target = via ?? this.nodes[c.guess % this.nodes.length]!;
    c.op = { cmd, target };
    c.last = null;
    this.emit({ k: 'client-request', t: 0, client: name, node: target, cmd });
    this.clientSend(c);
  }

  put(name: string, k: string, value: string): void {
    this.submit(name, (client, seq) => ({ op: 'put', key: k, value, client, seq }));
  }

  done(name: string): boolean {
    return this.client(name).op === null;
  }

  last(name: string): { ok: boolean; result: string } | null {
    return this.client(name).last;
  }

  private clientSend(c: Client): void {
    const gen = ++c.gen;
    this.send(c.name, c.op!.target, { type: 'ClientRequest', cmd: c.op!.cmd });
    queuePush(this.queue, this.now + this.clientRetryUs, { k: 'client-timer', client: c.name, gen });
  }

  private clientReceive(c: Client, from: string, m: Extract<Message, { type: 'ClientResponse' }>): void {
    const op = c.op;
    if (op === null || op.cmd.op === 'noop' || op.cmd.op === 'expire' || m.seq !== op.cmd.seq || from !== op.target) return;
    if (m.ok) {
      this.emit({ k: 'client-response', t: 0, client: c.name, node: from, ok: true, seq: m.seq, result: m.result });
      c.last = { ok: true, result: m.result };
      c.op = null;
      c.gen++;
      return;
    }
    if (m.leaderHint !== null && m.leaderHint !== from && this.nodes.includes(m.leaderHint)) {
      c.guess = this.nodes.indexOf(m.leaderHint);
      op.target = m.leaderHint;
      this.clientSend(c);
    }
  }
}

/** Events of kind `k`, typed. */
export function eventsOf<K extends TraceEvent['k']>(trace: readonly TraceEvent[], k: K): Extract<TraceEvent, { k: K }>[] {
  return trace.filter((e): e is Extract<TraceEvent, { k: K }> => e.k === k);
}

// ---------------------------------------------------------------------------------------------------
// One node by hand (the etcd-io/raft style): step a message in, read what it sends, traces and arms.

export type { Sent } from '../engine/helpers';
export { handOf as hand, type HandOf as Hand } from '../engine/helpers';
