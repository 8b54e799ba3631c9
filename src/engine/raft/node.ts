// Raft (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm", and Ongaro's
// dissertation), in the shape of etcd-io/raft: no I/O. The simulator calls `raftTimer`, `raftReceive`,
// `raftCrash`, `raftRestart`; the node answers through `RaftEnv` (send, timers, trace). State is plain
// data, so a snapshot is a structured clone.
//
// Invariants (checked from outside by engine/check, never trusted here):
//   0 <= matchIndex[p] < nextIndex[p] <= lastIndex + 1 on a leader
//   lastApplied <= commitIndex <= lastIndex

import type { RaftOptions } from '../config';
import type { Command, LogEntry, Message, Role, TraceEvent } from '../trace';

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;
export type TraceInput = DistributiveOmit<TraceEvent, 't'>;

export interface RaftEnv {
  readonly now: number;
  readonly opts: RaftOptions;
  randInt(lo: number, hi: number): number;
  send(from: string, to: string, msg: Message): void;
  /** (Re)arm a timer after `delayUs` of this node's local time; re-arming cancels the previous one. */
  setTimer(node: string, kind: 'election' | 'heartbeat', delayUs: number): void;
  cancelTimer(node: string, kind: 'election' | 'heartbeat'): void;
  trace(ev: TraceInput): void;
}

interface PendingRead {
  client: string;
  seq: number;
  key: string;
  readIndex: number;
  /** Heartbeat round that must be acknowledged by a quorum (ReadIndex, dissertation §6.4). */
  round: number;
  acks: string[];
}

export interface RaftState {
  id: string;
  peers: string[];
  // Persistent (Figure 2): survives crash and restart.
  term: number;
  votedFor: string | null;
  log: LogEntry[]; // log[i - 1] is the entry at index i
  // Volatile.
  role: Role;
  leader: string | null;
  commitIndex: number;
  lastApplied: number;
  votes: Record<string, boolean>;
  nextIndex: Record<string, number>;
  matchIndex: Record<string, number>;
  /** Virtual time a leader was last heard from (followers), for pre-vote and leader stickiness. */
  leaderContactUs: number;
  /** Peers heard from since the last check-quorum round (leaders). */
  recentActive: Record<string, boolean>;
  /** Highest index whose commit refusal was already traced (so the "why" is said once). */
  refusedReported: number;
  /** Heartbeat round counter, echoed by followers; ReadIndex waits for a quorum of a round. */
  round: number;
  /** Highest round each peer echoed in this term. */
  acked: Record<string, number>;
  pendingReads: PendingRead[];
  /** Client waiting for the entry at an index: "client\u0000seq". */
  waiting: Record<number, string>;
  // The replicated state machine (a KV store with per-client sessions for duplicate detection).
  kv: Record<string, string>;
  sessions: Record<string, { seq: number; result: string }>;
}

export function raftCreate(id: string, peers: string[]): RaftState {
  return {
    id,
    peers,
    term: 0,
    votedFor: null,
    log: [],
    role: 'follower',
    leader: null,
    commitIndex: 0,
    lastApplied: 0,
    votes: {},
    nextIndex: {},
    matchIndex: {},
    leaderContactUs: -1,
    recentActive: {},
    refusedReported: 0,
    round: 0,
    acked: {},
    pendingReads: [],
    waiting: {},
    kv: {},
    sessions: {},
  };
}

export function quorum(n: number): number {
  return Math.floor(n / 2) + 1;
}

export function lastIndex(s: RaftState): number {
  return s.log.length;
}

export function termAt(s: RaftState, index: number): number {
  return index <= 0 ? 0 : (s.log[index - 1]?.term ?? -1);
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
  env.trace({ k: 'role', node: s.id, from, to: 'down', term: s.term, reason: 'crashed' });
}

export function raftRestart(s: RaftState, env: RaftEnv): void {
  if (env.opts.bugs.forgetVoteOnRestart) s.votedFor = null;
  resetVolatile(s);
  s.role = 'follower';
  env.trace({ k: 'role', node: s.id, from: 'down', to: 'follower', term: s.term, reason: 'restarted' });
  resetElectionTimer(s, env);
}

function resetVolatile(s: RaftState): void {
  s.leader = null;
  s.commitIndex = 0;
  s.lastApplied = 0;
  s.votes = {};
  s.nextIndex = {};
  s.matchIndex = {};
  s.leaderContactUs = -1;
  s.recentActive = {};
  s.refusedReported = 0;
  s.acked = {};
  s.pendingReads = [];
  s.waiting = {};
  s.kv = {};
  s.sessions = {};
}

// ---------------------------------------------------------------------------------------------------
// Timers

export function raftTimer(s: RaftState, env: RaftEnv, kind: 'election' | 'heartbeat'): void {
  if (s.role === 'down') return;
  env.trace({ k: 'timer', node: s.id, timer: kind });
  if (kind === 'heartbeat') {
    if (s.role !== 'leader') return;
    broadcastAppend(s, env);
    env.setTimer(s.id, 'heartbeat', env.opts.heartbeatUs);
    return;
  }
  if (s.role === 'leader') {
    // Check-quorum (dissertation §6.2): a leader that has not heard from a majority within an
    // election timeout steps down, so a partitioned leader stops serving.
    if (env.opts.checkQuorum) {
      const active = s.peers.filter((p) => p === s.id || s.recentActive[p]).length;
      s.recentActive = {};
      if (active < quorum(s.peers.length)) {
        becomeFollower(s, env, s.term, null, `check-quorum: heard from ${active}/${s.peers.length}, below quorum`);
        return;
      }
      env.setTimer(s.id, 'election', env.opts.electionTimeoutUsMin);
    }
    return;
  }
  if (env.opts.prevote) becomePreCandidate(s, env);
  else becomeCandidate(s, env, 'election timeout');
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
  if (from !== to) env.trace({ k: 'role', node: s.id, from, to, term: s.term, reason });
}

function setTerm(s: RaftState, env: RaftEnv, term: number, reason: string): void {
  if (term < s.term) throw new Error(`raft: ${s.id} term must not go back from ${s.term} to ${term}`);
  if (term === s.term) return;
  env.trace({ k: 'term', node: s.id, from: s.term, to: term, reason });
  s.term = term;
  s.votedFor = null;
}

function becomeFollower(s: RaftState, env: RaftEnv, term: number, leader: string | null, reason: string): void {
  const wasLeader = s.role === 'leader';
  setTerm(s, env, term, reason);
  s.leader = leader;
  s.votes = {};
  if (wasLeader) {
    env.cancelTimer(s.id, 'heartbeat');
    failPending(s, env, leader);
  }
  setRole(s, env, 'follower', reason);
  resetElectionTimer(s, env);
}

function becomePreCandidate(s: RaftState, env: RaftEnv): void {
  s.leader = null;
  s.votes = { [s.id]: true };
  setRole(s, env, 'precandidate', 'election timeout (pre-vote first, §9.6)');
  resetElectionTimer(s, env);
  if (countVotes(s) >= quorum(s.peers.length)) return becomeCandidate(s, env, 'pre-vote won');
  requestVotes(s, env, true);
}

function becomeCandidate(s: RaftState, env: RaftEnv, reason: string): void {
  setTerm(s, env, s.term + 1, `${reason}: new election`);
  s.votedFor = s.id;
  s.leader = null;
  s.votes = { [s.id]: true };
  setRole(s, env, 'candidate', reason);
  env.trace({
    k: 'vote',
    node: s.id,
    candidate: s.id,
    term: s.term,
    granted: true,
    prevote: false,
    reason: 'votes for itself (§5.2)',
  });
  resetElectionTimer(s, env);
  if (countVotes(s) >= quorum(s.peers.length)) return becomeLeader(s, env);
  requestVotes(s, env, false);
}

function becomeLeader(s: RaftState, env: RaftEnv): void {
  const votes = countVotes(s);
  s.leader = s.id;
  setRole(s, env, 'leader', `won with ${votes}/${s.peers.length} votes (majority ${quorum(s.peers.length)}, §5.2)`);
  env.cancelTimer(s.id, 'election');
  s.nextIndex = {};
  s.matchIndex = {};
  s.acked = {};
  s.recentActive = {};
  for (const p of s.peers) {
    s.nextIndex[p] = lastIndex(s) + 1;
    s.matchIndex[p] = 0;
  }
  // A no-op entry of the new term lets the leader commit earlier entries (§5.4.2, dissertation §6.4).
  appendEntry(s, env, { term: s.term, cmd: { op: 'noop' } });
  broadcastAppend(s, env);
  env.setTimer(s.id, 'heartbeat', env.opts.heartbeatUs);
  if (env.opts.checkQuorum) env.setTimer(s.id, 'election', env.opts.electionTimeoutUsMin);
  maybeCommit(s, env);
}

function countVotes(s: RaftState): number {
  let n = 0;
  for (const p of s.peers) if (s.votes[p] === true) n++;
  return n;
}

function countRejections(s: RaftState): number {
  let n = 0;
  for (const p of s.peers) if (s.votes[p] === false) n++;
  return n;
}

function requestVotes(s: RaftState, env: RaftEnv, prevote: boolean): void {
  const term = prevote ? s.term + 1 : s.term;
  const li = lastIndex(s);
  const lt = termAt(s, li);
  for (const p of s.peers) {
    if (p === s.id) continue;
    env.send(s.id, p, { type: 'RequestVote', term, lastLogIndex: li, lastLogTerm: lt, prevote });
  }
}

// ---------------------------------------------------------------------------------------------------
// Messages

export function raftReceive(s: RaftState, env: RaftEnv, from: string, m: Message): void {
  if (s.role === 'down') return;
  switch (m.type) {
    case 'RequestVote':
      return onRequestVote(s, env, from, m);
    case 'RequestVoteResponse':
      return onVoteResponse(s, env, from, m);
    case 'AppendEntries':
      return onAppendEntries(s, env, from, m);
    case 'AppendEntriesResponse':
      return onAppendResponse(s, env, from, m);
    case 'ClientRequest':
      return onClientRequest(s, env, from, m.cmd);
    case 'ClientResponse':
      return;
  }
}

function inLeaderLease(s: RaftState, env: RaftEnv): boolean {
  // Leader stickiness (dissertation §4.2.3 / §9.6): a node that heard from a leader within the minimum
  // election timeout ignores votes, so a disruptive server cannot depose a working leader.
  if (s.role === 'leader') return true;
  return s.leader !== null && s.leaderContactUs >= 0 && env.now - s.leaderContactUs < env.opts.electionTimeoutUsMin;
}

function upToDate(s: RaftState, lastLogIndex: number, lastLogTerm: number): boolean {
  const myLast = lastIndex(s);
  const myTerm = termAt(s, myLast);
  return lastLogTerm > myTerm || (lastLogTerm === myTerm && lastLogIndex >= myLast);
}

function logDesc(index: number, term: number): string {
  return `last entry ${index}@t${term}`;
}

function onRequestVote(
  s: RaftState,
  env: RaftEnv,
  from: string,
  m: Extract<Message, { type: 'RequestVote' }>,
): void {
  const deny = (reason: string, term: number): void => {
    env.trace({ k: 'vote', node: s.id, candidate: from, term: m.term, granted: false, prevote: m.prevote, reason });
    env.send(s.id, from, { type: 'RequestVoteResponse', term, granted: false, prevote: m.prevote, reason });
  };
  const myLast = lastIndex(s);
  const myLastTerm = termAt(s, myLast);
  const logOk = env.opts.bugs.skipUpToDateCheck || upToDate(s, m.lastLogIndex, m.lastLogTerm);
  const logReason = `candidate's log is behind: ${logDesc(m.lastLogIndex, m.lastLogTerm)} < ${logDesc(myLast, myLastTerm)} (§5.4.1)`;

  if (m.term < s.term) return deny(`stale term ${m.term} < ${s.term} (§5.1)`, s.term);
  if ((env.opts.checkQuorum || env.opts.prevote) && m.term > s.term && inLeaderLease(s, env)) {
    return deny(`heard from leader ${s.leader} within the election timeout (leader stickiness, §9.6)`, s.term);
  }
  if (m.prevote) {
    // A pre-vote changes nothing here (§9.6): grant iff a real vote in term m.term could be granted.
    if (m.term > s.term && logOk) {
      const reason = 'would vote: log at least as up to date (pre-vote, §9.6)';
      env.trace({ k: 'vote', node: s.id, candidate: from, term: m.term, granted: true, prevote: true, reason });
      env.send(s.id, from, { type: 'RequestVoteResponse', term: m.term, granted: true, prevote: true, reason });
      return;
    }
    return deny(logOk ? `term ${m.term} is not newer than ${s.term}` : logReason, s.term);
  }
  if (m.term > s.term) becomeFollower(s, env, m.term, null, `saw term ${m.term} in a vote request from ${from} (§5.1)`);
  if (s.votedFor !== null && s.votedFor !== from)
    return deny(`already voted for ${s.votedFor} in term ${s.term} (§5.2)`, s.term);
  if (!logOk) return deny(logReason, s.term);
  s.votedFor = from;
  const reason = env.opts.bugs.skipUpToDateCheck
    ? 'granted without the up-to-date check (bug skipUpToDateCheck)'
    : 'log at least as up to date (§5.4.1)';
  env.trace({ k: 'vote', node: s.id, candidate: from, term: s.term, granted: true, prevote: false, reason });
  resetElectionTimer(s, env);
  env.send(s.id, from, { type: 'RequestVoteResponse', term: s.term, granted: true, prevote: false, reason });
}

function onVoteResponse(
  s: RaftState,
  env: RaftEnv,
  from: string,
  m: Extract<Message, { type: 'RequestVoteResponse' }>,
): void {
  if (m.term > s.term && !(m.prevote && m.granted)) {
    becomeFollower(s, env, m.term, null, `saw term ${m.term} in a vote response from ${from} (§5.1)`);
    return;
  }
  const expected = m.prevote ? 'precandidate' : 'candidate';
  if (s.role !== expected) return;
  if (m.prevote ? m.term !== s.term + 1 : m.term !== s.term) return;
  s.votes[from] = m.granted;
  const q = quorum(s.peers.length);
  if (countVotes(s) >= q) {
    if (m.prevote) becomeCandidate(s, env, `pre-vote won ${countVotes(s)}/${s.peers.length}`);
    else becomeLeader(s, env);
  } else if (countRejections(s) >= q) {
    becomeFollower(s, env, s.term, null, `lost the election: ${countRejections(s)}/${s.peers.length} refused`);
  }
}

function onAppendEntries(
  s: RaftState,
  env: RaftEnv,
  from: string,
  m: Extract<Message, { type: 'AppendEntries' }>,
): void {
  const reply = (success: boolean, matchIndex: number, conflictIndex: number, reason: string): void => {
    env.send(s.id, from, {
      type: 'AppendEntriesResponse',
      term: s.term,
      success,
      matchIndex,
      conflictIndex,
      reason,
      round: m.round,
    });
  };
  if (m.term < s.term) return reply(false, 0, 0, `stale term ${m.term} < ${s.term} (§5.1)`);
  if (m.term > s.term || s.role !== 'follower' || s.leader !== from) {
    becomeFollower(s, env, m.term, from, `heard from leader ${from} of term ${m.term}`);
  } else {
    resetElectionTimer(s, env);
  }
  s.leaderContactUs = env.now;

  const last = lastIndex(s);
  if (m.prevLogIndex > last) {
    return reply(false, 0, last + 1, `no entry at ${m.prevLogIndex}, log ends at ${last} (§5.3)`);
  }
  const have = termAt(s, m.prevLogIndex);
  if (have !== m.prevLogTerm) {
    // Fast backtracking (§5.3, end): skip the whole conflicting term at once.
    let first = m.prevLogIndex;
    while (first > 1 && termAt(s, first - 1) === have) first--;
    return reply(false, 0, Math.max(first, s.commitIndex + 1), `term mismatch at ${m.prevLogIndex}: have t${have}, leader has t${m.prevLogTerm} (§5.3)`);
  }
  let index = m.prevLogIndex;
  for (const e of m.entries) {
    index++;
    if (index <= lastIndex(s)) {
      if (termAt(s, index) === e.term) continue;
      if (index <= s.commitIndex) throw new Error(`raft: ${s.id} asked to overwrite committed index ${index}`);
      env.trace({ k: 'truncate', node: s.id, fromIndex: index, reason: `conflicts with leader ${from}'s entry t${e.term} (§5.3)` });
      s.log.length = index - 1;
    }
    appendEntry(s, env, e);
  }
  const lastNew = m.prevLogIndex + m.entries.length;
  if (m.leaderCommit > s.commitIndex) {
    const to = Math.min(m.leaderCommit, lastNew);
    if (to > s.commitIndex) advanceCommit(s, env, to, `leader ${from} committed ${m.leaderCommit} (§5.3)`);
  }
  reply(true, lastNew, 0, 'ok');
}

function onAppendResponse(
  s: RaftState,
  env: RaftEnv,
  from: string,
  m: Extract<Message, { type: 'AppendEntriesResponse' }>,
): void {
  if (m.term > s.term) {
    becomeFollower(s, env, m.term, null, `saw term ${m.term} in a response from ${from} (§5.1)`);
    return;
  }
  if (s.role !== 'leader' || m.term !== s.term) return;
  s.recentActive[from] = true;
  if (m.round > (s.acked[from] ?? 0)) s.acked[from] = m.round;
  if (m.success) {
    if (m.matchIndex > (s.matchIndex[from] ?? 0)) s.matchIndex[from] = m.matchIndex;
    s.nextIndex[from] = Math.max(s.nextIndex[from] ?? 1, (s.matchIndex[from] ?? 0) + 1);
    maybeCommit(s, env);
    if ((s.nextIndex[from] ?? 1) <= lastIndex(s)) sendAppend(s, env, from);
  } else {
    const floor = (s.matchIndex[from] ?? 0) + 1;
    const next = Math.max(floor, Math.min((s.nextIndex[from] ?? 1) - 1, m.conflictIndex));
    if (next !== s.nextIndex[from]) {
      s.nextIndex[from] = next;
      sendAppend(s, env, from);
    }
  }
  serveReads(s, env);
}

// ---------------------------------------------------------------------------------------------------
// Replication and commit

function appendEntry(s: RaftState, env: RaftEnv, e: LogEntry): void {
  s.log.push(e);
  env.trace({ k: 'append', node: s.id, index: s.log.length, entry: e });
  if (s.role === 'leader') s.matchIndex[s.id] = s.log.length;
}

function broadcastAppend(s: RaftState, env: RaftEnv): void {
  s.round++;
  s.acked[s.id] = s.round;
  for (const p of s.peers) if (p !== s.id) sendAppend(s, env, p);
}

function sendAppend(s: RaftState, env: RaftEnv, to: string): void {
  const next = s.nextIndex[to] ?? lastIndex(s) + 1;
  const prev = next - 1;
  const end = Math.min(lastIndex(s), prev + env.opts.maxBatchEntries);
  env.send(s.id, to, {
    type: 'AppendEntries',
    term: s.term,
    prevLogIndex: prev,
    prevLogTerm: termAt(s, prev),
    entries: s.log.slice(prev, end),
    leaderCommit: s.commitIndex,
    round: s.round,
  });
}

/** The commit rule (§5.3, §5.4.2): the highest N on a majority whose entry is from the current term. */
function maybeCommit(s: RaftState, env: RaftEnv): void {
  const n = s.peers.length;
  const q = quorum(n);
  const matches = s.peers.map((p) => (p === s.id ? lastIndex(s) : (s.matchIndex[p] ?? 0))).sort((a, b) => b - a);
  const onMajority = matches[q - 1] ?? 0;
  for (let N = onMajority; N > s.commitIndex; N--) {
    const t = termAt(s, N);
    if (t === s.term || env.opts.bugs.commitOldTerm) {
      const why =
        t === s.term
          ? `index ${N} (t${t}) is on ${countAtLeast(matches, N)}/${n} nodes, a majority (§5.3)`
          : `index ${N} from old term t${t} counted on ${countAtLeast(matches, N)}/${n} (bug commitOldTerm)`;
      advanceCommit(s, env, N, why);
      return;
    }
    if (N > s.refusedReported) {
      s.refusedReported = N;
      env.trace({
        k: 'commit-refused',
        node: s.id,
        index: N,
        reason: `not committed: entry ${N} from term ${t} under a term-${s.term} leader is on a majority (${countAtLeast(matches, N)}/${n}) but only a current-term entry can commit it (§5.4.2)`,
      });
    }
  }
}

function countAtLeast(sortedDesc: number[], index: number): number {
  let c = 0;
  for (const m of sortedDesc) if (m >= index) c++;
  return c;
}

function advanceCommit(s: RaftState, env: RaftEnv, to: number, reason: string): void {
  const from = s.commitIndex;
  s.commitIndex = to;
  env.trace({ k: 'commit', node: s.id, from, to, reason });
  applyCommitted(s, env);
}

function applyCommitted(s: RaftState, env: RaftEnv): void {
  while (s.lastApplied < s.commitIndex) {
    s.lastApplied++;
    const entry = s.log[s.lastApplied - 1]!;
    const result = applyCommand(s.kv, s.sessions, entry.cmd);
    env.trace({ k: 'apply', node: s.id, index: s.lastApplied, entry, result });
    const waiter = s.waiting[s.lastApplied];
    if (waiter !== undefined) {
      delete s.waiting[s.lastApplied];
      const [client, seqText] = waiter.split('\u0000') as [string, string];
      if (s.role === 'leader') {
        env.send(s.id, client, { type: 'ClientResponse', ok: true, seq: Number(seqText), result, leaderHint: s.id });
      }
    }
  }
  serveReads(s, env);
}

/** The replicated KV state machine; sessions make a retried command take effect once (dissertation §6.3). */
export function applyCommand(
  kv: Record<string, string>,
  sessions: Record<string, { seq: number; result: string }>,
  cmd: Command,
): string {
  if (cmd.op === 'noop') return '';
  const session = sessions[cmd.client];
  if (session !== undefined && session.seq >= cmd.seq) return session.result;
  let result: string;
  switch (cmd.op) {
    case 'put':
      kv[cmd.key] = cmd.value;
      result = 'OK';
      break;
    case 'delete':
      result = cmd.key in kv ? 'deleted' : 'not found';
      delete kv[cmd.key];
      break;
    case 'cas': {
      const cur = kv[cmd.key];
      if (cur === cmd.expect) {
        kv[cmd.key] = cmd.value;
        result = 'OK';
      } else {
        result = `failed: ${cmd.key}=${cur ?? '(none)'}`;
      }
      break;
    }
    case 'get':
      result = kv[cmd.key] ?? '(none)';
      break;
  }
  sessions[cmd.client] = { seq: cmd.seq, result };
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Clients

function onClientRequest(s: RaftState, env: RaftEnv, client: string, cmd: Command): void {
  if (cmd.op === 'noop') return;
  const answer = (ok: boolean, result: string): void =>
    env.send(s.id, client, { type: 'ClientResponse', ok, seq: cmd.seq, result, leaderHint: s.leader });
  if (cmd.op === 'get' && env.opts.readMode === 'local') {
    // Deliberately unsafe: any node answers from its own state machine, however stale (the lesson).
    return answer(true, s.kv[cmd.key] ?? '(none)');
  }
  if (s.role !== 'leader') return answer(false, s.leader === null ? 'no leader known' : `not leader; try ${s.leader}`);
  const session = s.sessions[cmd.client];
  if (session !== undefined && session.seq >= cmd.seq) return answer(true, session.result);
  if (cmd.op === 'get' && env.opts.readMode !== 'log') {
    const readIndex = s.commitIndex;
    if (env.opts.readMode === 'lease' && env.opts.checkQuorum) {
      s.pendingReads.push({ client, seq: cmd.seq, key: cmd.key, readIndex, round: 0, acks: [] });
    } else {
      broadcastAppend(s, env);
      s.pendingReads.push({ client, seq: cmd.seq, key: cmd.key, readIndex, round: s.round, acks: [] });
    }
    serveReads(s, env);
    return;
  }
  for (let i = s.lastApplied + 1; i <= lastIndex(s); i++) {
    const c = s.log[i - 1]!.cmd;
    if (c.op !== 'noop' && c.client === cmd.client && c.seq === cmd.seq) {
      s.waiting[i] = `${client}\u0000${cmd.seq}`;
      return;
    }
  }
  appendEntry(s, env, { term: s.term, cmd });
  s.waiting[lastIndex(s)] = `${client}\u0000${cmd.seq}`;
  for (const p of s.peers) if (p !== s.id && (s.nextIndex[p] ?? 1) === lastIndex(s)) sendAppend(s, env, p);
  maybeCommit(s, env);
}

/** ReadIndex (dissertation §6.4): answer once a quorum confirmed leadership and the state machine caught up. */
function serveReads(s: RaftState, env: RaftEnv): void {
  if (s.pendingReads.length === 0 || s.role !== 'leader') return;
  // The leader must have committed an entry of its own term first (its no-op), to know the commit index.
  if (termAt(s, s.commitIndex) !== s.term) return;
  const q = quorum(s.peers.length);
  const keep: PendingRead[] = [];
  for (const r of s.pendingReads) {
    const confirmed = r.round === 0 || s.peers.filter((p) => (s.acked[p] ?? 0) >= r.round).length >= q;
    if (confirmed && s.lastApplied >= r.readIndex) {
      env.send(s.id, r.client, {
        type: 'ClientResponse',
        ok: true,
        seq: r.seq,
        result: s.kv[r.key] ?? '(none)',
        leaderHint: s.id,
      });
    } else {
      keep.push(r);
    }
  }
  s.pendingReads = keep;
}

function failPending(s: RaftState, env: RaftEnv, leader: string | null): void {
  for (const r of s.pendingReads) {
    env.send(s.id, r.client, { type: 'ClientResponse', ok: false, seq: r.seq, result: 'leadership lost', leaderHint: leader });
  }
  s.pendingReads = [];
  s.waiting = {};
}
