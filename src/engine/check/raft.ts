// Raft's safety properties (Figure 3 of the paper), checked from outside the protocol code after every
// trace event. The checker rebuilds what it needs (shadow logs, roles, commits, votes) from the trace
// alone, so a bug in the protocol cannot hide from it. A violation is returned as data, never thrown.
// Each event costs O(nodes) at most (an append compares with the other logs at that index), except a
// new leader, which is compared with the committed prefix once.

import { describeCommand } from '../describe';
import type { Command, LogEntry, Role, TraceEvent } from '../trace';

export const RAFT_INVARIANTS = [
  'Election Safety',
  'Leader Append-Only',
  'Log Matching',
  'Leader Completeness',
  'State Machine Safety',
  'Monotonic Commit',
  'One Vote Per Term',
] as const;
export type RaftInvariant = (typeof RAFT_INVARIANTS)[number];

export interface Violation {
  invariant: RaftInvariant;
  nodes: string[];
  detail: string;
}

export interface RaftCheckState {
  /** The nodes, in declared order; the per-node arrays below are by this position. */
  nodes: string[];
  /** Position of each node in `nodes` (a Map: node names are the user's words). */
  index: Map<string, number>;
  /** term -> the node that became leader in it */
  leaders: Record<number, string>;
  roles: Role[];
  /** Each node's current term, from `term` and `role` events. */
  terms: number[];
  /**
   * Every log the checker keeps (the nodes', the committed and the applied prefixes) is a `BaseLog` on
   * this one shared array: the entry first appended at each index by any node (`base[x - 1]` at x).
   * Logs are mostly prefixes of one another holding the very same entry objects (a follower keeps the
   * ones its leader sent), so one array serves them all, whatever their length.
   */
  base: LogEntry[];
  /** The nodes' logs, as their events show them. */
  logs: BaseLog[];
  /** How many nodes' logs have entries of their own. At 0, every node's log is a prefix of `base`. */
  diverged: number;
  commit: number[];
  /** The committed prefix as first seen anywhere: its entry at index i is the one first committed there. */
  committed: BaseLog;
  /** committedTerm[i - 1]: the term in which index i was first committed (never decreasing along i). */
  committedTerm: number[];
  /** The entries first applied by any node, by index. */
  applied: BaseLog;
  /** The latest term each node granted a (real) vote in, and to whom; persistent like votedFor. */
  voted: Map<string, { term: number; candidate: string }>;
}

export function raftCheckCreate(nodes: readonly string[]): RaftCheckState {
  const st: RaftCheckState = {
    nodes: nodes.slice(),
    index: new Map(),
    leaders: {},
    roles: [],
    terms: [],
    base: [],
    logs: [],
    diverged: 0,
    commit: [],
    committed: baseLogCreate(),
    committedTerm: [],
    applied: baseLogCreate(),
    voted: new Map(),
  };
  nodes.forEach((n, i) => {
    st.index.set(n, i);
    st.roles.push('follower');
    st.terms.push(0);
    st.logs.push(baseLogCreate());
    st.commit.push(0);
  });
  return st;
}

/**
 * A log kept on the shared `base`: its length and its entries of its own, those that are not (the same
 * object as) base's there, or a gap (undefined) where base has an entry. Its entry at index x (x <= len)
 * is its own one when it has one, else `base[x - 1]`.
 */
export interface BaseLog {
  len: number;
  own: Map<number, LogEntry | undefined>;
}

function baseLogCreate(): BaseLog {
  return { len: 0, own: new Map() };
}

/** The entry of `l` at `index`, or undefined where it has none. */
function baseLogAt(st: RaftCheckState, l: BaseLog, index: number): LogEntry | undefined {
  if (index > l.len || index < 1) return undefined;
  if (l.own.size !== 0 && l.own.has(index)) return l.own.get(index);
  return st.base[index - 1];
}

/** Appends `e` to a log that only grows at its end (the committed and applied prefixes). */
function baseLogPush(st: RaftCheckState, l: BaseLog, e: LogEntry): void {
  l.len++;
  if (st.base[l.len - 1] !== e) l.own.set(l.len, e);
}

/** The committed prefix as the checker saw it: the entry first committed at each index, from index 1. */
export function raftCheckCommitted(st: RaftCheckState): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = 1; i <= st.committed.len; i++) out.push(baseLogAt(st, st.committed, i)!);
  return out;
}

/** The entry of the node at position `ni` at `index`, or undefined where its log has none. */
function entryAt(st: RaftCheckState, ni: number, index: number): LogEntry | undefined {
  return baseLogAt(st, st.logs[ni]!, index);
}

/** The node at `ni` keeps its log up to `length`: its own entries after it go. */
function cut(st: RaftCheckState, ni: number, length: number): void {
  const log = st.logs[ni]!;
  if (log.len > length) log.len = length;
  const own = log.own;
  if (own.size === 0) return;
  for (const x of [...own.keys()]) if (x > length) own.delete(x);
  if (own.size === 0) st.diverged--;
}

/** Records `entry` (or a gap) as the node's own at `index`. */
function setOwn(st: RaftCheckState, ni: number, index: number, entry: LogEntry | undefined): void {
  const own = st.logs[ni]!.own;
  if (own.size === 0) st.diverged++;
  own.set(index, entry);
}

export function sameEntry(a: LogEntry | undefined, b: LogEntry | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return a.term === b.term && sameCommand(a.cmd, b.cmd);
}

function sameCommand(a: Command, b: Command): boolean {
  if (a === b) return true;
  if (a.op !== b.op) return false;
  if (a.op === 'noop' || b.op === 'noop') return true;
  if (a.op === 'expire' || b.op === 'expire') return describeCommand(a) === describeCommand(b);
  return a.client === b.client && a.seq === b.seq && describeCommand(a) === describeCommand(b);
}

export { describeCommand };

function entryText(e: LogEntry | undefined): string {
  return e === undefined ? '(none)' : `t${e.term} ${describeCommand(e.cmd)}`;
}

/** What an event without violations returns: shared, never mutated. */
const NONE: Violation[] = [];

/**
 * Feed one event; returns the violations it reveals (usually none). The simulator calls the functions of
 * the three commonest kinds directly, with the node's position: `raftCheckAppend`, `raftCheckCommit`,
 * `raftCheckApply`. Events of nodes outside the cluster are ignored.
 */
export function raftCheckEvent(st: RaftCheckState, ev: TraceEvent): Violation[] {
  switch (ev.k) {
    case 'vote':
      return ev.granted && !ev.prevote ? onVote(st, ev.node, ev.candidate, ev.term) : NONE;
    case 'term': {
      const i = st.index.get(ev.node);
      if (i !== undefined) st.terms[i] = ev.to;
      return NONE;
    }
    case 'role':
      return onRole(st, ev.node, ev.to, ev.term);
    case 'append':
    case 'truncate':
    case 'commit':
    case 'apply': {
      const i = st.index.get(ev.node);
      if (i === undefined) return NONE;
      if (ev.k === 'append') return raftCheckAppend(st, i, ev.index, ev.entry);
      if (ev.k === 'truncate') return onTruncate(st, i, ev.fromIndex);
      if (ev.k === 'commit') return raftCheckCommit(st, i, ev.from, ev.to);
      return raftCheckApply(st, i, ev.index, ev.entry);
    }
    default:
      return NONE;
  }
}

function onVote(st: RaftCheckState, node: string, candidate: string, term: number): Violation[] {
  const prev = st.voted.get(node);
  if (prev !== undefined && prev.term === term && prev.candidate !== candidate) {
    return [
      {
        invariant: 'One Vote Per Term',
        nodes: [node],
        detail: `${node} voted for ${prev.candidate} and then for ${candidate} in term ${term} (votedFor is persistent, Figure 2)`,
      },
    ];
  }
  if (prev === undefined || term >= prev.term) st.voted.set(node, { term, candidate });
  return NONE;
}

function onRole(st: RaftCheckState, node: string, to: Role, term: number): Violation[] {
  const ni = st.index.get(node);
  if (ni === undefined) return NONE;
  st.roles[ni] = to;
  st.terms[ni] = term;
  if (to === 'down') {
    st.commit[ni] = 0; // a restarted node relearns its commit index
    return NONE;
  }
  if (to !== 'leader') return NONE;
  let out: Violation[] | null = null;
  const other = st.leaders[term];
  if (other !== undefined && other !== node) {
    (out ??= []).push({
      invariant: 'Election Safety',
      nodes: [other, node],
      detail: `two leaders in term ${term}: ${other} and ${node}`,
    });
  } else {
    st.leaders[term] = node;
  }
  // Leader Completeness: an entry committed in a term is in the log of every leader of a later term. A
  // leader of an earlier term (elected late, on votes that were delayed) is not bound by it.
  for (let i = 1; i <= st.committed.len && st.committedTerm[i - 1]! < term; i++) {
    const mine = entryAt(st, ni, i);
    const first = baseLogAt(st, st.committed, i);
    if (!sameEntry(mine, first)) {
      (out ??= []).push({
        invariant: 'Leader Completeness',
        nodes: [node],
        detail: `${node} leads term ${term} without committed entry ${i} (${entryText(first)}); it has ${entryText(mine)}`,
      });
      break;
    }
  }
  return out ?? NONE;
}

/** An `append` event of the node at position `ni`. */
export function raftCheckAppend(st: RaftCheckState, ni: number, index: number, entry: LogEntry): Violation[] {
  const len = st.logs[ni]!.len;
  if (len > index - 1) cut(st, ni, index - 1);
  else if (len < index - 1) gap(st, ni, len, index);
  st.logs[ni]!.len = index;
  const base = st.base;
  if (index > base.length) {
    base[index - 1] = entry; // no other log reaches this far
    return NONE;
  }
  if (base[index - 1] !== entry) setOwn(st, ni, index, entry);
  // Every log a prefix of one log: they match wherever they overlap.
  if (st.diverged === 0) return NONE;
  // Log Matching, incrementally: if another log has the same (index, term), the entries and the
  // previous terms must match; by induction the whole prefixes then match (§5.3).
  const prevTerm = entryAt(st, ni, index - 1)?.term;
  for (let i = 0; i < st.logs.length; i++) {
    if (i === ni) continue;
    const oe = entryAt(st, i, index);
    if (oe === undefined || oe.term !== entry.term) continue;
    const prevOk = index === 1 || entryAt(st, i, index - 1)?.term === prevTerm;
    if (!sameEntry(oe, entry) || !prevOk) return logMatching(st.nodes[ni]!, st.nodes[i]!, index, entry.term);
  }
  return NONE;
}

/** An append past the end of the node's log (at `index`, its log ending at `len`): what lies between is a gap. */
function gap(st: RaftCheckState, ni: number, len: number, index: number): void {
  for (let x = len + 1; x < index; x++) setOwn(st, ni, x, undefined);
}

// The violations of the commonest events are made apart from the checks, which stay short.

function logMatching(node: string, other: string, index: number, term: number): Violation[] {
  return [
    {
      invariant: 'Log Matching',
      nodes: [node, other].sort(),
      detail: `${node} and ${other} both have term ${term} at index ${index} but their logs differ up to it`,
    },
  ];
}

function onTruncate(st: RaftCheckState, ni: number, fromIndex: number): Violation[] {
  let out: Violation[] | null = null;
  const node = st.nodes[ni]!;
  if (st.roles[ni] === 'leader') {
    (out ??= []).push({
      invariant: 'Leader Append-Only',
      nodes: [node],
      detail: `leader ${node} deleted entries from index ${fromIndex}`,
    });
  }
  if (fromIndex <= st.commit[ni]!) {
    (out ??= []).push({
      invariant: 'State Machine Safety',
      nodes: [node],
      detail: `${node} deleted committed entry ${fromIndex} (its commit index is ${st.commit[ni]})`,
    });
  }
  cut(st, ni, fromIndex - 1);
  return out ?? NONE;
}

/** A `commit` event of the node at position `ni`. */
export function raftCheckCommit(st: RaftCheckState, ni: number, from: number, to: number): Violation[] {
  let out: Violation[] | null = null;
  const known = st.commit[ni]!;
  if (to < known || from < known) (out ??= []).push(commitWentBack(st.nodes[ni]!, known, to));
  st.commit[ni] = Math.max(known, to);
  const term = st.terms[ni]!;
  for (let i = from + 1; i <= to; i++) {
    const mine = entryAt(st, ni, i);
    const committed = st.committed;
    if (i > committed.len) {
      if (mine !== undefined && i === committed.len + 1) {
        baseLogPush(st, committed, mine);
        st.committedTerm.push(term);
      }
      continue;
    }
    if (term < st.committedTerm[i - 1]!) st.committedTerm[i - 1] = term;
    const first = baseLogAt(st, committed, i);
    if (!sameEntry(mine, first)) {
      (out ??= []).push(committedOther(st.nodes[ni]!, i, mine, first));
      break;
    }
  }
  return out ?? NONE;
}

function commitWentBack(node: string, known: number, to: number): Violation {
  return { invariant: 'Monotonic Commit', nodes: [node], detail: `${node}'s commit index went back from ${known} to ${to}` };
}

function committedOther(node: string, index: number, mine: LogEntry | undefined, first: LogEntry | undefined): Violation {
  return {
    invariant: 'State Machine Safety',
    nodes: [node],
    detail: `${node} committed ${entryText(mine)} at index ${index}, but ${entryText(first)} was committed there before`,
  };
}

/** An `apply` event of the node at position `ni`. */
export function raftCheckApply(st: RaftCheckState, ni: number, index: number, entry: LogEntry): Violation[] {
  const first = baseLogAt(st, st.applied, index);
  if (first === undefined) {
    if (index === st.applied.len + 1) baseLogPush(st, st.applied, entry);
    return NONE;
  }
  if (sameEntry(first, entry)) return NONE;
  return appliedOther(st.nodes[ni]!, index, entry, first);
}

function appliedOther(node: string, index: number, entry: LogEntry, first: LogEntry): Violation[] {
  return [
    {
      invariant: 'State Machine Safety',
      nodes: [node],
      detail: `${node} applied ${entryText(entry)} at index ${index}, another node applied ${entryText(first)}`,
    },
  ];
}
