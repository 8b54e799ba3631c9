// Shared helpers for the engine tests: a whole simulated cluster (Simulation), and a single Raft node
// driven by hand through a fake environment (the etcd-io/raft style: step a message in, read what the
// node sends, persists and traces).

import { type ClusterOptions, defaultClusterOptions } from '../../../src/engine/config';
import { prngCreate, randInt } from '../../../src/engine/prng';
import { type RaftEnv, type RaftState, raftCreate } from '../../../src/engine/raft/node';
import type { ProtocolEnv } from '../../../src/engine/protocol';
import { Simulation, type World, worldCreate } from '../../../src/engine/sim';
import type { ClientCommand, LogEntry, Message, TraceEvent, TraceInput } from '../../../src/engine/trace';

export const MS = 1_000;
export const S = 1_000_000;

export function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `n${i + 1}`);
}

export interface Cluster {
  sim: Simulation;
  world: World;
  trace: TraceEvent[];
}

/** A started cluster; `tweak` edits the options before the world is built. */
export function cluster(nodes: number | string[], seed = 1, tweak?: (o: ClusterOptions) => void): Cluster {
  const o = defaultClusterOptions(typeof nodes === 'number' ? names(nodes) : nodes, seed);
  tweak?.(o);
  const world = worldCreate(o);
  const trace: TraceEvent[] = [];
  const sim = new Simulation(world, trace);
  sim.start();
  return { sim, world, trace };
}

/** Options for hand-driven scenarios: timers far away, so only `forceTimeout` starts elections. */
export function quiet(o: ClusterOptions): void {
  o.raft.electionTimeoutUsMin = 10 * S;
  o.raft.electionTimeoutUsMax = 20 * S;
  o.raft.heartbeatUs = 5 * S;
}

export function runFor(c: Cluster, us: number): void {
  c.sim.run(c.world.now + us, Number.MAX_SAFE_INTEGER);
}

/** Runs until `pred` holds (checked after every event); false when `boundUs` of virtual time passed first. */
export function runUntil(c: Cluster, pred: () => boolean, boundUs: number): boolean {
  return c.sim.run(c.world.now + boundUs, Number.MAX_SAFE_INTEGER, pred).reason === 'condition';
}

/** The live leader of the highest term, or null. */
export function leaderOf(w: World): string | null {
  let best: { name: string; term: number } | null = null;
  for (const n of w.nodes) {
    if (n.status === 'down' || n.raft.role !== 'leader') continue;
    if (best === null || n.raft.term > best.term) best = { name: n.name, term: n.raft.term };
  }
  return best?.name ?? null;
}

export function node(w: World, name: string): RaftState {
  const s = w.nodes.find((n) => n.name === name);
  if (s === undefined) throw new Error(`no node ${name}`);
  return s.raft;
}

/** Log terms of a node, e.g. [1, 1, 4]: how the paper's figures draw a log. */
export function terms(w: World, name: string): number[] {
  return node(w, name).log.map((e) => e.term);
}

type Op = { op: 'put'; key: string; value: string } | { op: 'get'; key: string };

/** Submits a client command and runs until it is answered; returns the answer or null after `boundUs`. */
export function request(c: Cluster, client: string, op: Op, via: string | null = null, boundUs = 10 * S): { ok: boolean; result: string } | null {
  submit(c, client, op, via);
  const done = runUntil(c, () => c.sim.clientDone(client), boundUs);
  if (!done) {
    c.sim.abandon(client, 'test bound');
    return null;
  }
  const last = c.world.clients.find((x) => x.name === client)!.last!;
  return { ok: last.ok, result: last.result };
}

export function submit(c: Cluster, client: string, op: Op, via: string | null = null): void {
  c.sim.submit(client, (seq): ClientCommand => (op.op === 'put' ? { op: 'put', key: op.key, value: op.value, client, seq } : { op: 'get', key: op.key, client, seq }), via);
}

export function count(trace: readonly TraceEvent[], pred: (e: TraceEvent) => boolean, from = 0): number {
  let n = 0;
  for (let i = from; i < trace.length; i++) if (pred(trace[i]!)) n++;
  return n;
}

export function violations(trace: readonly TraceEvent[]): string[] {
  return trace.flatMap((e) => (e.k === 'violation' ? [`${e.invariant}: ${e.detail}`] : []));
}

// ---------------------------------------------------------------------------------------------------
// One node by hand

export interface Sent {
  to: string;
  msg: Message;
}

/** One node of any protocol by hand (the etcd-io/raft style): step a message in, read what it sends, traces and arms. */
export interface HandOf<State, Opts> {
  s: State;
  env: ProtocolEnv<Opts> & { now: number };
  /** Messages sent since the last `take()`. */
  out: Sent[];
  trace: TraceEvent[];
  /** Armed timers by kind: absolute due time, or null. */
  timers: Record<string, number | null>;
  /** Returns and clears `out`. */
  take(): Sent[];
}

/** Node `id` of a cluster `peers`, made by `create`, with a fake environment. */
export function handOf<State, Opts>(create: (id: string, peers: string[]) => State, id: string, peers: string[], opts: Opts, seed = 7): HandOf<State, Opts> {
  const rng = prngCreate(seed);
  const h: HandOf<State, Opts> = {
    s: create(id, peers.slice()),
    out: [],
    trace: [],
    timers: {},
    env: {
      now: 0,
      opts,
      randInt: (lo, hi) => randInt(rng, lo, hi),
      send: (from, to, msg) => {
        if (from !== id) throw new Error(`sent as ${from}`);
        h.out.push({ to, msg });
      },
      setTimer: (_node, kind, delayUs) => {
        h.timers[kind] = h.env.now + delayUs;
      },
      cancelTimer: (_node, kind) => {
        h.timers[kind] = null;
      },
      emit: (ev) => {
        h.trace.push({ ...ev, t: h.env.now });
      },
    },
    take() {
      const o = h.out;
      h.out = [];
      return o;
    },
  };
  return h;
}

export interface Hand extends HandOf<RaftState, ClusterOptions['raft']> {
  env: RaftEnv & { now: number };
  /** Armed timers: absolute due time, or null. */
  timers: { election: number | null; heartbeat: number | null };
  opts: ClusterOptions;
}

/** A single Raft node `id` of a cluster `peers`, with a fake environment. */
export function hand(id: string, peers: string[], tweak?: (o: ClusterOptions) => void): Hand {
  const opts = defaultClusterOptions(peers, 1);
  tweak?.(opts);
  const h = handOf(raftCreate, id, peers, opts.raft) as Hand;
  h.timers.election = null;
  h.timers.heartbeat = null;
  h.opts = opts;
  // The kinds the simulator stores in columns, as the objects the trace holds.
  const tr = (ev: TraceInput): void => h.env.emit(ev);
  const name = (i: number): string => peers[i]!;
  h.env.sendPeer = (from, to, msg) => h.env.send(name(from), name(to), msg);
  h.env.traceAppend = (node, index, entry) => tr({ k: 'append', t: undefined, node: name(node), index, entry });
  h.env.traceApply = (node, index, entry, result) => tr({ k: 'apply', t: undefined, node: name(node), index, entry, result });
  h.env.traceCommit = (node, from, to, reason) => tr({ k: 'commit', t: undefined, node: name(node), from, to, reason });
  h.env.traceTimer = (node, timer) => tr({ k: 'timer', t: undefined, node: name(node), timer });
  return h;
}

/** Log entries with these terms; entry i is a put k<i>=t<term> so equal (index, term) means equal entries. */
export function entries(...ts: number[]): LogEntry[] {
  return ts.map((term, i) => ({ term, cmd: { op: 'put', key: `k${i + 1}`, value: `t${term}`, client: 'seed', seq: i + 1 } }));
}

export function ae(term: number, prevLogIndex: number, prevLogTerm: number, ents: LogEntry[], leaderCommit: number, round = 1): Message {
  return { type: 'AppendEntries', term, prevLogIndex, prevLogTerm, entries: ents, leaderCommit, round };
}

export function rv(term: number, lastLogIndex: number, lastLogTerm: number, prevote = false): Message {
  return { type: 'RequestVote', term, lastLogIndex, lastLogTerm, prevote };
}

export function rvr(term: number, granted: boolean, prevote = false): Message {
  return { type: 'RequestVoteResponse', term, granted, prevote, reason: '' };
}

export function aer(term: number, success: boolean, matchIndex: number, conflictIndex = 0, round = 1): Message {
  return { type: 'AppendEntriesResponse', term, success, matchIndex, conflictIndex, reason: '', round };
}
