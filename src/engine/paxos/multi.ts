// Multi-Paxos ("Paxos Made Simple" §3): a sequence of Paxos instances, one per log slot, driving the same
// replicated key-value state machine as Raft (`applyCommand`). Shape of raft/node.ts: no I/O, plain data.
//
//   Leader election is phase 1 for every instance at once: a node that hears no leader for a random
//   election timeout sends Prepare(n, i) covering every instance from i, its first not known chosen.
//   With promises from a majority it leads. For each instance some promise reports accepted, it must
//   propose the highest-numbered reported value; an instance below the highest reported one that no
//   promise mentions is a gap, and it proposes a no-op there. Then it serves clients, running only
//   phase 2 (Accept) per new instance: the distinguished leader skips phase 1.
//   Acceptors answer Accepts to the leader; the leader learns a value once a majority accepted it,
//   applies instances in order and answers the client. Followers learn from the leader's `chosen`
//   (in Accepts and Heartbeats): an instance they accepted in the leader's ballot is chosen; for the rest
//   they ask the leader (CatchUp / Chosen).
//
// Invariants (checked from outside by engine/check/paxos, never trusted here):
//   promised >= accepted[i].ballot for every instance i, and promised never decreases
//   chosenThrough <= every chosen instance's index is contiguous: chosen[1..chosenThrough] all exist

import { type Protocol, type ProtocolEnv, broadcastTo, sendTo } from '../protocol';
import { type Session, applyCommand } from '../kv/store';
import type { Ballot, Command, Message, PaxosAccepted, PaxosValue, Role } from '../trace';
import { NO_BALLOT, ballotLabel, compareBallots, valueKey, valueLabel } from './ballot';
import type { MultiPaxosOptions } from './options';
import { forgetPromise, quorumNeeded, quorumText } from './quorum';

export type MultiPaxosEnv = ProtocolEnv<MultiPaxosOptions>;

export type MultiPaxosTimer = 'election' | 'heartbeat';

const NOOP: Command = { op: 'noop' };

interface Proposal {
  value: PaxosValue;
  /** Acceptors that accepted it in the leader's ballot. */
  acks: Set<string>;
  /** Where it came from, for the trace. */
  why: string;
}

export interface MultiPaxosState {
  id: string;
  peers: string[];
  /** The proposer number in this node's ballots: its 1-based position in `peers`. */
  rank: number;
  role: Role;
  // Persistent: survives crash and restart.
  /** Acceptor: the highest ballot promised (for every instance at once). */
  promised: Ballot;
  /** Acceptor: per instance, the highest-numbered proposal accepted. */
  accepted: Record<number, PaxosAccepted>;
  /** The highest round used or seen, so ballots keep increasing across restarts. */
  maxRound: number;
  // Volatile.
  /** The leader as far as this node knows (itself when leading). */
  leader: string | null;
  /** Candidate or leader: its own ballot. */
  ballot: Ballot;
  // Sets and Maps keyed by node name, client name or key, never plain objects: those names are the
  // user's, and may be `toString` or `__proto__` (an object would see an inherited property, or drop the
  // key); structuredClone keeps Maps and Sets.
  /** Candidate: promises for `ballot`, with what each acceptor reported. */
  promises: Map<string, PaxosAccepted[]>;
  /** Peers that answered the current phase 1 attempt or a pending Accept. */
  answered: Set<string>;
  /** Peers that missed an answer and have not been heard from since (only the quorum bug uses it). */
  suspected: Set<string>;
  /** Learner: chosen values by instance; `chosenThrough` is the end of the gap-free prefix, all applied. */
  chosen: Record<number, PaxosAccepted>;
  chosenThrough: number;
  /** Last time this node asked the leader for chosen values (CatchUp), or -1. */
  catchUpUs: number;
  /** Leader: the next free instance, and the proposals of its ballot not yet chosen. */
  nextInstance: number;
  proposals: Record<number, Proposal>;
  /** Leader: the client waiting for an instance: "client\u0000seq". */
  waiting: Record<number, string>;
  /** Values this node was asked to propose (or was forwarded) while it knew no leader. */
  pending: PaxosValue[];
  // The replicated state machine, as in Raft.
  kv: Map<string, string>;
  sessions: Map<string, Session>;
}

export function multiPaxosCreate(id: string, peers: string[]): MultiPaxosState {
  const rank = peers.indexOf(id) + 1;
  if (rank === 0) throw new Error(`multi-paxos: ${id} is not among its peers`);
  return {
    id,
    peers,
    rank,
    role: 'follower',
    promised: NO_BALLOT,
    accepted: {},
    maxRound: 0,
    leader: null,
    ballot: NO_BALLOT,
    promises: new Map(),
    answered: new Set(),
    suspected: new Set(),
    chosen: {},
    chosenThrough: 0,
    catchUpUs: -1,
    nextInstance: 1,
    proposals: {},
    waiting: {},
    pending: [],
    kv: new Map(),
    sessions: new Map(),
  };
}

export function multiPaxosStart(s: MultiPaxosState, env: MultiPaxosEnv): void {
  resetElectionTimer(s, env);
}

/** The value chosen at `instance` as this node has learned it, or null. */
export function multiPaxosDecided(s: MultiPaxosState, instance: number): PaxosValue | null {
  return s.chosen[instance]?.value ?? null;
}

/** A crash keeps the acceptor's promise and acceptances; the learner relearns from the leader. */
export function multiPaxosCrash(s: MultiPaxosState, env: MultiPaxosEnv): void {
  const from = s.role;
  env.cancelTimer(s.id, 'election');
  env.cancelTimer(s.id, 'heartbeat');
  resetVolatile(s);
  s.role = 'down';
  env.emit({ k: 'role', t: undefined, node: s.id, from, to: 'down', term: s.promised.round, reason: 'crashed' });
}

export function multiPaxosRestart(s: MultiPaxosState, env: MultiPaxosEnv): void {
  resetVolatile(s);
  if (env.opts.bugs.forgetPromiseOnRestart) forgetPromise(s, (ev) => env.emit(ev), highestAccepted(s));
  s.role = 'follower';
  env.emit({ k: 'role', t: undefined, node: s.id, from: 'down', to: 'follower', term: s.promised.round, reason: 'restarted' });
  resetElectionTimer(s, env);
}

function resetVolatile(s: MultiPaxosState): void {
  s.leader = null;
  s.ballot = NO_BALLOT;
  s.promises = new Map();
  s.answered = new Set();
  s.suspected = new Set();
  s.chosen = {};
  s.chosenThrough = 0;
  s.catchUpUs = -1;
  s.nextInstance = 1;
  s.proposals = {};
  s.waiting = {};
  s.pending = [];
  s.kv = new Map();
  s.sessions = new Map();
}

function highestAccepted(s: MultiPaxosState): Ballot {
  let b = NO_BALLOT;
  for (const i of instances(s.accepted)) if (compareBallots(s.accepted[i]!.ballot, b) > 0) b = s.accepted[i]!.ballot;
  return b;
}

/** The keys of a per-instance record, in increasing order. */
function instances(r: Record<number, unknown>): number[] {
  return Object.keys(r)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * The node is asked to propose `value` into the log (`n1 propose X`). A leader proposes it in its next
 * instance, a follower forwards it to the leader it knows, and a node that knows no leader keeps it
 * until one is elected. Returns false, doing nothing, when the node is down.
 */
export function multiPaxosPropose(s: MultiPaxosState, env: MultiPaxosEnv, value: PaxosValue): boolean {
  if (s.role === 'down') return false;
  const reason = s.role === 'leader' ? 'as leader' : s.leader !== null ? `forwards it to leader ${s.leader}` : 'keeps it until a leader is known';
  env.emit({ k: 'propose', t: undefined, node: s.id, instance: s.role === 'leader' ? s.nextInstance : 0, value, reason });
  route(s, env, value);
  return true;
}

function route(s: MultiPaxosState, env: MultiPaxosEnv, value: PaxosValue): void {
  if (s.role === 'leader') propose(s, env, s.nextInstance++, value, `proposes ${valueLabel(value)} in the next free instance`);
  else if (s.leader !== null && s.leader !== s.id) env.send(s.id, s.leader, { type: 'Forward', value });
  else s.pending.push(value);
}

// ---------------------------------------------------------------------------------------------------
// Timers and roles

export function multiPaxosTimer(s: MultiPaxosState, env: MultiPaxosEnv, kind: string): void {
  if (s.role === 'down' || (kind !== 'election' && kind !== 'heartbeat')) return;
  env.emit({ k: 'timer', t: undefined, node: s.id, timer: kind });
  if (kind === 'heartbeat') {
    if (s.role === 'leader') heartbeat(s, env);
    return;
  }
  if (s.role === 'leader') return;
  if (s.role === 'candidate') {
    for (const p of s.peers) if (p !== s.id && !s.answered.has(p)) s.suspected.add(p);
    // The bug: the silent peers are "down", so the quorum shrinks to what answered.
    if (env.opts.bugs.quorumFromReachable && s.promises.size >= quorumNeeded(s, env.opts.bugs)) return becomeLeader(s, env);
    env.emit({
      k: 'ballot',
      t: undefined,
      node: s.id,
      instance: s.chosenThrough + 1,
      ballot: s.ballot,
      action: 'abandon',
      reason: `no quorum of promises in time (${s.promises.size} of ${s.peers.length})`,
    });
  }
  becomeCandidate(s, env, s.leader === null ? 'no leader heard within the election timeout' : `leader ${s.leader} silent for an election timeout`);
}

/** Fire the election timer now (the `timeout n2` command), whatever its deadline. */
export function multiPaxosForceTimeout(s: MultiPaxosState, env: MultiPaxosEnv): void {
  if (s.role === 'down' || s.role === 'leader') return;
  multiPaxosTimer(s, env, 'election');
}

function resetElectionTimer(s: MultiPaxosState, env: MultiPaxosEnv): void {
  const o = env.opts;
  env.setTimer(s.id, 'election', env.randInt(o.electionTimeoutUsMin, o.electionTimeoutUsMax));
}

function setRole(s: MultiPaxosState, env: MultiPaxosEnv, to: Role, term: number, reason: string): void {
  if (s.role === 'down') throw new Error(`multi-paxos: ${s.id} cannot become ${to} while down`);
  const from = s.role;
  s.role = to;
  if (from !== to) env.emit({ k: 'role', t: undefined, node: s.id, from, to, term, reason });
}

function becomeFollower(s: MultiPaxosState, env: MultiPaxosEnv, leader: string | null, reason: string): void {
  const was = s.role;
  s.leader = leader;
  s.promises = new Map();
  if (was === 'leader') {
    env.cancelTimer(s.id, 'heartbeat');
    failWaiting(s, env, leader);
    s.proposals = {};
  }
  setRole(s, env, 'follower', s.promised.round, reason);
  resetElectionTimer(s, env);
  flushPending(s, env);
}

/** Phase 1 for every instance not known chosen, with a ballot above every one seen. */
function becomeCandidate(s: MultiPaxosState, env: MultiPaxosEnv, reason: string): void {
  s.maxRound = Math.max(s.maxRound, s.promised.round) + 1;
  s.ballot = { round: s.maxRound, proposer: s.rank };
  s.leader = null;
  s.promises = new Map();
  s.answered = new Set();
  setRole(s, env, 'candidate', s.ballot.round, reason);
  const from = s.chosenThrough + 1;
  env.emit({ k: 'ballot', t: undefined, node: s.id, instance: from, ballot: s.ballot, action: 'start', reason: `${reason}: phase 1 for every instance from i${from}` });
  resetElectionTimer(s, env);
  broadcast(s, env, { type: 'Prepare', ballot: s.ballot, instance: from });
}

/**
 * Phase 1 won: re-propose what the promises report (the highest-numbered value per instance), fill the
 * gaps below the highest reported instance with no-ops, then serve new instances with phase 2 only.
 */
function becomeLeader(s: MultiPaxosState, env: MultiPaxosEnv): void {
  const voters = [...s.promises.keys()].sort();
  s.leader = s.id;
  s.proposals = {};
  s.waiting = {};
  setRole(s, env, 'leader', s.ballot.round, `promises for ${ballotLabel(s.ballot)} from ${voters.join(' ')} (${quorumText(s, env.opts.bugs, voters.length)})`);
  env.cancelTimer(s.id, 'election');
  const best: Record<number, { acc: PaxosAccepted; from: string }> = {};
  let top = s.chosenThrough;
  for (const p of voters) {
    for (const acc of s.promises.get(p)!) {
      top = Math.max(top, acc.instance);
      const cur = best[acc.instance];
      if (cur === undefined || compareBallots(acc.ballot, cur.acc.ballot) > 0) best[acc.instance] = { acc, from: p };
    }
  }
  for (const i of instances(s.chosen)) top = Math.max(top, i);
  const have = `promises ${quorumText(s, env.opts.bugs, voters.length)}`;
  for (let i = s.chosenThrough + 1; i <= top; i++) {
    if (s.chosen[i] !== undefined) continue; // already known chosen: nothing to decide
    const b = best[i];
    if (b === undefined) {
      propose(s, env, i, NOOP, `${have}; none reports a value for i${i}: fills the gap with a no-op`);
    } else if (env.opts.bugs.ignoreAcceptedValues) {
      propose(s, env, i, NOOP, `${have}; ignores ${valueLabel(b.acc.value)} accepted in ${ballotLabel(b.acc.ballot)} at i${i} and proposes a no-op (bug ignoreAcceptedValues)`);
    } else {
      propose(s, env, i, b.acc.value, `${have}; adopts ${valueLabel(b.acc.value)}, the highest accepted at i${i} (${ballotLabel(b.acc.ballot)} reported by ${b.from})`);
    }
  }
  s.nextInstance = top + 1;
  const pending = s.pending;
  s.pending = [];
  for (const v of pending) route(s, env, v);
  s.answered = new Set();
  announce(s, env);
}

/** The heartbeat timer: suspect peers silent about an Accept, re-send lost Accepts, and announce. */
function heartbeat(s: MultiPaxosState, env: MultiPaxosEnv): void {
  const open = instances(s.proposals);
  if (open.length > 0) {
    for (const p of s.peers) if (p !== s.id && !s.answered.has(p)) s.suspected.add(p);
    // The bug: the silent peers are "down", so the quorum shrinks to what answered.
    if (env.opts.bugs.quorumFromReachable) for (const i of open) maybeChosen(s, env, i);
  }
  s.answered = new Set();
  const pending = instances(s.proposals);
  for (const p of s.peers) {
    if (p === s.id) continue;
    let sent = 0;
    for (const i of pending) {
      const prop = s.proposals[i]!;
      if (prop.acks.has(p)) continue;
      if (sent++ === env.opts.maxBatchEntries) break;
      env.send(s.id, p, { type: 'Accept', ballot: s.ballot, instance: i, value: prop.value, chosen: s.chosenThrough });
    }
  }
  announce(s, env);
}

/** Heartbeats to every peer: the leader is alive, and has chosen every instance through `chosen`. */
function announce(s: MultiPaxosState, env: MultiPaxosEnv): void {
  for (const p of s.peers) if (p !== s.id) env.send(s.id, p, { type: 'Heartbeat', ballot: s.ballot, chosen: s.chosenThrough });
  env.setTimer(s.id, 'heartbeat', env.opts.heartbeatUs);
}

// ---------------------------------------------------------------------------------------------------
// Proposer (the leader's phase 2)

function propose(s: MultiPaxosState, env: MultiPaxosEnv, instance: number, value: PaxosValue, why: string): void {
  s.proposals[instance] = { value, acks: new Set(), why };
  env.emit({ k: 'pick', t: undefined, node: s.id, instance, ballot: s.ballot, value, reason: why });
  broadcast(s, env, { type: 'Accept', ballot: s.ballot, instance, value, chosen: s.chosenThrough });
}

function onPromise(s: MultiPaxosState, env: MultiPaxosEnv, from: string, m: Extract<Message, { type: 'Promise' }>): void {
  if (s.role !== 'candidate' || compareBallots(m.ballot, s.ballot) !== 0) return;
  s.answered.add(from);
  s.promises.set(from, m.accepted);
  if (s.promises.size >= quorumNeeded(s, env.opts.bugs)) becomeLeader(s, env);
}

function onAccepted(s: MultiPaxosState, env: MultiPaxosEnv, from: string, m: Extract<Message, { type: 'Accepted' }>): void {
  if (s.role !== 'leader' || compareBallots(m.ballot, s.ballot) !== 0) return;
  s.answered.add(from);
  const prop = s.proposals[m.instance];
  if (prop === undefined) return;
  prop.acks.add(from);
  maybeChosen(s, env, m.instance);
}

function maybeChosen(s: MultiPaxosState, env: MultiPaxosEnv, instance: number): void {
  const prop = s.proposals[instance];
  if (prop === undefined) return;
  const acks = [...prop.acks].sort();
  if (acks.length < quorumNeeded(s, env.opts.bugs)) return;
  delete s.proposals[instance];
  const reason = `chosen: ${acks.join(' ')} accepted ${ballotLabel(s.ballot)} at i${instance} (${quorumText(s, env.opts.bugs, acks.length)})`;
  learn(s, env, { instance, ballot: s.ballot, value: prop.value }, reason);
}

function onNack(s: MultiPaxosState, env: MultiPaxosEnv, from: string, m: Extract<Message, { type: 'Nack' }>): void {
  s.maxRound = Math.max(s.maxRound, m.promised.round);
  if ((s.role !== 'leader' && s.role !== 'candidate') || compareBallots(m.ballot, s.ballot) !== 0) return;
  if (compareBallots(m.promised, s.ballot) <= 0) return;
  env.emit({
    k: 'ballot',
    t: undefined,
    node: s.id,
    instance: m.instance,
    ballot: s.ballot,
    action: 'abandon',
    reason: `${from} promised ${ballotLabel(m.promised)}, above ${ballotLabel(s.ballot)}`,
  });
  becomeFollower(s, env, null, `${from} promised ${ballotLabel(m.promised)}, a higher ballot`);
}

function onForward(s: MultiPaxosState, env: MultiPaxosEnv, from: string, value: PaxosValue): void {
  if (s.role === 'leader') propose(s, env, s.nextInstance++, value, `proposes ${valueLabel(value)}, forwarded by ${from}, in the next free instance`);
  else s.pending.push(value);
}

function flushPending(s: MultiPaxosState, env: MultiPaxosEnv): void {
  if (s.pending.length === 0 || s.leader === null || s.leader === s.id) return;
  const pending = s.pending;
  s.pending = [];
  for (const v of pending) env.send(s.id, s.leader, { type: 'Forward', value: v });
}

// ---------------------------------------------------------------------------------------------------
// Acceptor

function onPrepare(s: MultiPaxosState, env: MultiPaxosEnv, from: string, m: Extract<Message, { type: 'Prepare' }>): void {
  s.maxRound = Math.max(s.maxRound, m.ballot.round);
  const cmp = compareBallots(m.ballot, s.promised);
  const trace = (granted: boolean, reason: string): void =>
    env.emit({ k: 'promise', t: undefined, node: s.id, proposer: from, instance: m.instance, ballot: m.ballot, granted, reason });
  if (cmp < 0) {
    trace(false, `promise refused: already promised ${ballotLabel(s.promised)}`);
    return send(s, env, from, { type: 'Nack', ballot: m.ballot, instance: m.instance, promised: s.promised, phase: 1 });
  }
  const reported = instances(s.accepted)
    .filter((i) => i >= m.instance)
    .map((i) => s.accepted[i]!);
  const reports = reported.length === 0 ? `nothing accepted from i${m.instance} on` : `reports ${reported.length} accepted from i${m.instance} on`;
  trace(true, cmp === 0 ? `repeats its promise for ${ballotLabel(m.ballot)}; ${reports}` : `${ballotLabel(m.ballot)} is above promised ${ballotLabel(s.promised)}; ${reports}`);
  s.promised = m.ballot;
  if (from !== s.id) {
    if (s.role === 'leader' || s.role === 'candidate') becomeFollower(s, env, null, `${from} runs phase 1 with ${ballotLabel(m.ballot)}, above ${ballotLabel(s.ballot)}`);
    else resetElectionTimer(s, env);
  }
  send(s, env, from, { type: 'Promise', ballot: m.ballot, instance: m.instance, accepted: reported });
}

function onAccept(s: MultiPaxosState, env: MultiPaxosEnv, from: string, m: Extract<Message, { type: 'Accept' }>): void {
  s.maxRound = Math.max(s.maxRound, m.ballot.round);
  const trace = (granted: boolean, reason: string): void =>
    env.emit({ k: 'accept', t: undefined, node: s.id, proposer: from, instance: m.instance, ballot: m.ballot, value: m.value, granted, reason });
  if (compareBallots(m.ballot, s.promised) < 0) {
    trace(false, `accept refused: promised ${ballotLabel(s.promised)}, above ${ballotLabel(m.ballot)}`);
    return send(s, env, from, { type: 'Nack', ballot: m.ballot, instance: m.instance, promised: s.promised, phase: 2 });
  }
  const prev = s.accepted[m.instance];
  const again = prev !== undefined && compareBallots(prev.ballot, m.ballot) === 0;
  trace(true, again ? `already accepted ${ballotLabel(m.ballot)} at i${m.instance} (a repeated Accept)` : `${ballotLabel(m.ballot)} is not below promised ${ballotLabel(s.promised)}`);
  s.promised = m.ballot;
  s.accepted[m.instance] = { instance: m.instance, ballot: m.ballot, value: m.value };
  send(s, env, from, { type: 'Accepted', ballot: m.ballot, instance: m.instance, value: m.value });
  if (from !== s.id) followLeader(s, env, from, m.ballot, m.chosen);
}

function onHeartbeat(s: MultiPaxosState, env: MultiPaxosEnv, from: string, m: Extract<Message, { type: 'Heartbeat' }>): void {
  if (compareBallots(m.ballot, s.promised) < 0) {
    // A deposed leader: tell it, so it steps down.
    return env.send(s.id, from, { type: 'Nack', ballot: m.ballot, instance: m.chosen + 1, promised: s.promised, phase: 2 });
  }
  followLeader(s, env, from, m.ballot, m.chosen);
}

/** `from` leads with `ballot` (not below this node's promise) and has chosen every instance through `chosen`. */
function followLeader(s: MultiPaxosState, env: MultiPaxosEnv, from: string, ballot: Ballot, chosen: number): void {
  if (s.role !== 'follower' || s.leader !== from) becomeFollower(s, env, from, `follows leader ${from} of ${ballotLabel(ballot)}`);
  else resetElectionTimer(s, env);
  for (let i = s.chosenThrough + 1; i <= chosen; i++) {
    const acc = s.accepted[i];
    if (s.chosen[i] !== undefined || acc === undefined || compareBallots(acc.ballot, ballot) !== 0) continue;
    learn(s, env, acc, `leader ${from} has chosen through i${chosen}, and i${i} was accepted here in its ballot ${ballotLabel(ballot)}`);
  }
  if (s.chosenThrough < chosen && (s.catchUpUs < 0 || env.now - s.catchUpUs >= env.opts.heartbeatUs)) {
    s.catchUpUs = env.now;
    env.send(s.id, from, { type: 'CatchUp', from: s.chosenThrough + 1 });
  }
}

function onCatchUp(s: MultiPaxosState, env: MultiPaxosEnv, from: string, m: Extract<Message, { type: 'CatchUp' }>): void {
  const entries: PaxosAccepted[] = [];
  for (let i = m.from; i <= s.chosenThrough && entries.length < env.opts.maxBatchEntries; i++) entries.push(s.chosen[i]!);
  if (entries.length > 0) env.send(s.id, from, { type: 'Chosen', entries });
}

function onChosen(s: MultiPaxosState, env: MultiPaxosEnv, from: string, m: Extract<Message, { type: 'Chosen' }>): void {
  for (const acc of m.entries) learn(s, env, acc, `${from} reports it chosen in ${ballotLabel(acc.ballot)} (catch-up)`);
}

// ---------------------------------------------------------------------------------------------------
// Learner and state machine

function learn(s: MultiPaxosState, env: MultiPaxosEnv, acc: PaxosAccepted, reason: string): void {
  if (s.chosen[acc.instance] !== undefined) return;
  s.chosen[acc.instance] = acc;
  env.emit({ k: 'learn', t: undefined, node: s.id, instance: acc.instance, ballot: acc.ballot, value: acc.value, reason });
  const from = s.chosenThrough;
  while (s.chosen[s.chosenThrough + 1] !== undefined) {
    s.chosenThrough++;
    apply(s, env, s.chosen[s.chosenThrough]!);
  }
  if (s.chosenThrough > from) env.emit({ k: 'commit', t: undefined, node: s.id, from, to: s.chosenThrough, reason: `every instance through i${s.chosenThrough} is chosen` });
}

function apply(s: MultiPaxosState, env: MultiPaxosEnv, acc: PaxosAccepted): void {
  const i = acc.instance;
  let result = '';
  if (typeof acc.value !== 'string') {
    result = applyCommand(s.kv, s.sessions, acc.value);
    env.emit({ k: 'apply', t: undefined, node: s.id, index: i, entry: { term: acc.ballot.round, cmd: acc.value }, result });
  }
  const waiter = s.waiting[i];
  if (waiter === undefined) return;
  delete s.waiting[i];
  const [client, seqText] = waiter.split('\u0000') as [string, string];
  const seq = Number(seqText);
  const v = acc.value;
  const ok = typeof v !== 'string' && v.op !== 'noop' && v.op !== 'expire' && v.client === client && v.seq === seq;
  env.send(s.id, client, { type: 'ClientResponse', ok, seq, result: ok ? result : `instance ${i} chose another value`, leaderHint: s.leader });
}

// ---------------------------------------------------------------------------------------------------
// Clients: commands go through the leader, reads too (through the log, so they are linearizable).

function onClientRequest(s: MultiPaxosState, env: MultiPaxosEnv, client: string, cmd: Command): void {
  if (cmd.op === 'noop' || cmd.op === 'expire') return;
  const answer = (ok: boolean, result: string): void => env.send(s.id, client, { type: 'ClientResponse', ok, seq: cmd.seq, result, leaderHint: s.leader });
  if (s.role !== 'leader') return answer(false, s.leader === null ? 'no leader known' : `not leader; try ${s.leader}`);
  const session = s.sessions.get(cmd.client);
  if (session !== undefined && session.seq >= cmd.seq) return answer(true, session.result);
  const key = valueKey(cmd);
  for (const i of instances(s.proposals)) {
    if (valueKey(s.proposals[i]!.value) === key) {
      s.waiting[i] = `${client}\u0000${cmd.seq}`;
      return;
    }
  }
  const i = s.nextInstance++;
  s.waiting[i] = `${client}\u0000${cmd.seq}`;
  propose(s, env, i, cmd, `client ${cmd.client}'s command, in the next free instance (phase 2 only: the leader's ballot holds)`);
}

function failWaiting(s: MultiPaxosState, env: MultiPaxosEnv, leader: string | null): void {
  for (const i of instances(s.waiting)) {
    const [client, seqText] = s.waiting[i]!.split('\u0000') as [string, string];
    env.send(s.id, client, { type: 'ClientResponse', ok: false, seq: Number(seqText), result: 'leadership lost', leaderHint: leader });
  }
  s.waiting = {};
}

// ---------------------------------------------------------------------------------------------------
// Messages

export function multiPaxosReceive(s: MultiPaxosState, env: MultiPaxosEnv, from: string, m: Message): void {
  if (s.role === 'down') return;
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
      s.answered.add(from);
      return onNack(s, env, from, m);
    case 'Heartbeat':
      return onHeartbeat(s, env, from, m);
    case 'CatchUp':
      return onCatchUp(s, env, from, m);
    case 'Chosen':
      return onChosen(s, env, from, m);
    case 'Forward':
      return onForward(s, env, from, m.value);
    case 'ClientRequest':
      return onClientRequest(s, env, from, m.cmd);
    default:
      return; // not a Multi-Paxos message
  }
}

function send(s: MultiPaxosState, env: MultiPaxosEnv, to: string, m: Message): void {
  sendTo(multiPaxosReceive, s, env, to, m);
}

function broadcast(s: MultiPaxosState, env: MultiPaxosEnv, m: Message): void {
  broadcastTo(multiPaxosReceive, s, env, m);
}

export const multiPaxosProtocol: Protocol<MultiPaxosState, MultiPaxosOptions> = {
  create: multiPaxosCreate,
  start: multiPaxosStart,
  timer: multiPaxosTimer,
  receive: multiPaxosReceive,
  crash: multiPaxosCrash,
  restart: multiPaxosRestart,
};
