// The one-line verdict under every cell: who leads, in which term, how far each node has committed,
// and whether every invariant held so far.

import { ballotLabel, valueKey, valueLabel } from '../engine/paxos/ballot';
import type { TraceEvent } from '../engine/trace';
import { truncate, NAME_CHARS_MAX } from './escape';
import { quorumSize, windowOf, type ViewInput } from './input';
import { currentLeader, foldState, type ClusterState, type NodeState } from './state';

export interface Verdict {
  /** Plain text (not escaped): `leader n3 · term 2 · commit n1=4 n2=4 … · invariants held`. */
  text: string;
  /** The live leader of the highest term any live node leads, or null. */
  leader: string | null;
  /** The highest term any node has reached. */
  term: number;
  /** Commit index per node, in declared order. */
  commit: Record<string, number>;
  /** Every violation so far, as `Invariant: detail`. */
  violations: string[];
}

/** The verdict at the end of `input`'s window (violations count from the start of the simulation). */
export function verdict(input: ViewInput): Verdict {
  const state = foldState(input);
  const events = input.events.slice(0, windowOf(input).to);
  const kind = protocolOf(events);
  if (kind === 'paxos') return paxosVerdict(state, events);
  if (kind === 'bully') return bullyVerdict(state);
  return verdictOf(state);
}

/**
 * Which protocol wrote the trace, from its messages: the verdict of single-decree Paxos and of the bully
 * election says other things than Raft's (Multi-Paxos has leaders, ballots as terms and a chosen prefix
 * as commit index, so Raft's verdict fits it).
 */
function protocolOf(events: readonly TraceEvent[]): 'paxos' | 'bully' | 'other' {
  for (const ev of events) {
    if (ev.k === 'send') {
      const t = ev.msg.type;
      if (t === 'Election' || t === 'Alive' || t === 'Coordinator') return 'bully';
      if (t === 'RequestVote' || t === 'AppendEntries' || t === 'Heartbeat') return 'other';
    }
    if (ev.k === 'ballot' || ev.k === 'promise' || ev.k === 'pick' || ev.k === 'accept' || ev.k === 'learn') return ev.instance === 0 ? 'paxos' : 'other';
  }
  return 'other';
}

/** `decided Y · chosen by n2 n3 (2/3) · learned by n1 n2 n3`, or `undecided · ballots #1.1 #1.3`. */
function paxosVerdict(state: ClusterState, events: readonly TraceEvent[]): Verdict {
  const n = state.nodes.length;
  const votes = new Map<string, { ballot: string; value: string; by: string[] }>();
  let chosen: { ballot: string; value: string; by: string[] } | null = null;
  const learned: string[] = [];
  const learnedValue = new Map<string, string>();
  const ballots: string[] = [];
  for (const ev of events) {
    if (ev.k === 'ballot' && ev.action === 'start') ballots.push(ballotLabel(ev.ballot));
    else if (ev.k === 'accept' && ev.granted) {
      const key = `${ballotLabel(ev.ballot)}\u0000${valueKey(ev.value)}`;
      let v = votes.get(key);
      if (v === undefined) votes.set(key, (v = { ballot: ballotLabel(ev.ballot), value: valueLabel(ev.value), by: [] }));
      if (!v.by.includes(ev.node)) v.by.push(ev.node);
      if (chosen === null && v.by.length >= quorumSize(n)) chosen = v;
    } else if (ev.k === 'learn' && !learned.includes(ev.node)) {
      learned.push(ev.node);
      learnedValue.set(ev.node, valueLabel(ev.value));
    }
  }
  const order = (names: string[]): string => state.nodes.filter((x) => names.includes(x.name)).map((x) => short(x.name)).join(' ');
  const parts: string[] = [];
  if (chosen === null) {
    const shown = ballots.length <= 4 ? ballots.join(' ') : `${ballots.length} of them, the last ${ballots[ballots.length - 1]}`;
    parts.push(ballots.length === 0 ? 'undecided · no ballot yet' : `undecided · ballots ${shown}`);
  } else {
    const c = chosen as { ballot: string; value: string; by: string[] };
    parts.push(`decided ${c.value}`, `chosen by ${order(c.by)} (${c.by.length}/${n})`);
    const right = learned.filter((x) => learnedValue.get(x) === c.value);
    const wrong = learned.filter((x) => learnedValue.get(x) !== c.value);
    if (right.length > 0) parts.push(`learned by ${order(right)}`);
    if (wrong.length > 0) parts.push(`⚠ ${wrong.map((x) => `${short(x)} learned ${learnedValue.get(x)}`).join(', ')}`);
  }
  const down = state.nodes.filter((x) => x.status !== 'up');
  if (down.length > 0) parts.push(down.map((x) => `${short(x.name)} ${x.status}`).join(' '));
  parts.push(violationSummary(state));
  return { text: parts.join(' · '), leader: null, term: 0, commit: {}, violations: state.violations.map((v) => `${v.invariant}: ${v.detail}`) };
}

/** `leader n5`, or `⚠ split brain: n2 and n5` while two nodes lead at once. */
function bullyVerdict(state: ClusterState): Verdict {
  const leaders = state.nodes.filter((x) => x.role === 'leader' && x.status !== 'down');
  const parts: string[] = [];
  if (leaders.length === 0) parts.push('no leader');
  else if (leaders.length === 1) parts.push(`leader ${short(leaders[0]!.name)}`);
  else parts.push(`⚠ split brain: ${leaders.map((x) => short(x.name)).join(' and ')}`);
  const down = state.nodes.filter((x) => x.status !== 'up');
  if (down.length > 0) parts.push(down.map((x) => `${short(x.name)} ${x.status}`).join(' '));
  parts.push(violationSummary(state));
  const top = leaders.length > 0 ? leaders[leaders.length - 1]!.name : null;
  return { text: parts.join(' · '), leader: top, term: 0, commit: {}, violations: state.violations.map((v) => `${v.invariant}: ${v.detail}`) };
}

/** The verdict of an already folded state (the scrubber folds once and asks at every event). */
export function verdictOf(state: ClusterState): Verdict {
  const term = state.nodes.reduce((max, node) => Math.max(max, node.term), 0);
  const leader = currentLeader(state);
  const commit: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const node of state.nodes) commit[node.name] = node.commitIndex;
  const violations = state.violations.map((v) => `${v.invariant}: ${v.detail}`);

  const parts: string[] = [];
  if (leader === null) parts.push('no leader');
  else if (leader.term < term) parts.push(`stale leader ${short(leader.name)} (term ${leader.term})`);
  else parts.push(`leader ${short(leader.name)}`);
  parts.push(`term ${term}`);
  if (state.nodes.length > 0) {
    parts.push(`commit ${state.nodes.map((n) => `${short(n.name)}=${n.commitIndex}${statusMark(n)}`).join(' ')}`);
  }
  parts.push(violationSummary(state));
  return {
    text: parts.join(' · '),
    leader: leader?.name ?? null,
    term,
    commit,
    violations,
  };
}

function violationSummary(state: ClusterState): string {
  const count = state.violations.length;
  if (count === 0) return 'invariants held';
  const names = [...new Set(state.violations.map((v) => v.invariant))].map(short);
  return `⚠ ${count} violation${count === 1 ? '' : 's'}: ${names.join(', ')}`;
}

function statusMark(node: NodeState): string {
  return node.status === 'up' ? '' : ` (${node.status})`;
}

function short(name: string): string {
  return truncate(name, NAME_CHARS_MAX);
}
