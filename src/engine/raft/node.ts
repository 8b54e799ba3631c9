// Raft (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm", and Ongaro's
// dissertation), in the shape of etcd-io/raft: no I/O. The simulator calls `raftTimer`, `raftReceive`,
// `raftCrash`, `raftRestart`; the node answers through `RaftEnv` (send, timers, trace). State is plain
// data, so a snapshot is a structured clone.
//
// Invariants (checked from outside by engine/check, never trusted here):
//   0 <= matchIndex[p] < nextIndex[p] <= lastIndex + 1 on a leader
//   lastApplied <= commitIndex <= lastIndex (the last one can break only under a deliberate bug)
//   the terms in a log never decrease along it
//
// Hot paths (message handlers, commit, replication) allocate nothing but the messages and trace events
// they emit: no closures, no temporary arrays.

import { type RaftOptions, fmtUs } from '../config';
import { type LockRecord, type Session, applyCommand } from '../kv/store';
import type { Command, LogEntry, Message, Role, TraceInput } from '../trace';

export type { TraceInput };

export interface RaftEnv {
  readonly now: number;
  readonly opts: RaftOptions;
  randInt(lo: number, hi: number): number;
  send(from: string, to: string, msg: Message): void;
  /** `send` between nodes, named by their positions in the cluster's node list (`RaftState.self`). */
  sendPeer(from: number, to: number, msg: Message): void;
  /** (Re)arm a timer after `delayUs` of this node's local time; re-arming cancels the previous one. */
  setTimer(node: string, kind: 'election' | 'heartbeat', delayUs: number): void;
  cancelTimer(node: string, kind: 'election' | 'heartbeat'): void;
  /** The clock of the node at position `node`: virtual time with its skew and drift (what a lessor reads). */
  localNow(node: number): number;
  /** Record an event (`t` is stamped by the simulator) and run the checker on it. */
  emit(ev: TraceInput): void;
  // The kinds of almost every event of a busy cluster, without an object each (engine/tracelog.ts).
  // `node` is the node's position in the cluster's node list (`RaftState.self`).
  traceAppend(node: number, index: number, entry: LogEntry): void;
  traceApply(node: number, index: number, entry: LogEntry, result: string): void;
  traceCommit(node: number, from: number, to: number, reason: string): void;
  traceTimer(node: number, timer: 'election' | 'heartbeat'): void;
}

interface Watcher {
  client: string;
  prefix: string;
  requireLeader: boolean;
}

interface PendingRead {
  client: string;
  seq: number;
  key: string;
  readIndex: number;
  /** Heartbeat round a quorum must acknowledge (ReadIndex, dissertation §6.4); 0 = a lease read (§6.4.1). */
  round: number;
}

/** How many recent heartbeat rounds a leader remembers the send time of (for leases). */
export const ROUND_RING = 64;

export interface RaftState {
  id: string;
  peers: string[];
  /** Position of `id` in `peers`. */
  self: number;
  // Persistent (Figure 2): survives crash and restart.
  term: number;
  votedFor: string | null;
  log: LogEntry[]; // log[i - 1] is the entry at index i
  // Volatile.
  role: Role;
  leader: string | null;
  commitIndex: number;
  lastApplied: number;
  // Per peer, by position in `peers` (the cluster's declared order; `self` is this node's position).
  /** Votes received in the current election: true granted, false refused, undefined no answer yet. */
  votes: (boolean | undefined)[];
  nextIndex: number[];
  matchIndex: number[];
  /**
   * Virtual time this node last heard from a leader of any term, or restarted; -1 if never. Within the
   * minimum election timeout of it the node refuses to help depose a leader (leader stickiness, §4.2.3).
   */
  leaderContactUs: number;
  /** Peers that answered since the last check-quorum round (leaders, dissertation §6.2). */
  recentActive: boolean[];
  /** When the current check-quorum round started (leaders). */
  quorumCheckUs: number;
  /** Highest index whose commit refusal was already traced in this term (so the "why" is said once). */
  refusedReported: number;
  /** Heartbeat round counter, echoed by followers; ReadIndex waits for a quorum of a round. */
  round: number;
  /** Highest round each peer echoed in this term. */
  acked: number[];
  /** Send time of recent rounds: roundSentUs[r % ROUND_RING] for r > round - ROUND_RING. */
  roundSentUs: number[];
  /** Per peer: the send time of the latest round it acknowledged in this term (-1: none). */
  ackSentUs: number[];
  pendingReads: PendingRead[];
  /** The client endpoint waiting for the entry at an index; the leader answers it once applied. */
  waiting: Map<number, string>;
  // The replicated state machine (a KV store with per-client sessions for duplicate detection).
  // Maps, not objects: keys and client names are the user's words, `toString` and `__proto__` included.
  kv: Map<string, string>;
  sessions: Map<string, Session>;
  /** The coordination service's locks, part of the replicated state machine (rebuilt by applying the log). */
  locks: Map<string, LockRecord>;
  /**
   * The lessor (etcd's): each lock's deadline on this node's clock, set when its grant is applied and
   * when a keep-alive reaches the leader. Every node keeps it; only a leader acts on it, and a new leader
   * first extends every lock by its TTL (as etcd's lessor does on promotion).
   */
  lessor: Map<string, number>;
  /** Locks whose expiry this leader has proposed and not yet applied (each is proposed once). */
  expiring: Set<string>;
  /** The watches clients opened on this member (volatile: a crash ends them). */
  watchers: Watcher[];
  /** The entries array of the last AppendEntries with entries, and the index before its first entry. */
  lastSlice: LogEntry[];
  lastSlicePrev: number;
}

export function raftCreate(id: string, peers: string[]): RaftState {
  return {
    id,
    peers,
    self: peers.indexOf(id),
    term: 0,
    votedFor: null,
    log: [],
    role: 'follower',
    leader: null,
    commitIndex: 0,
    lastApplied: 0,
    votes: [],
    nextIndex: [],
    matchIndex: [],
    leaderContactUs: -1,
    recentActive: [],
    quorumCheckUs: 0,
    refusedReported: 0,
    round: 0,
    acked: [],
    roundSentUs: new Array<number>(ROUND_RING).fill(-1),
    ackSentUs: [],
    pendingReads: [],
    waiting: new Map(),
    kv: new Map(),
    sessions: new Map(),
    locks: new Map(),
    lessor: new Map(),
    expiring: new Set(),
    watchers: [],
    lastSlice: [],
    lastSlicePrev: -1,
  };
}

/** A majority of n: floor(n/2) + 1. */
export function quorum(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** The quorum this node uses: a majority, unless the deliberate `quorumOffByOne` bug is on. */
function quorumOf(s: RaftState, env: RaftEnv): number {
  const n = s.peers.length;
  return env.opts.bugs.quorumOffByOne ? Math.max(1, Math.floor(n / 2)) : quorum(n);
}

export function lastIndex(s: RaftState): number {
  return s.log.length;
}

export function termAt(s: RaftState, index: number): number {
  return index <= 0 ? 0 : (s.log[index - 1]?.term ?? -1);
}

/** Leader stickiness is on with check-quorum or pre-vote (dissertation §4.2.3, §6.2, §9.6). */
function sticky(o: RaftOptions): boolean {
  return o.checkQuorum || o.prevote;
}

export function raftStart(s: RaftState, env: RaftEnv): void {
  resetElectionTimer(s, env);
}

/** A crash loses everything but term, vote and log (Figure 2, "persistent state on all servers"). */
export function raftCrash(s: RaftState, env: RaftEnv): void {
  const from = s.role;
  env.cancelTimer(s.id, 'election');
  env.cancelTimer(s.id, 'heartbeat');
  resetVolatile(s);
  s.role = 'down';
  env.emit({ k: 'role', t: undefined, node: s.id, from, to: 'down', term: s.term, reason: 'crashed' });
}

export function raftRestart(s: RaftState, env: RaftEnv): void {
  if (env.opts.bugs.forgetVoteOnRestart) s.votedFor = null;
  resetVolatile(s);
  s.role = 'follower';
  // The server may have acknowledged a leader's heartbeat (and so its lease) just before it crashed:
  // it keeps refusing to depose that leader for one election timeout, as if it had just heard from it.
  s.leaderContactUs = env.now;
  env.emit({ k: 'role', t: undefined, node: s.id, from: 'down', to: 'follower', term: s.term, reason: 'restarted' });
  resetElectionTimer(s, env);
}

function resetVolatile(s: RaftState): void {
  s.leader = null;
  s.commitIndex = 0;
  s.lastApplied = 0;
  s.votes = [];
  s.nextIndex = [];
  s.matchIndex = [];
  s.leaderContactUs = -1;
  s.recentActive = [];
  s.refusedReported = 0;
  s.acked = [];
  s.ackSentUs = [];
  s.pendingReads = [];
  s.waiting = new Map();
  s.kv = new Map();
  s.sessions = new Map();
  s.locks = new Map();
  s.lessor = new Map();
  s.expiring = new Set();
  s.watchers = [];
}

// ---------------------------------------------------------------------------------------------------
// Timers

export function raftTimer(s: RaftState, env: RaftEnv, kind: 'election' | 'heartbeat'): void {
  if (s.role === 'down') return;
  env.traceTimer(s.self, kind);
  if (kind === 'heartbeat') {
    if (s.role !== 'leader') return;
    if (!checkQuorum(s, env)) return;
    if (s.lessor.size > 0) expireLocks(s, env);
    broadcastAppend(s, env);
    env.setTimer(s.id, 'heartbeat', env.opts.heartbeatUs);
    return;
  }
  if (s.role === 'leader') return;
  // A whole election timeout without a leader: watches that require one end (etcd's WithRequireLeader).
  if (s.watchers.length > 0) cancelLeaderlessWatches(s, env);
  if (env.opts.prevote) becomePreCandidate(s, env);
  else becomeCandidate(s, env, 'election timeout');
}

/**
 * Check-quorum (dissertation §6.2), on the leader's heartbeat tick: once per minimum election timeout,
 * a leader that has not heard from a majority in that time steps down, so a partitioned leader stops
 * serving. Rounds run whether or not the option is on, so `set check-quorum=on` takes effect mid-term.
 * Returns whether the node is still leader.
 */
function checkQuorum(s: RaftState, env: RaftEnv): boolean {
  if (env.now - s.quorumCheckUs < env.opts.electionTimeoutUsMin) return true;
  s.quorumCheckUs = env.now;
  let active = 0;
  for (let i = 0; i < s.peers.length; i++) {
    if (i === s.self || s.recentActive[i] === true) active++;
    s.recentActive[i] = false;
  }
  if (env.opts.checkQuorum && active < quorumOf(s, env)) {
    becomeFollower(s, env, s.term, null, `check-quorum: heard from ${active}/${s.peers.length} within the election timeout, below quorum (§6.2)`);
    return false;
  }
  return true;
}

/** Fire the election timer now (the `timeout n2` command), whatever its deadline. */
export function raftForceTimeout(s: RaftState, env: RaftEnv): void {
  if (s.role === 'down' || s.role === 'leader') return;
  raftTimer(s, env, 'election');
}

function resetElectionTimer(s: RaftState, env: RaftEnv): void {
  const o = env.opts;
  env.setTimer(s.id, 'election', env.randInt(o.electionTimeoutUsMin, o.electionTimeoutUsMax));
}

// ---------------------------------------------------------------------------------------------------
// Role changes. Each is the only way into its role; an impossible transition throws (a programmer error).

function setRole(s: RaftState, env: RaftEnv, to: Role, reason: string): void {
  if (s.role === 'down') throw new Error(`raft: ${s.id} cannot become ${to} while down`);
  const from = s.role;
  s.role = to;
  if (from !== to) env.emit({ k: 'role', t: undefined, node: s.id, from, to, term: s.term, reason });
}

function setTerm(s: RaftState, env: RaftEnv, term: number, reason: string): void {
  if (term < s.term) throw new Error(`raft: ${s.id} term must not go back from ${s.term} to ${term}`);
  if (term === s.term) return;
  env.emit({ k: 'term', t: undefined, node: s.id, from: s.term, to: term, reason });
  s.term = term;
  s.votedFor = null;
}

/** `rearm`: restart the election timer (a leader has none; a candidate that lost keeps its own). */
function becomeFollower(s: RaftState, env: RaftEnv, term: number, leader: string | null, reason: string, rearm = true): void {
  const wasLeader = s.role === 'leader';
  setTerm(s, env, term, reason);
  s.leader = leader;
  s.votes = [];
  if (wasLeader) {
    env.cancelTimer(s.id, 'heartbeat');
    failPending(s, env, leader);
  }
  setRole(s, env, 'follower', reason);
  if (rearm || wasLeader) resetElectionTimer(s, env);
}

/**
 * A higher term seen in a vote request or a response (§5.1): adopt it and be a follower. A follower
 * keeps its election timer running: only a current leader or a granted vote resets it (Figure 2).
 */
function learnTerm(s: RaftState, env: RaftEnv, term: number, reason: string): void {
  if (s.role !== 'follower') return becomeFollower(s, env, term, null, reason);
  setTerm(s, env, term, reason);
  s.leader = null;
}

function becomePreCandidate(s: RaftState, env: RaftEnv): void {
  s.leader = null;
  s.votes = [];
  s.votes[s.self] = true;
  setRole(s, env, 'precandidate', 'election timeout (pre-vote first, §9.6)');
  resetElectionTimer(s, env);
  if (countVotes(s, true) >= quorumOf(s, env)) return becomeCandidate(s, env, 'pre-vote won');
  requestVotes(s, env, true);
}

function becomeCandidate(s: RaftState, env: RaftEnv, reason: string): void {
  setTerm(s, env, s.term + 1, `${reason}: new election`);
  s.votedFor = s.id;
  s.leader = null;
  s.votes = [];
  s.votes[s.self] = true;
  setRole(s, env, 'candidate', reason);
  env.emit({ k: 'vote', t: undefined, node: s.id, candidate: s.id, term: s.term, granted: true, prevote: false, reason: 'votes for itself (§5.2)' });
  resetElectionTimer(s, env);
  if (countVotes(s, true) >= quorumOf(s, env)) return becomeLeader(s, env);
  requestVotes(s, env, false);
}

function becomeLeader(s: RaftState, env: RaftEnv): void {
  const votes = countVotes(s, true);
  s.leader = s.id;
  const q = env.opts.bugs.quorumOffByOne ? `quorum ${quorumOf(s, env)}, bug quorumOffByOne` : `majority ${quorum(s.peers.length)}, §5.2`;
  setRole(s, env, 'leader', `won with ${votes}/${s.peers.length} votes (${q})`);
  env.cancelTimer(s.id, 'election');
  const n = s.peers.length;
  s.nextIndex = new Array<number>(n).fill(lastIndex(s) + 1);
  s.matchIndex = new Array<number>(n).fill(0);
  s.acked = new Array<number>(n).fill(0);
  s.recentActive = new Array<boolean>(n).fill(false);
  s.ackSentUs = new Array<number>(n).fill(-1);
  s.quorumCheckUs = env.now;
  s.refusedReported = 0;
  // A no-op entry of the new term lets the leader commit earlier entries (§5.4.2, §8).
  appendEntry(s, env, { term: s.term, cmd: { op: 'noop' } });
  // The lessor's promotion: every lock this node knows of lives one more TTL, counted from now.
  s.expiring.clear();
  for (const [key, lock] of s.locks) s.lessor.set(key, env.localNow(s.self) + lock.ttlUs);
  broadcastAppend(s, env);
  env.setTimer(s.id, 'heartbeat', env.opts.heartbeatUs);
  maybeCommit(s, env);
}

function countVotes(s: RaftState, granted: boolean): number {
  let n = 0;
  for (let i = 0; i < s.peers.length; i++) if (s.votes[i] === granted) n++;
  return n;
}

/** The position of `name` in `peers`, or -1 (a message from outside the cluster). */
function peerIndex(s: RaftState, name: string): number {
  const peers = s.peers;
  for (let i = 0; i < peers.length; i++) if (peers[i] === name) return i;
  return -1;
}

function requestVotes(s: RaftState, env: RaftEnv, prevote: boolean): void {
  const term = prevote ? s.term + 1 : s.term;
  const li = lastIndex(s);
  const lt = termAt(s, li);
  for (let i = 0; i < s.peers.length; i++) {
    if (i === s.self) continue;
    env.sendPeer(s.self, i, { type: 'RequestVote', term, lastLogIndex: li, lastLogTerm: lt, prevote });
  }
}

// ---------------------------------------------------------------------------------------------------
// Messages

/** A message from `from`, at position `fromPos` in the cluster (-1 for a client; found when not given). */
export function raftReceive(s: RaftState, env: RaftEnv, from: string, m: Message, fromPos = peerIndex(s, from)): void {
  if (s.role === 'down') return;
  switch (m.type) {
    case 'RequestVote':
      return fromPos < 0 ? undefined : onRequestVote(s, env, from, fromPos, m);
    case 'RequestVoteResponse':
      return fromPos < 0 ? undefined : onVoteResponse(s, env, from, fromPos, m);
    case 'AppendEntries':
      return fromPos < 0 ? undefined : onAppendEntries(s, env, from, fromPos, m);
    case 'AppendEntriesResponse':
      return fromPos < 0 ? undefined : onAppendResponse(s, env, from, fromPos, m);
    case 'ClientRequest':
      return onClientRequest(s, env, from, m.cmd);
    case 'KeepAlive':
      return onKeepAlive(s, env, from, m);
    case 'Watch':
      return onWatch(s, env, from, m);
    case 'ClientResponse':
      return;
  }
}

/** Within the minimum election timeout of hearing from a leader (or restarting), or leading itself. */
function inLeaderLease(s: RaftState, env: RaftEnv): boolean {
  if (s.role === 'leader') return true;
  return s.leaderContactUs >= 0 && env.now - s.leaderContactUs < env.opts.electionTimeoutUsMin;
}

/** §5.4.1: the candidate's last entry has a higher term, or the same term and an index at least as high. */
function upToDate(s: RaftState, lastLogIndex: number, lastLogTerm: number): boolean {
  const myLast = lastIndex(s);
  const myTerm = termAt(s, myLast);
  return lastLogTerm > myTerm || (lastLogTerm === myTerm && lastLogIndex >= myLast);
}

function behindReason(s: RaftState, m: Extract<Message, { type: 'RequestVote' }>): string {
  const myLast = lastIndex(s);
  return `candidate's log is behind: last entry ${m.lastLogIndex}@t${m.lastLogTerm} < ${myLast}@t${termAt(s, myLast)} (§5.4.1)`;
}

function answerVote(s: RaftState, env: RaftEnv, to: string, toPos: number, m: Extract<Message, { type: 'RequestVote' }>, granted: boolean, term: number, reason: string): void {
  env.emit({ k: 'vote', t: undefined, node: s.id, candidate: to, term: m.term, granted, prevote: m.prevote, reason });
  env.sendPeer(s.self, toPos, { type: 'RequestVoteResponse', term, granted, prevote: m.prevote, reason });
}

function onRequestVote(s: RaftState, env: RaftEnv, from: string, fromPos: number, m: Extract<Message, { type: 'RequestVote' }>): void {
  if (m.term < s.term) return answerVote(s, env, from, fromPos, m, false, s.term, `stale term ${m.term} < ${s.term} (§5.1)`);
  if (m.term > s.term && sticky(env.opts) && inLeaderLease(s, env)) {
    const why = s.role === 'leader' ? `${s.id} leads term ${s.term}` : 'heard from a leader within the minimum election timeout';
    return answerVote(s, env, from, fromPos, m, false, s.term, `${why} (leader stickiness, §4.2.3)`);
  }
  const logOk = env.opts.bugs.skipUpToDateCheck || upToDate(s, m.lastLogIndex, m.lastLogTerm);
  if (m.prevote) {
    // A pre-vote changes nothing here (§9.6): granted iff a real vote in term m.term could be.
    if (m.term > s.term && logOk) return answerVote(s, env, from, fromPos, m, true, m.term, 'would vote: log at least as up to date (pre-vote, §9.6)');
    return answerVote(s, env, from, fromPos, m, false, s.term, logOk ? `term ${m.term} is not newer than ${s.term}` : behindReason(s, m));
  }
  if (m.term > s.term) learnTerm(s, env, m.term, `saw term ${m.term} in a vote request from ${from} (§5.1)`);
  if (s.votedFor !== null && s.votedFor !== from) return answerVote(s, env, from, fromPos, m, false, s.term, `already voted for ${s.votedFor} in term ${s.term} (§5.2)`);
  if (!logOk) return answerVote(s, env, from, fromPos, m, false, s.term, behindReason(s, m));
  s.votedFor = from;
  resetElectionTimer(s, env);
  answerVote(s, env, from, fromPos, m, true, s.term, env.opts.bugs.skipUpToDateCheck ? 'granted without the up-to-date check (bug skipUpToDateCheck)' : 'log at least as up to date (§5.4.1)');
}

function onVoteResponse(s: RaftState, env: RaftEnv, from: string, pi: number, m: Extract<Message, { type: 'RequestVoteResponse' }>): void {
  // A granted pre-vote carries the term the candidate asked about, one above its own.
  if (m.term > s.term && !(m.prevote && m.granted)) return learnTerm(s, env, m.term, `saw term ${m.term} in a vote response from ${from} (§5.1)`);
  if (m.prevote) {
    if (s.role !== 'precandidate' || (m.granted && m.term !== s.term + 1)) return;
  } else if (s.role !== 'candidate' || m.term !== s.term) {
    return;
  }
  s.votes[pi] = m.granted;
  const q = quorumOf(s, env);
  if (countVotes(s, true) >= q) {
    if (m.prevote) becomeCandidate(s, env, `pre-vote won ${countVotes(s, true)}/${s.peers.length}`);
    else becomeLeader(s, env);
  } else if (countVotes(s, false) >= q) {
    // Back to follower, on the timer it started as a candidate: the next election comes when that fires
    // (Figure 2 resets it only for a current leader or a granted vote). Resetting it here, when the last
    // refusal happens to arrive, would let network jitter break a split vote that the timeouts make.
    const reason = `lost the ${m.prevote ? 'pre-vote' : 'election'}: ${countVotes(s, false)}/${s.peers.length} refused`;
    becomeFollower(s, env, s.term, null, reason, false);
  }
}

type AppendEntriesResponse = Extract<Message, { type: 'AppendEntriesResponse' }>;

/**
 * Recent success answers, by their match index modulo OK_WAYS. Every follower that takes the same
 * AppendEntries answers it with the same fields (term, match index, round): one object serves them all,
 * as for the AppendEntries itself (messages are never mutated), so a trace keeps one answer per round
 * instead of one per follower. Followers take the AppendEntries of consecutive entries interleaved (one
 * answers entry 7 while another still answers entry 6), so a few answers are kept, not only the last.
 */
const OK_WAYS = 4;
const recentOk: (AppendEntriesResponse | null)[] = [null, null, null, null];

function answerAppend(s: RaftState, env: RaftEnv, to: number, success: boolean, matchIndex: number, conflictIndex: number, reason: string, round: number): void {
  const way = matchIndex & (OK_WAYS - 1);
  if (success) {
    const m = recentOk[way]!;
    if (m !== null && m.term === s.term && m.matchIndex === matchIndex && m.round === round && m.conflictIndex === conflictIndex && m.reason === reason) {
      return env.sendPeer(s.self, to, m);
    }
  }
  const m: AppendEntriesResponse = { type: 'AppendEntriesResponse', term: s.term, success, matchIndex, conflictIndex, reason, round };
  if (success) recentOk[way] = m;
  env.sendPeer(s.self, to, m);
}

function onAppendEntries(s: RaftState, env: RaftEnv, from: string, fromPos: number, m: Extract<Message, { type: 'AppendEntries' }>): void {
  if (m.term < s.term) return refuseStaleAppend(s, env, fromPos, m);
  if (m.term > s.term || s.role !== 'follower' || s.leader !== from) {
    becomeFollower(s, env, m.term, from, `heard from leader ${from} of term ${m.term}`);
  } else {
    resetElectionTimer(s, env);
  }
  s.leaderContactUs = env.now;

  if (m.prevLogIndex > lastIndex(s) || termAt(s, m.prevLogIndex) !== m.prevLogTerm) {
    if (refuseUnmatchedAppend(s, env, fromPos, m)) return;
  }
  const ents = m.entries;
  let index = m.prevLogIndex;
  for (let i = 0; i < ents.length; i++) {
    const e = ents[i]!;
    index++;
    if (index <= s.log.length) {
      if (s.log[index - 1]!.term === e.term) continue;
      truncateConflict(s, env, from, index, e);
    }
    appendEntry(s, env, e);
  }
  const lastNew = m.prevLogIndex + ents.length;
  if (m.leaderCommit > s.commitIndex) {
    const to = Math.min(m.leaderCommit, lastNew);
    if (to > s.commitIndex) advanceCommit(s, env, to, leaderCommittedReason(from));
  }
  answerAppend(s, env, fromPos, true, lastNew, 0, 'ok', m.round);
}

// The rarer paths of onAppendEntries, kept apart so that the usual one stays short.

function refuseStaleAppend(s: RaftState, env: RaftEnv, fromPos: number, m: Extract<Message, { type: 'AppendEntries' }>): void {
  answerAppend(s, env, fromPos, false, 0, 0, `stale term ${m.term} < ${s.term} (§5.1)`, m.round);
}

/**
 * The consistency check failed (§5.3): answers the leader and returns true, unless the teaching bug
 * skipLogMatchCheck accepts a term mismatch anyway (false).
 */
function refuseUnmatchedAppend(s: RaftState, env: RaftEnv, fromPos: number, m: Extract<Message, { type: 'AppendEntries' }>): boolean {
  const last = lastIndex(s);
  if (m.prevLogIndex > last) {
    answerAppend(s, env, fromPos, false, 0, last + 1, `no entry at ${m.prevLogIndex}, log ends at ${last} (§5.3)`, m.round);
    return true;
  }
  if (env.opts.bugs.skipLogMatchCheck) return false;
  // Fast backtracking (§5.3, end): point the leader at the first entry of the conflicting term.
  const have = termAt(s, m.prevLogIndex);
  let first = m.prevLogIndex;
  while (first > 1 && termAt(s, first - 1) === have) first--;
  const reason = `term mismatch at ${m.prevLogIndex}: have t${have}, leader has t${m.prevLogTerm} (§5.3)`;
  answerAppend(s, env, fromPos, false, 0, Math.max(first, s.commitIndex + 1), reason, m.round);
  return true;
}

/** The entry at `index` conflicts with the leader's `e`: the log is cut there (§5.3). */
function truncateConflict(s: RaftState, env: RaftEnv, from: string, index: number, e: LogEntry): void {
  // Only a protocol bug can make a committed entry conflict; the checker reports it, we carry on.
  const committed = index <= s.commitIndex ? ` — entry ${index} was committed here` : '';
  env.emit({ k: 'truncate', t: undefined, node: s.id, fromIndex: index, reason: `conflicts with leader ${from}'s entry t${e.term} (§5.3)${committed}` });
  s.log.length = index - 1;
}

function onAppendResponse(s: RaftState, env: RaftEnv, from: string, pi: number, m: Extract<Message, { type: 'AppendEntriesResponse' }>): void {
  if (m.term > s.term) return learnTerm(s, env, m.term, `saw term ${m.term} in a response from ${from} (§5.1)`);
  if (s.role !== 'leader' || m.term !== s.term) return;
  s.recentActive[pi] = true;
  if (m.round > s.acked[pi]!) {
    s.acked[pi] = m.round;
    if (m.round > s.round - ROUND_RING) {
      const sent = s.roundSentUs[m.round % ROUND_RING]!;
      if (sent > s.ackSentUs[pi]!) s.ackSentUs[pi] = sent;
    }
  }
  const next = s.nextIndex[pi]!;
  if (m.success) {
    // Only a response that acknowledges progress sends more: a duplicate or a reordered old one
    // would otherwise start one more replication stream each time.
    if (m.matchIndex > s.matchIndex[pi]!) {
      s.matchIndex[pi] = m.matchIndex;
      if (next <= m.matchIndex) s.nextIndex[pi] = m.matchIndex + 1;
      maybeCommit(s, env);
      if (s.role === 'leader' && s.nextIndex[pi]! <= lastIndex(s)) sendAppend(s, env, pi);
    }
  } else if (m.conflictIndex < next) {
    // A follower's hint is always below the nextIndex of the request it rejects; one that is not is a
    // stale or duplicated rejection, already acted on.
    const retry = Math.max(s.matchIndex[pi]! + 1, m.conflictIndex);
    if (retry < next) {
      s.nextIndex[pi] = retry;
      sendAppend(s, env, pi);
    }
  }
  serveReads(s, env);
}

// ---------------------------------------------------------------------------------------------------
// Replication and commit

function appendEntry(s: RaftState, env: RaftEnv, e: LogEntry): void {
  s.log.push(e);
  env.traceAppend(s.self, s.log.length, e);
  if (s.role === 'leader') s.matchIndex[s.self] = s.log.length;
}

function broadcastAppend(s: RaftState, env: RaftEnv): void {
  s.round++;
  s.acked[s.self] = s.round;
  s.roundSentUs[s.round % ROUND_RING] = env.now;
  sendAppends(s, env, -1);
}

/**
 * AppendEntries to every follower, or only to those whose next index is `onlyNext` (unless it is -1).
 * Followers at the same point get the same message: one object serves them all (messages are never
 * mutated; a duplicated one is delivered twice already), as nothing changes during the loop.
 */
function sendAppends(s: RaftState, env: RaftEnv, onlyNext: number): void {
  sharing = true;
  shared = null;
  for (let i = 0; i < s.peers.length; i++) if (i !== s.self && (onlyNext < 0 || s.nextIndex[i] === onlyNext)) sendAppend(s, env, i);
  sharing = false;
  shared = null;
}

type AppendEntries = Extract<Message, { type: 'AppendEntries' }>;

/** Within sendAppends (`sharing`): the last AppendEntries made, for the next follower at the same point. */
let sharing = false;
let shared: AppendEntries | null = null;

/** Shared by every AppendEntries without entries; never mutated. */
const NO_ENTRIES: LogEntry[] = [];

/**
 * The entries (prev, end] as an array for a message. Followers are usually sent the same range one
 * after another (each when its previous acknowledgement arrives), so the last array made is reused
 * while it still holds exactly the log's entries there (entries are compared by identity).
 */
function entriesFor(s: RaftState, prev: number, end: number): LogEntry[] {
  if (end <= prev) return NO_ENTRIES;
  const last = s.lastSlice;
  if (s.lastSlicePrev === prev && last.length === end - prev) {
    let same = true;
    for (let i = 0; i < last.length; i++) {
      if (last[i] !== s.log[prev + i]) {
        same = false;
        break;
      }
    }
    if (same) return last;
  }
  const slice = s.log.slice(prev, end);
  s.lastSlice = slice;
  s.lastSlicePrev = prev;
  return slice;
}

/** AppendEntries to the peer at position `pi`, from its next index. */
function sendAppend(s: RaftState, env: RaftEnv, pi: number): void {
  const next = s.nextIndex[pi]!;
  const prev = next - 1;
  const end = Math.min(lastIndex(s), prev + env.opts.maxBatchEntries);
  if (sharing && shared !== null && shared.prevLogIndex === prev && shared.entries.length === end - prev) {
    env.sendPeer(s.self, pi, shared);
    return;
  }
  const m: AppendEntries = {
    type: 'AppendEntries',
    term: s.term,
    prevLogIndex: prev,
    prevLogTerm: termAt(s, prev),
    entries: entriesFor(s, prev, end),
    leaderCommit: s.commitIndex,
    round: s.round,
  };
  if (sharing) shared = m;
  env.sendPeer(s.self, pi, m);
}

/** Scratch space for match indexes (not state: filled and read within one call). */
const scratch: number[] = [];

/** Sorts scratch[0..n) in descending order (n is small: a cluster has at most MAX_NODES nodes). */
function sortScratchDesc(n: number): void {
  for (let i = 1; i < n; i++) {
    const v = scratch[i]!;
    let j = i - 1;
    while (j >= 0 && scratch[j]! < v) {
      scratch[j + 1] = scratch[j]!;
      j--;
    }
    scratch[j + 1] = v;
  }
}

/** The commit rule (§5.3, §5.4.2): the highest N on a quorum, if its entry is from the current term. */
function maybeCommit(s: RaftState, env: RaftEnv): void {
  const n = s.peers.length;
  const q = quorumOf(s, env);
  // Most answers move nothing: fewer than a quorum hold an entry past the commit index (the answers
  // before the one that makes a majority, and those after it). Counting them is cheaper than sorting.
  let past = 0;
  for (let i = 0; i < n; i++) if ((i === s.self ? s.log.length : s.matchIndex[i]!) > s.commitIndex) past++;
  if (past < q) return;
  for (let i = 0; i < n; i++) scratch[i] = i === s.self ? s.log.length : s.matchIndex[i]!;
  sortScratchDesc(n);
  const N = scratch[q - 1]!;
  let holders = q;
  while (holders < n && scratch[holders]! >= N) holders++;
  const t = termAt(s, N);
  if (t === s.term) return advanceCommit(s, env, N, majorityReason(holders, n));
  if (env.opts.bugs.commitOldTerm) return advanceCommit(s, env, N, `index ${N} from old term t${t} counted on ${holders}/${n} (bug commitOldTerm)`);
  refuseOldTermCommit(s, env, N, t, holders, n);
}

/** Figure 8 (§5.4.2): an entry of an earlier term on a majority is not committed by counting; traced once per index. */
function refuseOldTermCommit(s: RaftState, env: RaftEnv, N: number, t: number, holders: number, n: number): void {
  // Terms never decrease along the log, so no index below N is from the current term either.
  if (N > s.refusedReported) {
    s.refusedReported = N;
    env.emit({
      k: 'commit-refused',
      t: undefined,
      node: s.id,
      index: N,
      reason: `not committed: entry ${N} from term ${t} under a term-${s.term} leader is on a majority (${holders}/${n}) but only a current-term entry can commit it (§5.4.2)`,
    });
  }
}

// Reasons on the hot path are shared strings, one per distinct text: a commit happens on every node for
// every entry, and a trace keeps every reason it records (the numbers are in the event itself).
const majorityReasons: string[] = [];

/** "on 3/5 nodes, a majority (§5.3)": why a leader commits an entry of its own term. */
function majorityReason(holders: number, n: number): string {
  const key = holders * 1024 + n;
  return (majorityReasons[key] ??= `on ${holders}/${n} nodes, a majority (§5.3)`);
}

const leaderCommittedReasons = new Map<string, string>();
/** The leader whose reason was asked last, and its reason: a follower asks with the same leader for a whole term. */
let lastReasonLeader: string | null = null;
let lastReason = '';

/** "leader n1 has committed it (§5.3)": why a follower commits (the leader's commit index covers it). */
function leaderCommittedReason(leader: string): string {
  if (leader === lastReasonLeader) return lastReason;
  let r = leaderCommittedReasons.get(leader);
  if (r === undefined) {
    if (leaderCommittedReasons.size >= 4096) leaderCommittedReasons.clear(); // names come from users: bound it
    r = `leader ${leader} has committed it (§5.3)`;
    leaderCommittedReasons.set(leader, r);
  }
  lastReasonLeader = leader;
  lastReason = r;
  return r;
}

function advanceCommit(s: RaftState, env: RaftEnv, to: number, reason: string): void {
  const from = s.commitIndex;
  s.commitIndex = to;
  env.traceCommit(s.self, from, to, reason);
  applyCommitted(s, env);
}

function applyCommitted(s: RaftState, env: RaftEnv): void {
  while (s.lastApplied < s.commitIndex) {
    const index = ++s.lastApplied;
    const entry = s.log[index - 1]!;
    const cmd = entry.cmd;
    const result = applyCommand(s.kv, s.sessions, cmd, index, s.locks);
    env.traceApply(s.self, index, entry, result);
    if (cmd.op === 'lock' || cmd.op === 'unlock' || cmd.op === 'expire' || cmd.op === 'ephemeral') lessorApplied(s, env, cmd, index);
    if (s.watchers.length > 0 && cmd.op !== 'lock' && cmd.op !== 'unlock') notifyWatchers(s, env, cmd, index, result);
    const waiter = s.waiting.size === 0 ? undefined : s.waiting.get(index);
    if (waiter !== undefined) {
      s.waiting.delete(index);
      if (s.role === 'leader' && cmd.op !== 'noop' && cmd.op !== 'expire') {
        env.send(s.id, waiter, { type: 'ClientResponse', ok: true, seq: cmd.seq, result, leaderHint: s.id });
      }
    }
  }
  serveReads(s, env);
}

// ---------------------------------------------------------------------------------------------------
// The lessor: the TTLs of locks and ephemeral keys, counted on the leader's clock (as etcd's leases are)

/**
 * After a lock command or an ephemeral put is applied: a grant (or the put) starts its lease's TTL, a
 * release or expiry ends it. A lock handed over to a waiting client is its answer, which the leader
 * sends (the request itself was answered "queued" when it was applied).
 */
function lessorApplied(s: RaftState, env: RaftEnv, cmd: Extract<Command, { op: 'lock' | 'unlock' | 'expire' | 'ephemeral' }>, index: number): void {
  const lock = s.locks.get(cmd.key);
  if (lock === undefined) {
    s.lessor.delete(cmd.key);
    s.expiring.delete(cmd.key);
  } else if (lock.token === index) {
    s.lessor.set(cmd.key, env.localNow(s.self) + lock.ttlUs);
    s.expiring.delete(cmd.key);
    if ((cmd.op === 'unlock' || cmd.op === 'expire') && s.role === 'leader') {
      env.send(s.id, lock.holder, { type: 'ClientResponse', ok: true, seq: lock.seq, result: `token ${index}`, leaderHint: s.id });
    }
  }
}

/** On a leader's heartbeat tick: propose the expiry of every lock whose TTL ran out on its clock. */
function expireLocks(s: RaftState, env: RaftEnv): void {
  const now = env.localNow(s.self);
  let proposed = false;
  for (const [key, deadline] of s.lessor) {
    if (deadline > now || s.expiring.has(key)) continue;
    const lock = s.locks.get(key);
    if (lock === undefined) {
      s.lessor.delete(key); // an ephemeral key written or deleted without its lease since
      continue;
    }
    s.expiring.add(key);
    appendEntry(s, env, { term: s.term, cmd: { op: 'expire', key, token: lock.token } });
    proposed = true;
  }
  // The heartbeat that follows carries the entries; a cluster of one commits them here.
  if (proposed) maybeCommit(s, env);
}

/** A holder's keep-alive: the leader renews the lock's TTL if the lock is still the holder's. */
function onKeepAlive(s: RaftState, env: RaftEnv, client: string, m: Extract<Message, { type: 'KeepAlive' }>): void {
  const answer = (ok: boolean, result: string): void => {
    env.send(s.id, client, { type: 'KeepAliveResponse', lock: m.lock, token: m.token, ok, result, leaderHint: s.role === 'leader' ? null : s.leader });
  };
  if (s.role !== 'leader') return answer(false, s.leader === null ? 'no leader known' : `not leader; try ${s.leader}`);
  // Until its no-op commits, a new leader may not have applied every grant yet.
  if (termAt(s, s.commitIndex) !== s.term) return answer(false, 'the leader is not ready yet');
  const lock = s.locks.get(m.lock);
  if (lock === undefined || lock.token !== m.token) return answer(false, lock === undefined ? 'expired' : `expired; held by ${lock.holder} now`);
  if (s.expiring.has(m.lock)) return answer(false, 'expired; its TTL ran out');
  s.lessor.set(m.lock, env.localNow(s.self) + lock.ttlUs);
  answer(true, `renewed for ${fmtUs(lock.ttlUs)}`);
}

// ---------------------------------------------------------------------------------------------------
// Watches (etcd's): a member streams the changes it applies to the keys under a prefix

function onWatch(s: RaftState, env: RaftEnv, client: string, m: Extract<Message, { type: 'Watch' }>): void {
  s.watchers = s.watchers.filter((w) => w.client !== client);
  s.watchers.push({ client, prefix: m.prefix, requireLeader: m.requireLeader });
  // What the member holds now comes with the confirmation, so the client's view starts whole.
  const snapshot = [...s.kv.entries()].filter(([k]) => k.startsWith(m.prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  env.send(s.id, client, { type: 'WatchEvent', prefix: m.prefix, event: 'created', key: m.prefix, value: null, index: s.lastApplied, snapshot });
}

/** After an entry is applied: each watch of a key it changed gets the change. */
function notifyWatchers(s: RaftState, env: RaftEnv, cmd: Command, index: number, result: string): void {
  if (cmd.op === 'noop' || cmd.op === 'get' || cmd.op === 'write') return;
  const changed =
    cmd.op === 'put' ||
    (cmd.op === 'delete' && result === 'deleted') ||
    (cmd.op === 'cas' && result === 'OK') ||
    (cmd.op === 'ephemeral' && result.startsWith('lease ')) ||
    (cmd.op === 'expire' && result === 'expired; key deleted');
  if (!changed) return;
  const value = s.kv.get(cmd.key) ?? null;
  for (const w of s.watchers) {
    if (!cmd.key.startsWith(w.prefix)) continue;
    env.send(s.id, w.client, { type: 'WatchEvent', prefix: w.prefix, event: value === null ? 'delete' : 'put', key: cmd.key, value, index, snapshot: null });
  }
}

function cancelLeaderlessWatches(s: RaftState, env: RaftEnv): void {
  const kept: Watcher[] = [];
  for (const w of s.watchers) {
    if (!w.requireLeader) kept.push(w);
    else env.send(s.id, w.client, { type: 'WatchEvent', prefix: w.prefix, event: 'canceled', key: w.prefix, value: 'no leader', index: s.lastApplied, snapshot: null });
  }
  s.watchers = kept;
}

// ---------------------------------------------------------------------------------------------------
// Clients

function answerClient(s: RaftState, env: RaftEnv, client: string, ok: boolean, seq: number, result: string): void {
  env.send(s.id, client, { type: 'ClientResponse', ok, seq, result, leaderHint: s.leader });
}

function onClientRequest(s: RaftState, env: RaftEnv, client: string, cmd: Command): void {
  if (cmd.op === 'noop' || cmd.op === 'expire') return;
  const o = env.opts;
  if (cmd.op === 'get' && o.readMode === 'local') {
    // Deliberately unsafe: any node answers from its own state machine, however stale (the lesson).
    return answerClient(s, env, client, true, cmd.seq, s.kv.get(cmd.key) ?? '(none)');
  }
  if (s.role !== 'leader') return answerClient(s, env, client, false, cmd.seq, s.leader === null ? 'no leader known' : `not leader; try ${s.leader}`);
  const session = s.sessions.get(cmd.client);
  if (session !== undefined && session.seq >= cmd.seq) return answerClient(s, env, client, true, cmd.seq, session.result);
  if (cmd.op === 'get' && o.readMode !== 'log') {
    // A lease read needs leader stickiness on the followers; without it, or while the lease is not
    // (yet) valid, the read waits for a heartbeat round like ReadIndex (dissertation §6.4, §6.4.1).
    const lease = o.readMode === 'lease' && sticky(o);
    if (!lease || !leaseValid(s, env)) broadcastAppend(s, env);
    s.pendingReads.push({ client, seq: cmd.seq, key: cmd.key, readIndex: s.commitIndex, round: lease ? 0 : s.round });
    serveReads(s, env);
    return;
  }
  for (let i = s.lastApplied + 1; i <= lastIndex(s); i++) {
    const c = s.log[i - 1]!.cmd;
    if (c.op !== 'noop' && c.op !== 'expire' && c.client === cmd.client && c.seq === cmd.seq) {
      s.waiting.set(i, client);
      return;
    }
  }
  appendEntry(s, env, { term: s.term, cmd });
  const index = lastIndex(s);
  s.waiting.set(index, client);
  // Only followers that are caught up: one behind is still being sent what it lacks.
  sendAppends(s, env, index);
  maybeCommit(s, env);
}

/**
 * The leader's lease (dissertation §6.4.1): a quorum acknowledged a heartbeat sent at time T, and none of
 * them helps elect another leader before T + the minimum election timeout (leader stickiness).
 */
function leaseValid(s: RaftState, env: RaftEnv): boolean {
  const n = s.peers.length;
  for (let i = 0; i < n; i++) scratch[i] = i === s.self ? env.now : s.ackSentUs[i]!;
  sortScratchDesc(n);
  const start = scratch[quorumOf(s, env) - 1]!;
  return start >= 0 && env.now < start + env.opts.electionTimeoutUsMin;
}

function quorumAcked(s: RaftState, env: RaftEnv, round: number): boolean {
  let n = 0;
  for (let i = 0; i < s.peers.length; i++) if (s.acked[i]! >= round) n++;
  return n >= quorumOf(s, env);
}

/** Answer the reads whose leadership check passed, once the state machine has caught up (§6.4). */
function serveReads(s: RaftState, env: RaftEnv): void {
  const reads = s.pendingReads;
  if (reads.length === 0 || s.role !== 'leader') return;
  // The leader must have committed an entry of its own term first (its no-op), to know the commit index.
  if (termAt(s, s.commitIndex) !== s.term) return;
  let lease: boolean | null = null;
  let kept = 0;
  for (let i = 0; i < reads.length; i++) {
    const r = reads[i]!;
    if (r.round === 0 && !sticky(env.opts)) {
      // Stickiness was turned off while the read waited (`set check-quorum=off`): followers no longer
      // honour leases, so it needs a heartbeat round like ReadIndex.
      if (lease !== false) broadcastAppend(s, env);
      lease = false;
      r.round = s.round;
    }
    let confirmed: boolean;
    if (r.round === 0) confirmed = lease ??= leaseValid(s, env);
    else confirmed = quorumAcked(s, env, r.round);
    if (confirmed && s.lastApplied >= r.readIndex) {
      env.send(s.id, r.client, { type: 'ClientResponse', ok: true, seq: r.seq, result: s.kv.get(r.key) ?? '(none)', leaderHint: s.id });
    } else {
      reads[kept++] = r;
    }
  }
  reads.length = kept;
}

function failPending(s: RaftState, env: RaftEnv, leader: string | null): void {
  for (const r of s.pendingReads) {
    env.send(s.id, r.client, { type: 'ClientResponse', ok: false, seq: r.seq, result: 'leadership lost', leaderHint: leader });
  }
  s.pendingReads = [];
  s.waiting = new Map();
}
