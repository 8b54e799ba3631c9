// Replaying the trace into the cluster's state at one point: per node role, term, vote, log, commit
// and applied index, liveness and key-value contents, plus the network's partition and link faults and
// the coordination service's locks.
// It powers the verdict, the log view, the topology and the renderer's event scrubber.

import type { FaultKind, LogEntry, Message, Micros, Role, TraceEvent } from '../engine/trace';
import { type WatchedKeys, watchedApply } from '../engine/kv/store';
import { windowOf, type ViewInput } from './input';
import { entryLabel, formatMicros } from './labels';

export type NodeStatus = 'up' | 'down' | 'paused';

export interface NodeState {
  name: string;
  role: Role;
  term: number;
  /** The candidate this node voted for in `term` (a candidate votes for itself, Raft §5.2). */
  votedFor: string | null;
  /** `log[i - 1]` is the entry at index i. */
  log: LogEntry[];
  commitIndex: number;
  appliedIndex: number;
  status: NodeStatus;
  /** The replicated key-value state machine as this node has applied it. */
  kv: Map<string, string>;
}

/** A directed link fault: `cut` drops, `hold` keeps messages in flight until released. */
export interface LinkFault {
  kind: 'cut' | 'hold';
  from: string;
  to: string;
  detail: string;
}

/** A network-wide or per-node condition in force: loss, delay, duplication, clock skew. */
export interface NetworkCondition {
  fault: Extract<FaultKind, 'loss' | 'delay' | 'duplicate' | 'skew'>;
  nodes: string[];
  detail: string;
}

export interface Violation {
  t: Micros;
  invariant: string;
  nodes: string[];
  detail: string;
}

export interface ClusterState {
  /** Time of the last event folded in. */
  t: Micros;
  /** How many trace events were folded in. */
  events: number;
  /** Declared nodes in order, then any other node the trace mentions, in order of appearance. */
  nodes: NodeState[];
  /** The partition groups while a partition holds (every node in exactly one group), else null. */
  partition: string[][] | null;
  links: LinkFault[];
  conditions: NetworkCondition[];
  violations: Violation[];
  /** The coordination service's locks, as the cluster has applied them, by name. */
  locks: LockState[];
  /** The highest log index whose lock effects are in `locks` (each index counts once, at its first apply). */
  locksApplied: number;
  /** The clients' watches, by client, as the events their members sent them show them. */
  watches: WatchState[];
}

/** A client's watch: its member and what it has been told of the keys under the prefix. */
export interface WatchState {
  client: string;
  node: string;
  prefix: string;
  keys: WatchedKeys;
}

export interface LockState {
  name: string;
  holder: string;
  token: number;
  /** The lease of an ephemeral key (`name` is the key; `token` the lease's number), not a lock. */
  ephemeral: boolean;
}

/** Replays `input.events[0 .. upto)` (default: up to the window's end) into a fresh state. */
export function foldState(input: ViewInput, upto?: number): ClusterState {
  const end = upto === undefined ? windowOf(input).to : Math.min(Math.max(0, upto), input.events.length);
  const state = emptyState(input.nodes);
  for (let i = 0; i < end; i++) applyEvent(state, input.events.at(i)!);
  return state;
}

/** A cluster of fresh followers at term 0 with empty logs. */
export function emptyState(nodes: readonly string[]): ClusterState {
  const state: ClusterState = { t: 0, events: 0, nodes: [], partition: null, links: [], conditions: [], violations: [], locks: [], locksApplied: 0, watches: [] };
  for (const name of nodes) nodeOf(state, name);
  return state;
}

const indexes = new WeakMap<ClusterState, Map<string, NodeState>>();

/** Whether the state has a node `name` (a fault may name a client). */
function hasNode(state: ClusterState, name: string): boolean {
  return state.nodes.some((n) => n.name === name);
}

/** The state of node `name`, added (as a fresh follower) if the trace mentions a node not declared. */
export function nodeOf(state: ClusterState, name: string): NodeState {
  let byName = indexes.get(state);
  if (byName === undefined) {
    byName = new Map(state.nodes.map((node) => [node.name, node]));
    indexes.set(state, byName);
  }
  let node = byName.get(name);
  if (node === undefined) {
    node = {
      name,
      role: 'follower',
      term: 0,
      votedFor: null,
      log: [],
      commitIndex: 0,
      appliedIndex: 0,
      status: 'up',
      kv: new Map(),
    };
    byName.set(name, node);
    state.nodes.push(node);
  }
  return node;
}

/** Folds one event into `state` (which the caller owns). */
export function applyEvent(state: ClusterState, ev: TraceEvent): void {
  state.t = ev.t;
  state.events++;
  switch (ev.k) {
    case 'deliver':
      if (ev.msg.type === 'WatchEvent') applyWatchEvent(state.watches, ev.from, ev.to, ev.msg);
      return;
    case 'role': {
      const node = nodeOf(state, ev.node);
      setTerm(node, ev.term);
      node.role = ev.to;
      if (ev.to === 'down') crashNode(node);
      else if (node.status === 'down') node.status = 'up';
      if (ev.to === 'candidate') node.votedFor = node.name;
      return;
    }
    case 'term':
      setTerm(nodeOf(state, ev.node), ev.to);
      return;
    case 'vote': {
      const node = nodeOf(state, ev.node);
      if (ev.granted && !ev.prevote) {
        setTerm(node, ev.term);
        node.votedFor = ev.candidate;
      }
      return;
    }
    case 'append': {
      const node = nodeOf(state, ev.node);
      // Appending at index i replaces whatever followed i - 1 (Raft §5.3). A gap would mean a
      // malformed trace; the entry is then placed at the end rather than inventing missing ones.
      if (node.log.length >= ev.index) node.log.length = ev.index - 1;
      node.log.push(ev.entry);
      return;
    }
    case 'truncate': {
      const node = nodeOf(state, ev.node);
      if (node.log.length >= ev.fromIndex) node.log.length = Math.max(0, ev.fromIndex - 1);
      return;
    }
    case 'commit':
      nodeOf(state, ev.node).commitIndex = ev.to;
      return;
    case 'apply': {
      const node = nodeOf(state, ev.node);
      // A state machine replaying from the first entry (after a restart) starts from scratch.
      if (ev.index === 1) node.kv.clear();
      node.appliedIndex = ev.index;
      applyCommand(node.kv, ev.entry, ev.result);
      if (ev.index > state.locksApplied) {
        state.locksApplied = ev.index;
        applyLock(state.locks, ev.entry, ev.result);
      }
      return;
    }
    case 'fault':
      applyFault(state, ev);
      return;
    case 'violation':
      state.violations.push({ t: ev.t, invariant: ev.invariant, nodes: ev.nodes, detail: ev.detail });
      return;
    default:
      return;
  }
}

/**
 * A crash keeps what Raft persists (term, vote, log) and loses the rest (Figure 2): the commit index, the
 * applied index and the state machine, which a restarted node rebuilds as it learns the commit index again.
 */
function crashNode(node: NodeState): void {
  node.status = 'down';
  node.role = 'down';
  node.commitIndex = 0;
  node.appliedIndex = 0;
  node.kv.clear();
}

function setTerm(node: NodeState, term: number): void {
  if (term > node.term) node.votedFor = null;
  node.term = term;
}

function applyCommand(kv: Map<string, string>, entry: LogEntry, result: string): void {
  const cmd = entry.cmd;
  switch (cmd.op) {
    case 'put':
      kv.set(cmd.key, cmd.value);
      return;
    case 'ephemeral':
      if (result.startsWith('lease ')) kv.set(cmd.key, cmd.value);
      return;
    case 'expire':
      if (result === 'expired; key deleted') kv.delete(cmd.key);
      return;
    case 'delete':
      kv.delete(cmd.key);
      return;
    case 'cas':
      if (kv.get(cmd.key) === (cmd.expect ?? undefined)) kv.set(cmd.key, cmd.value);
      return;
    default:
      return;
  }
}

/** A watch event delivered to its client: what the client's view becomes (`watchedApply`, as the client takes it). */
function applyWatchEvent(watches: WatchState[], from: string, client: string, m: Extract<Message, { type: 'WatchEvent' }>): void {
  let w = watches.find((x) => x.client === client);
  if (m.event === 'created') {
    if (w === undefined) {
      w = { client, node: from, prefix: m.prefix, keys: [] };
      watches.push(w);
      watches.sort((a, b) => compareStrings(a.client, b.client));
    }
    w.node = from;
    w.prefix = m.prefix;
  } else if (w === undefined || w.node !== from) return;
  watchedApply(w.keys, m);
}

/** A lock command's effect, read from its result as the engine's state machine words it. */
function applyLock(locks: LockState[], entry: LogEntry, result: string): void {
  const cmd = entry.cmd;
  if (cmd.op === 'noop' || cmd.op === 'get' || cmd.op === 'write') return;
  const i = locks.findIndex((l) => l.name === cmd.key);
  const set = (holder: string, token: number, ephemeral = false): void => {
    const lock = { name: cmd.key, holder, token, ephemeral };
    if (i >= 0) locks[i] = lock;
    else locks.push(lock);
  };
  if (cmd.op === 'put' || cmd.op === 'delete' || cmd.op === 'cas') {
    // A plain write of an ephemeral key takes it off its lease.
    if (i >= 0 && locks[i]!.ephemeral && (cmd.op === 'put' || result === 'deleted' || result === 'OK')) locks.splice(i, 1);
    return;
  }
  if (cmd.op === 'ephemeral') {
    const lease = /^lease (\d+)$/.exec(result);
    if (lease !== null) set(cmd.client, Number(lease[1]), true);
    return;
  }
  if (cmd.op === 'lock') {
    const granted = /^token (\d+)$/.exec(result);
    if (granted !== null) set(cmd.client, Number(granted[1]));
    return;
  }
  const passed = /; (.+) takes it, token (\d+)$/.exec(result);
  if (passed !== null) set(passed[1]!, Number(passed[2]));
  else if ((result.startsWith('unlocked') || result.startsWith('expired')) && i >= 0) locks.splice(i, 1);
}

function applyFault(state: ClusterState, ev: Extract<TraceEvent, { k: 'fault' }>): void {
  switch (ev.fault) {
    case 'crash':
      for (const name of ev.nodes) crashNode(nodeOf(state, name));
      return;
    case 'restart':
      for (const name of ev.nodes) {
        const node = nodeOf(state, name);
        node.status = 'up';
        if (node.role === 'down') node.role = 'follower';
      }
      return;
    case 'pause':
      // A client's pause (the lock holder's GC pause) is not a node's.
      for (const name of ev.nodes) {
        if (!hasNode(state, name)) continue;
        const node = nodeOf(state, name);
        if (node.status === 'up') node.status = 'paused';
      }
      return;
    case 'resume':
      for (const name of ev.nodes) {
        if (!hasNode(state, name)) continue;
        const node = nodeOf(state, name);
        if (node.status === 'paused') node.status = 'up';
      }
      return;
    case 'partition':
      state.partition = partitionGroups(state, ev.groups ?? [ev.nodes]);
      return;
    case 'heal': {
      // `heal` with no nodes heals the network: partition, link faults and message loss. With nodes,
      // the link faults among them.
      const among = new Set(ev.nodes);
      if (among.size === 0) {
        state.partition = null;
        state.conditions = state.conditions.filter((c) => c.fault !== 'loss');
      }
      state.links = state.links.filter((link) => among.size > 0 && !(among.has(link.from) && among.has(link.to)));
      return;
    }
    case 'cut':
    case 'hold':
      if (ev.nodes.length >= 2) {
        const [from, to] = ev.nodes as [string, string];
        state.links = state.links.filter((link) => !(link.kind === ev.fault && link.from === from && link.to === to));
        state.links.push({ kind: ev.fault, from, to, detail: ev.detail });
      }
      return;
    case 'release':
      if (ev.nodes.length >= 2) {
        const [from, to] = ev.nodes as [string, string];
        state.links = state.links.filter((link) => !(link.kind === 'hold' && link.from === from && link.to === to));
      }
      return;
    case 'loss':
    case 'delay':
    case 'duplicate':
    case 'skew': {
      const key = ev.nodes.join('\u0000');
      state.conditions = state.conditions.filter((c) => !(c.fault === ev.fault && c.nodes.join('\u0000') === key));
      state.conditions.push({ fault: ev.fault, nodes: [...ev.nodes], detail: ev.detail });
      return;
    }
  }
}

/** Every known node in exactly one group: nodes the fault leaves out form one more group together. */
function partitionGroups(state: ClusterState, groups: readonly string[][]): string[][] {
  const seen = new Set<string>();
  const result: string[][] = [];
  for (const group of groups) {
    const members = group.filter((name) => !seen.has(name));
    for (const name of members) {
      seen.add(name);
      nodeOf(state, name);
    }
    if (members.length > 0) result.push(members);
  }
  const rest = state.nodes.filter((node) => !seen.has(node.name)).map((node) => node.name);
  if (rest.length > 0) result.push(rest);
  return result;
}

/** Among live leaders, the one of the highest term (the first declared if several claim it). */
export function currentLeader(state: ClusterState): NodeState | null {
  let best: NodeState | null = null;
  for (const node of state.nodes) {
    if (node.role !== 'leader' || node.status === 'down') continue;
    if (best === null || node.term > best.term) best = node;
  }
  return best;
}

/**
 * A deterministic, line-oriented description of the state (etcd-raft `describe` style): nodes in
 * declared order, every set sorted, no unordered iteration. Used by tests and the scrubber panel.
 */
export function describeState(state: ClusterState): string {
  const lines: string[] = [`t=${formatMicros(state.t)} events=${state.events}`];
  if (state.partition !== null) lines.push(`partition ${formatGroups(state.partition)}`);
  for (const link of sortedBy(state.links, (l) => `${l.kind}\u0000${l.from}\u0000${l.to}`)) {
    lines.push(`${link.kind} ${link.from} -> ${link.to}${link.detail === '' ? '' : ` (${link.detail})`}`);
  }
  for (const c of sortedBy(state.conditions, (c) => `${c.fault}\u0000${c.nodes.join(' ')}`)) {
    lines.push(`${c.fault} ${c.nodes.length === 0 ? '*' : c.nodes.join(' ')} ${c.detail}`.trimEnd());
  }
  for (const node of state.nodes) {
    lines.push(
      `${node.name}: ${node.role} ${node.status} term=${node.term} vote=${node.votedFor ?? '-'} ` +
        `commit=${node.commitIndex} applied=${node.appliedIndex} last=${lastIndex(node)}`,
    );
    if (node.log.length > 0) lines.push(`  log: ${node.log.map((e, i) => `${i + 1}:${entryLabel(e)}`).join(', ')}`);
    if (node.kv.size > 0) {
      const pairs = [...node.kv.entries()].sort(([a], [b]) => compareStrings(a, b));
      lines.push(`  kv: ${pairs.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    }
  }
  for (const l of sortedBy(state.locks, (l) => l.name)) {
    lines.push(l.ephemeral ? `ephemeral ${l.name} lease=${l.token} of=${l.holder}` : `lock ${l.name} holder=${l.holder} token=${l.token}`);
  }
  for (const w of state.watches) lines.push(`watch ${w.client} on ${w.node} ${watchedText(w)}`);
  for (const v of state.violations) {
    lines.push(`violation ${v.invariant} at ${formatMicros(v.t)} [${v.nodes.join(' ')}]: ${v.detail}`);
  }
  return lines.join('\n');
}

/** `{n1 n2} | {n3 n4 n5}`, the cell language's own notation. */
export function formatGroups(groups: readonly string[][]): string {
  return groups.map((g) => `{${g.join(' ')}}`).join(' | ');
}

/** Index of the node's last log entry (0 when empty). */
export function lastIndex(node: NodeState): number {
  return node.log.length;
}

/** Code-unit order: the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => compareStrings(key(a), key(b)));
}

/** `/config/a=1, /config/b=2` (keys deleted left out), or `no keys under /config/`. */
export function watchedText(w: WatchState): string {
  const keys = w.keys.filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`);
  return keys.length > 0 ? keys.join(', ') : `no keys under ${w.prefix}`;
}
