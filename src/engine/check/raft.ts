// Raft's safety properties (Figure 3 of the paper), checked from outside the protocol code after every
// trace event. The checker rebuilds what it needs (shadow logs, roles, commits) from the trace alone, so
// a bug in the protocol cannot hide from it. A violation is returned as data, never thrown.

import type { Command, LogEntry, Role, TraceEvent } from '../trace';

export const RAFT_INVARIANTS = [
  'Election Safety',
  'Leader Append-Only',
  'Log Matching',
  'Leader Completeness',
  'State Machine Safety',
  'Monotonic Commit',
] as const;
export type RaftInvariant = (typeof RAFT_INVARIANTS)[number];

export interface Violation {
  invariant: RaftInvariant;
  nodes: string[];
  detail: string;
}

export interface RaftCheckState {
  /** term -> the node that became leader in it */
  leaders: Record<number, string>;
  roles: Record<string, Role>;
  logs: Record<string, LogEntry[]>;
  commit: Record<string, number>;
  /** The committed prefix as first seen anywhere: committed[i - 1] is the entry at index i. */
  committed: LogEntry[];
  /** applied[i - 1]: the entry first applied at index i by any node. */
  applied: LogEntry[];
}

export function raftCheckCreate(nodes: readonly string[]): RaftCheckState {
  const st: RaftCheckState = { leaders: {}, roles: {}, logs: {}, commit: {}, committed: [], applied: [] };
  for (const n of nodes) {
    st.roles[n] = 'follower';
    st.logs[n] = [];
    st.commit[n] = 0;
  }
  return st;
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
  return a.client === b.client && a.seq === b.seq && describeCommand(a) === describeCommand(b);
}

export function describeCommand(c: Command): string {
  switch (c.op) {
    case 'noop':
      return 'no-op';
    case 'put':
      return `put ${c.key}=${c.value}`;
    case 'delete':
      return `delete ${c.key}`;
    case 'cas':
      return `cas ${c.key} ${c.expect}->${c.value}`;
    case 'get':
      return `get ${c.key}`;
  }
}

function entryText(e: LogEntry | undefined): string {
  return e === undefined ? '(none)' : `t${e.term} ${describeCommand(e.cmd)}`;
}

/** Feed one event; returns the violations it reveals (usually none). */
export function raftCheckEvent(st: RaftCheckState, ev: TraceEvent): Violation[] {
  switch (ev.k) {
    case 'role':
      return onRole(st, ev.node, ev.to, ev.term);
    case 'append':
      return onAppend(st, ev.node, ev.index, ev.entry);
    case 'truncate':
      return onTruncate(st, ev.node, ev.fromIndex);
    case 'commit':
      return onCommit(st, ev.node, ev.from, ev.to);
    case 'apply':
      return onApply(st, ev.node, ev.index, ev.entry);
    default:
      return [];
  }
}

function onRole(st: RaftCheckState, node: string, to: Role, term: number): Violation[] {
  st.roles[node] = to;
  if (to === 'down') {
    st.commit[node] = 0; // a restarted node relearns its commit index
    return [];
  }
  if (to !== 'leader') return [];
  const out: Violation[] = [];
  const other = st.leaders[term];
  if (other !== undefined && other !== node) {
    out.push({
      invariant: 'Election Safety',
      nodes: [other, node],
      detail: `two leaders in term ${term}: ${other} and ${node}`,
    });
  } else {
    st.leaders[term] = node;
  }
  const log = st.logs[node] ?? [];
  for (let i = 1; i <= st.committed.length; i++) {
    if (!sameEntry(log[i - 1], st.committed[i - 1])) {
      out.push({
        invariant: 'Leader Completeness',
        nodes: [node],
        detail: `${node} leads term ${term} without committed entry ${i} (${entryText(st.committed[i - 1])}); it has ${entryText(log[i - 1])}`,
      });
      break;
    }
  }
  return out;
}

function onAppend(st: RaftCheckState, node: string, index: number, entry: LogEntry): Violation[] {
  const log = (st.logs[node] ??= []);
  log.length = index - 1;
  log.push(entry);
  // Log Matching, incrementally: if another log has the same (index, term), the entries and the
  // previous terms must match; by induction the whole prefixes then match (§5.3).
  for (const other in st.logs) {
    if (other === node) continue;
    const ol = st.logs[other]!;
    const oe = ol[index - 1];
    if (oe === undefined || oe.term !== entry.term) continue;
    const prevOk = index === 1 || ol[index - 2]?.term === log[index - 2]?.term;
    if (!sameEntry(oe, entry) || !prevOk) {
      return [
        {
          invariant: 'Log Matching',
          nodes: [node, other].sort(),
          detail: `${node} and ${other} both have term ${entry.term} at index ${index} but their logs differ up to it`,
        },
      ];
    }
  }
  return [];
}

function onTruncate(st: RaftCheckState, node: string, fromIndex: number): Violation[] {
  const out: Violation[] = [];
  if (st.roles[node] === 'leader') {
    out.push({
      invariant: 'Leader Append-Only',
      nodes: [node],
      detail: `leader ${node} deleted entries from index ${fromIndex}`,
    });
  }
  if (fromIndex <= (st.commit[node] ?? 0)) {
    out.push({
      invariant: 'State Machine Safety',
      nodes: [node],
      detail: `${node} deleted committed entry ${fromIndex} (its commit index is ${st.commit[node]})`,
    });
  }
  const log = st.logs[node];
  if (log !== undefined) log.length = Math.min(log.length, fromIndex - 1);
  return out;
}

function onCommit(st: RaftCheckState, node: string, from: number, to: number): Violation[] {
  const out: Violation[] = [];
  const known = st.commit[node] ?? 0;
  if (to < known || from < known) {
    out.push({
      invariant: 'Monotonic Commit',
      nodes: [node],
      detail: `${node}'s commit index went back from ${known} to ${to}`,
    });
  }
  st.commit[node] = Math.max(known, to);
  const log = st.logs[node] ?? [];
  for (let i = from + 1; i <= to; i++) {
    const mine = log[i - 1];
    if (i > st.committed.length) {
      if (mine !== undefined) st.committed.push(mine);
      continue;
    }
    if (!sameEntry(mine, st.committed[i - 1])) {
      out.push({
        invariant: 'State Machine Safety',
        nodes: [node],
        detail: `${node} committed ${entryText(mine)} at index ${i}, but ${entryText(st.committed[i - 1])} was committed there before`,
      });
      break;
    }
  }
  return out;
}

function onApply(st: RaftCheckState, node: string, index: number, entry: LogEntry): Violation[] {
  const first = st.applied[index - 1];
  if (first === undefined) {
    if (index === st.applied.length + 1) st.applied.push(entry);
    return [];
  }
  if (sameEntry(first, entry)) return [];
  return [
    {
      invariant: 'State Machine Safety',
      nodes: [node],
      detail: `${node} applied ${entryText(entry)} at index ${index}, another node applied ${entryText(first)}`,
    },
  ];
}
