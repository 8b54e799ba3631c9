// Single-decree Paxos (Lamport, "Paxos Made Simple", 2001), in the shape of raft/node.ts: no I/O, plain
// data, the simulator calls `paxosPropose`, `paxosTimer`, `paxosReceive`, `paxosCrash`, `paxosRestart`.
// Every node is proposer, acceptor and learner; what a node sends itself is handled at once, without
// the network (its own acceptor and learner are local).
//
//   Phase 1. A proposer picks a ballot above every one it has seen and sends Prepare(n). An acceptor
//   promises never to accept a ballot below n, if it has not promised a higher one, and reports the
//   highest-numbered proposal it accepted.
//   Phase 2. With promises from a majority, the proposer sends Accept(n, v): v is the value of the
//   highest-numbered proposal among the promises, or its own value if they report none. An acceptor
//   accepts unless it promised a higher ballot, and tells every learner.
//   Learning. A value is chosen when a majority of acceptors accepted the same ballot; a learner learns
//   it when it has heard so from a majority.
//   Retrying. A proposer starts its next ballot a retry interval after the last began, unless it has
//   learned the decision; a refusal (Nack) only makes it give up the current ballot early. A fixed
//   interval lets two proposers pre-empt each other forever (FLP); a random one breaks the tie.
//
// Invariants (checked from outside by engine/check/paxos, never trusted here):
//   promised >= accepted.ballot on every acceptor, and promised never decreases
//   a proposer's ballots strictly increase, and no two proposers share one

import { type Protocol, type ProtocolEnv, broadcastTo, sendTo } from '../protocol';
import type { Ballot, Message, PaxosAccepted, PaxosValue } from '../trace';
import { NO_BALLOT, ballotLabel, compareBallots, valueLabel } from './ballot';
import type { PaxosOptions } from './options';
import { forgetPromise, quorumNeeded, quorumText as describeQuorum } from './quorum';

export type PaxosEnv = ProtocolEnv<PaxosOptions>;

/** The one timer of a single-decree node: when its proposer starts its next ballot. */
export type PaxosTimer = 'retry';

/** Single-decree Paxos decides one value: instance 0 (Multi-Paxos numbers its instances from 1). */
const INSTANCE = 0;

interface Tally {
  ballot: Ballot;
  value: PaxosValue;
  /** Acceptors heard accepting this ballot. */
  from: Set<string>;
}

export interface PaxosState {
  id: string;
  peers: string[];
  /** The proposer number in this node's ballots: its 1-based position in `peers`. */
  rank: number;
  up: boolean;
  // Persistent ("stable storage", Paxos Made Simple §2.3): survives crash and restart.
  /** Acceptor: the highest ballot promised. */
  promised: Ballot;
  /** Acceptor: the highest-numbered proposal accepted. */
  accepted: PaxosAccepted | null;
  /** Proposer: the highest round used or seen, so a restarted proposer never reuses a ballot. */
  maxRound: number;
  /** Learner: the chosen value, once learned. */
  learned: PaxosAccepted | null;
  // Volatile.
  /** Proposer: the value it was asked to propose. */
  want: PaxosValue | null;
  /** `abandoned`: refused; waiting for the retry timer. */
  phase: 'idle' | 'prepare' | 'accept' | 'abandoned';
  /** When the retry timer fires (while a ballot is under way). */
  retryAtUs: number;
  /** Proposer: the ballot of the current (or last) attempt. */
  ballot: Ballot;
  // Sets and Maps keyed by node name, never plain objects: a node may be named `toString` or `__proto__`
  // (an object would see an inherited property, or drop the key), and structuredClone keeps them.
  /** Promises for `ballot`: who promised, and what each reported accepted. */
  promises: Map<string, PaxosAccepted | null>;
  /** Peers that answered the current attempt at all (a promise, an acceptance or a refusal). */
  answered: Set<string>;
  /** Peers that missed an answer and have not been heard from since (only the quorum bug uses it). */
  suspected: Set<string>;
  /** Learner: acceptances heard, per ballot (`#3.1`), a label that is never a property name of an object. */
  tallies: Record<string, Tally>;
}

export function paxosCreate(id: string, peers: string[]): PaxosState {
  const rank = peers.indexOf(id) + 1;
  if (rank === 0) throw new Error(`paxos: ${id} is not among its peers`);
  return {
    id,
    peers,
    rank,
    up: true,
    promised: NO_BALLOT,
    accepted: null,
    maxRound: 0,
    learned: null,
    want: null,
    phase: 'idle',
    retryAtUs: 0,
    ballot: NO_BALLOT,
    promises: new Map(),
    answered: new Set(),
    suspected: new Set(),
    tallies: {},
  };
}

/** Nothing to arm: a single-decree node acts only when asked to propose. */
export function paxosStart(_s: PaxosState, _env: PaxosEnv): void {}

/** The chosen value as this node has learned it, or null. */
export function paxosDecided(s: PaxosState): PaxosValue | null {
  return s.learned === null ? null : s.learned.value;
}

/** A crash loses the proposer's attempt and the learner's tallies; promises, acceptances and the decision stay. */
export function paxosCrash(s: PaxosState, env: PaxosEnv): void {
  env.cancelTimer(s.id, 'retry');
  s.up = false;
  resetVolatile(s);
}

export function paxosRestart(s: PaxosState, env: PaxosEnv): void {
  s.up = true;
  resetVolatile(s);
  if (env.opts.bugs.forgetPromiseOnRestart) forgetPromise(s, (ev) => env.emit(ev), s.accepted?.ballot ?? NO_BALLOT);
}

function resetVolatile(s: PaxosState): void {
  s.want = null;
  s.phase = 'idle';
  s.retryAtUs = 0;
  s.ballot = NO_BALLOT;
  s.promises = new Map();
  s.answered = new Set();
  s.suspected = new Set();
  s.tallies = {};
}

/**
 * The node is asked to propose `value` (`n1 propose X`). It starts a ballot unless it already knows the
 * decision or an attempt is under way (which then carries on, with this value if it may choose one).
 * Returns false, doing nothing, when the node is down.
 */
export function paxosPropose(s: PaxosState, env: PaxosEnv, value: PaxosValue): boolean {
  if (!s.up) return false;
  if (s.learned !== null) {
    env.emit({ k: 'propose', t: undefined, node: s.id, instance: INSTANCE, value, reason: `already learned that ${valueLabel(s.learned.value)} was chosen` });
    return true;
  }
  s.want = value;
  const busy = s.phase !== 'idle';
  const reason = busy ? `ballot ${ballotLabel(s.ballot)} is under way` : 'starts a ballot';
  env.emit({ k: 'propose', t: undefined, node: s.id, instance: INSTANCE, value, reason });
  if (!busy) startBallot(s, env, `to propose ${valueLabel(value)}`);
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Quorums

function quorum(s: PaxosState, env: PaxosEnv): number {
  return quorumNeeded(s, env.opts.bugs);
}

function quorumText(s: PaxosState, env: PaxosEnv, have: number): string {
  return describeQuorum(s, env.opts.bugs, have);
}

// ---------------------------------------------------------------------------------------------------
// Proposer

function startBallot(s: PaxosState, env: PaxosEnv, reason: string): void {
  s.maxRound++;
  s.ballot = { round: s.maxRound, proposer: s.rank };
  s.phase = 'prepare';
  s.promises = new Map();
  s.answered = new Set();
  env.emit({ k: 'ballot', t: undefined, node: s.id, instance: INSTANCE, ballot: s.ballot, action: 'start', reason });
  armRetry(s, env);
  broadcast(s, env, { type: 'Prepare', ballot: s.ballot, instance: INSTANCE });
}

function armRetry(s: PaxosState, env: PaxosEnv): void {
  const retryUs = env.randInt(env.opts.retryUsMin, env.opts.retryUsMax);
  s.retryAtUs = env.now + retryUs;
  env.setTimer(s.id, 'retry', retryUs);
}

function onPromise(s: PaxosState, env: PaxosEnv, from: string, m: Extract<Message, { type: 'Promise' }>): void {
  if (s.phase !== 'prepare' || compareBallots(m.ballot, s.ballot) !== 0) return;
  s.answered.add(from);
  s.promises.set(from, m.accepted[0] ?? null);
  if (s.promises.size >= quorum(s, env)) startAccept(s, env);
}

/** Phase 2: the value is the highest-numbered one among the promises, else the proposer's own. */
function startAccept(s: PaxosState, env: PaxosEnv): void {
  const promised = [...s.promises.keys()].sort();
  let highest: { from: string; acc: PaxosAccepted } | null = null;
  for (const p of promised) {
    const acc = s.promises.get(p);
    if (acc !== null && acc !== undefined && (highest === null || compareBallots(acc.ballot, highest.acc.ballot) > 0)) highest = { from: p, acc };
  }
  const have = quorumText(s, env, promised.length);
  let value: PaxosValue;
  let reason: string;
  if (highest !== null && !env.opts.bugs.ignoreAcceptedValues) {
    value = highest.acc.value;
    reason = `promises ${have}; adopts ${valueLabel(value)}, the highest accepted (${ballotLabel(highest.acc.ballot)} reported by ${highest.from})`;
  } else if (s.want !== null) {
    value = s.want;
    reason =
      highest === null
        ? `promises ${have}; none reports an accepted value, so it proposes its own ${valueLabel(value)}`
        : `promises ${have}; ignores ${valueLabel(highest.acc.value)} accepted in ${ballotLabel(highest.acc.ballot)} and proposes its own ${valueLabel(value)} (bug ignoreAcceptedValues)`;
  } else {
    return; // a proposer only runs ballots while it has a value to propose
  }
  s.phase = 'accept';
  s.answered = new Set();
  env.emit({ k: 'pick', t: undefined, node: s.id, instance: INSTANCE, ballot: s.ballot, value, reason });
  broadcast(s, env, { type: 'Accept', ballot: s.ballot, instance: INSTANCE, value, chosen: 0 });
}

function onNack(s: PaxosState, env: PaxosEnv, from: string, m: Extract<Message, { type: 'Nack' }>): void {
  s.maxRound = Math.max(s.maxRound, m.promised.round);
  if ((s.phase !== 'prepare' && s.phase !== 'accept') || compareBallots(m.ballot, s.ballot) !== 0) return;
  const interval = env.opts.retryUsMin === env.opts.retryUsMax ? 'fixed' : 'random';
  env.emit({
    k: 'ballot',
    t: undefined,
    node: s.id,
    instance: INSTANCE,
    ballot: s.ballot,
    action: 'abandon',
    reason: `${from} promised ${ballotLabel(m.promised)}, above ${ballotLabel(s.ballot)}; next ballot in ${(s.retryAtUs - env.now) / 1000}ms (${interval} retry interval)`,
  });
  s.phase = 'abandoned';
}

/** The retry timer: the next ballot, unless the decision is known (or, under the quorum bug, "reached"). */
export function paxosTimer(s: PaxosState, env: PaxosEnv, kind: string): void {
  if (!s.up || kind !== 'retry') return;
  env.emit({ k: 'timer', t: undefined, node: s.id, timer: 'retry' });
  if (s.learned !== null || s.want === null || s.phase === 'idle') {
    s.phase = 'idle';
    return;
  }
  const phase = s.phase;
  if (phase !== 'abandoned') {
    for (const p of s.peers) if (p !== s.id && !s.answered.has(p)) s.suspected.add(p);
    if (env.opts.bugs.quorumFromReachable) {
      // The bug: the silent peers are "down", so the quorum shrinks to what answered.
      if (phase === 'prepare' && s.promises.size >= quorum(s, env)) {
        armRetry(s, env);
        return startAccept(s, env);
      }
      if (phase === 'accept' && learnIfQuorum(s, env, ballotLabel(s.ballot))) return;
    }
    const got = phase === 'prepare' ? `${s.promises.size} promises` : `${s.tallies[ballotLabel(s.ballot)]?.from.size ?? 0} acceptances`;
    env.emit({ k: 'ballot', t: undefined, node: s.id, instance: INSTANCE, ballot: s.ballot, action: 'abandon', reason: `no quorum in time (${got} of ${s.peers.length})` });
  }
  startBallot(s, env, 'retry interval over');
}

// ---------------------------------------------------------------------------------------------------
// Acceptor

function onPrepare(s: PaxosState, env: PaxosEnv, from: string, m: Extract<Message, { type: 'Prepare' }>): void {
  s.maxRound = Math.max(s.maxRound, m.ballot.round);
  const cmp = compareBallots(m.ballot, s.promised);
  const trace = (granted: boolean, reason: string): void =>
    env.emit({ k: 'promise', t: undefined, node: s.id, proposer: from, instance: INSTANCE, ballot: m.ballot, granted, reason });
  if (cmp < 0) {
    trace(false, `promise refused: already promised ${ballotLabel(s.promised)}`);
    return send(s, env, from, { type: 'Nack', ballot: m.ballot, instance: INSTANCE, promised: s.promised, phase: 1 });
  }
  const reports = s.accepted === null ? 'nothing accepted yet' : `reports accepted ${ballotLabel(s.accepted.ballot)}=${valueLabel(s.accepted.value)}`;
  if (cmp === 0) {
    trace(true, `repeats its promise for ${ballotLabel(m.ballot)} (a duplicate Prepare); ${reports}`);
  } else {
    trace(true, `${ballotLabel(m.ballot)} is above promised ${ballotLabel(s.promised)}; ${reports}`);
    s.promised = m.ballot;
  }
  send(s, env, from, { type: 'Promise', ballot: m.ballot, instance: INSTANCE, accepted: s.accepted === null ? [] : [s.accepted] });
}

function onAccept(s: PaxosState, env: PaxosEnv, from: string, m: Extract<Message, { type: 'Accept' }>): void {
  s.maxRound = Math.max(s.maxRound, m.ballot.round);
  const trace = (granted: boolean, reason: string): void =>
    env.emit({ k: 'accept', t: undefined, node: s.id, proposer: from, instance: INSTANCE, ballot: m.ballot, value: m.value, granted, reason });
  if (compareBallots(m.ballot, s.promised) < 0) {
    trace(false, `accept refused: promised ${ballotLabel(s.promised)}, above ${ballotLabel(m.ballot)}`);
    return send(s, env, from, { type: 'Nack', ballot: m.ballot, instance: INSTANCE, promised: s.promised, phase: 2 });
  }
  trace(true, `${ballotLabel(m.ballot)} is not below promised ${ballotLabel(s.promised)}`);
  s.promised = m.ballot;
  s.accepted = { instance: INSTANCE, ballot: m.ballot, value: m.value };
  broadcast(s, env, { type: 'Accepted', ballot: m.ballot, instance: INSTANCE, value: m.value });
}

// ---------------------------------------------------------------------------------------------------
// Learner

function onAccepted(s: PaxosState, env: PaxosEnv, from: string, m: Extract<Message, { type: 'Accepted' }>): void {
  const key = ballotLabel(m.ballot);
  const tally = (s.tallies[key] ??= { ballot: m.ballot, value: m.value, from: new Set() });
  tally.from.add(from);
  if (s.phase === 'accept' && compareBallots(m.ballot, s.ballot) === 0) s.answered.add(from);
  learnIfQuorum(s, env, key);
}

/** The learner rule: a majority accepted the same ballot (acceptances from different ballots never add up). */
function learnIfQuorum(s: PaxosState, env: PaxosEnv, key: string): boolean {
  const tally = s.tallies[key];
  if (s.learned !== null || tally === undefined) return false;
  const from = [...tally.from].sort();
  if (from.length < quorum(s, env)) return false;
  s.learned = { instance: INSTANCE, ballot: tally.ballot, value: tally.value };
  env.emit({
    k: 'learn',
    t: undefined,
    node: s.id,
    instance: INSTANCE,
    ballot: tally.ballot,
    value: tally.value,
    reason: `chosen: ${from.join(' ')} accepted ${key} (${quorumText(s, env, from.length)})`,
  });
  if (s.phase !== 'idle') {
    s.phase = 'idle';
    env.cancelTimer(s.id, 'retry');
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Messages

export function paxosReceive(s: PaxosState, env: PaxosEnv, from: string, m: Message): void {
  if (!s.up) return;
  s.suspected.delete(from);
  switch (m.type) {
    case 'Prepare':
      return onPrepare(s, env, from, m);
    case 'Promise':
      return onPromise(s, env, from, m);
    case 'Accept':
      return onAccept(s, env, from, m);
    case 'Accepted':
      return onAccepted(s, env, from, m);
    case 'Nack':
      if (s.phase === 'prepare' || s.phase === 'accept') s.answered.add(from);
      return onNack(s, env, from, m);
    default:
      return; // not a single-decree Paxos message
  }
}

function send(s: PaxosState, env: PaxosEnv, to: string, m: Message): void {
  sendTo(paxosReceive, s, env, to, m);
}

function broadcast(s: PaxosState, env: PaxosEnv, m: Message): void {
  broadcastTo(paxosReceive, s, env, m);
}

export const paxosProtocol: Protocol<PaxosState, PaxosOptions> = {
  create: paxosCreate,
  start: paxosStart,
  timer: paxosTimer,
  receive: paxosReceive,
  crash: paxosCrash,
  restart: paxosRestart,
};
