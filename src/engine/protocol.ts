// What every protocol (Raft, Paxos, Multi-Paxos, bully) sees of the simulator, and what the simulator
// sees of a protocol. A protocol is plain-data state plus functions `(state, env, …)` in the shape of
// raft/node.ts: the simulator calls start/timer/receive/crash/restart, the node answers through the env
// (send, timers, trace). `RaftEnv` is this interface with Raft's options and its two timer kinds, so one
// env object can serve every protocol.

import type { Message, TraceInput } from './trace';

export type { TraceInput };

export interface ProtocolEnv<Opts> {
  /** Virtual time in microseconds. */
  readonly now: number;
  /** Read at every use: options may change between cells (`set …`). */
  readonly opts: Opts;
  /** A uniform integer in [lo, hi] from the simulation's one PRNG. */
  randInt(lo: number, hi: number): number;
  send(from: string, to: string, msg: Message): void;
  /** (Re)arm timer `kind` of `node` after `delayUs` of its local time; re-arming cancels the previous one. */
  setTimer(node: string, kind: string, delayUs: number): void;
  cancelTimer(node: string, kind: string): void;
  /** Record an event (`t` is stamped by the simulator) and run the checker on it. */
  emit(ev: TraceInput): void;
}

/** The calls a simulator makes into one protocol; `propose`-like operations are protocol-specific. */
export interface Protocol<State, Opts> {
  create(id: string, peers: string[]): State;
  /** Arm the first timers of a new node. */
  start(s: State, env: ProtocolEnv<Opts>): void;
  timer(s: State, env: ProtocolEnv<Opts>, kind: string): void;
  receive(s: State, env: ProtocolEnv<Opts>, from: string, msg: Message): void;
  /** Lose volatile state; the simulator stops delivering until `restart`. */
  crash(s: State, env: ProtocolEnv<Opts>): void;
  restart(s: State, env: ProtocolEnv<Opts>): void;
}

/** A broken invariant, returned by a checker as data (never thrown). */
export interface Violation<Invariant extends string = string> {
  invariant: Invariant;
  nodes: string[];
  detail: string;
}

/** Votes needed for a majority of `n` (⌊n/2⌋ + 1): 3 of 5, 2 of 3, 3 of 4. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** A node's own message handler, for messages a node sends to itself (its own acceptor or learner). */
type Receive<S, E> = (s: S, env: E, from: string, m: Message) => void;

/** Sends `m` to `to`: over the network, or straight to `receive` when `to` is the node itself. */
export function sendTo<S extends { id: string }, E extends ProtocolEnv<unknown>>(receive: Receive<S, E>, s: S, env: E, to: string, m: Message): void {
  if (to === s.id) receive(s, env, s.id, m);
  else env.send(s.id, to, m);
}

/** To every peer over the network, then to the node itself at once (through `receive`). */
export function broadcastTo<S extends { id: string; peers: string[] }, E extends ProtocolEnv<unknown>>(receive: Receive<S, E>, s: S, env: E, m: Message): void {
  for (const p of s.peers) if (p !== s.id) env.send(s.id, p, m);
  receive(s, env, s.id, m);
}
